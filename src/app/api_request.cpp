#include "ussdgw/app/api_request.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/util/log_text.hpp"

namespace ussdgw::app {

namespace {

using json = nlohmann::json;
using fields = std::map<std::string, std::string>;

// A field name from the request, safe to put in a message (and a log line).
std::string field_name(std::string_view name) {
    return "'" + util::for_log(name, 40) + "'";
}

// The body as exactly the string fields `expected`, or what is wrong with it.
util::result<fields, std::string> read_fields(std::string_view body,
                                              const std::vector<std::string>& expected) {
    std::string example;
    for (const auto& f : expected) example += (example.empty() ? "" : ", ") + f;
    const auto shape = "a JSON object with the string fields " + example;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return util::fail("empty body: expected " + shape);
    // nlohmann keeps the last of two equal keys; a body naming a field twice
    // is refused instead, so that no two readers can see different values.
    std::set<std::string> seen;
    std::string twice;
    auto spot_duplicates = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1 && twice.empty() &&
            !seen.insert(parsed.get<std::string>()).second)
            twice = parsed.get<std::string>();
        return true;
    };
    json doc;
    try {
        doc = json::parse(body.begin(), body.end(), spot_duplicates);
    } catch (const json::parse_error& e) {
        // Never e.what(): it quotes the bytes it read, which may be the password.
        return util::fail(fmt::format("malformed JSON at byte {}: expected {}", e.byte, shape));
    } catch (const json::exception&) {
        // A number beyond a double ({"msisdn": 1e999}) is out_of_range, not a
        // parse_error; uncaught it would leave the HTTP handler (found by fuzz_api_json).
        return util::fail("malformed JSON (a number out of range): expected " + shape);
    }
    if (!doc.is_object()) return util::fail("expected " + shape);
    if (!twice.empty()) return util::fail("field " + field_name(twice) + " appears twice");
    fields out;
    for (const auto& [name, value] : doc.items()) {
        if (std::find(expected.begin(), expected.end(), name) == expected.end())
            return util::fail("unknown field " + field_name(name) + ": expected only " + example);
        if (!value.is_string())
            return util::fail("field " + field_name(name) + " must be a string");
        out[name] = value.get<std::string>();
    }
    for (const auto& f : expected)
        if (!out.count(f)) return util::fail("missing field '" + f + "': expected " + shape);
    return out;
}

util::result<std::string, std::string> subscriber(const std::string& typed) {
    auto n = actions::normalize_msisdn(typed);
    if (!n) return util::fail("field 'msisdn': " + actions::describe(n.error()));
    return *n;
}

}  // namespace

util::result<login_request, std::string> parse_login_request(std::string_view body) {
    auto f = read_fields(body, {"msisdn", "password"});
    if (!f) return util::fail(f.error());
    auto msisdn = subscriber(f->at("msisdn"));
    if (!msisdn) return util::fail(msisdn.error());
    if (f->at("password").empty()) return util::fail("field 'password' must not be empty");
    return login_request{*msisdn, std::move(f->at("password"))};
}

util::result<password_request, std::string> parse_password_request(std::string_view body) {
    auto f = read_fields(body, {"msisdn"});
    if (!f) return util::fail(f.error());
    auto msisdn = subscriber(f->at("msisdn"));
    if (!msisdn) return util::fail(msisdn.error());
    return password_request{*msisdn};
}

}  // namespace ussdgw::app
