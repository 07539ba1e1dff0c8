// libFuzzer target for the personal-account API's request bodies
// (app/api_request: parse_login_request, parse_password_request), which come
// from the operator's website over HTTP. The whole input is one body, read
// by both parsers. Invariants, beyond "never throws":
//  - an accepted body has what api_request.hpp promises: the msisdn as 11
//    digits starting with 7 (and normalising it again changes nothing), a
//    password that is not empty and is the body's "password" string;
//  - a refusal is a sentence: not empty, and {"error": sentence} serialises
//    as JSON (what account_api sends), so no refusal can fail the response;
//  - a refusal never repeats the password the body carried.
//
// Run: scripts/fuzz fuzz_api_json 300

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/app/api_request.hpp"

using namespace ussdgw;
using json = nlohmann::json;

namespace {

std::string_view current_input;

[[noreturn]] void violated(const std::string& what) {
    std::fprintf(stderr, "api request invariant violated: %s\ninput (%zu bytes): ", what.c_str(),
                 current_input.size());
    for (unsigned char c : current_input) std::fprintf(stderr, "\\x%02x", c);
    std::fprintf(stderr, "\n");
    std::abort();
}

bool contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

void check_msisdn(const std::string& m) {
    if (m.size() != 11 || m[0] != '7' || m.find_first_not_of("0123456789") != std::string::npos)
        violated("an accepted msisdn is not 11 digits starting with 7: " + m);
    auto again = actions::normalize_msisdn(m);
    if (!again || *again != m) violated("normalising an accepted msisdn changes it: " + m);
}

// The body's members as an independent reader sees them (the last of equal
// keys wins here, which is fine: the parser refuses equal keys anyway).
json as_object(std::string_view body) {
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    return doc.is_object() ? doc : json::object();
}

void check_refusal(const std::string& error, const json& doc) {
    if (error.empty()) violated("a refusal without a sentence");
    try {
        (void)json{{"error", error}}.dump();
    } catch (const std::exception& e) {
        violated(std::string("the refusal does not serialise as JSON: ") + e.what());
    }
    // The sentence may quote a field name or the number typed, never the
    // password. Short or ordinary passwords ("password", "x") can be part of
    // the sentence's own words; a long one that is not cannot.
    const auto pw = doc.find("password");
    if (pw == doc.end() || !pw->is_string()) return;
    const auto& p = pw->get_ref<const std::string&>();
    if (p.size() < 8 || !contains(error, p)) return;
    for (const auto& [key, value] : doc.items()) {
        if (contains(key, p)) return;
        if (key != "password" && value.is_string() &&
            contains(value.get_ref<const std::string&>(), p))
            return;
    }
    static const std::string own_words = [] {
        std::string w =
            "a JSON object with the string fields msisdn, password: expected only msisdn, "
            "password field 'password' must not be empty appears twice must be a string";
        using actions::msisdn_problem;
        for (auto p :
             {msisdn_problem::empty, msisdn_problem::not_digits, msisdn_problem::wrong_length,
              msisdn_problem::not_mobile, msisdn_problem::not_russian})
            w += "\n" + actions::describe(p);
        return w;
    }();
    if (contains(own_words, p)) return;
    violated("a refusal repeats the password");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    current_input = std::string_view(reinterpret_cast<const char*>(data), size);
    const std::string_view body = current_input;
    try {
        const json doc = as_object(body);
        if (auto login = app::parse_login_request(body)) {
            check_msisdn(login->msisdn);
            if (login->password.empty()) violated("an accepted login has an empty password");
            const auto pw = doc.find("password");
            if (pw == doc.end() || !pw->is_string() || *pw != login->password)
                violated("the accepted password is not the body's \"password\" string");
        } else {
            check_refusal(login.error(), doc);
        }
        if (auto req = app::parse_password_request(body))
            check_msisdn(req->msisdn);
        else
            check_refusal(req.error(), doc);
    } catch (const std::exception& e) {
        violated(std::string("threw: ") + e.what());
    }
    return 0;
}
