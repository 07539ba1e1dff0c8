// The server key: hashes keyed with a secret outside the database, a store
// tied to its key, and hashes made before the key re-made at their next use.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "fixture.hpp"
#include "ussdgw/store/server_key.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

std::string text_of(fixture& f, const std::string& sql) {
    f.runner->drain();
    store::connection c(f.path);
    auto st = c.prepare(sql);
    auto cur = st.query();
    return cur.next() ? cur.text(0) : std::string();
}

bool keyed(const std::string& hash) {
    return hash.rfind("$p1$argon2id$", 0) == 0;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("a keyed hash needs the key: the database alone cannot check a PIN") {
    auto key = store::server_key::from_bytes(std::span<const unsigned char>(
        reinterpret_cast<const unsigned char*>("0123456789abcdef0123456789abcdef"), 32));
    auto other = store::server_key::from_bytes(std::span<const unsigned char>(
        reinterpret_cast<const unsigned char*>("fedcba9876543210fedcba9876543210"), 32));
    store::hasher with(store::pwhash_limits::minimum(), key);
    store::hasher without(store::pwhash_limits::minimum());
    store::hasher wrong(store::pwhash_limits::minimum(), other);
    auto h = with.hash("1234");
    CHECK(keyed(h));
    CHECK(with.verify(h, "1234"));
    CHECK_FALSE(with.verify(h, "1235"));
    // An attacker with the file but not the key tries the right PIN: no match.
    CHECK_FALSE(without.verify(h, "1234"));
    CHECK_FALSE(wrong.verify(h, "1234"));
    // Hashes from before the key still verify and are marked for re-keying.
    auto plain = without.hash("1234");
    CHECK(with.verify(plain, "1234"));
    CHECK(with.stale(plain));
    CHECK_FALSE(with.stale(h));
    CHECK_FALSE(without.stale(plain));
}

TEST_CASE("a store gets its key at first start - the key file is private - new hashes are keyed") {
    fixture f;  // the demo store, hashed before it had a key
    f.key_path = f.dir.file("server.key");
    f.start();
    CHECK(mode_of(f.key_path) == 0600);
    CHECK(text_of(f, "SELECT check_value FROM server_key") ==
          store::server_key::read(f.key_path)->check_value());
    REQUIRE(f.call(en1, "password_issue").ok);
    CHECK(keyed(text_of(f, "SELECT hash FROM passwords WHERE msisdn='79160000001'")));
}

TEST_CASE("hashes made before the key are re-keyed at their next successful use") {
    fixture f;
    f.key_path = f.dir.file("server.key");
    f.start();
    const std::string puk_sql = "SELECT puk_hash FROM sim WHERE msisdn='79160000001'";
    const std::string pin_sql = "SELECT pin_hash FROM sim WHERE msisdn='79160000001'";
    REQUIRE_FALSE(keyed(text_of(f, puk_sql)));
    // A wrong PUK changes nothing but the counter.
    CHECK(f.call(en1, "puk_unblock", {{"puk", "11111111"}, {"new", "4321"}, {"new2", "4321"}})
              .error == "wrong_puk");
    CHECK_FALSE(keyed(text_of(f, puk_sql)));
    auto ok =
        f.call(en1, "puk_unblock", {{"puk", store::demo_puk}, {"new", "4321"}, {"new2", "4321"}});
    REQUIRE(ok.ok);
    CHECK(keyed(text_of(f, puk_sql)));
    CHECK(keyed(text_of(f, pin_sql)));
    // The re-keyed PUK still works (and the new PIN too).
    CHECK(f.call(en1, "puk_unblock", {{"puk", store::demo_puk}, {"new", "5555"}, {"new2", "5555"}})
              .ok);
    CHECK(f.call(en1, "pin_change", {{"old", "5555"}, {"new", "6666"}, {"new2", "6666"}}).ok);

    // A password set before the key: the login re-keys it, and it keeps working.
    {
        store::connection c(f.path);
        store::accounts a(c);
        store::hasher plain(store::pwhash_limits::minimum());
        a.put_password(en1, {"permanent", plain.hash("Hello123"), t0, std::nullopt, std::nullopt});
    }
    const std::string pw_sql =
        "SELECT hash FROM passwords WHERE msisdn='79160000001' AND kind='permanent'";
    REQUIRE_FALSE(keyed(text_of(f, pw_sql)));
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).ok);
    CHECK(keyed(text_of(f, pw_sql)));
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).ok);
}

TEST_CASE("a store refuses a missing or a different server key") {
    fixture f;
    f.key_path = f.dir.file("server.key");
    f.start();
    f.runner.reset();
    // Another key file: every check would fail, so the store is refused.
    f.key_path = f.dir.file("other.key");
    REQUIRE(store::server_key::create(f.key_path));
    CHECK_THROWS_WITH_AS(f.start(), doctest::Contains("is not the key store"), std::runtime_error);
    // The key gone: refused, never silently replaced by a new one.
    f.key_path = f.dir.file("gone.key");
    CHECK_THROWS_WITH_AS(f.start(), doctest::Contains("which is missing"), std::runtime_error);
    struct stat st {};
    CHECK(::stat(f.key_path.c_str(), &st) != 0);
    // A key others may read is refused too.
    f.key_path = f.dir.file("server.key");
    ::chmod(f.key_path.c_str(), 0644);
    CHECK_THROWS_WITH_AS(f.start(), doctest::Contains("may be read by group or others"),
                         std::runtime_error);
}
