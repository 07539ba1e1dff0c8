// menu::funnel: counts per node and event over all time, the last hour and
// the last day, bounded in keys.

#include <doctest/doctest.h>

#include "ussdgw/menu/funnel.hpp"

using namespace ussdgw::menu;
using namespace std::chrono_literals;

namespace {

// A start well past the clock's epoch, on a minute and hour boundary.
const funnel::clock::time_point t0{std::chrono::hours(1000)};

const funnel_row* find(const std::vector<funnel_row>& rows, const std::string& node, node_event e,
                       const std::string& item = "") {
    for (const auto& r : rows)
        if (r.node == node && r.event == e && r.item == item) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("funnel: counts by node - event and item - in order") {
    funnel f;
    f.count("main", node_event::reached, "", t0);
    f.count("main", node_event::chose, "2", t0);
    f.count("main", node_event::chose, "1", t0);
    f.count("main", node_event::chose, "1", t0);
    f.count("balance", node_event::released, "", t0);
    const auto rows = f.rows(t0);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].node == "balance");  // by node, then event, then item
    CHECK(rows[1].event == node_event::reached);
    CHECK(rows[2].item == "1");
    CHECK(rows[2].total == 2);
    CHECK(rows[3].item == "2");
    CHECK(std::string(to_string(node_event::timeout)) == "timeout");
}

TEST_CASE("funnel: the last hour and the last day slide - the total stays") {
    funnel f;
    f.count("main", node_event::reached, "", t0);             // 00:00
    f.count("main", node_event::reached, "", t0 + 30min);     // 00:30
    f.count("main", node_event::reached, "", t0 + 5h);        // 05:00
    f.count("main", node_event::reached, "", t0 + 5h + 59s);  // 05:00:59
    auto at = [&](funnel::clock::time_point now) {
        return *find(f.rows(now), "main", node_event::reached);
    };
    auto r = at(t0 + 5h + 1min);
    CHECK(r.total == 4);
    CHECK(r.hour == 2);
    CHECK(r.day == 4);
    r = at(t0 + 6h);  // 05:00 left the last hour, not the day
    CHECK(r.hour == 0);
    CHECK(r.day == 4);
    r = at(t0 + 24h + 10min);  // the first hour of counts left the day
    CHECK(r.day == 2);
    CHECK(r.total == 4);
    r = at(t0 + 48h);
    CHECK(r.day == 0);
    // A slot reused a day later starts from zero, not from the old count.
    f.count("main", node_event::reached, "", t0 + 48h);
    r = at(t0 + 48h);
    CHECK(r.hour == 1);
    CHECK(r.day == 1);
    CHECK(r.total == 5);
}

TEST_CASE("funnel: beyond its bound it counts only what it already holds") {
    funnel f(2);
    f.count("a", node_event::reached, "", t0);
    f.count("b", node_event::reached, "", t0);
    f.count("c", node_event::reached, "", t0);
    f.count("a", node_event::reached, "", t0);
    const auto rows = f.rows(t0);
    CHECK(rows.size() == 2);
    CHECK(find(rows, "a", node_event::reached)->total == 2);
    CHECK(find(rows, "c", node_event::reached) == nullptr);
    CHECK(f.dropped() == 1);
}
