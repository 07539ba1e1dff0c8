// Money: formatting, top-up, transfer, promised payment, full trust.

#include <doctest/doctest.h>

#include <stdexcept>

#include "fixture.hpp"
#include "ussdgw/actions/money.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

TEST_CASE("roubles format and parse without floating point") {
    CHECK(actions::format_rub(-1250, "en") == "-12.50");
    CHECK(actions::format_rub(5, "en") == "0.05");
    CHECK(actions::format_rub(0, "en") == "0.00");
    CHECK(actions::format_rub(-5, "en") == "-0.05");
    CHECK(actions::parse_rub("150") == 15000);
    CHECK(actions::parse_rub("150.5") == 15050);
    CHECK(actions::parse_rub("150,05") == 15005);
    CHECK_FALSE(actions::parse_rub("-1"));
    CHECK_FALSE(actions::parse_rub("1.234"));
    CHECK_FALSE(actions::parse_rub("1."));
    CHECK_FALSE(actions::parse_rub(""));
    CHECK_FALSE(actions::parse_rub("12a"));
    CHECK_FALSE(actions::parse_rub("99999999999999999999"));
}

TEST_CASE("topup: 100..15000 RUB - admin channel only - earns bonus") {
    fixture f;
    auto o = f.call(en5, "topup", {{"amount", "150"}}, channel::admin);
    REQUIRE(o.ok);
    CHECK(o.vars["balance"] == "150.00");
    CHECK(o.vars["bonus_earned"] == "15");
    CHECK(f.sub(en5).bonus == 15);
    CHECK(f.call(en5, "topup", {{"amount", "99.99"}}, channel::admin).error ==
          "amount_out_of_range");
    CHECK(f.call(en5, "topup", {{"amount", "15000.01"}}, channel::admin).error ==
          "amount_out_of_range");
    CHECK(f.call(en5, "topup", {{"amount", "15000"}}, channel::admin).ok);
    CHECK(f.call(en5, "topup", {{"amount", "abc"}}, channel::admin).error == "bad_argument");
    auto u = f.call(en5, "topup", {{"amount", "150"}}, channel::ussd);
    CHECK(u.error == "not_allowed");
    CHECK(f.balance(en5) == 1515000);
    CHECK(f.scalar("SELECT count(*) FROM payments WHERE msisdn='79160000005' AND kind='topup'") ==
          2);
}

TEST_CASE("transfer moves money atomically and tells the recipient") {
    fixture f;
    auto o = f.call(en1, "transfer", {{"to", ru2}, {"amount", "100.50"}});
    REQUIRE(o.ok);
    CHECK(o.vars["balance"] == "149.50");
    CHECK(f.balance(en1) == 14950);
    CHECK(f.balance(ru2) == 110050);
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].to == ru2);
    CHECK(o.sms[0].text.find("100,50 руб.") != std::string::npos);
    CHECK(f.scalar(
              "SELECT amount FROM archive WHERE msisdn='79160000002' AND action='transfer_in'") ==
          10050);
    CHECK(f.scalar("SELECT amount FROM archive WHERE msisdn='79160000001' AND action='transfer'") ==
          -10050);
}

TEST_CASE("transfer refusals") {
    fixture f;
    auto o = f.call(ru4, "transfer", {{"to", en1}, {"amount", "120.50"}});
    CHECK(o.error == "insufficient_funds");
    CHECK(o.vars["reason"] == "Недостаточно средств: не хватает 70,50 руб.");
    CHECK(f.call(en1, "transfer", {{"to", en1}, {"amount", "1"}}).error == "same_number");
    CHECK(f.call(en1, "transfer", {{"to", "79990000000"}, {"amount", "1"}}).error ==
          "unknown_recipient");
    CHECK(f.call(en1, "transfer", {{"to", ru2}, {"amount", "0"}}).error == "amount_out_of_range");
    CHECK(f.call(en1, "transfer", {{"to", ru2}, {"amount", "x"}}).error == "bad_argument");
    auto neg = f.call(en3, "transfer", {{"to", en1}, {"amount", "5"}});
    CHECK(neg.error == "insufficient_funds");
    CHECK(neg.vars["reason"] == "Not enough money: 15.00 RUB missing.");
    CHECK(f.balance(en1) == 25000);
    CHECK(f.balance(ru4) == 5000);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE result='insufficient_funds'") == 2);
}

