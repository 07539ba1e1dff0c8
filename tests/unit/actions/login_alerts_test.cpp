// Login alerts (docs/actions.md, login_alerts and password_check): the login_alerts switch, and
// the SMS from 3339 that password_check sends about logins when it is on.

#include <doctest/doctest.h>

#include <string>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

namespace {

constexpr const char* right_pw = "Hello123";
constexpr const char* wrong_pw = "Wrong7x9";

// The stamp of t0 (2030-01-01 00:00 UTC) in Moscow time.
constexpr const char* t0_stamp = "01.01 03:00";

// Gives `msisdn` a permanent password; the reply SMS of password_set is not
// a login alert, so it is checked and dropped here.
void give_password(fixture& f, const std::string& msisdn) {
    auto o = f.call(msisdn, "password_set", {{"password", right_pw}});
    REQUIRE(o.ok);
    REQUIRE(o.sms.size() == 1);
    REQUIRE(o.sms[0].text.find("accepted") != std::string::npos);
}

void alerts(fixture& f, const std::string& msisdn, const std::string& state) {
    auto o = f.call(msisdn, "login_alerts", {{"state", state}});
    REQUIRE(o.ok);
}

actions::outcome login(fixture& f, const std::string& msisdn, const std::string& pw,
                       channel via = channel::ussd) {
    return f.call(msisdn, "password_check", {{"password", pw}}, via);
}

// The one alert of an outcome, checked for what every alert must be.
std::string only_alert(const actions::outcome& o, const std::string& msisdn,
                       const std::string& tried) {
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].from == "3339");
    CHECK(o.sms[0].to == msisdn);
    CHECK(o.sms[0].text.find(tried) == std::string::npos);
    return o.sms[0].text;
}

}  // namespace

TEST_CASE("login alerts are off by default - a refused login sends no SMS") {
    fixture f;
    give_password(f, en1);
    CHECK_FALSE(f.sub(en1).login_alerts);
    auto o = login(f, en1, wrong_pw);
    CHECK(o.error == "wrong_password");
    CHECK(o.sms.empty());
    // Nor does a successful one.
    auto ok = login(f, en1, right_pw);
    CHECK(ok.ok);
    CHECK(ok.sms.empty());
}

TEST_CASE("login_alerts on - a refused login sends one SMS from 3339 without the tried password") {
    fixture f;
    give_password(f, en1);
    auto on = f.call(en1, "login_alerts", {{"state", "on"}});
    REQUIRE(on.ok);
    CHECK(on.vars["message"] == "Login alerts are on.");
    CHECK(on.vars["state"] == "on");
    CHECK(on.sms.empty());
    CHECK(f.sub(en1).login_alerts);

    auto o = login(f, en1, wrong_pw);
    CHECK_FALSE(o.ok);
    CHECK(o.error == "wrong_password");
    // The refusal the caller sees is unchanged.
    CHECK(o.vars["reason"] == "Wrong password. Attempts left: 2.");
    auto text = only_alert(o, en1, wrong_pw);
    CHECK(text == std::string("Login to your account refused at ") + t0_stamp +
                      ": wrong password (attempts left: 2). If it was not you, order a new "
                      "password: *111*25#.");
    // Nothing else in the outcome carries the tried password either.
    for (const auto& [k, v] : o.vars) CHECK_MESSAGE(v.find(wrong_pw) == std::string::npos, k);
}

TEST_CASE("a successful login with alerts on sends an SMS with the time") {
    fixture f;
    give_password(f, en1);
    alerts(f, en1, "on");
    f.advance(3600 + 25 * 60);
    auto o = login(f, en1, right_pw);
    REQUIRE(o.ok);
    CHECK(o.vars["kind"] == "permanent");
    auto text = only_alert(o, en1, right_pw);
    CHECK(text ==
          "Successful login to your account at 01.01 04:25. If it was not you, order a new "
          "password: *111*25#.");
}

