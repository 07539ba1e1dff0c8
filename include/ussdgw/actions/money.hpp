#pragma once
// Roubles as text <-> kopecks. Money never touches a double.

#include <optional>
#include <string>
#include <string_view>

#include "ussdgw/store/accounts.hpp"

namespace ussdgw::actions {

/// An amount for a text in `language`: "-12.50" in English, "-12,50" in
/// Russian (a decimal comma). Every amount a subscriber or an operator reads
/// goes through here; the unit ("RUB", "руб.") is the text's.
std::string format_rub(store::kopecks k, std::string_view language);

/// Parses "150", "150.5", "150.50" (also with ',') into kopecks; nullopt for
/// anything else (signs, spaces, three decimals, overflow).
std::optional<store::kopecks> parse_rub(std::string_view s);

/// Parses a non-negative decimal integer; nullopt for anything else.
std::optional<std::int64_t> parse_count(std::string_view s);

/// "DD.MM.YYYY" of a unix time shifted by `utc_offset` seconds.
std::string format_date(std::int64_t unix_seconds, std::int64_t utc_offset);

/// "DD.MM HH:MM" of a unix time shifted by `utc_offset` seconds.
std::string format_stamp(std::int64_t unix_seconds, std::int64_t utc_offset);

}  // namespace ussdgw::actions
