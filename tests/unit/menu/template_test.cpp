#include <doctest/doctest.h>

#include "ussdgw/menu/template.hpp"

using ussdgw::menu::text_template;

namespace {
text_template compile(std::string_view s) {
    auto t = text_template::compile(s);
    REQUIRE_MESSAGE(t.has_value(), s);
    return *t;
}
}  // namespace

TEST_CASE("template: placeholders are filled - missing ones render empty") {
    auto t = compile("Balance: {balance} RUB, bonus {bonus}.");
    CHECK(t.render({{"balance", "10.00"}, {"bonus", "5"}}) == "Balance: 10.00 RUB, bonus 5.");
    CHECK(t.render({{"balance", "10.00"}}) == "Balance: 10.00 RUB, bonus .");
    CHECK(t.placeholders() == std::vector<std::string>{"balance", "bonus"});
    CHECK_FALSE(t.is_static());
}

TEST_CASE("template: extra values win over the dialog's") {
    auto t = compile("{amount} to {to}");
    CHECK(t.render({{"amount", "150"}, {"to", "7916"}}, {{"amount", "150.00"}}) ==
          "150.00 to 7916");
}

TEST_CASE("template: repeated placeholders are listed once - braces are escaped by doubling") {
    auto t = compile("{a}{a} {{literal}} {b}");
    CHECK(t.placeholders() == std::vector<std::string>{"a", "b"});
    CHECK(t.render({{"a", "x"}, {"b", "y"}}) == "xx {literal} y");
    CHECK(compile("no placeholders").is_static());
    CHECK(compile("{x}").is_single("x"));
    CHECK_FALSE(compile("{x} ").is_single("x"));
    CHECK(compile("").render({}).empty());
}

TEST_CASE("template: errors") {
    CHECK(text_template::compile("a {b").error() == "unclosed '{' (write '{{' for a brace)");
    CHECK(text_template::compile("a } b").error() == "unmatched '}' (write '}}' for a brace)");
    CHECK(text_template::compile("{}").error() == "bad placeholder name '{}'");
    CHECK(text_template::compile("{a b}").error() == "bad placeholder name '{a b}'");
}

TEST_CASE("template: constants bind for good - others stay placeholders") {
    auto t = ussdgw::menu::text_template::compile("{rules.min}-{rules.max} chars, {name}");
    REQUIRE(t);
    t->bind({{"rules.min", "6"}, {"rules.max", "8"}});
    CHECK(t->placeholders() == std::vector<std::string>{"name"});
    CHECK(t->render({{"name", "ok"}}) == "6-8 chars, ok");
    CHECK(t->render({{"rules.min", "9"}}) == "6-8 chars, ");
}
