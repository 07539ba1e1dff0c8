// Problems in sms.yaml are reported like the menu files': file:line: message.

#include <doctest/doctest.h>

#include <fstream>

#include "../menu/fake_catalog.hpp"
#include "process.hpp"
#include "ussdgw/sms/loader.hpp"

using namespace ussdgw;

namespace {

// Loads `yaml` from a temporary sms.yaml; returns the problems as "line: message" lines.
std::string problems(const std::string& yaml) {
    test::temp_dir dir;
    const auto path = dir.file("sms.yaml");
    std::ofstream(path) << yaml;
    test::fake_catalog cat;
    auto r = sms::load_file(path, cat);
    std::string out;
    if (r) return out;
    for (const auto& p : r.error()) {
        CHECK(p.file == path);
        out += std::to_string(p.line) + ": " + p.message + "\n";
    }
    return out;
}

std::string lines(std::initializer_list<std::string> l) {
    std::string out;
    for (const auto& s : l) out += s + "\n";
    return out;
}

const std::string head =
    "languages: [en, ru]\n"                              // 1
    "strings:\n"                                         // 2
    "  help: {en: \"{number}:\", ru: \"{number}:\"}\n"   // 3
    "  unknown_number: {en: \"No.\", ru: \"Нет.\"}\n"    // 4
    "  refused: {en: \"{reason}\", ru: \"{reason}\"}\n"  // 5
    "  failed: {en: \"Failed.\", ru: \"Сбой.\"}\n"       // 6
    "  repeated: {en: \"Done.\", ru: \"Готово.\"}\n"     // 7
    "numbers:\n"                                         // 8
    "  \"111\":\n";                                      // 9

}  // namespace

TEST_CASE("sms loader: a good file") {
    CHECK(problems(head +
                   "    - {pattern: \"25 {password}\", action: password_set, args: [password], "
                   "ok: {en: \"{otp}\", ru: \"{otp}\"}}\n")
              .empty());
}

TEST_CASE("sms loader: the shipped file loads against the fake catalog") {
    test::fake_catalog cat;
    CHECK(sms::load_file(USSDGW_SOURCE_DIR "/menus/sms.yaml", cat).has_value());
}

TEST_CASE("sms loader: each rule") {
    const std::string ok_text = "ok: {en: \"{message}\", ru: \"{message}\"}";
    CHECK(problems(head +
                   "    - {pattern: \"25 {password}\", action: password_sett, args: [password], " +
                   ok_text + "}\n") ==
          lines({"10: number 111, command 1: unknown action 'password_sett'"}));
    CHECK(problems(head + "    - {pattern: \"25 {password}\", action: password_set, " + ok_text +
                   "}\n") ==
          lines({"10: number 111, command 1: action 'password_set' needs argument 'password'"}));
    CHECK(problems(head +
                   "    - {pattern: \"25 {password}\", action: password_set, args: [password], "
                   "ok: {en: \"{pin}\", ru: \"{otp}\"}}\n") ==
          lines({"10: number 111, command 1: ok uses {pin}, which action "
                 "'password_set' does not provide"}));
    CHECK(problems(head + "    - {pattern: \"25 {password}\", action: password_set, args: [pw], " +
                   ok_text + "}\n") ==
          lines({"10: number 111, command 1: action 'password_set' needs argument 'password'",
                 "10: number 111, command 1: action 'password_set' takes no argument 'pw'",
                 "10: number 111, command 1: argument 'pw' uses {pw}, which the pattern does not "
                 "capture"}));
    CHECK(problems(head +
                   "    - {pattern: \"25 {password}\", action: password_set, args: [password], "
                   "ok: {en: \"{otp}\"}}\n") ==
          lines({"10: number 111, command 1: ok is missing language 'ru'"}));
    CHECK(problems(head +
                   "    - {pattern: \"25 {password}\", action: password_set, args: [password], "
                   "okay: {en: \"{otp}\", ru: \"{otp}\"}}\n") ==
          lines({"10: unknown key 'okay' in number 111, command 1"}));
    CHECK(problems(head + "    - {pattern: \"on\", action: sms_archive_on, " + ok_text + "}\n" +
                   "    - {pattern: \"ON\", action: sms_archive_on, " + ok_text + "}\n") ==
          lines({"11: duplicate pattern 'ON' for 111 (first at line 10)"}));
    CHECK(problems(head + "    - {pattern: \"*\", ok: {en: a, ru: b}}\n" +
                   "    - {pattern: \"on\", action: sms_archive_on, " + ok_text + "}\n") ==
          lines({"11: number 111, command 2: can never match, an earlier \"*\" takes every text"}));
    CHECK(problems(head + "    - {pattern: \"25{x}\", ok: {en: a, ru: b}}\n") ==
          lines({"10: number 111, command 1: bad pattern '25{x}': a capture must "
                 "be a whole word: '25{x}'"}));
    CHECK(problems(head + "    - {pattern: \"hi\"}\n") ==
          lines({"10: number 111, command 1: a command without an action needs an 'ok' reply"}));
    CHECK(problems(head + "    - {pattern: \"hi\", from: \"+3339\", ok: {en: a, ru: b}}\n") ==
          lines({"10: number 111, command 1: from must be a short number, not '+3339'"}));
    CHECK(
        problems(head + "    - {pattern: \"pw {x}\", secret: [y], ok: {en: a, ru: b}}\n") ==
        lines({"10: number 111, command 1: secret names {y}, which the pattern does not capture"}));
    CHECK(problems("languages: [en, ru]\nnumbers:\n  \"111\":\n    - {pattern: hi, ok: {en: a, ru: "
                   "b}}\n") ==
          lines({"1: strings: missing 'failed'", "1: strings: missing 'help'",
                 "1: strings: missing 'refused'", "1: strings: missing 'repeated'",
                 "1: strings: missing 'unknown_number'"}));
    CHECK(problems(head + "    - {pattern: hi, ok: {en: a, ru: b\n") ==
          lines({"11: YAML syntax error: end of map flow not found"}));
}

TEST_CASE("sms loader: a missing file") {
    test::fake_catalog cat;
    auto r = sms::load_file("/nonexistent/sms.yaml", cat);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error()[0].to_string() == "/nonexistent/sms.yaml: cannot read the file");
}
