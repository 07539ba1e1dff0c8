// Migrations: from an empty file, from v1, v2, v3 and v5 fixtures, and refusing newer files.

#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "process.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/schema.hpp"

// SQLite itself: its files, migration steps and faults (test_store.hpp).
TEST_SUITE_BEGIN("sqlite_only");

using namespace ussdgw;

namespace {

std::string fixture_sql(const std::string& name) {
    std::ifstream in(std::string(USSDGW_SOURCE_DIR) + "/tests/data/store/" + name);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string text_of(store::connection& c, const std::string& sql) {
    auto st = c.prepare(sql);
    auto cur = st.query();
    REQUIRE(cur.next());
    return cur.text(0);
}

std::int64_t int_of(store::connection& c, const std::string& sql) {
    auto st = c.prepare(sql);
    auto cur = st.query();
    REQUIRE(cur.next());
    return cur.int64(0);
}

}  // namespace

TEST_CASE("an empty file migrates to the latest version in WAL mode with synchronous=FULL") {
    test::temp_dir d;
    store::connection c(d.file("a.db"));
    CHECK(c.user_version() == 0);
    auto m = store::migrate(c);
    REQUIRE(m);
    CHECK(m->from == 0);
    CHECK(m->to == store::latest_schema_version());
    CHECK(c.user_version() == store::latest_schema_version());
    CHECK(text_of(c, "PRAGMA journal_mode") == "wal");
    CHECK(int_of(c, "PRAGMA synchronous") == 2);  // FULL
    CHECK(int_of(c, "PRAGMA foreign_keys") == 1);
    for (const char* table :
         {"subscribers", "passwords", "logins", "sim", "tariffs", "services", "service_rules",
          "subscriptions", "payments", "promised", "blocking", "linked_numbers", "detail_orders",
          "archive", "dedup", "sms_archive", "server_key", "login_alert_window", "usage_records"}) {
        CAPTURE(table);
        CHECK(int_of(c, std::string("SELECT count(*) FROM sqlite_schema WHERE name='") + table +
                            "'") == 1);
    }
    // Every prepared statement compiles against the schema.
    CHECK_NOTHROW(store::accounts{c});
    // A second migration is a no-op.
    auto again = store::migrate(c);
    REQUIRE(again);
    CHECK(again->from == again->to);
    CHECK(store::check_version(c));
}

TEST_CASE("a v1 database migrates and keeps its data") {
    test::temp_dir d;
    store::connection c(d.file("v1.db"));
    c.exec(fixture_sql("v1.sql"));
    REQUIRE(c.user_version() == 1);
    auto bad = store::check_version(c);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().find("ussdgw-admin init") != std::string::npos);
    auto m = store::migrate(c);
    REQUIRE(m);
    CHECK(m->from == 1);
    CHECK(m->to == store::latest_schema_version());
    store::accounts a(c);
    auto s = a.find_subscriber("79161111111");
    REQUIRE(s);
    CHECK(s->balance == 12345);
    CHECK(s->credit_limit == 30000);
    CHECK(s->bonus == 7);
    CHECK(s->number_management);
    CHECK(s->tariff_changed == 1700000000);
    CHECK(s->alphabet == "cyrillic");  // new in v2, defaulted
    CHECK(s->extra_minutes == 0);
    CHECK_FALSE(s->login_alerts);  // new in v3, off
    auto pw = a.find_password("79161111111", "permanent");
    REQUIRE(pw);
    CHECK_FALSE(pw->used);
    CHECK(a.find_login("79161111111").failed == 2);
    CHECK(a.connected("79161111111").size() == 1);
    CHECK(a.open_blocking("79162222222"));
    CHECK(a.last_archive("79161111111", 10).size() == 1);
    CHECK(a.service_rule("beep", "Basic") == "incompatible");
    // v2 tables work.
    a.put_dedup("k", 1, "x");
    CHECK(a.find_dedup("k", 0) == "x");
}

