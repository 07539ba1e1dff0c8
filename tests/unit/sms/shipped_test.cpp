// The shipped menus/ directory, both doors, against the real action registry.

#include <doctest/doctest.h>

#include "process.hpp"
#include "ussdgw/actions/registry.hpp"
#include "ussdgw/sms/front_doors.hpp"

#include <fstream>

using namespace ussdgw;

TEST_CASE("front doors: the shipped menus/ load against the real registry") {
    auto r = sms::load_front_doors(USSDGW_SOURCE_DIR "/menus", actions::builtin_registry());
    if (!r)
        for (const auto& p : r.error()) MESSAGE(p.to_string());
    REQUIRE(r.has_value());
    CHECK(r->menus->root != menu::no_node);
    for (const char* number : {"111", "3339", "8111", "232", "1234"})
        CHECK_MESSAGE(r->commands->by_number.contains(number), number);
}

TEST_CASE("front doors: problems of both doors come together") {
    test::temp_dir dir;
    std::ofstream(dir.file("main.yaml")) << "languages: [en, ru]\nroot: main\n";
    std::ofstream(dir.file("sms.yaml")) << "languages: [en, ru]\n";
    auto r = sms::load_front_doors(dir.path(), actions::builtin_registry());
    REQUIRE_FALSE(r.has_value());
    std::string all;
    for (const auto& p : r.error()) all += p.to_string() + "\n";
    const std::string& d = dir.path();
    CHECK(all == d + ": no file declares 'strings'\n" +                  //
                     d + "/main.yaml:2: root 'main' is not a node\n" +   //
                     d + "/sms.yaml:1: missing 'numbers'\n" +            //
                     d + "/sms.yaml:1: strings: missing 'failed'\n" +    //
                     d + "/sms.yaml:1: strings: missing 'help'\n" +      //
                     d + "/sms.yaml:1: strings: missing 'refused'\n" +   //
                     d + "/sms.yaml:1: strings: missing 'repeated'\n" +  //
                     d + "/sms.yaml:1: strings: missing 'unknown_number'\n");
}
