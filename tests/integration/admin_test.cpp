// ussdgw-admin end to end: the real binary on a database in a temp dir.

#include <doctest/doctest.h>

#include <fstream>

#include "process.hpp"

using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

struct run_result {
    int code = -1;
    std::string output;
};

run_result admin(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    std::vector<std::string> argv{binary_path("ussdgw-admin")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    if (!stdin_text.empty()) p.write(stdin_text);
    p.close_stdin();
    while (p.read_line(20s)) {
    }
    auto code = p.wait_exit(30s);
    REQUIRE(code);
    return {*code, p.output()};
}

bool has(const run_result& r, const std::string& s) {
    return r.output.find(s) != std::string::npos;
}

}  // namespace

TEST_CASE("admin: help lists commands and exit codes") {
    auto r = admin({"--help"});
    CHECK(r.code == 0);
    CHECK(has(r, "subscriber"));
    CHECK(has(r, "catalog"));
    CHECK(has(r, "Exit codes"));
    auto s = admin({"subscriber", "add", "--help"});
    CHECK(s.code == 0);
    CHECK(has(s, "--balance"));
    CHECK(admin({"nonsense"}).code == 2);
}

TEST_CASE("admin: init - demo - add - show - topup - archive") {
    temp_dir d;
    auto db = d.file("a.db");
    auto init = admin({"init", "--db", db});
    CHECK(init.code == 0);
    CHECK(has(init, "schema version 0 -> "));
    CHECK(has(admin({"init", "--db", db}), "up to date"));
    CHECK(admin({"demo", "--db", db}).code == 0);
    auto add = admin({"subscriber", "add", "79001112233", "--balance", "-12.50", "--tariff",
                      "Smart", "--language", "ru", "--db", db});
    CHECK(add.code == 0);
    CHECK(admin({"subscriber", "add", "79001112233", "--db", db}).code == 1);
    auto show = admin({"--db", db, "subscriber", "show", "79001112233"});
    CHECK(show.code == 0);
    CHECK(has(show, "Balance      -12.50 RUB"));
    CHECK(has(show, "Tariff       Smart"));
    auto json = admin({"subscriber", "show", "79160000002", "--json", "--db", db});
    CHECK(json.code == 0);
    CHECK(has(json, "\"balance\":\"1000.00\""));
    CHECK(has(json, "\"services\":[\"voicemail\"]"));
    CHECK(admin({"subscriber", "show", "79990000000", "--db", db}).code == 1);
    auto top = admin({"topup", "79001112233", "150", "--db", db});
    CHECK(top.code == 0);
    CHECK(has(top, "balance 137.50 RUB"));
    auto low = admin({"topup", "79001112233", "99", "--db", db});
    CHECK(low.code == 1);
    CHECK(has(low, "amount_out_of_range"));
    CHECK(has(low, "от 100.00 до 15000.00 руб."));  // the subscriber speaks Russian
    auto arch = admin({"archive", "79001112233", "--limit", "2", "--db", db});
    CHECK(arch.code == 0);
    CHECK(has(arch, "amount_out_of_range"));
    CHECK(has(arch, "150.00"));
    CHECK_FALSE(has(arch, "subscriber_add"));
}

TEST_CASE("admin: errors name what was wrong") {
    temp_dir d;
    auto db = d.file("e.db");
    auto missing = admin({"subscriber", "show", "79160000001", "--db", db});
    CHECK(missing.code == 3);
    CHECK(has(missing, "ussdgw-admin init"));
    admin({"demo", "--db", db});
    auto tariff = admin({"subscriber", "add", "79001112233", "--tariff", "Gold", "--db", db});
    CHECK(tariff.code == 2);
    CHECK(has(tariff, "'Gold'"));
    CHECK(admin({"subscriber", "add", "12ab", "--db", db}).code == 2);
    auto bal = admin({"subscriber", "add", "79001112233", "--balance", "lots", "--db", db});
    CHECK(bal.code == 2);
    CHECK(has(bal, "--balance 'lots'"));
    auto nodir = admin({"init", "--db", "/nonexistent/dir/x.db"});
    CHECK(nodir.code == 3);
    CHECK(has(nodir, "/nonexistent/dir/x.db"));
}