TEST_CASE("a v2 database migrates to v3 - login alerts off - data kept") {
    test::temp_dir d;
    store::connection c(d.file("v2.db"));
    c.exec(fixture_sql("v2.sql"));
    REQUIRE(c.user_version() == 2);
    CHECK_FALSE(store::check_version(c));
    auto m = store::migrate(c);
    REQUIRE(m);
    CHECK(m->from == 2);
    CHECK(m->to == store::latest_schema_version());
    CHECK(store::check_version(c));
    store::accounts a(c);
    for (const char* msisdn : {"79161111111", "79162222222"}) {
        CAPTURE(msisdn);
        auto s = a.find_subscriber(msisdn);
        REQUIRE(s);
        CHECK_FALSE(s->login_alerts);
    }
    auto s = a.find_subscriber("79161111111");
    CHECK(s->alphabet == "latin");
    CHECK(s->extra_minutes == 50);
    CHECK(s->balance == 12345);
    auto otp = a.find_password("79161111111", "one_time");
    REQUIRE(otp);
    CHECK(otp->used == 1700000100);
    CHECK(a.find_login("79161111111").failed == 2);
    CHECK(a.find_dedup("smsc1:79161111111:17", 0) == "1:1");
    CHECK(a.sms_archive_on("79162222222"));
    // The v3 column is written and read back.
    a.set_login_alerts("79162222222", true);
    CHECK(a.find_subscriber("79162222222")->login_alerts);
    CHECK_FALSE(a.find_subscriber("79161111111")->login_alerts);
    a.set_login_alerts("79162222222", false);
    CHECK_FALSE(a.find_subscriber("79162222222")->login_alerts);
}

TEST_CASE("the v3 step adds login_alerts as NOT NULL DEFAULT 0 to subscribers") {
    test::temp_dir d;
    store::connection c(d.file("v3.db"));
    REQUIRE(store::migrate(c));
    CHECK(store::latest_schema_version() >= 3);
    CHECK(int_of(c,
                 "SELECT count(*) FROM pragma_table_info('subscribers') WHERE name = "
                 "'login_alerts' AND dflt_value = '0' AND \"notnull\" = 1") == 1);
    // A subscriber provisioned without saying so has alerts off.
    store::accounts a(c);
    c.exec("INSERT INTO tariffs (name, title_en, title_ru) VALUES ('Basic', 'Basic', 'B')");
    c.exec("INSERT INTO subscribers (msisdn, tariff, created) VALUES ('1', 'Basic', 0)");
    CHECK_FALSE(a.find_subscriber("1")->login_alerts);
}

TEST_CASE("a v3 database migrates to v4 - old subscriptions count as charged up to the upgrade") {
    test::temp_dir d;
    store::connection c(d.file("v3.db"));
    c.exec(fixture_sql("v3.sql"));
    REQUIRE(c.user_version() == 3);
    CHECK_FALSE(store::check_version(c));
    const std::int64_t before = std::time(nullptr);
    auto m = store::migrate(c);
    const std::int64_t after = std::time(nullptr);
    REQUIRE(m);
    CHECK(m->from == 3);
    CHECK(m->to == store::latest_schema_version());
    CHECK(store::check_version(c));
    auto periods = [&](const std::string& msisdn, const std::string& service) {
        return int_of(c, "SELECT charged_periods FROM subscriptions WHERE msisdn = '" + msisdn +
                             "' AND service = '" + service + "'");
    };
    // Connected at 1700000000 and never charged again before v4: the daily job
    // starts from the upgrade instead of billing years of periods at once.
    auto beep = periods("79161111111", "beep");
    CHECK(beep >= (before - 1700000000) / 86400);
    CHECK(beep <= (after - 1700000000) / 86400);
    auto roaming = periods("79162222222", "roaming_plus");
    CHECK(roaming >= (before - 1700000000) / (30 * 86400));
    CHECK(roaming <= (after - 1700000000) / (30 * 86400));
    CHECK(periods("79161111111", "caller_id") == 0);  // free, nothing to count
    // Data of earlier versions is kept.
    store::accounts a(c);
    auto s = a.find_subscriber("79161111111");
    REQUIRE(s);
    CHECK(s->login_alerts);
    CHECK(s->alphabet == "latin");
    CHECK(s->balance == 12345);
    CHECK(a.connected("79161111111").size() == 2);
    // Only services with a periodic fee are listed for the daily job.
    auto rec = a.recurring_subscriptions();
    REQUIRE(rec.size() == 2);
    CHECK(rec[0].msisdn == "79161111111");
    CHECK(rec[0].service == "beep");
    CHECK(rec[0].period == "daily");
    CHECK(rec[0].fee == 250);
    CHECK(rec[0].since == 1700000000);
    CHECK(rec[0].charged_periods == beep);
    CHECK_FALSE(rec[0].part_of_tariff);
    CHECK(rec[1].service == "roaming_plus");
    CHECK(rec[1].period == "monthly");
    a.set_charged_periods("79161111111", "beep", beep + 3);
    CHECK(periods("79161111111", "beep") == beep + 3);
}

