// ussdgw-admin end to end: the real binary on a database in a temp dir.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "harness.hpp"

using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

bool has(const run_result& r, const std::string& s) {
    return r.output.find(s) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
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
    CHECK(has(low, "от 100,00 до 15000,00 руб."));  // the subscriber speaks Russian
    auto arch = admin({"archive", "79001112233", "--limit", "2", "--db", db});
    CHECK(arch.code == 0);
    CHECK(has(arch, "amount_out_of_range"));
    CHECK(has(arch, "150.00"));
    CHECK_FALSE(has(arch, "subscriber_add"));
}

TEST_CASE("admin: a block of numbers is provisioned whole or not at all") {
    temp_dir dir;
    auto db = dir.file("block.db");
    REQUIRE(admin({"init", "--db", db}).code == 0);
    REQUIRE(admin({"demo", "--db", db}).code == 0);
    auto block = admin({"subscriber", "add", "79170000000", "--count", "1000", "--balance", "50",
                        "--tariff", "Smart", "--db", db});
    CHECK(block.code == 0);
    CHECK(has(block, "1000 subscribers 79170000000..79170000999 added"));
    CHECK(has(admin({"subscriber", "show", "79170000500", "--db", db}), "50.00 RUB"));
    CHECK(admin({"subscriber", "show", "79170001000", "--db", db}).code != 0);
    // One number of the next block is taken: none of it is added.
    auto clash = admin({"subscriber", "add", "79170000990", "--count", "20", "--db", db});
    CHECK(clash.code == 1);
    CHECK(has(clash, "79170000990 already exists; no number of the block was added"));
    CHECK(admin({"subscriber", "show", "79170001005", "--db", db}).code != 0);
    // Past the last number of the plan, and SIM codes for many numbers, are refused.
    auto past = admin({"subscriber", "add", "79999999998", "--count", "5", "--db", db});
    CHECK(past.code == 2);
    CHECK(has(past, "runs past the last number"));
    CHECK(admin({"subscriber", "add", "79180000000", "--count", "2", "--pin", "1234", "--db", db})
              .code == 2);
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
    CHECK(has(r, "full trust reviewed: 0, limits changed: 0"));
    CHECK(has(r, "package periods started: 0"));
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

TEST_CASE("admin: MSISDN arguments take 10 digits - 11 digits from 7 or 8 - or +7") {
    temp_dir d;
    auto db = d.file("m.db");
    admin({"demo", "--db", db});
    auto show = admin({"subscriber", "show", "9160000002", "--db", db});
    CHECK(show.code == 0);
    CHECK(has(show, "Subscriber   79160000002"));
    CHECK(admin({"subscriber", "show", "+79160000002", "--db", db}).code == 0);
    auto top = admin({"topup", "89160000005", "150", "--db", db});
    CHECK(top.code == 0);
    CHECK(has(top, "79160000005: +150.00 RUB, balance 150.00 RUB"));
    auto add = admin({"subscriber", "add", "+79001112233", "--db", db});
    CHECK(add.code == 0);
    CHECK(has(add, "subscriber 79001112233 added"));
    CHECK(admin({"subscriber", "add", "89001112233", "--db", db}).code == 1);  // the same one
    auto bad = admin({"subscriber", "add", "4951234567", "--db", db});
    CHECK(bad.code == 2);
    CHECK(has(bad, "MSISDN '4951234567': 10 digits must start with 9"));
    CHECK(admin({"archive", "9160000005", "--db", db}).code == 0);
    CHECK(admin({"archive", "12345", "--db", db}).code == 2);
    CHECK(admin({"password", "set", "9160000001", "--db", db}, "Hello123\n").code == 0);
    CHECK(admin({"password", "check", "89160000001", "--db", db}, "Hello123\n").code == 0);
}

TEST_CASE("admin: archive prints aligned columns under a header - or JSON") {
    temp_dir d;
    auto db = d.file("a.db");
    admin({"demo", "--db", db});
    admin({"topup", "79160000001", "150", "--db", db});
    admin({"topup", "79160000001", "99", "--db", db});
    admin({"password", "check", "79160000001", "--db", db}, "Wrong123\n");
    auto arch = admin({"archive", "79160000001", "--db", db});
    REQUIRE(arch.code == 0);
    auto lines = lines_of(arch.output);
    REQUIRE(lines.size() == 4);
    const auto& header = lines[0];
    CHECK(header.find("TIME") == 0);
    const auto channel = header.find("CHANNEL");
    const auto action = header.find("ACTION");
    const auto result = header.find("RESULT");
    const auto amount_end = header.find("AMOUNT") + 6;
    const auto arguments = header.find("ARGUMENTS");
    REQUIRE(arguments != std::string::npos);
    const char* actions[] = {"password_check", "topup", "topup"};
    const char* results[] = {"no_password", "amount_out_of_range", "ok"};
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto& l = lines[i];
        CAPTURE(l);
        // Every column starts where its heading does, after a blank.
        CHECK(l.substr(channel, 6) == "admin ");
        CHECK(l[action - 1] == ' ');
        CHECK(l.substr(action).find(actions[i - 1]) == 0);
        CHECK(l[result - 1] == ' ');
        CHECK(l.substr(result).find(results[i - 1]) == 0);
        CHECK(l[arguments - 1] == ' ');
    }
    // Amounts are right-aligned under their heading.
    CHECK(lines[3].substr(amount_end - 6, 6) == "150.00");
    CHECK(lines[3].substr(arguments).find("amount=150") == 0);

    auto json = admin({"archive", "79160000001", "--json", "--limit", "2", "--db", db});
    REQUIRE(json.code == 0);
    CHECK(json.output.front() == '[');
    CHECK(json.output.find("]\n") == json.output.size() - 2);
    CHECK(count_of(json.output, "{\"id\":") == 2);
    CHECK(has(json, "\"action\":\"password_check\""));
    CHECK(has(json, "\"arguments\":\"password=***\""));
    CHECK(has(json, "\"result\":\"amount_out_of_range\""));
    CHECK(has(json, "\"channel\":\"admin\""));
    CHECK_FALSE(has(json, "\"amount\":\"150.00\""));  // beyond --limit 2
    auto empty = admin({"archive", "79160000004", "--json", "--db", db});
    CHECK(empty.output == "[]\n");
}

