// Every text in both languages, rendered with realistic values: no doubled
// or stray punctuation, no placeholder left, amounts as each language
// writes them; the Russian texts say what the English ones say.

#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "fixture.hpp"
#include "ussdgw/actions/messages.hpp"
#include "ussdgw/actions/money.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::msg;

namespace {

// Values as the actions make them, in `lang`: amounts through format_rub,
// words through their own texts (a fee text ends in "руб./мес.").
std::map<std::string, std::string> samples(const std::string& lang) {
    auto rub = [&](store::kopecks k) { return actions::format_rub(k, lang); };
    auto word = [&](msg id, std::map<std::string, std::string> v = {}) {
        return actions::text(id, lang, v);
    };
    std::map<std::string, std::string> v;
    for (const char* k :
         {"amount", "available", "balance", "change_fee_now", "credit_limit", "daily_fee", "fee",
          "lent", "min_balance", "missing", "monthly_fee", "old_limit"})
        v[k] = rub(123450);
    v["min"] = "6";
    v["max"] = "8";
    v["max_repeat"] = "5";
    v["attempts_left"] = "2";
    v["fee_text"] = word(msg::word_per_month, {{"fee", rub(9900)}});
    v["kind"] = word(msg::word_details_bill);
    v["why"] = word(msg::word_login_locked, {{"max", "3"}});
    v["detail"] = word(msg::pw_too_long, {{"max", "8"}});
    v["what"] = word(msg::word_param_amount);
    v["language_name"] = word(msg::word_language_ru);
    v["package_title"] = word(msg::word_package_minutes, {{"count", "50"}});
    v["title"] = word(msg::title_topup);
    v["result"] = word(msg::word_result_ok);
    v["service_name"] = lang == "ru" ? "Гудок" : "Ringback tune";
    v["tariff_title"] = lang == "ru" ? "Смарт" : "Smart";
    for (const char* k : {"bonus", "points", "minutes", "sms", "mb", "minutes_left", "sms_left",
                          "mb_left", "count", "hours"})
        v[k] = "48";
    for (const char* k : {"msisdn", "to", "from", "peer", "sender", "owner", "other"})
        v[k] = "79160000001";
    v["lines"] = "79160000002: " + rub(123450);
    v["due"] = v["free_until"] = "04.01.2030";
    v["time"] = v["since"] = "01.01 03:00";
    v["otp"] = v["password"] = v["archive_password"] = "Abc12345";
    v["url"] = "https://app.example.net/get";
    v["archive"] = v["payments"] = v["services"] = v["tariffs"] = "01.01 03:00 " + v["title"];
    return v;
}

std::set<std::string> placeholders(const std::string& pattern) {
    std::set<std::string> out;
    static const std::regex re("\\{([a-z_]+)\\}");
    for (auto it = std::sregex_iterator(pattern.begin(), pattern.end(), re);
         it != std::sregex_iterator(); ++it)
        out.insert((*it)[1]);
    return out;
}

std::set<std::string> ussd_codes(const std::string& s) {
    std::set<std::string> out;
    static const std::regex re("\\*[0-9*]+#");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
        out.insert(it->str());
    return out;
}

}  // namespace

TEST_CASE("every message renders cleanly in English and Russian") {
    for (const std::string lang : {"en", "ru"}) {
        const auto v = samples(lang);
        for (int i = 0; i < static_cast<int>(msg::count_); ++i) {
            const auto id = static_cast<msg>(i);
            const auto t = actions::text(id, lang, v);
            CAPTURE(lang);
            CAPTURE(i);
            CAPTURE(t);
            CHECK_FALSE(t.empty());
            CHECK(t.find("..") == std::string::npos);
            CHECK(t.find(" .") == std::string::npos);
            CHECK(t.find(" ,") == std::string::npos);
            CHECK(t.find("{") == std::string::npos);
            CHECK(t.find("}") == std::string::npos);
            if (lang == "ru") {
                CHECK_FALSE(std::regex_search(t, std::regex("[0-9]\\.[0-9]{2} руб")));
            } else {
                CHECK_FALSE(std::regex_search(t, std::regex("[0-9],[0-9]{2} RUB")));
            }
        }
    }
}

