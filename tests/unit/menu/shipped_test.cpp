// The files shipped in menus/ against the real action registry: they load,
// every USSD code of the catalogue (declared in menus/: README and
// docs/menus.md) reaches the action it names, and every
// self-service action is reachable from the menu.

#include <doctest/doctest.h>

#include <set>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/menu/loader.hpp"
#include "ussdgw/ussd/text.hpp"

using namespace ussdgw::menu;

namespace {

std::shared_ptr<const tree> shipped() {
    static const std::shared_ptr<const tree> t = [] {
        auto r = load_dir(USSDGW_SOURCE_DIR "/menus", ussdgw::actions::builtin_registry());
        if (!r)
            for (const auto& p : r.error()) MESSAGE(p.to_string());
        REQUIRE(r.has_value());
        return *r;
    }();
    return t;
}

const profile en{"en", false};
const profile ru{"ru", false};

action_call call_of(std::string_view dialled, const profile& who = en) {
    dialog_state st;
    auto s = start(st, shipped(), who, dialled);
    REQUIRE_MESSAGE(s.call.has_value(), dialled, " showed: ", s.text);
    return *s.call;
}

}  // namespace

TEST_CASE("shipped menus: load against the real registry") {
    CHECK(shipped()->nodes.size() > 40);
}

TEST_CASE("shipped menus: every direct code of the catalogue") {
    CHECK(call_of("*111*25#") == action_call{"password_issue", {}});
    CHECK(call_of("*111*828*1#") == action_call{"number_management", {{"state", "on"}}});
    CHECK(call_of("*111*828*2#") == action_call{"number_management", {{"state", "off"}}});
    CHECK(call_of("*111*6*1#") == action_call{"alphabet_set", {{"alphabet", "cyrillic"}}});
    CHECK(call_of("*111*6*2#") == action_call{"alphabet_set", {{"alphabet", "latin"}}});
    CHECK(call_of("*111*1#") == action_call{"app_link", {}});
    CHECK(call_of("*152#") == action_call{"services_list", {{"filter", "all"}}});
    CHECK(call_of("*152*2#") == action_call{"services_list", {{"filter", "paid"}}});
    CHECK(call_of("**04*1234*5678*5678#") ==
          action_call{"pin_change", {{"old", "1234"}, {"new", "5678"}, {"new2", "5678"}}});
    CHECK(call_of("**05*12345678*1111*1111#") ==
          action_call{"puk_unblock", {{"puk", "12345678"}, {"new", "1111"}, {"new2", "1111"}}});
}

TEST_CASE("shipped menus: *111# and walks") {
    dialog_state st;
    auto s = start(st, shipped(), en, "*111#");
    CHECK(s.text ==
          "Service *111#\n1 Balance\n2 Tariff\n3 Services\n4 Payments\n5 Bonus\n6 Menu "
          "alphabet\n7 Settings\n8 Help");
    CHECK(answer(st, "1").call->name == "balance");
    CHECK(call_of("*111*2*1#").name == "tariff_info");
    // A tariff change is quoted first (the price the change will charge),
    // then the rest of the string confirms it.
    dialog_state change;
    auto quote = start(change, shipped(), en, "*111*2*3*2*1#");
    REQUIRE(quote.call);
    CHECK(*quote.call == action_call{"tariff_info", {{"tariff", "Smart"}}});
    ussdgw::actions::outcome priced;
    priced.vars = {
        {"tariff_title", "Smart"}, {"monthly_fee", "300.00"}, {"change_fee_now", "100.00"}};
    auto confirmed = on_outcome(change, priced);
    REQUIRE(confirmed.call);
    CHECK(*confirmed.call == action_call{"tariff_change", {{"tariff", "Smart"}}});
    dialog_state walk;
    start(walk, shipped(), en, "*111*2*3*2#");
    CHECK(on_outcome(walk, priced).text ==
          "Change to Smart, 300.00 RUB/month? Charged now: 100.00 RUB.\n1 Yes\n2 No");
    CHECK(call_of("*111*4*4*79161234567*150*1#") ==
          action_call{"transfer", {{"to", "79161234567"}, {"amount", "150"}}});
    CHECK(call_of("*111*4*1*2*1#") == action_call{"promised_payment", {{"amount", "200"}}});
    CHECK(call_of("*111*4*5*1*3#") ==
          action_call{"details_order", {{"months", "3"}, {"kind", "calls"}}});
    CHECK(call_of("*111*5*3*79161234567*10*1#") ==
          action_call{"bonus_give", {{"to", "79161234567"}, {"points", "10"}}});
    CHECK(call_of("*111*7*2*2#") == action_call{"language_set", {{"language", "ru"}}});
    dialog_state h;
    auto help = start(h, shipped(), en, "*111*8#");
    CHECK(help.end);
    CHECK(help.text.find("0890") != std::string::npos);
}