TEST_CASE("transfer accepts +7 and 8 prefixes for the recipient") {
    fixture f;
    CHECK(f.call(en1, "transfer", {{"to", "+79160000002"}, {"amount", "1"}}).ok);
    CHECK(f.call(en1, "transfer", {{"to", "89160000002"}, {"amount", "1"}}).ok);
    CHECK(f.balance(ru2) == 100200);
}

TEST_CASE("promised payment: balance not below -30 - fee by amount - one at a time - repaid") {
    fixture f;
    auto o = f.call(en3, "promised_payment", {{"amount", "100"}});
    REQUIRE(o.ok);
    CHECK(o.vars["fee"] == "10.00");
    CHECK(o.vars["due"] == "04.01.2030");
    CHECK(f.balance(en3) == -1000 + 10000 - 1000);
    CHECK(f.call(en3, "promised_payment", {{"amount", "50"}}).error == "promised_outstanding");
    // Fee table ends: 7 RUB up to 30, 50 RUB up to 800; beyond is refused.
    CHECK(f.call(en5, "promised_payment", {{"amount", "30"}}).vars["fee"] == "7.00");
    CHECK(f.call(en1, "promised_payment", {{"amount", "800.01"}}).error == "amount_out_of_range");
    CHECK(f.call(en1, "promised_payment", {{"amount", "800"}}).vars["fee"] == "50.00");
    f.advance_days(2);
    CHECK(f.daily().promised_repaid == 0);
    f.advance_days(1);
    auto r = f.daily();
    CHECK(r.promised_repaid == 3);
    CHECK(f.balance(en3) == -1000 - 1000);
    CHECK(f.call(en3, "promised_payment", {{"amount", "100"}}).ok);
}

TEST_CASE("promised payment is refused below -30 RUB") {
    fixture f;
    {
        store::connection c(f.path);
        c.exec("UPDATE subscribers SET balance = -3001 WHERE msisdn = '79160000003'");
    }
    auto o = f.call(en3, "promised_payment", {{"amount", "100"}});
    CHECK(o.error == "balance_too_low");
    CHECK(o.vars["reason"].find("-30.00") != std::string::npos);
    {
        store::connection c(f.path);
        c.exec("UPDATE subscribers SET balance = -3000 WHERE msisdn = '79160000003'");
    }
    CHECK(f.call(en3, "promised_payment", {{"amount", "100"}}).ok);
}

TEST_CASE("full trust: 300 RUB credit - covers paid operations - off only without debt") {
    fixture f;
    // 0 RUB cannot pay a 5 RUB/day service...
    CHECK(f.call(en5, "service_connect", {{"service", "beep"}}).error == "insufficient_funds");
    auto o = f.call(en5, "full_trust");
    REQUIRE(o.ok);
    CHECK(o.vars["credit_limit"] == "300.00");
    CHECK(f.call(en5, "full_trust", {{"state", "on"}}).error == "already_on");
    // ...but with full trust it can.
    CHECK(f.call(en5, "service_connect", {{"service", "beep"}}).ok);
    CHECK(f.balance(en5) == -250);
    CHECK(f.call(en5, "full_trust", {{"state", "off"}}).error == "debt_outstanding");
    CHECK(f.call(en1, "full_trust", {{"state", "off"}}).error == "already_off");
    CHECK(f.call(en1, "full_trust", {{"state", "maybe"}}).error == "bad_argument");
    f.call(en5, "topup", {{"amount", "100"}}, channel::admin);
    CHECK(f.call(en5, "full_trust", {{"state", "off"}}).ok);
    CHECK(f.sub(en5).credit_limit == 0);
}

