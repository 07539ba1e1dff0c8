// ussdgw-admin export and import between the engines: a SQLite store with
// money moved, passwords and SIM codes set goes to PostgreSQL and back, the
// counts printed and compared, and the copies work (a password set on the
// SQLite store is accepted on the copies with the same key file).

#include <doctest/doctest.h>

#include "harness.hpp"
#include "pg_server.hpp"

using namespace ussdgw::test;

namespace {

// A table's line of the printed comparison with its blanks squeezed:
// "passwords 1 = 1", or "" when the table is not listed.
std::string counted(const std::string& output, const std::string& table) {
    const auto at = output.find("  " + table + " ");
    if (at == std::string::npos) return {};
    const auto end = output.find('\n', at);
    std::string line, squeezed;
    line = output.substr(at + 2, end - at - 2);
    for (char c : line)
        if (c != ' ' || (!squeezed.empty() && squeezed.back() != ' ')) squeezed += c;
    return squeezed;
}

}  // namespace

TEST_CASE("export to PostgreSQL and import back keep every row and every secret usable") {
    auto* server = pg_server::shared();
    if (!server->available()) {
        MESSAGE("skipped: " << server->why_unavailable());
        return;
    }
    temp_dir dir;
    const auto db = demo_store(dir);
    const auto key = db + ".key";
    REQUIRE(admin({"--db", db, "topup", "79160000001", "150"}).code == 0);
    REQUIRE(admin({"--db", db, "password", "set", "79160000002"}, "Copy2Pg-ok\n").code == 0);

    const auto uri = server->create_database();
    auto out = admin({"--db", db, "export", "--to", uri});
    REQUIRE_MESSAGE(out.code == 0, out.output);
    CHECK(counted(out.output, "subscribers") == "subscribers 5 = 5");
    CHECK(counted(out.output, "passwords") == "passwords 2 = 2");
    CHECK(counted(out.output, "payments") == "payments 1 = 1");
    CHECK(out.output.find("every count matches") != std::string::npos);

    // The copy serves: the same key checks the password; ids go on.
    CHECK(
        admin({"--db", uri, "--key-file", key, "password", "check", "79160000002"}, "Copy2Pg-ok\n")
            .code == 0);
    CHECK(admin({"--db", uri, "--key-file", key, "password", "check", "79160000002"}, "wrong-one\n")
              .code == 1);
    REQUIRE(admin({"--db", uri, "--key-file", key, "topup", "79160000003", "200"}).code == 0);
    auto shown = admin({"--db", uri, "--key-file", key, "archive", "79160000003"});
    CHECK(shown.output.find("200") != std::string::npos);

    // Not into a store that holds rows.
    auto again = admin({"--db", db, "export", "--to", uri});
    CHECK(again.code == 1);
    CHECK(again.output.find("is not empty") != std::string::npos);

    // And back to a new SQLite file: the PostgreSQL store's later top-up came too.
    const auto back = dir.file("back.db");
    auto in = admin({"--db", back, "import", "--from", uri});
    REQUIRE_MESSAGE(in.code == 0, in.output);
    CHECK(in.output.find("every count matches") != std::string::npos);
    CHECK(
        admin({"--db", back, "--key-file", key, "password", "check", "79160000002"}, "Copy2Pg-ok\n")
            .code == 0);
    auto sub = admin({"--db", back, "--key-file", key, "subscriber", "show", "79160000003"});
    CHECK(sub.output.find("Balance      190.00 RUB") != std::string::npos);

    // A PostgreSQL store without a key file is refused before anything runs.
    auto nokey = admin({"--db", uri, "topup", "79160000003", "200"});
    CHECK(nokey.code == 2);
    CHECK(nokey.output.find("--key-file") != std::string::npos);
}