TEST_CASE("admin: password check applies the lockout rules") {
    temp_dir d;
    auto db = d.file("p.db");
    admin({"demo", "--db", db});
    auto none = admin({"password", "check", "79160000001", "--db", db}, "Hello123\n");
    CHECK(none.code == 1);
    CHECK(has(none, "no_password"));
    CHECK(admin({"password", "set", "79160000001", "--db", db}, "weak\n").code == 1);
    CHECK(admin({"password", "set", "79160000001", "--db", db}, "Hello123\n").code == 0);
    CHECK(admin({"password", "check", "79160000001", "--db", db}, "Hello123\n").code == 0);
    for (int i = 0; i < 2; ++i) {
        auto w = admin({"password", "check", "79160000001", "--db", db}, "Wrong123\n");
        CHECK(w.code == 1);
        CHECK(has(w, "wrong_password"));
    }
    auto locked = admin({"password", "check", "79160000001", "--db", db}, "Wrong123\n");
    CHECK(has(locked, "password_locked"));
    auto right = admin({"password", "check", "79160000001", "--db", db}, "Hello123\n");
    CHECK(right.code == 1);
    CHECK(has(right, "password_locked"));
    auto arch = admin({"archive", "79160000001", "--db", db});
    CHECK(has(arch, "password=***"));
    CHECK_FALSE(has(arch, "Hello123"));
}

TEST_CASE("admin: catalog import - with file:line errors") {
    temp_dir d;
    auto db = d.file("c.db");
    admin({"init", "--db", db});
    auto ok =
        admin({"catalog", "import",
               std::string(USSDGW_SOURCE_DIR) + "/tests/data/store/catalog.yaml", "--db", db});
    CHECK(ok.code == 0);
    CHECK(has(ok, "4 tariffs and 5 services"));
    CHECK(admin({"subscriber", "add", "79001112233", "--tariff", "Student", "--db", db}).code == 0);
    auto bad_path = d.file("bad.yaml");
    {
        std::ofstream f(bad_path);
        f << "tariffs:\n  - name: X\n    monthly_fee: cheap\n    colour: red\nservices:\n"
             "  - code: s\n    period: weekly\n";
    }
    auto bad = admin({"catalog", "import", bad_path, "--db", db});
    CHECK(bad.code == 2);
    CHECK(has(bad, bad_path + ":3: tariff 'X': 'monthly_fee' must be an amount"));
    CHECK(has(bad, bad_path + ":4: unknown key 'colour'"));
    CHECK(has(bad, bad_path + ":7: service 's': period must be none, daily or monthly"));
    // Non-scalar keys, list items and lists of the wrong shape are bad input (2),
    // reported with their line, not a store failure (3).
    auto shapes = d.file("shapes.yaml");
    std::ofstream(shapes) << "tariffs:\n  - name: Y\n    {a: b}: 1\nservices:\n  - code: z\n"
                             "    included_in: [[Basic]]\n";
    auto odd = admin({"catalog", "import", shapes, "--db", db});
    CHECK(odd.code == 2);
    CHECK(has(odd, shapes + ":3: a key in tariff 'Y' must be a plain name"));
    CHECK(has(odd, shapes + ":6: service 'z': 'included_in' must list tariff names"));
    auto notlist = d.file("notlist.yaml");
    std::ofstream(notlist) << "tariffs: {name: Y}\n";
    auto nl = admin({"catalog", "import", notlist, "--db", db});
    CHECK(nl.code == 2);
    CHECK(has(nl, notlist + ":1: 'tariffs' must be a list"));
    auto gone = admin({"catalog", "import", d.file("none.yaml"), "--db", db});
    CHECK(gone.code == 2);
    CHECK(has(gone, "none.yaml: cannot open"));
}

TEST_CASE("admin: daily job") {
    temp_dir d;
    auto db = d.file("d.db");
    admin({"demo", "--db", db});
    auto r = admin({"daily", "--db", db});
    CHECK(r.code == 0);
    CHECK(has(r, "promised payments repaid: 0"));
}

TEST_CASE("admin: check-menus validates the shipped menus and names problems by file:line") {
    auto ok = admin({"check-menus", std::string(USSDGW_SOURCE_DIR) + "/menus"});
    CHECK(ok.code == 0);
    temp_dir d;
    {
        std::ofstream f(d.file("main.yaml"));
        f << "nonsense: 1\n";
    }
    auto bad = admin({"check-menus", d.path()});
    CHECK(bad.code == 1);
    CHECK(has(bad, d.file("main.yaml") + ":1:"));
}
