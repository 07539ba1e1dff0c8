// app/api_request: the account API's bodies. Strict JSON objects of string
// fields; every refusal says what is wrong and never repeats the password.

#include <doctest/doctest.h>

#include "ussdgw/app/api_request.hpp"

using namespace ussdgw::app;

namespace {

bool has(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("api request: a login body gives the normalised number and the password") {
    auto r = parse_login_request(R"({"msisdn": "+79160000001", "password": "Hello123"})");
    REQUIRE(r);
    CHECK(r->msisdn == "79160000001");
    CHECK(r->password == "Hello123");
    auto eight = parse_login_request(R"({"password":"x","msisdn":"89160000001"})");
    REQUIRE(eight);
    CHECK(eight->msisdn == "79160000001");
    auto p = parse_password_request(" {\"msisdn\": \"9160000005\"}\n");
    REQUIRE(p);
    CHECK(p->msisdn == "79160000005");
}

TEST_CASE("api request: malformed JSON is refused by position without quoting the body") {
    auto r = parse_login_request(R"({"msisdn": "79160000001", "password": "Secret99)");
    REQUIRE_FALSE(r);
    CHECK(has(r.error(), "malformed JSON at byte"));
    CHECK_FALSE(has(r.error(), "Secret99"));
    CHECK(has(parse_login_request("").error(), "empty body"));
    CHECK(has(parse_login_request("   \n").error(), "empty body"));
    CHECK(has(parse_password_request("{\"msisdn\": \"7916\"").error(), "malformed JSON"));
    CHECK(has(parse_password_request("{\"msisdn\": \"\xff\"}").error(), "malformed JSON"));
}

TEST_CASE("api request: the body must be an object of strings") {
    CHECK(has(parse_password_request("[\"79160000001\"]").error(), "expected a JSON object"));
    CHECK(has(parse_password_request("\"79160000001\"").error(), "expected a JSON object"));
    CHECK(parse_password_request(R"({"msisdn": 79160000001})").error() ==
          "field 'msisdn' must be a string");
    CHECK(parse_login_request(R"({"msisdn": "79160000001", "password": null})").error() ==
          "field 'password' must be a string");
    CHECK(parse_login_request(R"({"msisdn": "79160000001", "password": ["a"]})").error() ==
          "field 'password' must be a string");
}

TEST_CASE("api request: missing - unknown - repeated and empty fields are refused") {
    CHECK(has(parse_login_request(R"({"msisdn": "79160000001"})").error(),
              "missing field 'password'"));
    CHECK(has(parse_password_request("{}").error(), "missing field 'msisdn'"));
    auto unknown = parse_password_request(R"({"msisdn": "79160000001", "lang": "en"})");
    CHECK(has(unknown.error(), "unknown field 'lang'"));
    CHECK(has(unknown.error(), "expected only msisdn"));
    auto twice =
        parse_login_request(R"({"msisdn": "79160000001", "password": "a", "password": "b"})");
    CHECK(twice.error() == "field 'password' appears twice");
    // Only the top level counts: a repeated key deeper is a wrong type anyway.
    CHECK(parse_password_request(R"({"msisdn": {"a": 1, "a": 2}})").error() ==
          "field 'msisdn' must be a string");
    CHECK(parse_login_request(R"({"msisdn": "79160000001", "password": ""})").error() ==
          "field 'password' must not be empty");
    // A hostile field name comes back escaped and cut.
    auto odd = parse_password_request("{\"a\\nb\": \"x\"}");
    CHECK(has(odd.error(), "unknown field 'a\\x0Ab'"));
}

TEST_CASE("api request: a bad number says what is accepted") {
    auto r = parse_login_request(R"({"msisdn": "12345", "password": "x"})");
    REQUIRE_FALSE(r);
    CHECK(has(r.error(), "field 'msisdn': wrong number of digits"));
    CHECK(has(parse_password_request(R"({"msisdn": "+19160000001"})").error(), "only +7 numbers"));
    CHECK(has(parse_password_request(R"({"msisdn": "7916000000a"})").error(), "only digits"));
    CHECK(has(parse_password_request(R"({"msisdn": ""})").error(), "no number given"));
}
