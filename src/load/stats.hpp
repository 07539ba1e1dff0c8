#pragma once
// What a run measured and how it is reported: step latencies and their
// percentiles, CPU time (the daemon's from /proc, ours from getrusage), the
// daemon's peak RSS, the errors, and the one machine-readable bench line.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ussdgw::load {

/// Step latencies in microseconds (an MO written to its MT received).
class latency_log {
  public:
    /// Room for `n` samples up front, so recording does not allocate.
    void reserve(std::size_t n) { us_.reserve(n); }
    /// Records one step.
    void add(std::chrono::steady_clock::duration d);
    /// Steps recorded.
    std::size_t size() const { return us_.size(); }
    /// The nearest-rank percentile `p` (0..1) in milliseconds; 0 when empty.
    /// Sorts the samples (call when the run is over).
    double percentile_ms(double p);

  private:
    std::vector<std::uint32_t> us_;
    bool sorted_ = false;
};

/// The daemon's CPU time (utime + stime) in microseconds, from /proc/PID/stat.
std::optional<std::uint64_t> process_cpu_us(int pid);
/// The daemon's peak resident set (VmHWM) in KiB, from /proc/PID/status.
std::optional<std::uint64_t> process_hwm_kb(int pid);
/// Our own CPU time (user + system) in microseconds.
std::uint64_t own_cpu_us();

/// Counts errors; describes the first few on stderr (the rest would only
/// repeat them and cost more than the run).
class error_log {
  public:
    /// Errors described before only counting.
    static constexpr std::uint64_t described = 10;

    /// Counts one error and describes it while few have been.
    template <typename... Args>
    void add(fmt::format_string<Args...> format, Args&&... args) {
        if (++count_ <= described) describe(fmt::format(format, std::forward<Args>(args)...));
    }
    /// Errors so far.
    std::uint64_t count() const { return count_; }

  private:
    static void describe(const std::string& what);
    std::uint64_t count_ = 0;
};

/// Everything on the bench line.
struct bench {
    std::string scenario;                        ///< Built-in name or the file's name.
    unsigned window = 0;                         ///< Flows in flight per bind.
    unsigned binds = 0;                          ///< Binds that ran flows.
    std::uint64_t steps = 0;                     ///< Steps completed.
    double seconds = 0;                          ///< First MO to the last step's MT.
    double p50_ms = 0;                           ///< Median step latency.
    double p99_ms = 0;                           ///< 99th percentile.
    double p999_ms = 0;                          ///< 99.9th percentile.
    std::optional<std::uint64_t> daemon_cpu_us;  ///< The daemon's CPU over the run.
    std::uint64_t load_cpu_us = 0;               ///< Ours over the run.
    std::optional<std::uint64_t> rss_kb;         ///< The daemon's VmHWM at the end.
    std::uint64_t errors = 0;                    ///< Errors counted.
};

/// "bench: scenario=... errors=E" (docs/load.md says what each figure means).
std::string bench_line(const bench& b);

}  // namespace ussdgw::load
