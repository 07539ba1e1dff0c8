#include "ussdgw/actions/msisdn.hpp"

namespace ussdgw::actions {

namespace {

bool digits_only(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

util::result<std::string, msisdn_problem> normalize_msisdn(std::string_view typed) {
    auto s = trim(typed);
    if (s.empty()) return util::fail(msisdn_problem::empty);
    if (s.front() == '+') {
        s.remove_prefix(1);
        if (!digits_only(s) || s.empty()) return util::fail(msisdn_problem::not_digits);
        // "+8..." is not a trunk prefix: + is followed by a country code.
        if (s.front() != '7') return util::fail(msisdn_problem::not_russian);
        if (s.size() != 11) return util::fail(msisdn_problem::wrong_length);
        return std::string(s);
    }
    if (!digits_only(s)) return util::fail(msisdn_problem::not_digits);
    if (s.size() == 10) {
        if (s.front() != '9') return util::fail(msisdn_problem::not_mobile);
        return "7" + std::string(s);
    }
    if (s.size() == 11 && (s.front() == '7' || s.front() == '8'))
        return "7" + std::string(s.substr(1));
    return util::fail(msisdn_problem::wrong_length);
}

std::string describe(msisdn_problem p) {
    constexpr const char* accepted =
        "a number is 10 digits starting with 9, 11 digits starting with 7 or 8, or +7 and 10 "
        "digits";
    switch (p) {
        case msisdn_problem::empty:
            return std::string("no number given: ") + accepted;
        case msisdn_problem::not_digits:
            return std::string("only digits after an optional leading +: ") + accepted;
        case msisdn_problem::wrong_length:
            return std::string("wrong number of digits: ") + accepted;
        case msisdn_problem::not_mobile:
            return std::string("10 digits must start with 9: ") + accepted;
        case msisdn_problem::not_russian:
            return std::string("only +7 numbers are served: ") + accepted;
    }
    return accepted;
}

}  // namespace ussdgw::actions
