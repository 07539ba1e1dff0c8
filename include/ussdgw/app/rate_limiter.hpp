#pragma once
// Requests per key (a subscriber number, a client address) per minute, as
// GCRA (a token bucket kept as one time per key): up to N at once, then one
// every 60/N seconds. Pure: the caller passes the time, so tests need no clock.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace ussdgw::app {

/// A per-key request limit.
class rate_limiter {
  public:
    /// The clock the times come from.
    using clock = std::chrono::steady_clock;

    /// `per_minute` requests per key per minute (0: no limit). At most
    /// `max_keys` keys are limited at once; a new key beyond that is refused
    /// (so many distinct keys within a minute is a flood, not customers).
    explicit rate_limiter(std::size_t per_minute, std::size_t max_keys = 100'000);

    /// Counts one request of `key` at `now`: nullopt when it is allowed, else
    /// how long until one would be (whole seconds, at least 1, for Retry-After).
    /// A refused request is not counted.
    std::optional<std::chrono::seconds> take(const std::string& key, clock::time_point now);

    /// Keys remembered now (those still limited, and some that no longer are).
    std::size_t keys() const { return due_.size(); }

  private:
    void prune(clock::time_point now);

    clock::duration interval_{};  // 60 s / per_minute
    clock::duration burst_{};     // (per_minute - 1) * interval
    std::size_t max_keys_;
    // Per key, when its next request would find the bucket as if empty ("TAT");
    // a time in the past means a full bucket, which is the same as no entry.
    std::unordered_map<std::string, clock::time_point> due_;
    std::optional<clock::time_point> last_prune_;
};

}  // namespace ussdgw::app
