#include "ussdgw/actions/money.hpp"

#include <cstdio>
#include <ctime>

namespace ussdgw::actions {

std::string format_rub(store::kopecks k, std::string_view language) {
    // Russian writes a decimal comma (GOST 8.417); everything else a dot.
    const char point = language == "ru" ? ',' : '.';
    // Work on the magnitude in unsigned arithmetic so INT64_MIN cannot overflow.
    unsigned long long mag =
        k < 0 ? 0ULL - static_cast<unsigned long long>(k) : static_cast<unsigned long long>(k);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%llu%c%02llu", k < 0 ? "-" : "", mag / 100, point, mag % 100);
    return buf;
}

std::optional<store::kopecks> parse_rub(std::string_view s) {
    constexpr store::kopecks max_rub = 1'000'000'000'000LL;  // far above any real amount
    store::kopecks rub = 0;
    std::size_t i = 0;
    if (s.empty()) return std::nullopt;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        rub = rub * 10 + (s[i] - '0');
        if (rub > max_rub) return std::nullopt;
    }
    if (i == 0) return std::nullopt;
    store::kopecks kop = 0;
    if (i < s.size()) {
        if (s[i] != '.' && s[i] != ',') return std::nullopt;
        ++i;
        std::size_t digits = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
            if (digits >= 2) return std::nullopt;
            kop = kop * 10 + (s[i] - '0');
        }
        if (digits == 0 || i != s.size()) return std::nullopt;
        if (digits == 1) kop *= 10;
    }
    return rub * 100 + kop;
}

std::optional<std::int64_t> parse_count(std::string_view s) {
    if (s.empty() || s.size() > 15) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

namespace {

std::tm split(std::int64_t t, std::int64_t offset) {
    std::time_t tt = static_cast<std::time_t>(t + offset);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm;
}

}  // namespace

std::string format_date(std::int64_t unix_seconds, std::int64_t utc_offset) {
    auto tm = split(unix_seconds, utc_offset);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d.%02d.%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
    return buf;
}

std::string format_stamp(std::int64_t unix_seconds, std::int64_t utc_offset) {
    auto tm = split(unix_seconds, utc_offset);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d.%02d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_hour,
                  tm.tm_min);
    return buf;
}

}  // namespace ussdgw::actions
