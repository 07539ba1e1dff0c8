#include <doctest/doctest.h>

#include <string>

#include "ussdgw/ussd/text.hpp"

using namespace ussdgw::ussd;

namespace {
std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}
const screen_budget usual{};
}  // namespace

TEST_CASE("text: counting in the encoding actually sent") {
    CHECK(encoding_for("Balance 10 RUB") == encoding::gsm7);
    CHECK(encoding_for("Баланс") == encoding::ucs2);
    CHECK(screen_units("Balance") == 7);
    CHECK(screen_units("{x}") == 5);  // braces are extension characters: two septets each
    CHECK(screen_units("10€") == 4);
    CHECK(screen_units("Баланс 10") == 9);
    CHECK(screen_units("@£$¥èé") == 6);  // basic-table Latin-1 characters cost one
}

TEST_CASE("text: fits at the exact limits") {
    CHECK(fits(repeat("a", 182), usual));
    CHECK_FALSE(fits(repeat("a", 183), usual));
    CHECK(fits(repeat("[", 91), usual));  // 182 septets
    CHECK_FALSE(fits(repeat("[", 92), usual));
    CHECK(fits(repeat("a", 180) + "^", usual));
    CHECK_FALSE(fits(repeat("a", 181) + "^", usual));
    CHECK(fits(repeat("ж", 80), usual));
    CHECK_FALSE(fits(repeat("ж", 81), usual));
    // One Cyrillic letter turns the whole screen into UCS-2.
    CHECK_FALSE(fits(repeat("a", 80) + "ж", usual));
    CHECK(fits(repeat("a", 79) + "ж", usual));
    CHECK(fits(repeat("a", 78) + "😀", usual));  // a surrogate pair is two units
    CHECK_FALSE(fits(repeat("a", 79) + "😀", usual));
}

TEST_CASE("text: a short text is one page without a more item") {
    auto p = paginate("1 Balance\n2 Tariff", usual, "99 More");
    REQUIRE(p.pages.size() == 1);
    CHECK(p.pages[0] == "1 Balance\n2 Tariff");
    CHECK_FALSE(p.split_word);
    CHECK(paginate("  padded \n", usual, "99 More").pages[0] == "padded");
}

TEST_CASE("text: pages break at line ends and carry the more item") {
    std::string text;
    for (int i = 1; i <= 30; ++i)
        text += std::to_string(i) + " Option number " + std::to_string(i) + "\n";
    auto p = paginate(text, usual, "99 More", break_at::lines);
    REQUIRE(p.pages.size() > 1);
    CHECK_FALSE(p.split_line);
    std::string rebuilt;
    for (std::size_t i = 0; i < p.pages.size(); ++i) {
        const auto& page = p.pages[i];
        CHECK(fits(page, usual));
        const bool last = i + 1 == p.pages.size();
        CHECK((page.size() >= 8 && page.substr(page.size() - 8) == "\n99 More") != last);
        rebuilt += last ? page : page.substr(0, page.size() - 8);
        rebuilt += "\n";
    }
    CHECK(rebuilt == text);  // nothing lost, nothing split
}

TEST_CASE("text: prose is never split mid-word") {
    std::string text = repeat("word ", 100);  // 500 septets
    auto p = paginate(text, usual, "99 More");
    REQUIRE(p.pages.size() == 3);
    CHECK_FALSE(p.split_word);
    for (const auto& page : p.pages) {
        CHECK(fits(page, usual));
        CHECK(page.find("wor\n") == std::string::npos);
    }
    // 182 - 8 ("\n99 More") = 174 septets: 35 words and 34 spaces.
    CHECK(p.pages[0] == repeat("word ", 35).substr(0, 174) + "\n99 More");
}

TEST_CASE("text: Cyrillic pages count UCS-2 units - with a Cyrillic more item") {
    std::string text = repeat("слово ", 40);  // 240 units
    auto p = paginate(text, usual, "99 Далее");
    REQUIRE(p.pages.size() >= 3);
    for (const auto& page : p.pages) CHECK(fits(page, usual));
    // 80 - 9 ("\n99 Далее") = 71 units: 11 words and 10 spaces = 65, 12 words = 71.
    CHECK(p.pages[0] == repeat("слово ", 12).substr(0, 12 * 11 - 1) + "\n99 Далее");
}

TEST_CASE("text: extension characters cost two when paging") {
    std::string text = repeat("{} ", 60);  // 60 * 5 septets
    auto p = paginate(text, usual, "99 More");
    for (const auto& page : p.pages) CHECK(fits(page, usual));
    // 174 septets for content: 35 tokens of "{}" (4 septets each) and 34 spaces.
    CHECK(p.pages[0] == repeat("{} ", 35).substr(0, 104) + "\n99 More");
}

TEST_CASE("text: a word wider than a page is the only hard split") {
    std::string text = "short " + repeat("x", 300);
    auto p = paginate(text, usual, "99 More");
    CHECK(p.split_word);
    REQUIRE(p.pages.size() >= 2);
    for (const auto& page : p.pages) CHECK(fits(page, usual));
    auto q = paginate(repeat("ы", 100), usual, "99 More");
    CHECK(q.split_word);
    for (const auto& page : q.pages) CHECK(fits(page, usual));
    // No UTF-8 sequence is cut.
    CHECK(q.pages[0] == repeat("ы", 72) + "\n99 More");
}

TEST_CASE("text: lines mode reports a line that had to be broken") {
    std::string text = "Title\n" + repeat("long line ", 30);
    auto p = paginate(text, usual, "99 More", break_at::lines);
    CHECK(p.split_line);
    CHECK_FALSE(p.split_word);
}

TEST_CASE("text: a slice of a longer screen ends in the more item on every page") {
    auto p = paginate("Hint\n1 One\n2 Two", usual, "99 More", break_at::lines, true);
    REQUIRE(p.pages.size() == 1);
    CHECK(p.pages[0] == "Hint\n1 One\n2 Two\n99 More");
}