TEST_CASE("every kind of refused login sends an alert - the lockout counts as before") {
    fixture f;
    // Ten alerts within the hour: this test is about their kinds, so the
    // hourly cap (login_alerts_flood_test.cpp) is off.
    f.cfg.login_alerts_per_hour = 0;
    f.start();
    alerts(f, en1, "on");
    // No password yet.
    auto none = login(f, en1, wrong_pw);
    CHECK(none.error == "no_password");
    CHECK(only_alert(none, en1, wrong_pw).find("no password is set") != std::string::npos);

    give_password(f, en1);
    // Two wrong, then the third locks: the counter and the lock are kept
    // exactly as without alerts.
    CHECK(only_alert(login(f, en1, "Wrong111"), en1, "Wrong111").find("attempts left: 2") !=
          std::string::npos);
    CHECK(f.scalar("SELECT failed FROM logins WHERE msisdn='79160000001'") == 1);
    CHECK(only_alert(login(f, en1, "Wrong222"), en1, "Wrong222").find("attempts left: 1") !=
          std::string::npos);
    CHECK(f.scalar("SELECT failed FROM logins WHERE msisdn='79160000001'") == 2);
    auto third = login(f, en1, "Wrong333");
    CHECK(third.error == "password_locked");
    CHECK(only_alert(third, en1, "Wrong333")
              .find("password login is blocked after 3 wrong attempts") != std::string::npos);
    CHECK(f.scalar("SELECT failed FROM logins WHERE msisdn='79160000001'") == 3);
    CHECK(f.scalar("SELECT locked FROM logins WHERE msisdn='79160000001'") == 1);
    // Locked: even the right password is refused, and alerted.
    auto locked = login(f, en1, right_pw);
    CHECK(locked.error == "password_locked");
    CHECK(only_alert(locked, en1, right_pw).find("blocked") != std::string::npos);
    CHECK(f.scalar("SELECT failed FROM logins WHERE msisdn='79160000001'") == 3);

    // A new password lifts the lock; its one-time password works once.
    auto set = f.call(en1, "password_set", {{"password", "Fresh123"}});
    REQUIRE(set.ok);
    auto otp = set.vars["otp"];
    CHECK(f.scalar("SELECT locked FROM logins WHERE msisdn='79160000001'") == 0);
    CHECK(only_alert(login(f, en1, otp), en1, otp).find("Successful login") == 0);
    auto used = login(f, en1, otp);
    CHECK(used.error == "password_used");
    CHECK(only_alert(used, en1, otp).find("the one-time password was already used") !=
          std::string::npos);

    // An issued password unused for 48 h expires.
    auto issued = f.call(en1, "password_issue");
    REQUIRE(issued.ok);
    REQUIRE(issued.sms.size() == 1);  // the password itself, not an alert
    auto pos = issued.sms[0].text.find(": ");
    REQUIRE(pos != std::string::npos);
    auto pw = issued.sms[0].text.substr(pos + 2, 8);
    f.advance(48 * 3600);
    auto expired = login(f, en1, pw);
    CHECK(expired.error == "password_expired");
    CHECK(only_alert(expired, en1, pw).find("the password has expired") != std::string::npos);
}

TEST_CASE("the lockout is the same with alerts on and off") {
    fixture f;
    give_password(f, en1);
    give_password(f, en5);
    alerts(f, en1, "on");
    for (const char* pw : {"Bad1", "Bad2", "Bad3", right_pw}) {
        CAPTURE(pw);
        auto with = login(f, en1, pw);
        auto without = login(f, en5, pw);
        CHECK(with.ok == without.ok);
        CHECK(with.error == without.error);
        CHECK(with.vars == without.vars);
        CHECK(with.sms.size() == 1);
        CHECK(without.sms.empty());
    }
    CHECK(f.scalar("SELECT failed * 10 + locked FROM logins WHERE msisdn='79160000001'") ==
          f.scalar("SELECT failed * 10 + locked FROM logins WHERE msisdn='79160000005'"));
}

