// Login alerts are capped per subscriber and hour (rules.login_alerts_per_hour):
// someone hammering a locked account cannot turn it into an SMS flood; the
// alerts not sent are counted in the store and the next alert says so.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

// en1 with a password, alerts on, and login locked by three wrong passwords
// (three alerts already sent in the window that starts at t0).
void locked_with_alerts(fixture& f, const std::string& msisdn) {
    REQUIRE(f.call(msisdn, "password_set", {{"password", "Hello123"}}).ok);
    REQUIRE(f.call(msisdn, "login_alerts", {{"state", "on"}}).ok);
    for (int i = 0; i < 3; ++i)
        REQUIRE(f.call(msisdn, "password_check", {{"password", "Wrong123"}}).sms.size() == 1);
    REQUIRE(f.scalar("SELECT locked FROM logins WHERE msisdn='" + msisdn + "'") == 1);
}

std::size_t alerts_of(fixture& f, const std::string& msisdn, int attempts) {
    std::size_t sms = 0;
    for (int i = 0; i < attempts; ++i) {
        auto o = f.call(msisdn, "password_check", {{"password", "Guess" + std::to_string(i)}});
        CHECK(o.error == "password_locked");
        sms += o.sms.size();
    }
    return sms;
}

}  // namespace

TEST_CASE("refused logins on a locked account send at most 5 alerts an hour") {
    fixture f;
    REQUIRE(f.cfg.login_alerts_per_hour == 5);
    locked_with_alerts(f, en1);
    f.advance(60);
    // Two more fit in the hour's five; the next eight are counted, not sent.
    CHECK(alerts_of(f, en1, 10) == 2);
    CHECK(f.scalar("SELECT suppressed FROM login_alert_window WHERE msisdn='79160000001'") == 8);
    // Still in the same hour: nothing.
    f.advance(3400);
    CHECK(alerts_of(f, en1, 1) == 0);
    // A new hour: the next alert goes out and says how many were not sent since when.
    f.advance(200);
    auto o = f.call(en1, "password_check", {{"password", "Guess"}});
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].from == "3339");
    CHECK(o.sms[0].text ==
          "Login to your account refused at 01.01 04:01: password login is blocked after 3 wrong "
          "attempts. If it was not you, order a new password: *111*25#. Alerts not sent since "
          "01.01 03:01: 9.");
    // ... once: the following alert has no count.
    auto next = f.call(en1, "password_check", {{"password", "Guess"}});
    REQUIRE(next.sms.size() == 1);
    CHECK(next.sms[0].text.find("not sent") == std::string::npos);
    // The lockout itself is as before.
    CHECK(f.scalar("SELECT failed FROM logins WHERE msisdn='79160000001'") == 3);
}

TEST_CASE("the alert cap counts successful logins too - per subscriber - in Russian") {
    fixture f;
    f.cfg.login_alerts_per_hour = 2;
    f.start();
    REQUIRE(f.call(ru2, "password_set", {{"password", "Hello123"}}).ok);
    REQUIRE(f.call(ru2, "login_alerts", {{"state", "on"}}).ok);
    REQUIRE(f.call(en1, "password_set", {{"password", "Hello123"}}).ok);
    REQUIRE(f.call(en1, "login_alerts", {{"state", "on"}}).ok);
    std::size_t sent = 0;
    for (int i = 0; i < 4; ++i)
        sent += f.call(ru2, "password_check", {{"password", "Hello123"}}).sms.size();
    CHECK(sent == 2);
    // Another subscriber has a cap of his own.
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).sms.size() == 1);
    // The count lives in the store: a restarted runner remembers it.
    f.start();
    CHECK(f.call(ru2, "password_check", {{"password", "Hello123"}}).sms.empty());
    f.advance(3600);
    auto o = f.call(ru2, "password_check", {{"password", "Hello123"}});
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].text ==
          "Успешный вход в личный кабинет в 01.01 04:00. Если это были не вы, закажите новый "
          "пароль: *111*25#. Не отправлено оповещений с 01.01 03:00: 3.");
}

TEST_CASE("with the cap at 0 every alert goes out") {
    fixture f;
    f.cfg.login_alerts_per_hour = 0;
    f.start();
    locked_with_alerts(f, en1);
    CHECK(alerts_of(f, en1, 12) == 12);
}
