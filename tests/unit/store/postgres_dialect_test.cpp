// What the store does with a PostgreSQL target before any server answers:
// the engine it names, the statements' placeholders, and a password in the
// URI (refused, and never printed).

#include <doctest/doctest.h>

#include "ussdgw/store/db.hpp"

using namespace ussdgw;

TEST_CASE("a target names its engine") {
    CHECK(store::engine_of("postgresql://db.example:5432/accounts") == store::engine::postgres);
    CHECK(store::engine_of("postgres://db/accounts") == store::engine::postgres);
    CHECK(store::engine_of("/var/lib/ussdgw/ussdgw.db") == store::engine::sqlite);
    CHECK(store::engine_of("postgresql.db") == store::engine::sqlite);
    CHECK(store::engine_of(":memory:") == store::engine::sqlite);
}

TEST_CASE("placeholders become numbered parameters outside quoted text") {
    int n = 0;
    CHECK(store::postgres_placeholders("UPDATE t SET a = ? WHERE b = ?", n) ==
          "UPDATE t SET a = $1 WHERE b = $2");
    CHECK(n == 2);
    CHECK(store::postgres_placeholders("SELECT ?1, ?2 WHERE x < ?1 + ?2 * ?2", n) ==
          "SELECT $1, $2 WHERE x < $1 + $2 * $2");
    CHECK(n == 2);
    CHECK(store::postgres_placeholders("SELECT '?' || ? FROM t WHERE c = 'a?b'", n) ==
          "SELECT '?' || $1 FROM t WHERE c = 'a?b'");
    CHECK(n == 1);
    CHECK(store::postgres_placeholders("SELECT 1", n) == "SELECT 1");
    CHECK(n == 0);
}

TEST_CASE("a password in the URI is refused and never shown") {
    CHECK(store::printable_target("postgresql://gw:s3cret-pw@db:5432/accounts") ==
          "postgresql://gw:***@db:5432/accounts");
    CHECK(store::printable_target("postgresql://db/accounts?user=gw&password=s3cret-pw") ==
          "postgresql://db/accounts?user=gw&password=***");
    CHECK(store::printable_target("postgresql://gw@db/accounts") == "postgresql://gw@db/accounts");
    CHECK(store::printable_target("/tmp/x.db") == "/tmp/x.db");

    for (const char* uri : {"postgresql://gw:s3cret-pw@127.0.0.1:1/accounts",
                            "postgresql://127.0.0.1:1/accounts?password=s3cret-pw"}) {
        try {
            store::connection c(uri);
            FAIL("opened " << uri);
        } catch (const store::db_failure& e) {
            const std::string what = e.what();
            CHECK(what.find("PGPASSWORD") != std::string::npos);
            CHECK(what.find("s3cret-pw") == std::string::npos);
        }
    }
}

TEST_CASE("a PostgreSQL server that is not there is an I/O fault naming the target") {
    // Port 1 on loopback: nothing listens there.
    try {
        store::connection c("postgresql://127.0.0.1:1/accounts?connect_timeout=5");
        FAIL("connected");
    } catch (const store::db_failure& e) {
        CHECK(e.kind() == store::fault_kind::io);
        CHECK(std::string(e.what()).find("postgresql://127.0.0.1:1/accounts") != std::string::npos);
    }
}
