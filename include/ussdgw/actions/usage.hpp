#pragma once
// Package usage: what the tariff package (plus bonus packages) has left, the
// package periods the used counters belong to, and the usage feed that fills
// them (CSV: msisdn,kind,amount,time). The admin tool imports files with it;
// an HTTP front door can call import_usage the same way.
//
// A package period is 30 days from the subscriber's tariff start (the last
// tariff change, else provisioning): [start + k * 30 d, start + (k + 1) * 30 d).
// A tariff change starts a new period with the new tariff's package.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/store/accounts.hpp"

namespace ussdgw::actions {

/// Length of a package period (as the 30-day "monthly" service fees).
inline constexpr std::int64_t package_period_seconds = 30 * 86400;

/// Start of the package period of `s` that contains `now`.
store::unix_time package_period_start(const store::subscriber& s, store::unix_time now);

/// The package counters of one subscriber as of one period.
struct package_use {
    std::int64_t minutes_used = 0;      ///< of package plus extras, this period
    std::int64_t sms_used = 0;          ///< of package plus extras, this period
    std::int64_t mb_used = 0;           ///< of package plus extras, this period
    std::int64_t extra_minutes = 0;     ///< bonus minutes left from earlier periods and this one
    std::int64_t extra_sms = 0;         ///< bonus SMS left
    std::int64_t extra_mb = 0;          ///< bonus MB left
    store::unix_time period_start = 0;  ///< the period the used counters belong to
};

/// The counters of `s` as they stand in the period containing `now`: when a
/// new period began since they were written, the used counters start at 0
/// and the bonus extras keep only what the old period did not use up (use
/// beyond the tariff package came out of them; bonus packages do not expire).
package_use current_use(const store::subscriber& s, const store::tariff& t, store::unix_time now);

/// What is left of the package: package + extras - used, never below 0.
struct package_left {
    std::int64_t minutes = 0;  ///< minutes left
    std::int64_t sms = 0;      ///< SMS left
    std::int64_t mb = 0;       ///< megabytes left
};

/// The package left of `s` at `now` (current_use applied).
package_left left_of(const store::subscriber& s, const store::tariff& t, store::unix_time now);

/// Writes current_use of `msisdn` when its period moved on; true when it did.
/// The caller holds a write transaction.
bool roll_package_period(store::accounts& db, const std::string& msisdn, store::unix_time now);

/// One usage record of the feed.
struct usage_record {
    std::size_t line = 0;  ///< line in the source (1-based), for reports
    std::string msisdn;    ///< canonical (msisdn.hpp)
    store::usage_kind kind = store::usage_kind::minutes;  ///< what was used
    std::int64_t amount = 0;    ///< whole minutes, SMS or megabytes, above 0
    store::unix_time time = 0;  ///< when it was used
};

/// A line of the feed that was not applied, and why.
struct usage_problem {
    std::size_t line = 0;  ///< 1-based line number
    std::string message;   ///< what is wrong, in English (for operators)
};

/// The records of a CSV feed and the lines that are not records. The first
/// line may be the header "msisdn,kind,amount,time"; blank lines are skipped;
/// kind is minutes, sms or mb; amount a whole number above 0; time unix
/// seconds or ISO 8601 ("2026-11-28T10:00:00Z", "...+03:00").
struct usage_parse {
    std::vector<usage_record> records;    ///< good rows, in file order
    std::vector<usage_problem> problems;  ///< bad rows, in file order
};

/// Parses a CSV feed (any line ending).
usage_parse parse_usage_csv(std::string_view csv);

/// What applying records did.
struct usage_report {
    std::size_t applied = 0;       ///< new records counted in the current period
    std::size_t duplicates = 0;    ///< records stored before (imported twice): not counted again
    std::size_t past_periods = 0;  ///< new records of an earlier period: stored, not counted
    std::vector<usage_problem> problems;  ///< rows not applied (parse problems, unknown numbers)
};

/// Applies records: each new record is stored once and added to the used
/// counters of its subscriber's current period (rolled first); a record seen
/// before changes nothing. The caller holds a write transaction.
usage_report apply_usage(store::accounts& db, const std::vector<usage_record>& records,
                         store::unix_time now);

/// parse_usage_csv then apply_usage; the report lists the parse problems too,
/// in line order. The caller holds a write transaction and commits it (the
/// good rows are applied even when some rows are bad).
usage_report import_usage(store::accounts& db, std::string_view csv, store::unix_time now);

}  // namespace ussdgw::actions
