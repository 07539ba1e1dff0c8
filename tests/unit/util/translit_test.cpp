#include <doctest/doctest.h>

#include "ussdgw/util/charset.hpp"
#include "ussdgw/util/translit.hpp"
#include "ussdgw/ussd/text.hpp"

using ussdgw::util::needs_transliteration;
using ussdgw::util::transliterate;

TEST_CASE("translit: Russian words") {
    CHECK(transliterate("Баланс") == "Balans");
    CHECK(transliterate("Тариф") == "Tarif");
    CHECK(transliterate("Платежи") == "Platezhi");
    CHECK(transliterate("Настройки") == "Nastroiki");
    CHECK(transliterate("Щука") == "Shchuka");
    CHECK(transliterate("объявление") == "obieiavlenie");
    CHECK(transliterate("Ёлка и ель") == "Elka i el");
    CHECK(transliterate("Юла, Яма, Цех, Хор, Чай, Шум, Эхо, Ыы") ==
          "Iula, Iama, Tsekh, Khor, Chai, Shum, Ekho, Yy");
}

TEST_CASE("translit: capitals follow the word") {
    CHECK(transliterate("ЖУК") == "ZHUK");
    CHECK(transliterate("Жук") == "Zhuk");
    CHECK(transliterate("МЖ") == "MZH");
    CHECK(transliterate("Ж") == "Zh");
    CHECK(transliterate("SMS-ЧАТ") == "SMS-CHAT");
}

TEST_CASE("translit: Latin - digits and punctuation pass - typography becomes ASCII") {
    CHECK(transliterate("*111# 1 Balance") == "*111# 1 Balance");
    CHECK(transliterate("«Смарт» — 300 ₽…") == "\"Smart\" - 300 RUB...");
    CHECK(transliterate("№5") == "No5");
    CHECK(needs_transliteration("Баланс"));
    CHECK_FALSE(needs_transliteration("Balance 100"));
}

TEST_CASE("translit: a transliterated Russian screen is GSM 7-bit") {
    auto latin = transliterate("Баланс: 100 руб. Тариф «Мой разговор». Осталось 300 мин.");
    CHECK(ussdgw::util::utf8_to_gsm7(latin).has_value());
}