TEST_CASE("shipped menus: every self-service action is reachable") {
    std::set<std::string> named;
    for (const auto& n : shipped()->nodes)
        if (n.kind == node_kind::action) named.insert(n.action);
    for (const char* a :
         {"balance",           "tariff_info",     "tariffs_list",       "tariff_change",
          "services_list",     "service_connect", "service_disconnect", "promised_payment",
          "full_trust",        "block_number",    "unblock_number",     "transfer",
          "bonus_balance",     "bonus_spend",     "bonus_give",         "password_issue",
          "number_management", "pin_change",      "puk_unblock",        "details_order",
          "archive_list",      "app_link",        "language_set",       "alphabet_set",
          "login_alerts"})
        CHECK_MESSAGE(named.contains(a), a);
}

TEST_CASE("shipped menus: login alerts are the last settings item - earlier numbers stay") {
    dialog_state st;
    auto s = start(st, shipped(), en, "*111*7#");
    CHECK(s.text ==
          "Settings\n1 Password\n2 Language\n3 Number\n4 Mobile app\n5 Account "
          "history\n6 Login alerts\n0 Back");
    CHECK(call_of("*111*7*2*2#") == action_call{"language_set", {{"language", "ru"}}});
    CHECK(call_of("*111*7*3*1*1#").name == "block_number");
    CHECK(call_of("*111*7*4#").name == "app_link");
    CHECK(call_of("*111*7*5#").name == "archive_list");
    CHECK(call_of("*111*7*6*1#") == action_call{"login_alerts", {{"state", "on"}}});
    CHECK(call_of("*111*7*6*2#") == action_call{"login_alerts", {{"state", "off"}}});
    CHECK(call_of("*111*7*6*1#", ru) == action_call{"login_alerts", {{"state", "on"}}});
    dialog_state m;
    auto menu = start(m, shipped(), en, "*111*7*6#");
    CHECK(menu.text == "Login alerts by SMS\n1 Switch on\n2 Switch off\n0 Back");
    // The action's sentence is the result, with the navigation keys.
    auto chosen = answer(m, "1");
    REQUIRE(chosen.call.has_value());
    CHECK(*chosen.call == action_call{"login_alerts", {{"state", "on"}}});
    ussdgw::actions::outcome o;
    o.vars = {{"state", "on"}, {"message", "Login alerts are on."}};
    auto done = on_outcome(m, o);
    CHECK_FALSE(done.end);
    CHECK(done.text == "Login alerts are on.\n0 Back 00 Main menu");
}

TEST_CASE("shipped menus: the settings screens fit - in Cyrillic and in Latin") {
    for (bool latin : {false, true}) {
        for (const char* dialled : {"*111*7#", "*111*7*6#"}) {
            CAPTURE(latin);
            CAPTURE(dialled);
            dialog_state st;
            auto s = start(st, shipped(), profile{"ru", latin}, dialled);
            CHECK(ussdgw::ussd::fits(s.text, shipped()->budget));
            // Page through to the end: every page fits, the last item is reached.
            std::string all = s.text;
            for (int i = 0; i < 5 && s.text.find("\n99 ") != std::string::npos; ++i) {
                s = answer(st, "99");
                CHECK(ussdgw::ussd::fits(s.text, shipped()->budget));
                all += "\n" + s.text;
            }
            if (std::string(dialled) == "*111*7#")
                CHECK(all.find(latin ? "6 Opoveshcheniia o vkhode" : "6 Оповещения о входе") !=
                      std::string::npos);
        }
    }
}

