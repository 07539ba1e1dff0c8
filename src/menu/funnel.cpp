#include "ussdgw/menu/funnel.hpp"

namespace ussdgw::menu {

namespace {

std::int64_t minute_of(funnel::clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}

std::int64_t hour_of(funnel::clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count();
}

// Adds one to the slot of period `at`, reusing the slot of an older period.
template <std::size_t N, class Slot>
void bump(std::array<Slot, N>& ring, std::int64_t at) {
    auto& s = ring[static_cast<std::size_t>(at % static_cast<std::int64_t>(N))];
    if (s.at != at) {
        s.at = at;
        s.n = 0;
    }
    ++s.n;
}

// The counts of the last N periods up to and including `now`.
template <std::size_t N, class Slot>
std::uint64_t sum_since(const std::array<Slot, N>& ring, std::int64_t now) {
    std::uint64_t n = 0;
    for (const auto& s : ring)
        if (s.at > now - static_cast<std::int64_t>(N) && s.at <= now) n += s.n;
    return n;
}

}  // namespace

const char* to_string(node_event e) {
    switch (e) {
        case node_event::reached:
            return "reached";
        case node_event::chose:
            return "chose";
        case node_event::invalid:
            return "invalid";
        case node_event::timeout:
            return "timeout";
        case node_event::released:
            return "released";
    }
    return "unknown";
}

void funnel::count(std::string_view node, node_event event, std::string_view item,
                   clock::time_point now) {
    auto it = counters_.find(key_view(node, event, item));
    if (it == counters_.end()) {
        if (counters_.size() >= max_keys_) {
            ++dropped_;
            return;
        }
        it = counters_.emplace(key{std::string(node), event, std::string(item)}, counter{}).first;
    }
    counter& c = it->second;
    ++c.total;
    bump(c.minutes, minute_of(now));
    bump(c.hours, hour_of(now));
}

std::vector<funnel_row> funnel::rows(clock::time_point now) const {
    std::vector<funnel_row> out;
    out.reserve(counters_.size());
    const auto minute = minute_of(now);
    const auto hour = hour_of(now);
    for (const auto& [k, c] : counters_)
        out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), c.total,
                       sum_since(c.minutes, minute), sum_since(c.hours, hour)});
    return out;
}

}  // namespace ussdgw::menu