TEST_CASE("the v4 step adds charged_periods as NOT NULL DEFAULT 0 to subscriptions") {
    test::temp_dir d;
    store::connection c(d.file("v4.db"));
    REQUIRE(store::migrate(c));
    CHECK(store::latest_schema_version() >= 4);
    CHECK(int_of(c,
                 "SELECT count(*) FROM pragma_table_info('subscriptions') WHERE name = "
                 "'charged_periods' AND dflt_value = '0' AND \"notnull\" = 1") == 1);
    // A new subscription starts with nothing charged after its first period.
    store::accounts a(c);
    c.exec("INSERT INTO tariffs (name, title_en, title_ru) VALUES ('Basic', 'Basic', 'B')");
    c.exec("INSERT INTO subscribers (msisdn, tariff, created) VALUES ('1', 'Basic', 0)");
    a.put_service({"beep", "Beep", "B", 250, "daily"});
    a.put_service({"free", "Free", "F", 0, "daily"});
    a.put_service({"once", "Once", "O", 500, "none"});
    for (const char* code : {"beep", "free", "once"}) a.subscribe("1", code, 100);
    auto rec = a.recurring_subscriptions();
    REQUIRE(rec.size() == 1);
    CHECK(rec[0].service == "beep");
    CHECK(rec[0].charged_periods == 0);
    // A service the tariff includes is flagged.
    a.put_service_rule("beep", "Basic", "included");
    CHECK(a.recurring_subscriptions().at(0).part_of_tariff);
}

TEST_CASE("a database newer than the binary is refused with a clear message") {
    test::temp_dir d;
    store::connection c(d.file("n.db"));
    c.exec("PRAGMA user_version = " + std::to_string(store::latest_schema_version() + 1));
    auto m = store::migrate(c);
    REQUIRE_FALSE(m);
    CHECK(m.error().find("newer than this binary supports") != std::string::npos);
    CHECK(m.error().find(d.file("n.db")) != std::string::npos);
    CHECK_FALSE(store::check_version(c));
    CHECK(c.user_version() == store::latest_schema_version() + 1);  // untouched
}

TEST_CASE("an unopenable path fails with the path in the message") {
    CHECK_THROWS_WITH_AS(store::connection("/nonexistent/dir/x.db"),
                         doctest::Contains("/nonexistent/dir/x.db"), store::db_failure);
}

