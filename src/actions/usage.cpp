#include "ussdgw/actions/usage.hpp"

#include <algorithm>

#include "ussdgw/actions/calendar.hpp"
#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/msisdn.hpp"

namespace ussdgw::actions {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// One CSV field: blanks around it and one pair of double quotes dropped.
std::string field(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
    return std::string(s);
}

std::vector<std::string> split(std::string_view line) {
    std::vector<std::string> out;
    std::size_t from = 0;
    for (;;) {
        auto comma = line.find(',', from);
        out.push_back(field(line.substr(from, comma - from)));
        if (comma == std::string_view::npos) return out;
        from = comma + 1;
    }
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool is_header(const std::vector<std::string>& f) {
    return f.size() == 4 && lower(f[0]) == "msisdn" && lower(f[1]) == "kind" &&
           lower(f[2]) == "amount" && lower(f[3]) == "time";
}

// The largest amount one record may carry: far above a month of any use,
// low enough that sums cannot overflow.
constexpr std::int64_t max_amount = 1'000'000'000;

std::optional<std::string> parse_record(const std::vector<std::string>& f, usage_record& r) {
    if (f.size() != 4)
        return "expected 4 fields msisdn,kind,amount,time, got " + std::to_string(f.size());
    auto number = normalize_msisdn(f[0]);
    if (!number) return "msisdn '" + f[0] + "': " + describe(number.error());
    r.msisdn = *number;
    auto kind = lower(f[1]);
    if (kind == "minutes")
        r.kind = store::usage_kind::minutes;
    else if (kind == "sms")
        r.kind = store::usage_kind::sms;
    else if (kind == "mb")
        r.kind = store::usage_kind::mb;
    else
        return "kind '" + f[1] + "' must be minutes, sms or mb";
    auto amount = parse_count(f[2]);
    if (!amount || *amount <= 0 || *amount > max_amount)
        return "amount '" + f[2] + "' must be a whole number from 1 to " +
               std::to_string(max_amount);
    r.amount = *amount;
    if (auto unix = parse_count(f[3]))
        r.time = *unix;
    else if (auto iso = parse_iso8601(f[3]))
        r.time = *iso;
    else
        return "time '" + f[3] + "' must be unix seconds or ISO 8601 such as 2026-11-28T10:00:00Z";
    return std::nullopt;
}

}  // namespace

store::unix_time package_period_start(const store::subscriber& s, store::unix_time now) {
    const store::unix_time anchor = s.tariff_changed.value_or(s.created);
    if (now <= anchor) return anchor;
    return anchor + (now - anchor) / package_period_seconds * package_period_seconds;
}

package_use current_use(const store::subscriber& s, const store::tariff& t, store::unix_time now) {
    package_use u{s.minutes_used, s.sms_used, s.mb_used,           s.extra_minutes,
                  s.extra_sms,    s.extra_mb, s.usage_period_start};
    const auto start = package_period_start(s, now);
    if (s.usage_period_start >= start) return u;
    // Use beyond the tariff package came out of the bonus extras; what is
    // left of them carries over, the package itself starts afresh.
    auto carry = [](std::int64_t extra, std::int64_t used, std::int64_t package) {
        return std::max<std::int64_t>(0, extra - std::max<std::int64_t>(0, used - package));
    };
    u.extra_minutes = carry(s.extra_minutes, s.minutes_used, t.minutes);
    u.extra_sms = carry(s.extra_sms, s.sms_used, t.sms);
    u.extra_mb = carry(s.extra_mb, s.mb_used, t.mb);
    u.minutes_used = u.sms_used = u.mb_used = 0;
    u.period_start = start;
    return u;
}

package_left left_of(const store::subscriber& s, const store::tariff& t, store::unix_time now) {
    auto u = current_use(s, t, now);
    auto left = [](std::int64_t package, std::int64_t extra, std::int64_t used) {
        return std::max<std::int64_t>(0, package + extra - used);
    };
    return {left(t.minutes, u.extra_minutes, u.minutes_used), left(t.sms, u.extra_sms, u.sms_used),
            left(t.mb, u.extra_mb, u.mb_used)};
}

bool roll_package_period(store::accounts& db, const std::string& msisdn, store::unix_time now) {
    auto s = db.find_subscriber(msisdn);
    if (!s) return false;
    auto t = db.find_tariff(s->tariff).value_or(store::tariff{});
    auto u = current_use(*s, t, now);
    if (u.period_start == s->usage_period_start) return false;
    db.set_package_use(msisdn, u.minutes_used, u.sms_used, u.mb_used, u.extra_minutes, u.extra_sms,
                       u.extra_mb, u.period_start);
    return true;
}

usage_parse parse_usage_csv(std::string_view csv) {
    usage_parse out;
    std::size_t line_no = 0;
    std::size_t from = 0;
    while (from < csv.size()) {
        auto nl = csv.find('\n', from);
        auto line =
            csv.substr(from, nl == std::string_view::npos ? std::string_view::npos : nl - from);
        from = nl == std::string_view::npos ? csv.size() : nl + 1;
        ++line_no;
        if (trim(line).empty()) continue;
        auto fields = split(line);
        if (line_no == 1 && is_header(fields)) continue;
        usage_record r;
        r.line = line_no;
        if (auto problem = parse_record(fields, r))
            out.problems.push_back({line_no, *problem});
        else
            out.records.push_back(std::move(r));
    }
    return out;
}

usage_report apply_usage(store::accounts& db, const std::vector<usage_record>& records,
                         store::unix_time now) {
    usage_report rep;
    for (const auto& r : records) {
        if (!db.find_subscriber(r.msisdn)) {
            rep.problems.push_back({r.line, "msisdn " + r.msisdn + " is not a subscriber"});
            continue;
        }
        // Counters written for an earlier period are rolled first, so a record
        // of the new period is not wiped by the daily job's roll after it.
        roll_package_period(db, r.msisdn, now);
        if (!db.add_usage_record(r.msisdn, r.kind, r.amount, r.time, now)) {
            ++rep.duplicates;
            continue;
        }
        auto s = db.find_subscriber(r.msisdn);
        if (r.time < s->usage_period_start) {
            ++rep.past_periods;
            continue;
        }
        db.add_usage(r.msisdn, r.kind == store::usage_kind::minutes ? r.amount : 0,
                     r.kind == store::usage_kind::sms ? r.amount : 0,
                     r.kind == store::usage_kind::mb ? r.amount : 0);
        ++rep.applied;
    }
    return rep;
}

usage_report import_usage(store::accounts& db, std::string_view csv, store::unix_time now) {
    auto parsed = parse_usage_csv(csv);
    auto rep = apply_usage(db, parsed.records, now);
    rep.problems.insert(rep.problems.end(), parsed.problems.begin(), parsed.problems.end());
    std::stable_sort(
        rep.problems.begin(), rep.problems.end(),
        [](const usage_problem& a, const usage_problem& b) { return a.line < b.line; });
    return rep;
}

}  // namespace ussdgw::actions
