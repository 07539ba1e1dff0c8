#include "ussdgw/app/rate_limiter.hpp"

#include <algorithm>

namespace ussdgw::app {

rate_limiter::rate_limiter(std::size_t per_minute, std::size_t max_keys) : max_keys_(max_keys) {
    if (per_minute == 0) return;
    interval_ = std::chrono::duration_cast<clock::duration>(std::chrono::minutes(1)) /
                static_cast<clock::rep>(per_minute);
    burst_ = interval_ * static_cast<clock::rep>(per_minute - 1);
}

std::optional<std::chrono::seconds> rate_limiter::take(const std::string& key,
                                                       clock::time_point now) {
    if (interval_ == clock::duration::zero()) return std::nullopt;
    auto it = due_.find(key);
    if (it == due_.end()) {
        if (due_.size() >= max_keys_) prune(now);
        if (due_.size() >= max_keys_)
            return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::minutes(1));
        it = due_.emplace(key, now).first;
    }
    const auto tat = std::max(it->second, now);
    if (tat - now > burst_) {
        const auto wait = tat - burst_ - now;
        // Rounded up: a client retrying at the advertised second must get in.
        auto secs = std::chrono::ceil<std::chrono::seconds>(wait);
        return std::max(secs, std::chrono::seconds(1));
    }
    it->second = tat + interval_;
    return std::nullopt;
}

void rate_limiter::prune(clock::time_point now) {
    // A full scan, at most once a second: a flood of new keys must not make
    // every request pay for one.
    if (last_prune_ && now - *last_prune_ < std::chrono::seconds(1)) return;
    last_prune_ = now;
    std::erase_if(due_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace ussdgw::app
