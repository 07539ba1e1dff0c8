#pragma once
// Subscriber numbers as people type them -> the one form the store keys
// accounts by. Every door that takes a number (transfer, bonus_give, the
// admin tool, the usage feed) goes through here, so "9160000005",
// "89160000005" and "+79160000005" all reach the account 79160000005.

#include <string>
#include <string_view>

#include "ussdgw/util/result.hpp"

namespace ussdgw::actions {

/// Why a typed number is not a subscriber number.
enum class msisdn_problem {
    empty,         ///< nothing typed
    not_digits,    ///< something other than digits (after an optional leading +7)
    wrong_length,  ///< not 10 digits (9...), 11 digits (7... or 8...) or +7 and 10 digits
    not_mobile,    ///< 10 digits that do not start with 9 (a code without the country)
    not_russian,   ///< +CC with a country code other than 7
};

/// The canonical 11 digits starting with 7 of `typed`, accepting exactly:
/// 10 digits starting with 9 (9161234567), 11 digits starting with 7 or 8
/// (79161234567, 89161234567) and +7 with 10 digits (+79161234567).
/// Leading and trailing blanks are ignored; anything else is refused.
util::result<std::string, msisdn_problem> normalize_msisdn(std::string_view typed);

/// An English sentence saying what is accepted and what was wrong, for
/// operators (the admin tool, import reports); subscribers get msg::bad_number.
std::string describe(msisdn_problem p);

}  // namespace ussdgw::actions