TEST_CASE("login_alerts refuses a state other than on or off - in English and Russian") {
    fixture f;
    auto en = f.call(en1, "login_alerts", {{"state", "maybe"}});
    CHECK_FALSE(en.ok);
    CHECK(en.error == "bad_argument");
    CHECK(en.vars["param"] == "state");
    CHECK(en.vars["reason"] == "Login alerts can only be switched on or off.");
    auto ru = f.call(ru2, "login_alerts", {{"state", "maybe"}});
    CHECK(ru.error == "bad_argument");
    CHECK(ru.vars["reason"] == "Оповещения о входе можно только включить или выключить.");
    // A missing state is the engine's usual bad_argument.
    CHECK(f.call(en1, "login_alerts").error == "bad_argument");
    CHECK_FALSE(f.sub(en1).login_alerts);
    // Case does not matter to a handset user.
    CHECK(f.call(en1, "login_alerts", {{"state", "ON"}}).ok);
    CHECK(f.sub(en1).login_alerts);
}

TEST_CASE("login_alerts is archived with its channel and arguments") {
    fixture f;
    alerts(f, en1, "on");
    CHECK(f.call(en1, "login_alerts", {{"state", "maybe"}}, channel::sms).error == "bad_argument");
    CHECK(f.call(en1, "login_alerts", {{"state", "off"}}, channel::admin).ok);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE msisdn='79160000001' AND "
                   "action='login_alerts' AND channel='ussd' AND arguments='state=on' AND "
                   "result='ok'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE msisdn='79160000001' AND "
                   "action='login_alerts' AND channel='sms' AND arguments='state=maybe' AND "
                   "result='bad_argument'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE msisdn='79160000001' AND "
                   "action='login_alerts' AND channel='admin' AND arguments='state=off' AND "
                   "result='ok'") == 1);
    // The checked password stays redacted in the archive with alerts on.
    alerts(f, en1, "on");
    give_password(f, en1);
    login(f, en1, wrong_pw);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='password_check' AND "
                   "arguments='password=***' AND result='wrong_password'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE arguments LIKE '%" + std::string(wrong_pw) +
                   "%'") == 0);
}

TEST_CASE("switching login alerts off again stops the SMS") {
    fixture f;
    give_password(f, en1);
    alerts(f, en1, "on");
    CHECK(login(f, en1, wrong_pw).sms.size() == 1);
    auto off = f.call(en1, "login_alerts", {{"state", "off"}});
    REQUIRE(off.ok);
    CHECK(off.vars["message"] == "Login alerts are off.");
    CHECK_FALSE(f.sub(en1).login_alerts);
    CHECK(login(f, en1, wrong_pw).sms.empty());
    CHECK(login(f, en1, right_pw).sms.empty());
    // Choosing the state already set is answered, not refused.
    auto again = f.call(en1, "login_alerts", {{"state", "off"}});
    CHECK(again.ok);
    CHECK(again.vars["message"] == "Login alerts are off.");
}

TEST_CASE("a Russian subscriber gets the alert in Russian whatever the login's language") {
    fixture f;
    REQUIRE(f.call(ru2, "password_set", {{"password", right_pw}}).ok);
    auto on = f.call(ru2, "login_alerts", {{"state", "on"}});
    CHECK(on.vars["message"] == "Оповещения о входе включены.");
    actions::request r;
    r.msisdn = ru2;
    r.action = "password_check";
    r.arguments = {{"password", wrong_pw}};
    r.language = "en";  // the login screen was English; the owner reads Russian
    auto o = f.run(r);
    CHECK(o.vars["reason"] == "Wrong password. Attempts left: 2.");
    auto text = only_alert(o, ru2, wrong_pw);
    CHECK(text == std::string("Вход в личный кабинет отклонён в ") + t0_stamp +
                      ": неверный пароль (осталось попыток: 2). Если это были не вы, закажите "
                      "новый пароль: *111*25#.");
    r.arguments = {{"password", right_pw}};
    CHECK(only_alert(f.run(r), ru2, right_pw).find("Успешный вход в личный кабинет в ") == 0);
    auto off = f.call(ru2, "login_alerts", {{"state", "off"}});
    CHECK(off.vars["message"] == "Оповещения о входе выключены.");
}
