// The package usage feed (docs/actions.md "Package usage"): CSV records with
// line-numbered problems, each record counted once however often it is
// imported, the balance showing what is really left, and the used counters
// starting afresh each 30-day package period.

#include <doctest/doctest.h>

#include "fixture.hpp"
#include "ussdgw/actions/usage.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

constexpr std::int64_t day = 86400;

// Imports `csv` at the fixture's time in one transaction, as the admin tool does.
actions::usage_report import(fixture& f, const std::string& csv) {
    f.runner->drain();
    store::connection c(f.path);
    store::accounts a(c);
    store::transaction t(c);
    auto r = actions::import_usage(a, csv, f.now->load());
    t.commit();
    return r;
}

std::string left(fixture& f, const std::string& msisdn) {
    auto o = f.call(msisdn, "balance");
    REQUIRE(o.ok);
    return o.vars["minutes_left"] + "/" + o.vars["sms_left"] + "/" + o.vars["mb_left"];
}

}  // namespace

TEST_CASE("usage CSV: header - blank lines - both time forms - bad rows by line") {
    auto p = actions::parse_usage_csv(
        "msisdn,kind,amount,time\r\n"
        "79160000001,minutes,10,1893456100\r\n"
        "\n"
        "89160000001, SMS ,3,2030-01-01T00:05:00Z\n"
        "+79160000001,mb,\"300\",2030-01-01T03:10:00+03:00\n"
        "79160000001,calls,1,1893456100\n"
        "79160000001,minutes,0,1893456100\n"
        "79160000001,minutes,-5,1893456100\n"
        "79160000001,minutes,5,yesterday\n"
        "4951234567,minutes,5,1893456100\n"
        "79160000001,minutes,5\n"
        "msisdn,kind,amount,time\n");
    REQUIRE(p.records.size() == 3);
    CHECK(p.records[0].line == 2);
    CHECK(p.records[0].time == t0 + 100);
    CHECK(p.records[1].line == 4);
    CHECK(p.records[1].msisdn == "79160000001");
    CHECK(p.records[1].kind == store::usage_kind::sms);
    CHECK(p.records[1].time == t0 + 300);
    CHECK(p.records[2].amount == 300);
    CHECK(p.records[2].time == t0 + 600);
    REQUIRE(p.problems.size() == 7);
    CHECK(p.problems[0].line == 6);
    CHECK(p.problems[0].message == "kind 'calls' must be minutes, sms or mb");
    CHECK(p.problems[1].line == 7);
    CHECK(p.problems[1].message.find("amount '0'") == 0);
    CHECK(p.problems[2].line == 8);
    CHECK(p.problems[3].line == 9);
    CHECK(p.problems[3].message.find("time 'yesterday'") == 0);
    CHECK(p.problems[4].line == 10);
    CHECK(p.problems[4].message.find("msisdn '4951234567': 10 digits must start with 9") == 0);
    CHECK(p.problems[5].line == 11);
    CHECK(p.problems[5].message == "expected 4 fields msisdn,kind,amount,time, got 3");
    CHECK(p.problems[6].line == 12);  // a header only on the first line
}

TEST_CASE("imported usage shows on the balance - once however often it is imported") {
    fixture f;
    // en1 is on Smart: 500 min, 500 SMS, 10240 MB.
    CHECK(left(f, en1) == "500/500/10240");
    const std::string csv =
        "msisdn,kind,amount,time\n"
        "79160000001,minutes,120,1893456100\n"
        "79160000001,sms,7,1893456200\n"
        "9160000001,mb,1000,2030-01-01T00:10:00Z\n"
        "79160000001,teleport,1,1893456100\n"
        "79990000000,sms,1,1893456100\n";
    f.advance(3600);
    auto r = import(f, csv);
    CHECK(r.applied == 3);
    CHECK(r.duplicates == 0);
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems[0].line == 5);
    CHECK(r.problems[1].line == 6);
    CHECK(r.problems[1].message == "msisdn 79990000000 is not a subscriber");
    CHECK(left(f, en1) == "380/493/9240");
    // The same file again, and the same record written another way: nothing more.
    auto again = import(f, csv + "89160000001,minutes,120,2030-01-01T00:01:40Z\n");
    CHECK(again.applied == 0);
    CHECK(again.duplicates == 4);
    CHECK(left(f, en1) == "380/493/9240");
    CHECK(f.scalar("SELECT count(*) FROM usage_records") == 3);
}

TEST_CASE("what is left never goes below 0 - bonus packages add to it") {
    fixture f;
    // en5 is on Basic: 100 min, 50 SMS, 1024 MB.
    auto r = import(f, "79160000005,minutes,130,1893456100\n79160000005,sms,50,1893456100\n");
    CHECK(r.applied == 2);
    CHECK(left(f, en5) == "0/0/1024");
    f.call(en5, "topup", {{"amount", "1000"}}, actions::channel::admin);  // 100 points
    REQUIRE(f.call(en5, "bonus_spend", {{"package", "minutes"}}).ok);     // +50 min
    CHECK(left(f, en5) == "20/0/1024");
}

TEST_CASE("each 30-day package period starts afresh - the daily job resets the counters") {
    fixture f;
    import(f, "79160000005,minutes,130,1893456100\n79160000005,mb,24,1893456100\n");
    f.call(en5, "topup", {{"amount", "1000"}}, actions::channel::admin);
    REQUIRE(f.call(en5, "bonus_spend", {{"package", "minutes"}}).ok);  // 50 extra minutes
    CHECK(left(f, en5) == "20/50/1000");
    // Day 29: still the first period.
    f.advance_days(29);
    CHECK(f.daily().usage_periods_rolled == 0);
    CHECK(left(f, en5) == "20/50/1000");
    // Day 30: a new period. The balance shows it even before the job ran.
    f.advance_days(1);
    CHECK(left(f, en5) == "120/50/1024");
    auto r = f.daily();
    CHECK(r.usage_periods_rolled == 5);  // the five demo subscribers, same start
    CHECK(f.daily().usage_periods_rolled == 0);
    auto s = f.sub(en5);
    CHECK(s.minutes_used == 0);
    CHECK(s.mb_used == 0);
    CHECK(s.extra_minutes == 20);  // 30 of the 50 were used in the old period
    CHECK(s.usage_period_start == t0 + 30 * day);
    CHECK(left(f, en5) == "120/50/1024");
    // A late record of the old period is kept but not counted; one of the new is.
    auto late = import(f, "79160000005,minutes,10,1893456200\n79160000005,minutes,15," +
                              std::to_string(t0 + 30 * day + 60) + "\n");
    CHECK(late.past_periods == 1);
    CHECK(late.applied == 1);
    CHECK(left(f, en5) == "105/50/1024");
}

TEST_CASE("a tariff change starts a new package period with the new package") {
    fixture f;
    import(f, "79160000005,minutes,90,1893456100\n");
    CHECK(left(f, en5) == "10/50/1024");
    f.advance_days(3);
    REQUIRE(f.call(en5, "topup", {{"amount", "1000"}}, actions::channel::admin).ok);
    REQUIRE(f.call(en5, "tariff_change", {{"tariff", "Smart"}}).ok);
    CHECK(left(f, en5) == "500/500/10240");
    f.daily();
    CHECK(f.sub(en5).usage_period_start == t0 + 3 * day);
}
