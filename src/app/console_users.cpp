#include "ussdgw/app/console_users.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ussdgw::app {

namespace {

std::string hash_password(const std::string& password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("crypto_pwhash_str: out of memory");
    return out;
}

// Writes `text` to `path` through a temporary file renamed over it, mode 0600.
util::result<bool, std::string> write_private(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return util::fail(tmp + ": " + std::strerror(errno));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int e = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = ok ? errno : e;
        ::unlink(tmp.c_str());
        return util::fail(path + ": " + std::strerror(err));
    }
    return true;
}

std::string line_of(const console_user& u) {
    return u.name + " " + to_string(u.role) + " " + u.hash + "\n";
}

}  // namespace

const char* to_string(console_role r) {
    return r == console_role::editor ? "editor" : "viewer";
}

std::optional<console_role> parse_console_role(std::string_view s) {
    if (s == "viewer") return console_role::viewer;
    if (s == "editor") return console_role::editor;
    return std::nullopt;
}

bool valid_console_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

util::result<std::vector<console_user>, std::string> load_console_users(const std::string& path) {
    std::ifstream in(path);
    if (!in) return util::fail(path + ": cannot read: " + std::strerror(errno));
    std::vector<console_user> users;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const auto where = path + ":" + std::to_string(n) + ": ";
        if (const auto hash_mark = line.find('#'); hash_mark != std::string::npos) {
            // A comment, unless the '#' is inside the hash field (it never is:
            // Argon2id strings use '$', ',' and base64).
            line.resize(hash_mark);
        }
        std::istringstream fields(line);
        console_user u;
        std::string role, extra;
        if (!(fields >> u.name)) continue;  // blank
        if (!(fields >> role >> u.hash) || (fields >> extra))
            return util::fail(where + "expected NAME ROLE HASH");
        if (!valid_console_name(u.name))
            return util::fail(where + "bad user name '" + u.name + "'");
        const auto r = parse_console_role(role);
        if (!r) return util::fail(where + "unknown role '" + role + "' (viewer or editor)");
        u.role = *r;
        if (u.hash.rfind("$argon2id$", 0) != 0)
            return util::fail(where + "the password hash is not an Argon2id string");
        for (const auto& other : users)
            if (other.name == u.name) return util::fail(where + "user '" + u.name + "' twice");
        users.push_back(std::move(u));
    }
    return users;
}

util::result<bool, std::string> put_console_user(const std::string& path, const std::string& name,
                                                 console_role role, const std::string& password) {
    if (!valid_console_name(name))
        return util::fail("bad user name '" + name + "' (letters, digits, '.', '_', '-'; 1-64)");
    if (password.size() < console_password_min)
        return util::fail("the password must have at least " +
                          std::to_string(console_password_min) + " characters");
    std::vector<console_user> users;
    if (::access(path.c_str(), F_OK) == 0) {
        auto loaded = load_console_users(path);
        if (!loaded) return util::fail(loaded.error());
        users = std::move(loaded.value());
    }
    console_user fresh{name, role, hash_password(password)};
    bool replaced = false;
    for (auto& u : users)
        if (u.name == name) {
            u = fresh;
            replaced = true;
        }
    if (!replaced) users.push_back(fresh);
    std::string text =
        "# ussdgw console users: NAME ROLE ARGON2ID-HASH (ussdgw-admin console-user)\n";
    for (const auto& u : users) text += line_of(u);
    auto written = write_private(path, text);
    if (!written) return util::fail(written.error());
    return replaced;
}

util::result<bool, std::string> remove_console_user(const std::string& path,
                                                    const std::string& name) {
    auto loaded = load_console_users(path);
    if (!loaded) return util::fail(loaded.error());
    std::string text =
        "# ussdgw console users: NAME ROLE ARGON2ID-HASH (ussdgw-admin console-user)\n";
    bool found = false;
    for (const auto& u : loaded.value()) {
        if (u.name == name) {
            found = true;
            continue;
        }
        text += line_of(u);
    }
    if (!found) return false;
    auto written = write_private(path, text);
    if (!written) return util::fail(written.error());
    return true;
}

bool console_password_matches(const std::string& hash, const std::string& password) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace ussdgw::app
