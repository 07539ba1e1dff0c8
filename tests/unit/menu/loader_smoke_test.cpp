#include <doctest/doctest.h>

#include "fake_catalog.hpp"
#include "ussdgw/menu/loader.hpp"

TEST_CASE("loader: the engine test tree loads") {
    ussdgw::test::fake_catalog cat;
    auto r = ussdgw::menu::load_dir(USSDGW_SOURCE_DIR "/tests/data/menus/engine", cat);
    if (!r)
        for (const auto& p : r.error()) MESSAGE(p.to_string());
    CHECK(r.has_value());
}
