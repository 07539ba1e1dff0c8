#include "ussdgw/store/server_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ussdgw::store {
namespace {

constexpr std::size_t min_key_bytes = 32;
constexpr std::string_view check_text = "ussdgw server key check v1";

std::string errno_text() {
    return std::strerror(errno);
}

std::string to_hex(std::span<const unsigned char> b) {
    std::string out(b.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
    out.pop_back();
    return out;
}

std::string mode_text(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

std::optional<std::string> stored_check(connection& db) {
    auto st = db.prepare("SELECT check_value FROM server_key WHERE id = 1");
    auto c = st.query();
    if (!c.next()) return std::nullopt;
    return c.text(0);
}

}  // namespace

server_key server_key::from_bytes(std::span<const unsigned char> bytes) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    server_key k;
    // Whatever the file holds (hex, base64, raw bytes) is hashed to the key.
    crypto_generichash(k.key_.data(), k.key_.size(), bytes.data(), bytes.size(), nullptr, 0);
    return k;
}

util::result<server_key, std::string> server_key::read(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return util::fail("server key " + path + ": " + errno_text());
    if (st.st_mode & 077)
        return util::fail("server key " + path + " may be read by group or others (mode " +
                          mode_text(st.st_mode) + "); run: chmod 600 " + path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (!in || text.size() < min_key_bytes)
        return util::fail("server key " + path + ": expected at least 32 bytes of random data");
    auto k = from_bytes({reinterpret_cast<const unsigned char*>(text.data()), text.size()});
    sodium_memzero(text.data(), text.size());
    return k;
}

util::result<server_key, std::string> server_key::create(const std::string& path) {
    if (sodium_init() < 0) return util::fail(std::string("libsodium failed to initialise"));
    std::array<unsigned char, 32> random{};
    randombytes_buf(random.data(), random.size());
    std::string text = to_hex(random) + "\n";
    sodium_memzero(random.data(), random.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return util::fail("cannot create the server key " + path + ": " + errno_text());
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        return util::fail("cannot write the server key " + path + ": " + errno_text());
    }
    text.pop_back();
    auto k = from_bytes({reinterpret_cast<const unsigned char*>(text.data()), text.size()});
    sodium_memzero(text.data(), text.size());
    return k;
}

std::string server_key::check_value() const {
    auto m = mac(check_text);
    return to_hex(m);
}

std::array<unsigned char, 32> server_key::mac(std::string_view message) const {
    std::array<unsigned char, 32> out{};
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key_.data(), key_.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
    return out;
}

namespace {

// The key for sealing, derived so the HMAC key itself is never the cipher key.
std::array<unsigned char, crypto_secretbox_KEYBYTES> box_key(std::span<const unsigned char> key) {
    std::array<unsigned char, crypto_secretbox_KEYBYTES> k{};
    crypto_generichash(k.data(), k.size(), reinterpret_cast<const unsigned char*>("outbox"), 6,
                       key.data(), key.size());
    return k;
}

}  // namespace

std::string server_key::seal(std::string_view text) const {
    auto k = box_key(key_);
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + text.size(), '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(bytes, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(bytes + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(text.data()), text.size(), bytes,
                          k.data());
    sodium_memzero(k.data(), k.size());
    return to_hex({bytes, out.size()});
}

std::optional<std::string> server_key::unseal(std::string_view sealed) const {
    std::string raw(sealed.size() / 2, '\0');
    std::size_t len = 0;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), sealed.data(),
                       sealed.size(), nullptr, &len, nullptr) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    std::string text(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    auto k = box_key(key_);
    const bool ok =
        crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(text.data()),
                                   bytes + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, bytes, k.data()) == 0;
    sodium_memzero(k.data(), k.size());
    if (!ok) return std::nullopt;
    return text;
}

std::string default_key_path(const std::string& db_path) {
    return db_path + ".key";
}

util::result<server_key, std::string> open_server_key(connection& db, const std::string& key_path) {
    auto stored = stored_check(db);
    struct stat st {};
    const bool exists = ::stat(key_path.c_str(), &st) == 0;
    if (stored && !exists)
        return util::fail("store " + db.path() + " was keyed with the server key " + key_path +
                          ", which is missing: restore it from your backup (the store's "
                          "passwords, PINs and PUKs cannot be checked without it)");
    auto key = exists ? server_key::read(key_path) : server_key::create(key_path);
    if (!key) return key;
    const auto check = key->check_value();
    if (!stored) {
        transaction t(db);
        db.prepare("INSERT INTO server_key (id, check_value) VALUES (1, ?)").exec(check);
        t.commit();
    } else if (*stored != check) {
        return util::fail("server key " + key_path + " is not the key store " + db.path() +
                          " was created with: restore the right key file (a wrong key would "
                          "refuse every password, PIN and PUK)");
    }
    return key;
}

util::result<std::string, std::string> check_server_key(connection& db,
                                                        const std::string& key_path) {
    auto stored = stored_check(db);
    struct stat st {};
    const bool exists = ::stat(key_path.c_str(), &st) == 0;
    if (!exists) {
        if (stored)
            return util::fail("store " + db.path() + " needs its server key " + key_path +
                              ", which is missing: restore it from your backup");
        return "server key " + key_path + " will be created at start";
    }
    auto key = server_key::read(key_path);
    if (!key) return util::fail(key.error());
    if (stored && *stored != key->check_value())
        return util::fail("server key " + key_path + " is not the key store " + db.path() +
                          " was created with");
    return "server key " + key_path + (stored ? " matches the store" : " will key the store");
}

util::result<bool, std::string> check_private_files(const std::string& db_path,
                                                    const std::string& key_path) {
    for (const auto& f : {db_path, db_path + "-wal", db_path + "-shm"}) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0) continue;
        if (st.st_mode & 007)
            return util::fail(
                f + " may be read or written by others (mode " + mode_text(st.st_mode) +
                "): it holds account data and secret hashes. Fix: ussdgw-admin --db " + db_path +
                " fix-permissions (or chmod 600)");
    }
    struct stat st {};
    if (::stat(key_path.c_str(), &st) == 0 && (st.st_mode & 077))
        return util::fail("server key " + key_path + " may be read by group or others (mode " +
                          mode_text(st.st_mode) + "). Fix: ussdgw-admin --db " + db_path +
                          " fix-permissions (or chmod 600)");
    return true;
}

util::result<std::string, std::string> make_files_private(const std::string& db_path,
                                                          const std::string& key_path) {
    std::string done;
    for (const auto& f : {db_path, db_path + "-wal", db_path + "-shm", key_path}) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0) continue;
        if ((st.st_mode & 077) == 0) {
            done += f + ": already 0600 or stricter\n";
            continue;
        }
        if (::chmod(f.c_str(), st.st_mode & 0700) != 0)
            return util::fail("chmod " + f + ": " + errno_text());
        done +=
            f + ": mode " + mode_text(st.st_mode) + " -> " + mode_text(st.st_mode & 0700) + "\n";
    }
    return done;
}

}  // namespace ussdgw::store
