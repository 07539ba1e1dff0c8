// tariff_change and the services catalogue.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

TEST_CASE("tariff change is free once in 30 days - then costs the tariff's fee") {
    fixture f;
    auto o = f.call(en1, "tariff_change", {{"tariff", "Basic"}});
    REQUIRE(o.ok);
    CHECK(o.vars["fee"] == "0.00");
    CHECK(f.sub(en1).tariff == "Basic");
    f.advance_days(29);
    auto p = f.call(en1, "tariff_change", {{"tariff", "Smart"}});
    REQUIRE(p.ok);
    CHECK(p.vars["fee"] == "100.00");
    CHECK(f.balance(en1) == 15000);
    f.advance_days(1);
    auto i = f.call(en1, "tariff_info", {{"tariff", "Premium"}});
    CHECK(i.vars["change_fee_now"] == "150.00");  // 30 days since the *last* change: not yet
    f.advance_days(29);
    auto q = f.call(en1, "tariff_change", {{"tariff", "premium"}});
    REQUIRE(q.ok);
    CHECK(q.vars["fee"] == "0.00");
    CHECK(f.sub(en1).tariff == "Premium");
}

TEST_CASE("paid tariff change refused when money does not cover it - saying how much is missing") {
    fixture f;
    REQUIRE(f.call(ru4, "tariff_change", {{"tariff", "Basic"}}).ok);
    auto o = f.call(ru4, "tariff_change", {{"tariff", "Premium"}});
    CHECK(o.error == "insufficient_funds");
    CHECK(o.vars["reason"] == "Недостаточно средств: не хватает 100,00 руб.");
    CHECK(f.sub(ru4).tariff == "Basic");
    CHECK(f.balance(ru4) == 5000);
}

TEST_CASE("tariff change refusals: unknown and same tariff") {
    fixture f;
    CHECK(f.call(en1, "tariff_change", {{"tariff", "Gold"}}).error == "unknown_tariff");
    auto s = f.call(en1, "tariff_change", {{"tariff", "Smart"}});
    CHECK(s.error == "same_tariff");
    CHECK(s.vars["reason"] == "You are already on tariff Smart.");
}

TEST_CASE("changing to a tariff drops options incompatible with it") {
    fixture f;
    REQUIRE(f.call(ru2, "service_connect", {{"service", "unlimited_video"}}).ok);
    auto o = f.call(ru2, "tariff_change", {{"tariff", "Basic"}});
    REQUIRE(o.ok);
    CHECK(o.vars["disconnected"] == "Безлимитное видео");
    CHECK(f.scalar("SELECT count(*) FROM subscriptions WHERE msisdn='79160000002'") == 0);
}

TEST_CASE("services list: all - paid only - part of tariff marked") {
    fixture f;
    auto none = f.call(en1, "services_list");
    REQUIRE(none.ok);
    CHECK(none.vars["count"] == "0");
    CHECK(none.vars["message"] == "No services are connected.");
    REQUIRE(f.call(ru2, "service_connect", {{"service", "beep"}}).ok);
    REQUIRE(f.call(ru2, "service_connect", {{"service", "caller_id"}}).ok);
    auto all = f.call(ru2, "services_list");
    CHECK(all.vars["count"] == "3");  // beep, caller_id, voicemail (in Premium)
    CHECK(all.vars["services"].find("Голосовая почта (в тарифе)") != std::string::npos);
    CHECK(all.vars["services"].find("Гудок (2,50 руб./день)") != std::string::npos);
    auto paid = f.call(ru2, "services_list", {{"filter", "paid"}});
    CHECK(paid.vars["count"] == "1");
    CHECK(paid.vars["services"] == "Гудок (2,50 руб./день)");
    CHECK(f.call(ru2, "services_list", {{"filter", "cheap"}}).error == "bad_argument");
}

TEST_CASE("service connect charges the fee and sends an SMS notification") {
    fixture f;
    auto o = f.call(en1, "service_connect", {{"service", "roaming_plus"}});
    REQUIRE(o.ok);
    CHECK(o.vars["fee"] == "99.00");
    CHECK(f.balance(en1) == 25000 - 9900);
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].to == en1);
    CHECK(o.sms[0].from == "111");
    CHECK(o.sms[0].text == "Service Roaming plus is connected. Fee: 99.00 RUB/month.");
    CHECK(f.call(en1, "service_connect", {{"service", "roaming_plus"}}).error ==
          "already_connected");
    auto d = f.call(en1, "service_disconnect", {{"service", "roaming_plus"}});
    REQUIRE(d.ok);
    REQUIRE(d.sms.size() == 1);
    CHECK(d.sms[0].text == "Service Roaming plus is disconnected.");
    CHECK(f.call(en1, "service_disconnect", {{"service", "roaming_plus"}}).error ==
          "not_connected");
}

TEST_CASE("service refusals: unknown - incompatible - part of tariff - no money") {
    fixture f;
    CHECK(f.call(en1, "service_connect", {{"service", "teleport"}}).error == "unknown_service");
    CHECK(f.call(en1, "service_disconnect", {{"service", "teleport"}}).error == "unknown_service");
    auto inc = f.call(en5, "service_connect", {{"service", "unlimited_video"}});
    CHECK(inc.error == "incompatible_tariff");
    CHECK(inc.vars["reason"] == "Service Unlimited video is not available on tariff Basic.");
    auto part = f.call(ru2, "service_disconnect", {{"service", "voicemail"}});
    CHECK(part.error == "part_of_tariff");
    CHECK(part.vars["reason"].find("входит в тариф") != std::string::npos);
    CHECK(f.call(ru2, "service_connect", {{"service", "voicemail"}}).error == "already_connected");
    auto poor = f.call(en3, "service_connect", {{"service", "beep"}});
    CHECK(poor.error == "insufficient_funds");
    CHECK(poor.vars["reason"] == "Not enough money: 12.50 RUB missing.");
    // Free services work at any balance.
    CHECK(f.call(en3, "service_connect", {{"service", "caller_id"}}).ok);
    CHECK(f.balance(en3) == -1000);
}

TEST_CASE("a tariff change costs exactly what its quote said - in every state") {
    fixture f;
    auto quote = [&](const std::string& tariff) {
        auto q = f.call(ru2, "tariff_info", {{"tariff", tariff}});
        REQUIRE(q.ok);
        return q.vars["change_fee_now"];
    };
    auto change = [&](const std::string& tariff) {
        auto before = f.balance(ru2);
        REQUIRE(f.call(ru2, "tariff_change", {{"tariff", tariff}}).ok);
        return before - f.balance(ru2);
    };
    // Never changed: free, quoted as free.
    CHECK(quote("Smart") == "0,00");
    CHECK(change("Smart") == 0);
    // Within 30 days: the target's fee, quoted the same.
    CHECK(quote("Basic") == "100,00");
    CHECK(quote("Premium") == "150,00");
    CHECK(change("Premium") == 15000);
    // My tariff says when a change is free again, never "0" for a paid one.
    auto mine = f.call(ru2, "tariff_info");
    CHECK(mine.vars["change_fee_now"] == "0,00");  // no change to the same tariff
    CHECK(mine.vars["next_free_change"] != "сейчас");
    f.advance_days(30);
    CHECK(f.call(ru2, "tariff_info").vars["next_free_change"] == "сейчас");
    CHECK(quote("Basic") == "0,00");
    CHECK(change("Basic") == 0);
}
