#pragma once
// The personal-account API's request bodies, read and checked: strict JSON
// objects of string fields, none missing, none unknown, none twice, and the
// subscriber number in the store's form. Pure: every refusal is a sentence
// for the caller's {"error": ...}, which never repeats the password.

#include <string>
#include <string_view>

#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// POST /api/v1/login: {"msisdn": "...", "password": "..."}.
struct login_request {
    std::string msisdn;    ///< normalised: 11 digits starting with 7
    std::string password;  ///< as sent, not empty
};

/// POST /api/v1/password: {"msisdn": "..."}.
struct password_request {
    std::string msisdn;  ///< normalised: 11 digits starting with 7
};

/// Reads a login body; the error says what is wrong with it.
util::result<login_request, std::string> parse_login_request(std::string_view body);

/// Reads a password request body; the error says what is wrong with it.
util::result<password_request, std::string> parse_password_request(std::string_view body);

}  // namespace ussdgw::app
