// The throwaway PostgreSQL server the store tests run against
// (tests/support/pg_server.hpp): databases isolated from each other,
// durability off, and reachable only on 127.0.0.1 at the port in its URIs.

#include <doctest/doctest.h>

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "pg_server.hpp"

using ussdgw::test::pg_server;

namespace {

struct pq_conn_deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using pq_conn = std::unique_ptr<PGconn, pq_conn_deleter>;

pq_conn connect(const std::string& uri) {
    pq_conn c(PQconnectdb(uri.c_str()));
    INFO(uri, ": ", PQerrorMessage(c.get()));
    REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
    return c;
}

// Runs `sql`, expecting a command (or a query, when `rows` is true) to
// succeed; returns the first column of the first row, or "" for none.
std::string exec(PGconn* c, const std::string& sql, bool rows = true) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql.c_str()), &PQclear);
    INFO(sql, ": ", PQerrorMessage(c));
    REQUIRE(PQresultStatus(r.get()) == (rows ? PGRES_TUPLES_OK : PGRES_COMMAND_OK));
    if (PQntuples(r.get()) == 0) return "";
    return PQgetvalue(r.get(), 0, 0);
}

}  // namespace

TEST_CASE("pg_server - isolated databases on a fast throwaway server on loopback") {
    pg_server* pg = pg_server::shared();
    REQUIRE(pg != nullptr);
    if (!pg->available()) {
        MESSAGE("skipped: " << pg->why_unavailable());
        return;
    }
    CHECK(pg->why_unavailable().empty());

    const std::string a_uri = pg->create_database();
    const std::string b_uri = pg->create_database();
    CHECK(a_uri != b_uri);
    auto a = connect(a_uri);
    auto b = connect(b_uri);

    exec(a.get(), "CREATE TABLE only_in_a (id integer PRIMARY KEY)", false);
    exec(a.get(), "INSERT INTO only_in_a VALUES (1)", false);
    CHECK(exec(a.get(), "SELECT count(*) FROM only_in_a") == "1");
    CHECK(exec(a.get(), "SELECT to_regclass('only_in_a') IS NOT NULL") == "t");
    CHECK(exec(b.get(), "SELECT to_regclass('only_in_a') IS NULL") == "t");

    // Durability is off: the data dies with the test process anyway.
    CHECK(exec(a.get(), "SHOW fsync") == "off");
    CHECK(exec(a.get(), "SHOW full_page_writes") == "off");
    CHECK(exec(a.get(), "SHOW synchronous_commit") == "off");

    // The connection came over TCP to 127.0.0.1 at the URI's port, and the
    // server listens on nothing else.
    const std::string port = std::to_string(pg->port());
    CHECK(a_uri == "postgresql://ussdgw@127.0.0.1:" + port + "/" + PQdb(a.get()));
    CHECK(exec(a.get(), "SELECT host(inet_server_addr())") == "127.0.0.1");
    CHECK(exec(a.get(), "SELECT inet_server_port()") == port);
    CHECK(exec(a.get(), "SHOW listen_addresses") == "127.0.0.1");
    CHECK(exec(a.get(), "SELECT current_user") == "ussdgw");
}
