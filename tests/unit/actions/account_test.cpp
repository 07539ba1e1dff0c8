// Blocking with the daily job, bonus points, details orders, archive list,
// number management, language, alphabet, app link.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

TEST_CASE("voluntary blocking: free 14 days - then 1 RUB a day charged by the daily job") {
    fixture f;
    auto o = f.call(en1, "block_number");
    REQUIRE(o.ok);
    CHECK(o.vars["free_until"] == "15.01.2030");
    CHECK(f.sub(en1).status == "blocked");
    CHECK(f.call(en1, "block_number").error == "already_blocked");
    // Self-service stays reachable while blocked.
    CHECK(f.call(en1, "balance").ok);
    f.advance_days(14);
    CHECK(f.daily().blocking_charged == 0);
    f.advance_days(1);
    auto r = f.daily();
    CHECK(r.blocking_charged == 1);
    CHECK(r.blocking_total == 100);
    // Running the job twice the same day charges nothing more.
    CHECK(f.daily().blocking_total == 0);
    f.advance_days(3);
    CHECK(f.daily().blocking_total == 300);
    CHECK(f.balance(en1) == 25000 - 400);
    CHECK(f.call(en1, "unblock_number").ok);
    CHECK(f.call(en1, "unblock_number").error == "not_blocked");
    f.advance_days(5);
    CHECK(f.daily().blocking_total == 0);
    CHECK(
        f.scalar("SELECT count(*) FROM archive WHERE action='blocking_fee' AND channel='system'") ==
        2);
}

TEST_CASE("bonus points: spend on a package - give to another subscriber") {
    fixture f;
    f.call(en1, "topup", {{"amount", "2000"}}, channel::admin);  // 200 points
    CHECK(f.call(en1, "bonus_spend", {{"package", "teleport"}}).error == "unknown_package");
    auto s = f.call(en1, "bonus_spend", {{"package", "minutes"}});
    REQUIRE(s.ok);
    CHECK(s.vars["bonus"] == "100");
    CHECK(f.call(en1, "balance").vars["minutes_left"] == "550");
    CHECK(f.call(en1, "bonus_spend", {{"package", "internet"}}).error == "insufficient_bonus");
    CHECK(f.call(en1, "bonus_give", {{"to", ru2}, {"points", "0"}}).error == "bad_points");
    CHECK(f.call(en1, "bonus_give", {{"to", en1}, {"points", "1"}}).error == "same_number");
    CHECK(f.call(en1, "bonus_give", {{"to", "79990000000"}, {"points", "1"}}).error ==
          "unknown_recipient");
    CHECK(f.call(en1, "bonus_give", {{"to", ru2}, {"points", "101"}}).error ==
          "insufficient_bonus");
    auto g = f.call(en1, "bonus_give", {{"to", ru2}, {"points", "40"}});
    REQUIRE(g.ok);
    CHECK(g.sms.at(0).to == ru2);
    CHECK(f.sub(en1).bonus == 60);
    CHECK(f.sub(ru2).bonus == 40);
}

TEST_CASE("notices to another number are capped per recipient per hour - whoever sends them") {
    fixture f;
    f.call(en1, "topup", {{"amount", "2000"}}, channel::admin);  // 200 points
    f.call(ru4, "topup", {{"amount", "2000"}}, channel::admin);
    auto outbox_to = [&](const std::string& to) {
        return f.scalar("SELECT count(*) FROM outbox WHERE recipient = '" + to + "'");
    };
    const auto cap = f.cfg.notices_per_hour;
    REQUIRE(cap == 10);
    // Two givers share the recipient's cap: 6 + 6 gifts, 10 notices (the last
    // two gifts go unannounced).
    for (int i = 0; i < 6; ++i) {
        auto a = f.call(en1, "bonus_give", {{"to", ru2}, {"points", "1"}});
        auto b = f.call(ru4, "bonus_give", {{"to", ru2}, {"points", "1"}});
        REQUIRE(a.ok);
        REQUIRE(b.ok);
        // The giver's action runs in full; only the notice is held back.
        CHECK(b.sms.size() == (i < 5 ? 1u : 0u));
    }
    CHECK(f.sub(ru2).bonus == 12);
    CHECK(outbox_to(ru2) == cap);
    CHECK(f.scalar("SELECT suppressed FROM notice_window WHERE msisdn = '" + ru2 + "'") == 2);
    // Another recipient has a cap of its own.
    REQUIRE(f.call(en1, "bonus_give", {{"to", ru4}, {"points", "1"}}).ok);
    CHECK(outbox_to(ru4) == 1);
    // The operator's tool is not limited; an hour later the cap starts afresh.
    CHECK(f.call(en1, "bonus_give", {{"to", ru2}, {"points", "1"}}, channel::admin).sms.size() ==
          1);
    f.advance(3600);
    CHECK(f.call(en1, "bonus_give", {{"to", ru2}, {"points", "1"}}).sms.size() == 1);
    CHECK(outbox_to(ru2) == cap + 2);
}

