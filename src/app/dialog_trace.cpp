#include "ussdgw/app/dialog_trace.hpp"

#include <ctime>

namespace ussdgw::app {

void dialog_trace::expire() {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(numbers_, [&](const auto& kv) { return now - kv.second.began >= lasts_; });
}

bool dialog_trace::start(const std::string& msisdn) {
    expire();
    if (!numbers_.contains(msisdn) && numbers_.size() >= max_numbers_) return false;
    auto& n = numbers_[msisdn];
    n.began = std::chrono::steady_clock::now();
    return true;
}

void dialog_trace::stop(const std::string& msisdn) {
    numbers_.erase(msisdn);
}

bool dialog_trace::traced(const std::string& msisdn) const {
    return !numbers_.empty() && numbers_.contains(msisdn);
}

void dialog_trace::note(const std::string& msisdn, std::string kind, std::string text) {
    const auto it = numbers_.find(msisdn);
    if (it == numbers_.end()) return;
    auto& n = it->second;
    if (std::chrono::steady_clock::now() - n.began >= lasts_) {
        numbers_.erase(it);
        return;
    }
    n.events.push_back({n.next++, static_cast<std::int64_t>(std::time(nullptr)), std::move(kind),
                        std::move(text)});
    while (n.events.size() > max_events_) n.events.pop_front();
}

std::pair<std::vector<trace_event>, bool> dialog_trace::since(const std::string& msisdn,
                                                              std::uint64_t after) {
    expire();
    const auto it = numbers_.find(msisdn);
    if (it == numbers_.end()) return {{}, false};
    std::vector<trace_event> out;
    for (const auto& e : it->second.events)
        if (e.id > after) out.push_back(e);
    return {std::move(out), true};
}

}  // namespace ussdgw::app
