#pragma once
// A latency histogram with fixed buckets, for the metrics: observed on one
// thread, read on another (atomics), no locks and no allocation per sample.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace ussdgw::util {

/// Durations by bucket, Prometheus style (cumulative when rendered).
class histogram {
  public:
    /// Upper bounds of the buckets, in seconds (+Inf is implicit).
    static constexpr std::array<double, 12> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};

    /// Adds one sample.
    void observe(std::chrono::nanoseconds d) {
        const double s = std::chrono::duration<double>(d).count();
        std::size_t i = 0;
        while (i < bounds.size() && s > bounds[i]) ++i;
        counts_[i].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
    }
    /// Samples in bucket `i` alone (i == bounds.size(): above the last bound).
    std::uint64_t in_bucket(std::size_t i) const {
        return counts_[i].load(std::memory_order_relaxed);
    }
    /// Samples in all.
    std::uint64_t count() const {
        std::uint64_t n = 0;
        for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
        return n;
    }
    /// Sum of the samples, in seconds.
    double sum_seconds() const { return static_cast<double>(sum_ns_.load()) / 1e9; }

  private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};
    std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace ussdgw::util
