#include <doctest/doctest.h>

#include "../menu/fake_catalog.hpp"
#include "ussdgw/sms/loader.hpp"

using namespace ussdgw;
using ussdgw::actions::outcome;
using ussdgw::domain::sms_in;
using ussdgw::domain::sms_out;

namespace {

std::shared_ptr<const sms::router> shipped() {
    static const std::shared_ptr<const sms::router> r = [] {
        test::fake_catalog cat;
        auto loaded = sms::load_file(USSDGW_SOURCE_DIR "/menus/sms.yaml", cat);
        if (!loaded)
            for (const auto& p : loaded.error()) MESSAGE(p.to_string());
        REQUIRE(loaded.has_value());
        return *loaded;
    }();
    return r;
}

const menu::profile en{"en", false};
const menu::profile ru{"ru", false};

outcome ok(std::map<std::string, std::string> vars, std::string lang = "") {
    return {true, "", std::move(vars), {}, std::move(lang)};
}

}  // namespace

TEST_CASE("sms: 25 <password> to 111 sets the password - the reply comes from 3339") {
    auto r = shipped()->route({"79160000001", "111", "25 Hello123"}, en);
    REQUIRE(r.call);
    CHECK(*r.call == menu::action_call{"password_set", {{"password", "Hello123"}}});
    CHECK_FALSE(r.reply);
    CHECK(r.secret_reply);
    auto reply = shipped()->reply(r, ok({{"message", "Your one-time password: x1Y2z3"}}));
    REQUIRE(reply);
    CHECK(*reply == sms_out{"3339", "79160000001", "Your one-time password: x1Y2z3"});
    outcome weak{false, "weak_password", {{"reason", "Password change error: too short."}}, {}, ""};
    CHECK(shipped()->reply(r, weak)->text == "Password change error: too short.");
}

TEST_CASE("sms: Password to 3339 in any case issues a password - answered by the action's SMS") {
    for (const char* text : {"Password", "PASSWORD", "password", " password ", "Пароль"}) {
        auto r = shipped()->route({"79160000001", "3339", text}, en);
        REQUIRE_MESSAGE(r.call, text);
        CHECK(r.call->name == "password_issue");
        CHECK_FALSE(shipped()->reply(r, ok({{"message", "on its way"}})));
    }
    // A refusal is still answered.
    auto r = shipped()->route({"79160000001", "3339", "password"}, en);
    auto no =
        shipped()->reply(r, outcome{false, "unknown_subscriber", {{"reason", "Unknown."}}, {}, ""});
    REQUIRE(no);
    CHECK(*no == sms_out{"3339", "79160000001", "Unknown."});
}

TEST_CASE("sms: 0 to 8111 lists services - ON or Per to 232 switches the archive on") {
    auto s = shipped()->route({"79160000001", "8111", "0"}, en);
    REQUIRE(s.call);
    CHECK(*s.call == menu::action_call{"services_list", {{"filter", "all"}}});
    CHECK(shipped()->reply(s, ok({{"message", "Your services:\nBeep"}}))->from == "8111");
    for (const char* text : {"ON", "on", "Per", "PER"}) {
        auto r = shipped()->route({"79160000001", "232", text}, en);
        REQUIRE_MESSAGE(r.call, text);
        CHECK(r.call->name == "sms_archive_on");
        CHECK(r.secret_reply);
    }
}

TEST_CASE("sms: any text to 1234 gets the settings text at once") {
    auto r = shipped()->route({"79160000001", "1234", "hello"}, en);
    CHECK_FALSE(r.call);
    REQUIRE(r.reply);
    CHECK(r.reply->from == "1234");
    CHECK(r.reply->to == "79160000001");
    CHECK(r.reply->text.rfind("Internet: APN internet", 0) == 0);
    CHECK(shipped()->route({"79160000001", "1234", ""}, ru).reply->text.rfind("Интернет", 0) == 0);
}

TEST_CASE("sms: an unmatched text gets the number's help - localized") {
    auto r = shipped()->route({"79160000001", "111", "hello"}, en);
    CHECK_FALSE(r.call);
    REQUIRE(r.reply);
    CHECK(*r.reply == sms_out{"111", "79160000001",
                              "Number 111 understands:\n25 <password> - set your password, e.g. "
                              "25 Hello123"});
    auto ru_help = shipped()->route({"79160000001", "232", "off"}, ru);
    CHECK(ru_help.reply->text == "Номер 232 понимает:\nON - подключить SMS-архив");
    auto latin = shipped()->route({"79160000001", "232", "off"}, menu::profile{"ru", true});
    CHECK(latin.reply->text == "Nomer 232 ponimaet:\nON - podkliuchit SMS-arkhiv");
}

TEST_CASE("sms: a number without commands still answers") {
    auto r = shipped()->route({"79160000001", "5555", "hi"}, en);
    REQUIRE(r.reply);
    CHECK(r.reply->from == "5555");
    CHECK(r.reply->text == "This number does not take commands. Dial *111# for self-service.");
}

TEST_CASE("sms: the reply follows the language the action used") {
    auto r = shipped()->route({"79160000001", "111", "25 Hello123"}, en);
    outcome o = ok({{"message", "Ваш одноразовый пароль: x"}}, "ru");
    CHECK(shipped()->reply(r, o)->text == "Ваш одноразовый пароль: x");
    outcome bare{false, "storage_error", {}, {}, "ru"};
    CHECK(shipped()->reply(r, bare)->text == "Запрос не выполнен, попробуйте позже.");
}

TEST_CASE("sms: passwords never reach a log") {
    const auto& r = *shipped();
    CHECK(r.redact({"7916", "111", "25 Hello123"}) == "25 ***");
    CHECK(r.redact({"7916", "111", "  25   Hello 123 "}) == "  25   *** ");
    CHECK(r.redact({"7916", "111", "25"}) == "25 ***");  // near miss keeps the keyword
    CHECK(r.redact({"7916", "111", "Hello123"}) == "(8 characters)");  // could be a password
    CHECK(r.redact({"7916", "3339", "Password"}) == "Password");       // no secret in it
    CHECK(r.redact({"7916", "8111", "0"}) == "0");
    // The secret command sent to numbers that do not take it, a catch-all
    // included: masked all the same.
    CHECK(r.redact({"7916", "3339", "25 Hello123"}) == "25 ***");
    CHECK(r.redact({"7916", "1234", "25 Hello123"}) == "25 ***");
    CHECK(r.redact({"7916", "5555", "25 Hello123"}) == "25 ***");
    // Unmatched or caught by "*": only the length.
    CHECK(r.redact({"7916", "1234", "anything"}) == "(8 characters)");
    CHECK(r.redact({"7916", "5555", "Привет"}) == "(6 characters)");
}
