// Read-only views, unknown subscribers and argument checks.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

TEST_CASE("balance shows money - bonus - tariff and package remainders") {
    fixture f;
    auto o = f.call(en1, "balance");
    REQUIRE(o.ok);
    CHECK(o.language == "en");
    CHECK(o.vars["balance"] == "250.00");
    CHECK(o.vars["tariff"] == "Smart");
    CHECK(o.vars["minutes_left"] == "500");
    CHECK(o.vars["sms_left"] == "500");
    CHECK(o.vars["mb_left"] == "10240");
    CHECK(o.vars["bonus"] == "0");
    CHECK(o.vars["message"].find("Balance: 250.00 RUB") != std::string::npos);
}

TEST_CASE("balance works at a negative balance and speaks Russian to Russian subscribers") {
    fixture f;
    auto o = f.call(en3, "balance");
    REQUIRE(o.ok);
    CHECK(o.vars["balance"] == "-10.00");
    auto r = f.call(ru2, "balance");
    REQUIRE(r.ok);
    CHECK(r.language == "ru");
    CHECK(r.vars["message"].find("Баланс: 1000,00 руб.") != std::string::npos);
    CHECK(r.vars["tariff_title"] == "Премиум");
}

TEST_CASE("request language overrides the stored one") {
    fixture f;
    actions::request r;
    r.msisdn = ru2;
    r.action = "balance";
    r.language = "en";
    auto o = f.run(r);
    CHECK(o.language == "en");
    CHECK(o.vars["message"].find("Balance") == 0);
}

TEST_CASE("unknown subscriber is refused with a localized reason") {
    fixture f;
    auto o = f.call("79990000000", "balance");
    CHECK_FALSE(o.ok);
    CHECK(o.error == "unknown_subscriber");
    CHECK(o.vars["reason"].find("79990000000") != std::string::npos);
    actions::request r;
    r.msisdn = "79990000000";
    r.action = "transfer";
    r.language = "ru";
    r.arguments = {{"to", en1}, {"amount", "1"}};
    auto ru = f.run(r);
    CHECK(ru.error == "unknown_subscriber");
    CHECK(ru.vars["reason"].find("не обслуживается") != std::string::npos);
}

TEST_CASE("unknown action and missing parameter are refused") {
    fixture f;
    auto o = f.call(en1, "no_such_action");
    CHECK(o.error == "unknown_action");
    CHECK_FALSE(o.vars["reason"].empty());
    auto m = f.call(en1, "transfer", {{"to", ru2}});
    CHECK(m.error == "bad_argument");
    CHECK(m.vars["reason"] == "Invalid request: amount.");
}

TEST_CASE("profile tells language - alphabet and status and is not archived") {
    fixture f;
    auto o = f.call(ru2, "profile");
    REQUIRE(o.ok);
    CHECK(o.vars["language"] == "ru");
    CHECK(o.vars["alphabet"] == "cyrillic");
    CHECK(o.vars["status"] == "active");
    f.call(ru2, "balance");
    f.runner.reset();  // flushes pending archive rows
    f.start();
    CHECK(f.scalar(
              "SELECT count(*) FROM archive WHERE msisdn='79160000002' AND action='profile'") == 0);
    CHECK(f.scalar(
              "SELECT count(*) FROM archive WHERE msisdn='79160000002' AND action='balance'") == 1);
}

TEST_CASE("tariff_info and tariffs_list") {
    fixture f;
    auto o = f.call(en1, "tariff_info");
    REQUIRE(o.ok);
    CHECK(o.vars["tariff"] == "Smart");
    CHECK(o.vars["monthly_fee"] == "450.00");
    CHECK(o.vars["change_fee_now"] == "0.00");
    auto p = f.call(en1, "tariff_info", {{"tariff", "premium"}});
    REQUIRE(p.ok);
    CHECK(p.vars["tariff"] == "Premium");
    auto u = f.call(en1, "tariff_info", {{"tariff", "Gold"}});
    CHECK(u.error == "unknown_tariff");
    auto l = f.call(ru2, "tariffs_list");
    REQUIRE(l.ok);
    CHECK(l.vars["count"] == "3");
    CHECK(l.vars["tariffs"].find("Смарт") != std::string::npos);
}

TEST_CASE("bonus_balance") {
    fixture f;
    auto o = f.call(en1, "bonus_balance");
    REQUIRE(o.ok);
    CHECK(o.vars["bonus"] == "0");
}
