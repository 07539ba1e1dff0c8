// app/rate_limiter: N requests per key per minute as a bucket: a burst of N,
// then one every 60/N seconds; Retry-After rounded up; keys independent;
// memory bounded.

#include <doctest/doctest.h>

#include "ussdgw/app/rate_limiter.hpp"

using namespace ussdgw::app;
using namespace std::chrono_literals;

TEST_CASE("rate limiter: a burst of N then one every 60/N seconds") {
    rate_limiter r(5);
    const auto t0 = rate_limiter::clock::time_point{} + 1000h;
    for (int i = 0; i < 5; ++i) CHECK_FALSE(r.take("79160000001", t0));
    auto wait = r.take("79160000001", t0);
    REQUIRE(wait);
    CHECK(*wait == 12s);
    // Refused requests are not counted: the wait shrinks with time only.
    CHECK(r.take("79160000001", t0 + 5s) == std::optional(7s));
    CHECK(r.take("79160000001", t0 + 11500ms) == std::optional(1s));  // rounded up
    CHECK_FALSE(r.take("79160000001", t0 + 12s));
    CHECK(r.take("79160000001", t0 + 12s));
    // After a quiet minute the whole burst is back.
    for (int i = 0; i < 5; ++i) CHECK_FALSE(r.take("79160000001", t0 + 120s));
    CHECK(r.take("79160000001", t0 + 120s));
}

TEST_CASE("rate limiter: keys are limited independently") {
    rate_limiter r(1);
    const auto t0 = rate_limiter::clock::time_point{} + 1000h;
    CHECK_FALSE(r.take("a", t0));
    CHECK(r.take("a", t0) == std::optional(60s));
    CHECK_FALSE(r.take("b", t0));
    CHECK(r.keys() == 2);
}

TEST_CASE("rate limiter: 0 per minute means no limit") {
    rate_limiter r(0);
    const auto t0 = rate_limiter::clock::time_point{} + 1000h;
    for (int i = 0; i < 1000; ++i) CHECK_FALSE(r.take("127.0.0.1", t0));
    CHECK(r.keys() == 0);
}

TEST_CASE("rate limiter: idle keys are forgotten and a flood of new keys is refused") {
    rate_limiter r(60, 3);
    const auto t0 = rate_limiter::clock::time_point{} + 1000h;
    CHECK_FALSE(r.take("a", t0));
    CHECK_FALSE(r.take("b", t0));
    CHECK_FALSE(r.take("c", t0));
    // All three are still limited (within their second): a fourth key waits.
    CHECK(r.take("d", t0 + 100ms) == std::optional(60s));
    CHECK(r.keys() == 3);
    // Known keys still work meanwhile.
    CHECK_FALSE(r.take("a", t0 + 100ms));
    // Once "b" and "c" are idle again they make room.
    CHECK_FALSE(r.take("d", t0 + 1500ms));
    CHECK(r.keys() <= 3);
}
