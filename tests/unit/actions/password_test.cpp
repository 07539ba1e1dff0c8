// Passwords: issue, set, check with the lockout rules; SMS archive password.

#include <doctest/doctest.h>

#include <regex>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

namespace {

std::string password_in(const std::string& sms) {
    std::smatch m;
    REQUIRE(std::regex_search(sms, m, std::regex(": ([A-Za-z0-9]{8,})")));
    return m[1];
}

}  // namespace

TEST_CASE("password_issue sends a strong random password from 3339 - valid 48 h") {
    fixture f;
    auto o = f.call(en1, "password_issue");
    REQUIRE(o.ok);
    CHECK(o.vars["message"] == "Your new password will arrive by SMS from 3339.");
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].from == "3339");
    CHECK(o.sms[0].to == en1);
    auto pw = password_in(o.sms[0].text);
    CHECK(pw.size() >= 8);
    CHECK(std::regex_search(pw, std::regex("[A-Z]")));
    CHECK(std::regex_search(pw, std::regex("[a-z]")));
    CHECK(std::regex_search(pw, std::regex("[0-9]")));
    f.advance(48 * 3600 - 1);
    CHECK(f.call(en1, "password_check", {{"password", pw}}).ok);
    // Once used it stays valid past 48 h.
    f.advance(10);
    CHECK(f.call(en1, "password_check", {{"password", pw}}).ok);
}

TEST_CASE("an issued password unused for 48 h expires") {
    fixture f;
    auto pw = password_in(f.call(ru2, "password_issue").sms.at(0).text);
    f.advance(48 * 3600);
    auto o = f.call(ru2, "password_check", {{"password", pw}});
    CHECK(o.error == "password_expired");
    CHECK(o.vars["reason"].find("Срок действия пароля истёк") != std::string::npos);
}

TEST_CASE("password_set checks the rules and answers with the reason") {
    fixture f;
    auto weak = [&](const std::string& pw, channel via = channel::ussd) {
        auto o = f.call(en1, "password_set", {{"password", pw}}, via);
        CHECK_FALSE(o.ok);
        CHECK(o.error == "weak_password");
        return o.vars["reason"];
    };
    CHECK(weak("Ab1") == "Password change error: the password must have at least 8 characters.");
    CHECK(weak("abcdefg1") ==
          "Password change error: the password needs an upper-case letter, a lower-case letter "
          "and a digit or punctuation sign.");
    CHECK(weak("ABCDEFG1").find("upper-case") != std::string::npos);
    CHECK(weak("Abcdefgh").find("upper-case") != std::string::npos);
    CHECK(weak("Пароль12") ==
          "Password change error: use Latin letters, digits and punctuation only.");
    CHECK(weak("Abc def1").find("Latin") != std::string::npos);
    CHECK(weak("Aaaaaaa1") == "Password change error: no character may appear more than 5 times.");
    CHECK(weak(std::string(20, 'x') + "A1").find("5 times") != std::string::npos);
    CHECK(weak("Ab1" + std::string(30, '!')).find("at most 32") != std::string::npos);
    // The SMS route keeps the older 6..8 bounds.
    CHECK(weak("Hello1234", channel::sms) ==
          "Password change error: the password must have at most 8 characters.");
    CHECK(weak("Hel1", channel::sms).find("at least 6") != std::string::npos);
    CHECK(f.call(en1, "password_set", {{"password", "Hello1"}}, channel::sms).ok);
    CHECK(f.call(en1, "password_set", {{"password", "Hello12!"}}, channel::ussd).ok);
    CHECK(f.call(en1, "password_set", {{"password", "hello12!"}}).error == "weak_password");
}

TEST_CASE("password_set replies with a one-time password - then an accepted SMS") {
    fixture f;
    auto o = f.call(en1, "password_set", {{"password", "Hello123"}}, channel::sms);
    REQUIRE(o.ok);
    auto otp = o.vars["otp"];
    CHECK(otp.size() == 8);
    CHECK(o.vars["message"] == "Your one-time password: " + otp);
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].text == "Your new password is accepted.");
    CHECK(o.sms[0].from == "3339");
    // The permanent password works, and is case-sensitive.
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).ok);
    CHECK(f.call(en1, "password_check", {{"password", "hello123"}}).error == "wrong_password");
    // The one-time password works once.
    auto first = f.call(en1, "password_check", {{"password", otp}});
    CHECK(first.ok);
    CHECK(first.vars["kind"] == "one_time");
    CHECK(f.call(en1, "password_check", {{"password", otp}}).error == "password_used");
    auto r = f.call(ru2, "password_set", {{"password", "Privet12"}}, channel::sms);
    CHECK(r.vars["message"].find("Ваш одноразовый пароль") == 0);
    CHECK(r.sms.at(0).text == "Ваш новый пароль принят.");
}

TEST_CASE("an unused one-time password expires after 48 h") {
    fixture f;
    auto otp = f.call(en1, "password_set", {{"password", "Hello123"}}).vars["otp"];
    f.advance(48 * 3600);
    CHECK(f.call(en1, "password_check", {{"password", otp}}).error == "password_expired");
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).ok);
}

TEST_CASE("3 wrong passwords in a row lock login until a new password is issued") {
    fixture f;
    CHECK(f.call(en1, "password_check", {{"password", "Anything1"}}).error == "no_password");
    REQUIRE(f.call(en1, "password_set", {{"password", "Hello123"}}).ok);
    auto w1 = f.call(en1, "password_check", {{"password", "Wrong111"}});
    CHECK(w1.error == "wrong_password");
    CHECK(w1.vars["reason"] == "Wrong password. Attempts left: 2.");
    // A right one in between resets the count.
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).ok);
    CHECK(f.call(en1, "password_check", {{"password", "Wrong111"}}).vars["attempts_left"] == "2");
    CHECK(f.call(en1, "password_check", {{"password", "Wrong222"}}).error == "wrong_password");
    auto w3 = f.call(en1, "password_check", {{"password", "Wrong333"}});
    CHECK(w3.error == "password_locked");
    // Even the right password is refused now.
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).error == "password_locked");
    CHECK(f.scalar("SELECT locked FROM logins WHERE msisdn='79160000001'") == 1);
    // A new password lifts the lock.
    auto pw = password_in(f.call(en1, "password_issue").sms.at(0).text);
    CHECK(f.call(en1, "password_check", {{"password", pw}}).ok);
    CHECK(f.call(en1, "password_check", {{"password", "Hello123"}}).error == "wrong_password");
}

TEST_CASE("admin channel password checks apply the same lockout") {
    fixture f;
    REQUIRE(f.call(en5, "password_set", {{"password", "Hello123"}}).ok);
    for (int i = 0; i < 3; ++i)
        f.call(en5, "password_check", {{"password", "nope"}}, channel::admin);
    CHECK(f.call(en5, "password_check", {{"password", "Hello123"}}, channel::admin).error ==
          "password_locked");
}

TEST_CASE("sms_archive_on answers with an archive password and stores only its hash") {
    fixture f;
    auto o = f.call(ru2, "sms_archive_on");
    REQUIRE(o.ok);
    auto pw = o.vars["archive_password"];
    CHECK(pw.size() == 8);
    CHECK(o.vars["message"].find(pw) != std::string::npos);
    CHECK(f.scalar("SELECT count(*) FROM sms_archive WHERE msisdn='79160000002' AND hash LIKE "
                   "'$argon2id$%'") == 1);
}
