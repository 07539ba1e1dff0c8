#include <doctest/doctest.h>

#include <string>

#include "ussdgw/ussd/dialogs.hpp"

using namespace ussdgw::ussd;
using namespace std::chrono_literals;

namespace {
const dialog_clock::time_point t0{};
struct state {
    std::string screen;
};
}  // namespace

TEST_CASE("dialogs: open - find - close") {
    dialog_table<state> t(10, 60s);
    auto o = t.open({"79160000001", 7}, t0);
    REQUIRE(o.state);
    CHECK_FALSE(o.replaced);
    o.state->screen = "main";
    CHECK(t.size() == 1);
    auto* s = t.find({"79160000001", 7}, t0 + 10s);
    REQUIRE(s);
    CHECK(s->screen == "main");
    CHECK(t.find({"79160000001", 8}, t0) == nullptr);
    CHECK(t.close({"79160000001", 7}));
    CHECK_FALSE(t.close({"79160000001", 7}));
    CHECK(t.size() == 0);
    CHECK_FALSE(t.next_deadline());
}

TEST_CASE("dialogs: the guard deadline is re-armed on every message") {
    dialog_table<state> t(10, 60s);
    t.open({"1", 1}, t0);
    CHECK(*t.next_deadline() == t0 + 60s);
    REQUIRE(t.find({"1", 1}, t0 + 50s));
    CHECK(*t.next_deadline() == t0 + 110s);
    CHECK(t.expire(t0 + 100s).empty());
    auto gone = t.expire(t0 + 110s);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0] == dialog_key{"1", 1});
    CHECK(t.size() == 0);
}

TEST_CASE("dialogs: expire drops only dialogs past their deadline - earliest first") {
    dialog_table<state> t(10, 30s);
    t.open({"1", 1}, t0);
    t.open({"2", 2}, t0 + 5s);
    t.open({"3", 3}, t0 + 10s);
    auto gone = t.expire(t0 + 36s);
    REQUIRE(gone.size() == 2);
    CHECK(gone[0].msisdn == "1");
    CHECK(gone[1].msisdn == "2");
    CHECK(*t.next_deadline() == t0 + 40s);
    CHECK(t.peek({"3", 3}));
}

TEST_CASE("dialogs: a dialog found after its deadline is gone") {
    dialog_table<state> t(10, 30s);
    t.open({"1", 1}, t0);
    CHECK(t.find({"1", 1}, t0 + 30s) == nullptr);
    CHECK(t.size() == 0);
}

TEST_CASE("dialogs: a second begin from the same msisdn starts afresh") {
    dialog_table<state> t(10, 60s);
    t.open({"1", 1}, t0).state->screen = "old";
    auto o = t.open({"1", 2}, t0 + 1s);
    REQUIRE(o.state);
    CHECK(o.state->screen.empty());
    REQUIRE(o.replaced);
    CHECK(*o.replaced == dialog_key{"1", 1});
    CHECK(t.size() == 1);
    CHECK(t.peek({"1", 1}) == nullptr);
    // The same key again also starts afresh.
    t.peek({"1", 2})->screen = "x";
    auto again = t.open({"1", 2}, t0 + 2s);
    CHECK(again.state->screen.empty());
    CHECK(t.size() == 1);
    CHECK(*t.next_deadline() == t0 + 62s);
}

TEST_CASE("dialogs: the table is bounded") {
    dialog_table<state> t(2, 60s);
    CHECK(t.open({"1", 1}, t0).state);
    CHECK(t.open({"2", 1}, t0).state);
    auto busy = t.open({"3", 1}, t0);
    CHECK(busy.state == nullptr);
    CHECK(t.size() == 2);
    // A subscriber already in a dialog may restart even when full.
    CHECK(t.open({"2", 9}, t0).state);
    CHECK(t.size() == 2);
    t.close({"1", 1});
    CHECK(t.open({"3", 1}, t0).state);
}

TEST_CASE("dialogs: many dialogs keep consistent indexes") {
    dialog_table<state> t(1000, 1000s);
    auto key = [](int i) { return dialog_key{std::to_string(i), static_cast<std::uint32_t>(i)}; };
    for (int i = 0; i < 500; ++i) REQUIRE(t.open(key(i), t0 + std::chrono::seconds(i)).state);
    for (int i = 0; i < 500; i += 2) REQUIRE(t.find(key(i), t0 + 500s));
    auto gone = t.expire(t0 + 1499s);
    CHECK(gone.size() == 250);  // the odd ones: deadline i + 1000 <= 1499
    CHECK(t.size() == 250);
    CHECK(*t.next_deadline() == t0 + 1500s);
    for (int i = 0; i < 500; i += 2) CHECK(t.close(key(i)));
    CHECK(t.size() == 0);
    CHECK_FALSE(t.next_deadline());
}