TEST_CASE("details order: up to 6 months - recorded - confirmed by SMS") {
    fixture f;
    CHECK(f.call(en1, "details_order", {{"months", "7"}}).error == "bad_period");
    CHECK(f.call(en1, "details_order", {{"months", "0"}}).error == "bad_period");
    CHECK(f.call(en1, "details_order", {{"months", "3"}, {"kind", "poem"}}).error ==
          "bad_argument");
    auto o = f.call(en1, "details_order", {{"months", "6"}, {"kind", "bill"}});
    REQUIRE(o.ok);
    CHECK(o.vars["kind"] == "monthly bill");
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].text.find("monthly bill") != std::string::npos);
    CHECK(f.call(ru2, "details_order", {{"months", "1"}}).sms.at(0).text.find("детализация") !=
          std::string::npos);
    CHECK(f.scalar("SELECT count(*) FROM detail_orders") == 2);
}

TEST_CASE("archive_list shows the last N actions with their results") {
    fixture f;
    CHECK(f.call(en5, "archive_list").vars["message"] == "No actions yet.");
    f.call(en5, "topup", {{"amount", "100"}}, channel::admin);
    f.call(en5, "transfer", {{"to", en1}, {"amount", "500"}});
    f.call(en5, "language_set", {{"language", "en"}});
    auto o = f.call(en5, "archive_list", {{"limit", "2"}});
    REQUIRE(o.ok);
    CHECK(o.vars["count"] == "2");
    // Titles and results in the subscriber's language, never the names kept in the store.
    CHECK(o.vars["archive"].find("Language: done") != std::string::npos);
    CHECK(o.vars["archive"].find("Money transfer: refused") != std::string::npos);
    CHECK(o.vars["archive"].find("language_set") == std::string::npos);
    CHECK(o.vars["archive"].find("insufficient_funds") == std::string::npos);
    auto all = f.call(en5, "archive_list");
    CHECK(all.vars["archive"].find("Top-up: done, +100.00 RUB") != std::string::npos);
    CHECK(f.call(en5, "archive_list", {{"limit", "x"}}).error == "bad_argument");
}

TEST_CASE("number management on and off") {
    fixture f;
    CHECK(f.call(en1, "number_management", {{"state", "on"}}).ok);
    CHECK(f.sub(en1).number_management);
    CHECK(f.call(en1, "number_management", {{"state", "on"}}).error == "already_on");
    CHECK(f.call(en1, "number_management", {{"state", "off"}}).ok);
    CHECK(f.call(en1, "number_management", {{"state", "off"}}).error == "already_off");
    CHECK(f.call(en1, "number_management", {{"state", "x"}}).error == "bad_argument");
}

TEST_CASE("language and alphabet are remembered per subscriber") {
    fixture f;
    auto o = f.call(en1, "language_set", {{"language", "ru"}});
    REQUIRE(o.ok);
    CHECK(o.language == "ru");
    CHECK(o.vars["message"] == "Язык: русский.");
    CHECK(f.call(en1, "balance").language == "ru");
    CHECK(f.call(en1, "language_set", {{"language", "de"}}).error == "bad_argument");
    CHECK(f.call(ru2, "alphabet_set", {{"alphabet", "latin"}}).ok);
    CHECK(f.call(ru2, "profile").vars["alphabet"] == "latin");
    CHECK(f.call(ru2, "alphabet_set", {{"alphabet", "greek"}}).error == "bad_argument");
}

TEST_CASE("app_link sends the link by SMS") {
    fixture f;
    auto o = f.call(en1, "app_link");
    REQUIRE(o.ok);
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].text == "Get the app: " + f.cfg.app_link_url);
}