TEST_CASE("shipped menus: Russian screens fit - in Cyrillic and in Latin") {
    for (bool latin : {false, true}) {
        dialog_state st;
        auto s = start(st, shipped(), profile{"ru", latin}, "*111#");
        CHECK(ussdgw::ussd::fits(s.text, shipped()->budget));
        if (latin) {
            // GSM 7-bit holds 182: the whole menu on one screen.
            CHECK(ussdgw::ussd::encoding_for(s.text) == ussdgw::ussd::encoding::gsm7);
            CHECK(s.text.find("\n8 Pomoshch") != std::string::npos);
        } else {
            // UCS-2 holds 80: the labels are short enough for one screen.
            CHECK(s.text.find("\n99 Далее") == std::string::npos);
            CHECK(s.text.find("8 Помощь") != std::string::npos);
        }
    }
}

TEST_CASE("shipped menus: the alphabet codes and walking *111# then 6 do the same") {
    for (const char* choice : {"1", "2"}) {
        CAPTURE(choice);
        const auto dialled = call_of(std::string("*111*6*") + choice + "#");
        dialog_state st;
        start(st, shipped(), en, "*111#");
        answer(st, "6");
        const auto walked = answer(st, choice);
        REQUIRE(walked.call);
        CHECK(*walked.call == dialled);
        CHECK(dialled.name == "alphabet_set");
    }
    // Number: block and unblock in Settings, where the walk and its codes agree.
    CHECK(call_of("*111*7*3*2#").name == "unblock_number");
}

TEST_CASE("shipped menus: PINs and PUKs never reach a log") {
    const auto& t = *shipped();
    CHECK(redact_dialled(t, "**04*1234*5678*5678#") == "**04*xxx*xxx*xxx#");
    CHECK(redact_dialled(t, "**05*12345678*1111*1111#") == "**05*xxx*xxx*xxx#");
    CHECK(redact_dialled(t, "*111*4*4*79161234567*150#") == "*111*4*4*79161234567*150#");
}

TEST_CASE("shipped menus: texts about a limit state the configured limit - inputs accept it") {
    ussdgw::actions::rules r;
    r.password_min_sms = 7;
    r.password_max_sms = 10;
    r.transfer_max = 500000;  // 5000 RUB
    load_options options;
    options.constants = ussdgw::actions::rule_constants(r);
    auto loaded =
        load_dir(USSDGW_SOURCE_DIR "/menus", ussdgw::actions::builtin_registry(), options);
    REQUIRE(loaded.has_value());
    dialog_state st;
    auto help = start(st, *loaded, en, "*111*7*1*2#");
    CHECK(help.text.find("7-10 Latin letters") != std::string::npos);
    dialog_state ru_st;
    start(ru_st, *loaded, ru, "*111*7*1*2#");
    std::string all;
    for (const auto& page : ru_st.pages) all += page;
    INFO(all);
    CHECK(all.find(": 7-10") != std::string::npos);
    // The transfer amount prompt says 1-5000 and takes 5000, not 5001.
    dialog_state t;
    start(t, *loaded, en, "*111*4*4*79161234567#");
    CHECK(t.pages.at(0).find("(1-5000)") != std::string::npos);
    CHECK(answer(t, "5001").text.rfind("Invalid value", 0) == 0);
    CHECK(answer(t, "5000").text.find("Transfer 5000 RUB") != std::string::npos);
}

TEST_CASE("shipped menus: the linked numbers item shows only to an owner with links") {
    dialog_state none;
    auto plain = start(none, shipped(), en, "*111*7*3#");
    CHECK(plain.text.find("Linked numbers") == std::string::npos);
    // Its key is not there either: choosing it is a wrong key.
    CHECK(answer(none, "4").text.rfind("Invalid choice.", 0) == 0);
    profile owner = en;
    owner.values = {{"linked", "2"}};
    dialog_state st;
    auto with = start(st, shipped(), owner, "*111*7*3#");
    CHECK(with.text.find("4 Linked numbers") != std::string::npos);
    auto chosen = answer(st, "4");
    REQUIRE(chosen.call);
    CHECK(chosen.call->name == "linked_balances");
    profile ru_owner = ru;
    ru_owner.values = {{"linked", "1"}};
    dialog_state r;
    CHECK(start(r, shipped(), ru_owner, "*111*7*3#").text.find("4 Мои номера") !=
          std::string::npos);
}
