#include <doctest/doctest.h>

#include "ussdgw/sms/pattern.hpp"

using ussdgw::sms::fold_case;
using ussdgw::sms::pattern;

namespace {
pattern compile(std::string_view s) {
    auto p = pattern::compile(s);
    REQUIRE_MESSAGE(p.has_value(), s);
    return *p;
}
std::string compile_error(std::string_view s) {
    auto p = pattern::compile(s);
    REQUIRE_MESSAGE(!p.has_value(), s);
    return p.error();
}
}  // namespace

TEST_CASE("pattern: keyword and capture") {
    auto p = compile("25 {password}");
    auto m = p.match("25 Hello123");
    REQUIRE(m);
    CHECK(m->values.at("password") == "Hello123");
    REQUIRE(m->spans.size() == 1);
    CHECK(m->spans[0].begin == 3);
    CHECK(m->spans[0].end == 11);
    CHECK(p.match("  25   Hello123  ")->values.at("password") == "Hello123");
    CHECK_FALSE(p.match("25"));
    CHECK_FALSE(p.match("26 Hello123"));
    CHECK_FALSE(p.match("25Hello123"));
    // The last capture takes the rest, inner blanks kept.
    CHECK(p.match("25 two words")->values.at("password") == "two words");
}

TEST_CASE("pattern: case-insensitive keywords with alternatives - Latin and Cyrillic") {
    auto p = compile("password|Пароль");
    CHECK(p.match("Password"));
    CHECK(p.match("PASSWORD"));
    CHECK(p.match("password"));
    CHECK(p.match("ПАРОЛЬ"));
    CHECK(p.match(" пароль "));
    CHECK_FALSE(p.match("passwords"));
    CHECK_FALSE(p.match("password please"));
    auto on = compile("on|per");
    CHECK(on.match("ON"));
    CHECK(on.match("Per"));
    CHECK_FALSE(on.match("off"));
    CHECK(compile("0").match("0"));
    CHECK_FALSE(compile("0").match("00"));
}

TEST_CASE("pattern: a capture in the middle takes one word") {
    auto p = compile("give {to} {points}");
    auto m = p.match("GIVE 79161234567 10");
    REQUIRE(m);
    CHECK(m->values.at("to") == "79161234567");
    CHECK(m->values.at("points") == "10");
    CHECK_FALSE(p.match("give 79161234567"));
}

TEST_CASE("pattern: * matches anything") {
    auto p = compile("*");
    CHECK(p.match("anything at all"));
    CHECK(p.match(""));
    CHECK(p.shape() == "*");
}

TEST_CASE("pattern: shapes identify equivalent patterns") {
    CHECK(compile("ON|per").shape() == compile("Per|on").shape());
    CHECK(compile("25 {a}").shape() == compile("25 {b}").shape());
    CHECK(compile("25 {a}").shape() != compile("26 {a}").shape());
}

TEST_CASE("pattern: compile errors") {
    CHECK(compile_error("") == "empty pattern (use \"*\" for any text)");
    CHECK(compile_error("25 {pass word}") == "bad capture '{pass' (use {name} with a-z, 0-9, _)");
    CHECK(compile_error("25{password}") == "a capture must be a whole word: '25{password}'");
    CHECK(compile_error("on||per") == "empty alternative in 'on||per'");
    CHECK(compile_error("{a} {a}") == "capture {a} is used twice");
}

TEST_CASE("pattern: case folding") {
    CHECK(fold_case("ПаРоЛь Ёлка ABC") == "пароль ёлка abc");
}
