#pragma once
// Calendar arithmetic in the operator's local time (rules.utc_offset_seconds):
// which month a moment falls in, when a month starts, ISO 8601 times. Pure;
// no time zone database, a fixed offset as everywhere else in the rules.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ussdgw::actions {

/// A calendar date.
struct civil_date {
    int year = 1970;  ///< e.g. 2026
    int month = 1;    ///< 1..12
    int day = 1;      ///< 1..31
};

/// The local date of `unix_seconds` at `utc_offset` seconds east of UTC.
civil_date local_date(std::int64_t unix_seconds, std::int64_t utc_offset);

/// A month as one increasing number (year * 12 + month - 1), for "is this
/// month later than that one" and for stepping months back.
std::int64_t month_index(int year, int month);

/// The month index of `unix_seconds` in local time.
std::int64_t local_month_index(std::int64_t unix_seconds, std::int64_t utc_offset);

/// The unix time of local midnight starting the month `index` (month_index).
std::int64_t month_start(std::int64_t index, std::int64_t utc_offset);

/// Unix seconds of an ISO 8601 UTC time "2026-11-28T10:00:00Z", also with an
/// offset ("2026-11-28T13:00:00+03:00"); nullopt for anything else.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace ussdgw::actions