TEST_CASE("admin: usage import applies the good rows once and reports bad rows by line") {
    temp_dir d;
    auto db = d.file("u.db");
    admin({"demo", "--db", db});
    auto csv = d.file("usage.csv");
    std::ofstream(csv) << "msisdn,kind,amount,time\n"
                          "79160000001,minutes,120,2099-01-01T00:00:00Z\n"
                          "9160000001,sms,7,4070908800\n"
                          "79160000001,calls,1,4070908800\n"
                          "79160000001,mb,1000,4070908800\n"
                          "79990000000,mb,1,4070908800\n";
    auto first = admin({"usage", "import", csv, "--db", db});
    CHECK(first.code == 1);
    CHECK(has(first, csv + ":4: kind 'calls' must be minutes, sms or mb"));
    CHECK(has(first, csv + ":6: msisdn 79990000000 is not a subscriber"));
    CHECK(has(first, "3 records applied, 0 already imported"));
    auto show = admin({"subscriber", "show", "79160000001", "--db", db});
    CHECK(has(show, "Package left 380 min, 493 SMS, 9240 MB"));
    auto again = admin({"usage", "import", csv, "--db", db});
    CHECK(again.code == 1);
    CHECK(has(again, "0 records applied, 3 already imported"));
    CHECK(has(admin({"subscriber", "show", "79160000001", "--json", "--db", db}),
              "\"minutes_left\":380"));
    auto good = d.file("good.csv");
    std::ofstream(good) << "79160000005,minutes,1,4070908800\n";
    CHECK(admin({"usage", "import", good, "--db", db}).code == 0);
    CHECK(admin({"usage", "import", d.file("none.csv"), "--db", db}).code == 2);
}

TEST_CASE("admin: link and unlink numbers of number management") {
    temp_dir d;
    auto db = d.file("l.db");
    admin({"demo", "--db", db});
    auto off = admin({"link", "79160000001", "79160000002", "--db", db});
    CHECK(off.code == 1);
    CHECK(has(off, "number_management_off"));
    CHECK(admin({"link", "79160000001", "12", "--db", db}).code == 2);
}

TEST_CASE(
    "admin: --config takes the daemon's store path and rules - a bad file exits 2 naming the "
    "line") {
    temp_dir d;
    auto db = d.file("from_conf.db");
    auto conf = d.file("ussdgw.conf");
    std::ofstream(conf) << "[store]\npath = " << db << "\n[rules]\npwhash = minimum\n"
                        << "password_min_ussd = 12\n";
    // No --db: the store is the one the config names.
    CHECK(admin({"demo", "--config", conf}).code == 0);
    CHECK(std::ifstream(db).good());
    // The config's rules apply: 8 characters are too few under password_min_ussd = 12.
    auto short_one = admin({"password", "set", "79160000001", "--config", conf}, "Hello123\n");
    CHECK(short_one.code == 1);
    CHECK(has(short_one, "12"));
    CHECK(admin({"password", "set", "79160000001", "--config", conf}, "Hello1234567\n").code == 0);
    // Without the config the built-in rules apply to the same store.
    CHECK(admin({"password", "set", "79160000002", "--db", db}, "Hello123\n").code == 0);

    std::ofstream(conf) << "[rules]\n\npassword_min_ussd = many\n";
    auto bad = admin({"subscriber", "show", "79160000001", "--config", conf});
    CHECK(bad.code == 2);
    CHECK(has(bad, "ussdgw.conf:3"));
}