TEST_CASE("a v5 database migrates to v6 - trust and package periods set - data kept") {
    test::temp_dir d;
    store::connection c(d.file("v5.db"));
    c.exec(fixture_sql("v5.sql"));
    REQUIRE(c.user_version() == 5);
    CHECK_FALSE(store::check_version(c));
    const std::int64_t before = std::time(nullptr);
    auto m = store::migrate(c);
    const std::int64_t after = std::time(nullptr);
    REQUIRE(m);
    CHECK(m->from == 5);
    CHECK(m->to == store::latest_schema_version());
    CHECK(store::check_version(c));
    store::accounts a(c);
    // Full trust on (79161111111): reviewed in the month of the upgrade (UTC),
    // so the first review is on the next 1st, not at the next daily job.
    auto s = a.find_subscriber("79161111111");
    REQUIRE(s);
    std::tm tm{};
    const std::time_t now = before;
    gmtime_r(&now, &tm);
    const std::int64_t month = (tm.tm_year + 1900) * 12 + tm.tm_mon;
    CHECK(s->trust_reviewed >= month);
    CHECK(s->trust_reviewed <= month + 1);
    CHECK(a.find_subscriber("79162222222")->trust_reviewed == 0);  // no full trust
    // Package use recorded before v6 belongs to the period the upgrade is in:
    // 30-day periods from the tariff change (1700000000).
    CHECK(s->minutes_used == 40);
    CHECK(s->mb_used == 300);
    CHECK((s->usage_period_start - 1700000000) % (30 * 86400) == 0);
    CHECK(s->usage_period_start <= after);
    CHECK(s->usage_period_start > before - 30 * 86400);
    // ... from provisioning (1690000000) without a tariff change.
    auto b = a.find_subscriber("79162222222");
    CHECK((b->usage_period_start - 1690000000) % (30 * 86400) == 0);
    // Earlier data is kept.
    CHECK(s->balance == 12345);
    CHECK(s->credit_limit == 30000);
    CHECK(s->login_alerts);
    CHECK(a.connected("79161111111").size() == 2);
    auto pays = a.last_payments("79161111111", 10);
    REQUIRE(pays.size() == 3);
    CHECK(pays[0].kind == "transfer_out");
    CHECK(pays[0].peer == "79162222222");
    CHECK(pays[2].kind == "topup");
    // Spend counts charges, not transfers out.
    CHECK(a.charges_between("79161111111", 0, 2000000000) == 250);
    // The v6 tables work.
    CHECK(a.add_usage_record("79161111111", store::usage_kind::sms, 2, 1700000500, 1));
    CHECK_FALSE(a.add_usage_record("79161111111", store::usage_kind::sms, 2, 1700000500, 2));
    CHECK(a.add_usage_record("79161111111", store::usage_kind::mb, 2, 1700000500, 1));
    CHECK(int_of(c, "SELECT count(*) FROM usage_records") == 2);
    CHECK(a.find_alert_window("79161111111").sent == 0);
    a.put_alert_window("79161111111", {1700000000, 5, 2, 1700000100});
    auto w = a.find_alert_window("79161111111");
    CHECK(w.started == 1700000000);
    CHECK(w.sent == 5);
    CHECK(w.suppressed == 2);
    CHECK(w.suppressed_since == 1700000100);
    CHECK(a.full_trust_msisdns() == std::vector<std::string>{"79161111111"});
}

TEST_CASE("the v6 step keys usage records by number - kind - time and amount") {
    test::temp_dir d;
    store::connection c(d.file("v6.db"));
    REQUIRE(store::migrate(c));
    CHECK(store::latest_schema_version() >= 6);
    store::accounts a(c);
    c.exec("INSERT INTO tariffs (name, title_en, title_ru) VALUES ('Basic', 'Basic', 'B')");
    store::subscriber s;
    s.msisdn = "79160000001";
    s.tariff = "Basic";
    s.created = 1000;
    REQUIRE(a.add_subscriber(s));
    // A new account's package period starts when it is provisioned.
    CHECK(a.find_subscriber("79160000001")->usage_period_start == 1000);
    CHECK(a.find_subscriber("79160000001")->trust_reviewed == 0);
    CHECK(a.add_usage_record("79160000001", store::usage_kind::minutes, 5, 2000, 3000));
    CHECK_FALSE(a.add_usage_record("79160000001", store::usage_kind::minutes, 5, 2000, 4000));
    CHECK(a.add_usage_record("79160000001", store::usage_kind::minutes, 6, 2000, 3000));
    CHECK(a.add_usage_record("79160000001", store::usage_kind::minutes, 5, 2001, 3000));
    // Records need a subscriber and a positive amount.
    CHECK_THROWS_AS(a.add_usage_record("79990000000", store::usage_kind::sms, 1, 1, 1),
                    store::db_failure);
    CHECK_THROWS_AS(a.add_usage_record("79160000001", store::usage_kind::sms, 0, 1, 1),
                    store::db_failure);
    a.add_usage("79160000001", 3, 2, 1);
    a.set_package_use("79160000001", 7, 8, 9, 1, 2, 3, 5000);
    auto after = a.find_subscriber("79160000001");
    CHECK(after->minutes_used == 7);
    CHECK(after->extra_mb == 3);
    CHECK(after->usage_period_start == 5000);
    // Due for a roll once a 30-day period began after the stored one.
    CHECK(a.usage_periods_due(1000 + 30 * 86400 - 1, 30 * 86400).empty());
    CHECK(a.usage_periods_due(5000 + 30 * 86400, 30 * 86400) ==
          std::vector<std::string>{"79160000001"});
}

TEST_SUITE_END();