TEST_CASE("lent money stays: a promised payment cannot be transferred away until repaid") {
    fixture f;
    // The reproduction: 0 RUB, promised 800 (fee 50), then a transfer of 750.
    auto lent = f.call(en5, "promised_payment", {{"amount", "800"}});
    REQUIRE(lent.ok);
    CHECK(f.balance(en5) == 75000);
    auto out = f.call(en5, "transfer", {{"to", ru2}, {"amount", "750"}});
    CHECK(out.error == "lent_money");
    CHECK(out.vars["reason"].find("0.00 RUB now") != std::string::npos);
    CHECK(out.vars["reason"].find("800.00 RUB") != std::string::npos);
    CHECK(f.balance(en5) == 75000);
    CHECK(f.balance(ru2) == 100000);
    // Not even a part of it, and no bonus points were earned to give away.
    CHECK(f.call(en5, "transfer", {{"to", ru2}, {"amount", "1"}}).error == "lent_money");
    CHECK(f.sub(en5).bonus == 0);
    CHECK(f.call(en5, "bonus_give", {{"to", ru2}, {"points", "1"}}).error == "insufficient_bonus");
    // Own money on top of the loan can go: after a top-up of 100, 50 of it is free to send
    // (750 + 100 on the account, 800 lent).
    REQUIRE(f.call(en5, "topup", {{"amount", "100"}}, channel::admin).ok);
    CHECK(f.call(en5, "transfer", {{"to", ru2}, {"amount", "50.01"}}).error == "lent_money");
    CHECK(f.call(en5, "transfer", {{"to", ru2}, {"amount", "50"}}).ok);
    // Once repaid, the rest is the subscriber's again.
    f.advance(f.cfg.promised_days * 86400 + 1);
    CHECK(f.daily().promised_repaid == 1);
    CHECK(f.balance(en5) == 0);
    CHECK(f.call(en5, "transfer", {{"to", ru2}, {"amount", "1"}}).error == "insufficient_funds");
}

TEST_CASE("lent money stays: the full-trust credit limit cannot be transferred") {
    fixture f;
    REQUIRE(f.call(en5, "full_trust", {{"state", "on"}}).ok);
    auto out = f.call(en5, "transfer", {{"to", ru2}, {"amount", "1"}});
    CHECK(out.error == "insufficient_funds");
    CHECK(out.vars["reason"].find("1.00 RUB missing") != std::string::npos);
    CHECK(f.balance(ru2) == 100000);
}

TEST_CASE("a transfer of exactly the whole balance goes through - one kopeck more does not") {
    fixture f;
    // en1 has 250.00 and no credit: all of it may move, and nothing more.
    CHECK(f.call(en1, "transfer", {{"to", ru2}, {"amount", "250.01"}}).error ==
          "insufficient_funds");
    auto all = f.call(en1, "transfer", {{"to", ru2}, {"amount", "250"}});
    REQUIRE(all.ok);
    CHECK(f.balance(en1) == 0);
    CHECK(f.balance(ru2) == 125000);
    CHECK(f.scalar(
              "SELECT amount FROM archive WHERE msisdn='79160000002' AND action='transfer_in'") ==
          25000);
}

TEST_CASE("an action that fails in the store after its first write keeps none of it") {
    // A copy of the built-in actions plus one that credits the subscriber and
    // then fails the way a store error does: the credit must be rolled back
    // with its savepoint, and the subscriber told to try later.
    actions::registry reg = actions::builtin_registry();
    actions::entry broken;
    broken.facts.name = "credit_then_fail";
    broken.run = [](actions::context& ctx) -> actions::outcome {
        ctx.db.add_balance(ctx.req.msisdn, 50000);
        throw std::runtime_error("disk I/O error (simulated)");
    };
    reg.add(std::move(broken));
    fixture f;
    f.start([&reg](actions::runner_options& o) { o.actions = &reg; });
    const auto before = f.balance(en1);
    auto o = f.call(en1, "credit_then_fail");
    CHECK_FALSE(o.ok);
    CHECK(o.error == "storage_error");
    CHECK(f.balance(en1) == before);
    // The runner goes on: the next action of the same batch shape works.
    CHECK(f.call(en1, "transfer", {{"to", ru2}, {"amount", "1"}}).ok);
    CHECK(f.balance(en1) == before - 100);
}