TEST_CASE("the Russian texts carry the same values and codes as the English ones") {
    for (int i = 0; i < static_cast<int>(msg::count_); ++i) {
        const auto id = static_cast<msg>(i);
        // Unfilled: the patterns themselves.
        const auto en = actions::text(id, "en");
        const auto ru = actions::text(id, "ru");
        CAPTURE(en);
        CAPTURE(ru);
        CHECK(placeholders(en) == placeholders(ru));
        CHECK(ussd_codes(en) == ussd_codes(ru));
    }
    // The one the issue named: blocking keeps *111# working, in both.
    CHECK(actions::text(msg::ok_blocked, "ru").find("*111# продолжает работать") !=
          std::string::npos);
    CHECK(actions::text(msg::ok_blocked, "en").find("*111# keeps working") != std::string::npos);
}

TEST_CASE("money is written with a decimal comma in Russian and a point in English") {
    CHECK(actions::format_rub(100000, "ru") == "1000,00");
    CHECK(actions::format_rub(100000, "en") == "1000.00");
    CHECK(actions::format_rub(-1250, "ru") == "-12,50");
    CHECK(actions::format_rub(5, "ru") == "0,05");
    fixture f;
    // Outcome values and sentences, refusals and SMS of a Russian subscriber.
    auto b = f.call(ru2, "balance");
    CHECK(b.vars["balance"] == "1000,00");
    CHECK(b.vars["message"].find("Баланс: 1000,00 руб.") == 0);
    auto t = f.call(ru2, "tariff_info");
    CHECK(t.vars["message"].find("1500,00 руб./мес.;") != std::string::npos);
    auto c = f.call(ru2, "service_connect", {{"service", "roaming_plus"}});
    REQUIRE(c.ok);
    CHECK(c.vars["message"] == "Услуга Роуминг плюс подключена. Списано: 99,00 руб.");
    REQUIRE(c.sms.size() == 1);
    // Once "руб./мес.." : the abbreviation's full stop ends the sentence.
    CHECK(c.sms[0].text == "Услуга Роуминг плюс подключена. Стоимость: 99,00 руб./мес.");
    auto bl = f.call(ru4, "block_number");
    CHECK(bl.vars["daily_fee"] == "1,00");
    CHECK(bl.vars["message"] ==
          "Номер заблокирован. Бесплатно до 15.01.2030, далее 1,00 руб. в день. "
          "Самообслуживание *111# продолжает работать.");
    // An English subscriber sending to a Russian one: each reads their own way.
    auto x = f.call(en1, "transfer", {{"to", ru2}, {"amount", "10.5"}});
    CHECK(x.vars["amount"] == "10.50");
    CHECK(x.sms.at(0).text == "Вам поступило 10,50 руб. с номера 79160000001.");
    auto p = f.call(ru4, "promised_payment", {{"amount", "100"}});
    CHECK(p.vars["message"] ==
          "Обещанный платёж 100,00 руб. зачислен, комиссия 10,00 руб. Он будет списан 04.01.2030.");
}

TEST_CASE("Russian counts read right for any number") {
    fixture f;
    f.call(ru2, "topup", {{"amount", "110"}}, actions::channel::admin);  // 11 points
    auto g = f.call(ru2, "bonus_give", {{"to", ru4}, {"points", "1"}});
    REQUIRE(g.ok);
    CHECK(g.vars["message"] == "Передано баллов на номер 79160000004: 1. Осталось баллов: 10.");
    CHECK(g.sms.at(0).text == "Вам переданы бонусные баллы с номера 79160000002: 1.");
    CHECK(f.call(ru2, "balance").vars["message"].find("Бонусные баллы: 10.") != std::string::npos);
}
