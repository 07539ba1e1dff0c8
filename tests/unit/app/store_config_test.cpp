// [store] busy_timeout: how long a write waits for another process's lock
// before the waiting actions are answered "try later".

#include <doctest/doctest.h>

#include "ussdgw/app/config.hpp"

using namespace ussdgw::app;
using namespace std::chrono_literals;

TEST_CASE("store busy_timeout takes a duration from 10ms to 1m - 5s by default") {
    CHECK(config{}.busy_timeout == 5s);
    auto c = parse_config("[store]\nbusy_timeout = 300ms\n", "t.conf");
    REQUIRE(c);
    CHECK(c->busy_timeout == 300ms);
    auto bare = parse_config("[store]\nbusy_timeout = 2\n", "t.conf");
    REQUIRE(bare);
    CHECK(bare->busy_timeout == 2s);
    for (const char* bad : {"5ms", "2m", "soon", ""}) {
        auto r = parse_config(std::string("[store]\nbusy_timeout = ") + bad + "\n", "t.conf");
        INFO(bad);
        REQUIRE(!r);
        CHECK(r.error().front().find("t.conf:2") != std::string::npos);
    }
}
