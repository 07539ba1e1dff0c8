// app/log_format: the "[bind msisdn=… session=…]" prefix becomes JSON fields,
// anything else stays text, every line is valid JSON whatever bytes it carries.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "ussdgw/app/log_format.hpp"

using namespace ussdgw::app;

TEST_CASE("log format: names") {
    CHECK(parse_log_format("text") == log_format::text);
    CHECK(parse_log_format("json") == log_format::json);
    CHECK_FALSE(parse_log_format("JSON"));
    CHECK_FALSE(parse_log_format(""));
}

TEST_CASE("log format: the context prefix becomes fields") {
    auto a = split_log_message("[smsc msisdn=79001234567 session=42] resend of answer ignored");
    CHECK(a.fields.at("bind") == "smsc");
    CHECK(a.fields.at("msisdn") == "79001234567");
    CHECK(a.fields.at("session") == "42");
    CHECK(a.message == "resend of answer ignored");

    auto b = split_log_message("[msisdn=7900] web login accepted");
    CHECK(b.fields.size() == 1);
    CHECK(b.fields.at("msisdn") == "7900");
    CHECK(b.message == "web login accepted");

    // Not a context prefix: stays text, whole.
    for (const char* text : {"reload: 2 problem(s)", "[a b] two bare words", "[=x] empty key",
                             "[x]no space after", "[unclosed prefix", "[a  b=c] double space"}) {
        auto t = split_log_message(text);
        CHECK_MESSAGE(t.fields.empty(), text);
        CHECK(t.message == text);
    }
}

TEST_CASE("log format: one valid JSON object per line with the fields in it") {
    auto line = json_log_line("2026-11-28T10:00:00.000Z", "warn",
                              "[smsc msisdn=7900 session=3] USSD screen not delivered: \"x\"\n");
    CHECK(line.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(line);
    CHECK(j["time"] == "2026-11-28T10:00:00.000Z");
    CHECK(j["level"] == "warn");
    CHECK(j["bind"] == "smsc");
    CHECK(j["msisdn"] == "7900");
    CHECK(j["session"] == "3");
    CHECK(j["msg"] == "USSD screen not delivered: \"x\"\n");

    // Bytes that are not UTF-8 still give valid JSON.
    auto bad = json_log_line("t", "info", std::string("from \xff\xfe end"));
    CHECK(nlohmann::json::accept(bad));
    CHECK(nlohmann::json::parse(bad)["msg"].get<std::string>().starts_with("from "));

    // A field cannot overwrite the line's own keys.
    auto sneaky = nlohmann::json::parse(json_log_line("t", "info", "[level=error msg=x] m"));
    CHECK(sneaky["level"] == "info");
    CHECK(sneaky["msg"] == "m");
}
