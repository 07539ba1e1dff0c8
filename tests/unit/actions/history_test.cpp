// What a subscriber sees never carries an identifier: payment history lists
// payments with titles and amounts, the account history titles and results,
// packages, languages, arguments and unknown names in words.

#include <doctest/doctest.h>

#include <regex>

#include "fixture.hpp"
#include "ussdgw/actions/titles.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

namespace {

// Something that looks like a name kept in the store: lower-case words
// joined by '_' ("password_set", "weak_password", "service_fee").
bool has_identifier(const std::string& s) {
    return std::regex_search(s, std::regex("[a-z]+_[a-z_]+"));
}

}  // namespace

TEST_CASE("payment history lists payments only - with titles and signed amounts") {
    fixture f;
    f.call(en1, "topup", {{"amount", "150"}}, channel::admin);
    f.call(en1, "password_set", {{"password", "weak"}});  // an action, not a payment
    f.call(en1, "transfer", {{"to", ru2}, {"amount", "20"}});
    f.call(en1, "service_connect", {{"service", "beep"}});
    f.call(en1, "promised_payment", {{"amount", "100"}});
    auto o = f.call(en1, "payment_history", {{"limit", "10"}});
    REQUIRE_MESSAGE(o.ok, o.vars["reason"]);
    CHECK(o.vars["count"] == "5");
    CHECK(o.vars["payments"] ==
          "01.01 03:00 Promised payment fee: -10.00 RUB\n"
          "01.01 03:00 Promised payment: +100.00 RUB\n"
          "01.01 03:00 Service fee (Ringback tune): -2.50 RUB\n"
          "01.01 03:00 Transfer sent (79160000002): -20.00 RUB\n"
          "01.01 03:00 Top-up: +150.00 RUB");
    CHECK(o.vars["message"].find("Payments:\n") == 0);
    CHECK_FALSE(has_identifier(o.vars["message"]));
    CHECK(o.vars["message"].find("password") == std::string::npos);
    // In Russian: titles and decimal commas.
    auto r = f.call(ru2, "payment_history");
    REQUIRE(r.ok);
    CHECK(r.vars["payments"] == "01.01 03:00 Поступил перевод (79160000001): +20,00 руб.");
    // Nothing yet: a sentence.
    CHECK(f.call(en5, "payment_history").vars["message"] == "No payments yet.");
    CHECK(f.call(en5, "payment_history", {{"limit", "0"}}).error == "bad_argument");
}

TEST_CASE("the account history shows titles and results in the subscriber's language") {
    fixture f;
    f.call(ru2, "password_set", {{"password", "weak"}});
    f.call(ru2, "service_connect", {{"service", "beep"}});
    f.call(ru2, "bonus_spend", {{"package", "minutes"}});
    auto o = f.call(ru2, "archive_list", {{"limit", "10"}});
    REQUIRE(o.ok);
    CHECK(o.vars["archive"] ==
          "01.01 03:00 Бонусный пакет: отказ\n"
          "01.01 03:00 Подключение услуги: выполнено, -2,50 руб.\n"
          "01.01 03:00 Смена пароля: отказ");
    CHECK_FALSE(has_identifier(o.vars["message"]));
}

TEST_CASE("every action and every payment kind has a title in both languages") {
    for (const auto& name : actions::builtin_registry().names()) {
        CAPTURE(name);
        CHECK(actions::action_title(name).has_value());
    }
    // What the system and the other doors write to the archive.
    for (const char* name : {"transfer_in", "subscriber_add", "blocking_fee", "service_fee",
                             "promised_repayment", "trust_review"}) {
        CAPTURE(name);
        CHECK(actions::action_title(name).has_value());
    }
    for (const char* kind :
         {"topup", "transfer_in", "transfer_out", "promised", "promised_fee", "promised_repayment",
          "service_fee", "tariff_change_fee", "blocking_fee"}) {
        CAPTURE(kind);
        REQUIRE(actions::payment_title(kind).has_value());
        CHECK(actions::payment_title_text(kind, "en") != actions::payment_title_text(kind, "ru"));
    }
    // An unknown name is never shown as it is.
    CHECK(actions::action_title_text("some_new_thing", "en") == "Other operation");
    CHECK(actions::payment_title_text("some_new_kind", "ru") == "Другая операция");
}

TEST_CASE("a bonus package is named by what it holds - never by its code") {
    fixture f;
    f.call(en1, "topup", {{"amount", "3000"}}, channel::admin);  // 300 points
    f.call(ru2, "topup", {{"amount", "3000"}}, channel::admin);
    auto en = f.call(en1, "bonus_spend", {{"package", "minutes"}});
    REQUIRE(en.ok);
    CHECK(en.vars["message"] == "Package 50 min added for 100 points. Points left: 200.");
    CHECK(en.vars["package_title"] == "50 min");
    auto ru = f.call(ru2, "bonus_spend", {{"package", "minutes"}});
    REQUIRE(ru.ok);
    CHECK(ru.vars["message"] ==
          "Пакет «50 мин» подключён. Списано баллов: 100. Осталось баллов: 200.");
    CHECK(f.call(ru2, "bonus_spend", {{"package", "internet"}})
              .vars["message"]
              .find("Пакет «1024 МБ» подключён") == 0);
    // An unknown package is not echoed back either.
    auto unknown = f.call(en1, "bonus_spend", {{"package", "teleport_pack"}});
    CHECK(unknown.error == "unknown_package");
    CHECK(unknown.vars["reason"] == "There is no such bonus package.");
}

TEST_CASE("reasons and messages name arguments - tariffs - services and languages in words") {
    fixture f;
    auto m = f.call(ru2, "transfer", {{"to", en1}});
    CHECK(m.error == "bad_argument");
    CHECK(m.vars["param"] == "amount");  // for programs
    CHECK(m.vars["reason"] == "Неверный запрос: сумма.");
    CHECK(f.call(en1, "services_list", {{"filter", "cheap_ones"}}).vars["reason"] ==
          "Invalid request: choice.");
    auto t = f.call(en1, "tariff_change", {{"tariff", "gold_plus"}});
    CHECK(t.error == "unknown_tariff");
    CHECK(t.vars["reason"] == "There is no such tariff.");
    auto s = f.call(ru2, "service_connect", {{"service", "caller_idd"}});
    CHECK(s.vars["reason"] == "Такой услуги нет.");
    CHECK(f.call(ru2, "profile").vars["message"] == "Язык: русский.");
    CHECK(f.call(en1, "profile").vars["message"] == "Language: English.");
    CHECK(f.call(en1, "profile").vars["language"] == "en");  // the code stays for the daemon
}
