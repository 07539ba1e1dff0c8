#pragma once
// The configured rules as values the operator's texts may name
// ({rules.password_min_sms}): a help text or prompt about a limit is then
// built from the same number the check uses, and changes with it.

#include <map>
#include <string>

#include "ussdgw/actions/rules.hpp"

namespace ussdgw::actions {

/// "rules.NAME" -> value for every rule a text may state. Counts as digits;
/// amounts in whole roubles when whole ("15000"), else with two decimals
/// ("12.50"); durations in the unit the name says (password_valid_hours).
std::map<std::string, std::string> rule_constants(const rules& r);

}  // namespace ussdgw::actions
