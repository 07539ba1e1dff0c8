#pragma once
// Where subscribers give up: per menu node, how many dialogs reached it,
// chose each of its items, were refused an answer there, timed out there or
// hung up there; over all time, the last hour and the last day. Counted in
// memory by the daemon's dialogs (app::self_service_door), exported as
// Prometheus series and as JSON for the operator.
//
// Pure: the caller passes the time in. Bounded: at most `max_keys`
// (node, event, item) counters; events for further keys are only counted as
// dropped (node names come from the operator's files, not from subscribers,
// so the bound is never reached in practice).

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace ussdgw::menu {

/// What happened to a dialog at a node.
enum class node_event {
    reached,   ///< the node's screen was shown (once per visit, not per page)
    chose,     ///< an item of the node's menu was chosen (the item's key says which)
    invalid,   ///< an answer was refused there (not an item, or an input the node rejects)
    timeout,   ///< the dialog timed out with this screen shown
    released,  ///< the subscriber hung up with this screen shown
};

/// "reached", "chose", "invalid", "timeout" or "released".
const char* to_string(node_event e);

/// One counter as seen at a moment.
struct funnel_row {
    std::string node;         ///< the node's id in the menu files
    node_event event{};       ///< what happened
    std::string item;         ///< for `chose`: the item's key ("1"); else empty
    std::uint64_t total = 0;  ///< since the daemon started
    std::uint64_t hour = 0;   ///< in the last 60 minutes
    std::uint64_t day = 0;    ///< in the last 24 hours
};

/// The counters.
class funnel {
  public:
    /// The clock windows are counted on.
    using clock = std::chrono::steady_clock;

    /// Holds at most `max_keys` counters.
    explicit funnel(std::size_t max_keys = 10'000) : max_keys_(max_keys) {}

    /// Counts one event at `node` (`item`: the chosen key, for `chose`).
    void count(std::string_view node, node_event event, std::string_view item,
               clock::time_point now);

    /// Every counter, ordered by node, event and item.
    std::vector<funnel_row> rows(clock::time_point now) const;

    /// Events not counted because the bound was reached.
    std::uint64_t dropped() const noexcept { return dropped_; }

  private:
    // A window slot: which minute (or hour) it holds, and its count.
    struct slot {
        std::int64_t at = -1;
        std::uint64_t n = 0;
    };
    struct counter {
        std::uint64_t total = 0;
        std::array<slot, 60> minutes{};
        std::array<slot, 24> hours{};
    };
    using key = std::tuple<std::string, node_event, std::string>;
    using key_view = std::tuple<std::string_view, node_event, std::string_view>;
    // Compares stored keys and looked-up views alike, so a lookup builds no
    // strings (clang 14 with libstdc++ 12 cannot order the two tuple types
    // through std::less<>).
    struct key_less {
        using is_transparent = void;
        static key_view view(const key& k) {
            return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
        }
        static const key_view& view(const key_view& k) { return k; }
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const {
            return view(a) < view(b);
        }
    };

    std::size_t max_keys_;
    std::map<key, counter, key_less> counters_;
    std::uint64_t dropped_ = 0;
};

}  // namespace ussdgw::menu
