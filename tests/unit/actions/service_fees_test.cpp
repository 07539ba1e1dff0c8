// Recurring service fees charged by the daily job: daily and monthly periods,
// idempotent reruns, free and part-of-tariff services, disconnection.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

// What an operator changes in the catalogue while the gateway runs, written
// through its own connection like ussdgw-admin does.
void set_included(fixture& f, const std::string& service, const std::string& tariff, bool on) {
    f.runner->drain();
    store::connection c(f.path);
    store::accounts a(c);
    store::transaction t(c);
    if (on)
        a.put_service_rule(service, tariff, "included");
    else
        a.clear_service_rules(service);
    t.commit();
}

}  // namespace

TEST_CASE("a daily service is charged for every full day once however often the job runs") {
    fixture f;
    REQUIRE(f.call(en1, "service_connect", {{"service", "beep"}}).ok);
    CHECK(f.balance(en1) == 25000 - 250);  // the day of connection
    // Less than a full day: nothing yet.
    f.advance(86400 - 1);
    CHECK(f.daily().services_charged == 0);
    f.advance(1);
    f.advance_days(2);
    auto r = f.daily();
    CHECK(r.services_charged == 1);
    CHECK(r.services_total == 750);
    auto again = f.daily();
    CHECK(again.services_charged == 0);
    CHECK(again.services_total == 0);
    f.advance(12 * 3600);
    CHECK(f.daily().services_total == 0);
    CHECK(f.balance(en1) == 25000 - 250 - 750);
    CHECK(f.scalar("SELECT count(*) FROM payments WHERE msisdn='" + en1 +
                   "' AND kind='service_fee' AND amount=-750 AND peer='beep'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE msisdn='" + en1 +
                   "' AND action='service_fee' AND channel='system' AND result='ok' AND "
                   "amount=-750 AND arguments='service=beep; periods=3'") == 1);
    CHECK(f.scalar("SELECT charged_periods FROM subscriptions WHERE msisdn='" + en1 +
                   "' AND service='beep'") == 3);
}

TEST_CASE("a monthly service is charged per full 30 days and may take the balance negative") {
    fixture f;
    REQUIRE(f.call(en1, "service_connect", {{"service", "roaming_plus"}}).ok);
    CHECK(f.balance(en1) == 25000 - 9900);
    f.advance_days(29);
    CHECK(f.daily().services_charged == 0);
    f.advance_days(61 - 29);
    auto r = f.daily();
    CHECK(r.services_charged == 1);
    CHECK(r.services_total == 2 * 9900);
    CHECK(f.daily().services_total == 0);
    // Charged although the balance did not cover it: debt is handled elsewhere.
    CHECK(f.balance(en1) == 25000 - 9900 - 2 * 9900);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='service_fee' AND "
                   "arguments='service=roaming_plus; periods=2' AND amount=-19800") == 1);
}

TEST_CASE("free services and services that are part of the tariff are never charged") {
    fixture f;
    REQUIRE(f.call(en1, "service_connect", {{"service", "caller_id"}}).ok);
    REQUIRE(f.call(ru4, "service_connect", {{"service", "beep"}}).ok);
    // ru2 is on Premium; roaming_plus comes with it from now on.
    set_included(f, "roaming_plus", "Premium", true);
    CHECK(f.call(ru2, "service_connect", {{"service", "roaming_plus"}}).error ==
          "already_connected");
    // ru4 connected beep itself, then the operator put it into Smart.
    set_included(f, "beep", "Smart", true);
    const auto en1_before = f.balance(en1);
    const auto ru2_before = f.balance(ru2);
    const auto ru4_before = f.balance(ru4);
    f.advance_days(65);
    auto r = f.daily();
    CHECK(r.services_charged == 0);
    CHECK(r.services_total == 0);
    CHECK(f.balance(en1) == en1_before);
    CHECK(f.balance(ru2) == ru2_before);
    CHECK(f.balance(ru4) == ru4_before);
    // Days the tariff paid for are not billed when it stops including beep.
    set_included(f, "beep", "Smart", false);
    CHECK(f.daily().services_charged == 0);
    f.advance_days(1);
    r = f.daily();
    CHECK(r.services_charged == 1);
    CHECK(r.services_total == 250);
    CHECK(f.balance(ru4) == ru4_before - 250);
    CHECK(f.scalar("SELECT count(*) FROM payments WHERE kind='service_fee' AND msisdn<>'" + ru4 +
                   "'") == 0);
}

TEST_CASE("a disconnected service stops being charged and a reconnection counts afresh") {
    fixture f;
    REQUIRE(f.call(en1, "service_connect", {{"service", "beep"}}).ok);
    f.advance_days(2);
    CHECK(f.daily().services_total == 500);
    REQUIRE(f.call(en1, "service_disconnect", {{"service", "beep"}}).ok);
    f.advance_days(3);
    CHECK(f.daily().services_charged == 0);
    CHECK(f.balance(en1) == 25000 - 250 - 500);
    // Connecting again pays its first day and starts a new count.
    REQUIRE(f.call(en1, "service_connect", {{"service", "beep"}}).ok);
    CHECK(f.daily().services_charged == 0);
    f.advance_days(1);
    CHECK(f.daily().services_total == 250);
    CHECK(f.balance(en1) == 25000 - 250 - 500 - 250 - 250);
}

TEST_CASE("service fees of several subscribers add up in one daily report") {
    fixture f;
    REQUIRE(f.call(en1, "service_connect", {{"service", "beep"}}).ok);
    REQUIRE(f.call(ru2, "service_connect", {{"service", "unlimited_video"}}).ok);
    REQUIRE(f.call(ru2, "block_number").ok);
    f.advance_days(15);
    auto r = f.daily();
    CHECK(r.services_charged == 2);
    CHECK(r.services_total == 15 * 250 + 15 * 500);
    CHECK(r.blocking_charged == 1);  // blocking is charged alongside
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE channel='system' AND "
                   "action='service_fee'") == 2);
}
