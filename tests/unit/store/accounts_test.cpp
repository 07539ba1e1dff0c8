// Typed queries, RAII transactions and savepoints, hashing, demo data.

#include <doctest/doctest.h>

#include <set>

#include "process.hpp"
#include "test_store.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/secrets.hpp"
#include "ussdgw/store/server_key.hpp"

#include <sys/stat.h>

using namespace ussdgw;

namespace {

store::subscriber basic(const std::string& msisdn) {
    store::subscriber s;
    s.msisdn = msisdn;
    s.tariff = "Basic";
    return s;
}

struct db_fixture {
    test::temp_dir dir;
    store::connection c{test::fresh_store(dir, "s.db")};
    bool migrated = static_cast<bool>(store::migrate(c));
    store::accounts a{c};
    store::hasher h{store::pwhash_limits::minimum()};
};

}  // namespace

TEST_CASE("subscribers round-trip - duplicates are refused") {
    db_fixture f;
    store::load_demo_catalog(f.a);
    store::subscriber s;
    s.msisdn = "79001234567";
    s.tariff = "Smart";
    s.balance = -1250;
    s.language = "ru";
    s.created = 100;
    REQUIRE(f.a.add_subscriber(s));
    CHECK_FALSE(f.a.add_subscriber(s));
    f.a.add_balance(s.msisdn, 250);
    f.a.set_tariff(s.msisdn, "Basic", 200);
    auto r = f.a.find_subscriber(s.msisdn);
    REQUIRE(r);
    CHECK(r->balance == -1000);
    CHECK(r->tariff == "Basic");
    CHECK(r->tariff_changed == 200);
    CHECK(r->language == "ru");
    CHECK_FALSE(f.a.find_subscriber("1"));
}

TEST_CASE("login alerts are off for a new subscriber - stored by add_subscriber and the setter") {
    db_fixture f;
    store::load_demo_catalog(f.a);
    REQUIRE(f.a.add_subscriber(basic("1")));
    CHECK_FALSE(f.a.find_subscriber("1")->login_alerts);
    auto on = basic("2");
    on.login_alerts = true;
    REQUIRE(f.a.add_subscriber(on));
    CHECK(f.a.find_subscriber("2")->login_alerts);
    f.a.set_login_alerts("1", true);
    f.a.set_login_alerts("2", false);
    CHECK(f.a.find_subscriber("1")->login_alerts);
    CHECK_FALSE(f.a.find_subscriber("2")->login_alerts);
}

TEST_CASE("a transaction rolls back unless committed - a savepoint undoes only its part") {
    db_fixture f;
    store::load_demo_catalog(f.a);
    {
        store::transaction t(f.c);
        f.a.add_subscriber(basic("1"));
    }
    CHECK_FALSE(f.a.find_subscriber("1"));
    {
        store::transaction t(f.c);
        f.a.add_subscriber(basic("1"));
        {
            store::savepoint sp(f.c);
            f.a.add_balance("1", 500);
            sp.rollback();
        }
        {
            store::savepoint sp(f.c);
            f.a.add_balance("1", 700);
            sp.release();
        }
        t.commit();
    }
    CHECK(f.a.find_subscriber("1")->balance == 700);
}

TEST_CASE("archive lists newest first - dedup honours its window") {
    db_fixture f;
    for (int i = 0; i < 5; ++i)
        f.a.add_archive({0, "7", i, "ussd", "a" + std::to_string(i), "", "ok", 0});
    auto rows = f.a.last_archive("7", 3);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].action == "a4");
    CHECK(rows[2].action == "a2");
    f.a.put_dedup("k", 100, "v");
    CHECK(f.a.find_dedup("k", 100) == "v");
    CHECK_FALSE(f.a.find_dedup("k", 101));
    CHECK(f.a.purge_dedup(101) == 1);
}

TEST_CASE("secrets hash with Argon2id - salted - and verify") {
    store::hasher h(store::pwhash_limits::minimum());
    auto a = h.hash("1234");
    auto b = h.hash("1234");
    CHECK(a.rfind("$argon2id$", 0) == 0);
    CHECK(a != b);
    CHECK(h.verify(a, "1234"));
    CHECK_FALSE(h.verify(a, "1235"));
    CHECK_FALSE(h.verify("garbage", "1234"));
}

TEST_CASE("random passwords have upper - lower and digit and no char more than 5 times") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto p = store::random_password(8);
        CHECK(p.size() == 8);
        bool up = false, lo = false, dg = false;
        for (char c : p) {
            up |= c >= 'A' && c <= 'Z';
            lo |= c >= 'a' && c <= 'z';
            dg |= c >= '0' && c <= '9';
        }
        CHECK((up && lo && dg));
        seen.insert(p);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("demo data loads once - with hashed SIM codes") {
    db_fixture f;
    CHECK(store::load_demo(f.a, f.h, 1000) == 5);
    CHECK(store::load_demo(f.a, f.h, 1000) == 0);
    auto s = f.a.find_subscriber("79160000003");
    REQUIRE(s);
    CHECK(s->balance == -1000);
    auto sim = f.a.find_sim("79160000001");
    REQUIRE(sim);
    CHECK(sim->pin_hash != store::demo_pin);
    CHECK(f.h.verify(sim->pin_hash, store::demo_pin));
    CHECK(f.h.verify(sim->puk_hash, store::demo_puk));
    CHECK_FALSE(f.a.find_password("79160000001", "permanent"));
    CHECK(f.a.all_tariffs().size() == 3);
    CHECK(f.a.service_rule("voicemail", "Premium") == "included");
}

TEST_CASE("a new store is private - a store others may read is refused and can be fixed" *
          doctest::test_suite("sqlite_only")) {
    test::temp_dir d;
    auto path = d.file("p.db");
    {
        // Whatever the process umask, the store and the files SQLite makes beside it are 0600.
        const auto old = ::umask(022);
        store::connection c(path);
        REQUIRE(store::migrate(c));
        ::umask(old);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        for (const char* side : {"-wal", "-shm"}) {
            REQUIRE(::stat((path + side).c_str(), &st) == 0);
            CHECK((st.st_mode & 0777) == 0600);
        }
    }
    const auto key = d.file("p.db.key");
    CHECK(store::check_private_files(path, key));
    ::chmod(path.c_str(), 0644);
    auto refused = store::check_private_files(path, key);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().find("may be read or written by others (mode 0644)") !=
          std::string::npos);
    CHECK(refused.error().find("ussdgw-admin --db " + path + " fix-permissions") !=
          std::string::npos);
    auto fixed = store::make_files_private(path, key);
    REQUIRE(fixed);
    CHECK(fixed->find("mode 0644 -> 0600") != std::string::npos);
    CHECK(store::check_private_files(path, key));
}
