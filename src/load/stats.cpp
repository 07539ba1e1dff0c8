#include "stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace ussdgw::load {

void latency_log::add(std::chrono::steady_clock::duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    us_.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX)));
    sorted_ = false;
}

double latency_log::percentile_ms(double p) {
    if (us_.empty()) return 0;
    if (!sorted_) {
        std::sort(us_.begin(), us_.end());
        sorted_ = true;
    }
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(us_.size())));
    return us_[std::clamp<std::size_t>(rank, 1, us_.size()) - 1] / 1000.0;
}

std::optional<std::uint64_t> process_cpu_us(int pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    // The command name (field 2) may hold spaces and parentheses: count fields
    // after its last ')'. Field 3 is the state; utime and stime are 14 and 15.
    auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int n = 3; n <= 15 && fields >> field; ++n) {
        if (n == 14) utime = std::stoull(field);
        if (n == 15) stime = std::stoull(field);
    }
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0) return std::nullopt;
    return (utime + stime) * 1'000'000ULL / static_cast<std::uint64_t>(ticks);
}

std::optional<std::uint64_t> process_hwm_kb(int pid) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmHWM:", 0) != 0) continue;
        std::istringstream value(line.substr(6));
        std::uint64_t kb = 0;
        if (value >> kb) return kb;
    }
    return std::nullopt;
}

std::uint64_t own_cpu_us() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto us = [](const timeval& t) {
        return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000ULL +
               static_cast<std::uint64_t>(t.tv_usec);
    };
    return us(u.ru_utime) + us(u.ru_stime);
}

void error_log::describe(const std::string& what) {
    std::fprintf(stderr, "ussdgw-load: error: %s\n", what.c_str());
    std::fflush(stderr);
}

std::string bench_line(const bench& b) {
    const double steps = static_cast<double>(b.steps);
    auto per_step = [&](std::optional<std::uint64_t> us) -> std::string {
        if (!us) return "-";
        return b.steps == 0 ? "0.0" : fmt::format("{:.1f}", static_cast<double>(*us) / steps);
    };
    const double rate = b.seconds > 0 ? steps / b.seconds : 0.0;
    return fmt::format(
        "bench: scenario={} window={} binds={} n={} rate={:.0f} p50_ms={:.3f} p99_ms={:.3f} "
        "p999_ms={:.3f} cpu_us={} load_cpu_us={} rss_kb={} errors={}",
        b.scenario, b.window, b.binds, b.steps, rate, b.p50_ms, b.p99_ms, b.p999_ms,
        per_step(b.daemon_cpu_us), per_step(b.load_cpu_us),
        b.rss_kb ? std::to_string(*b.rss_kb) : std::string("-"), b.errors);
}

}  // namespace ussdgw::load
