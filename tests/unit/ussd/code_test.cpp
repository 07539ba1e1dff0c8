#include <doctest/doctest.h>

#include "ussdgw/ussd/code.hpp"

using ussdgw::ussd::code;
using ussdgw::ussd::code_error;
using ussdgw::ussd::parse;

namespace {
code ok(std::string_view s) {
    auto r = parse(s);
    REQUIRE_MESSAGE(r.has_value(), s);
    return *r;
}
code_error bad(std::string_view s) {
    auto r = parse(s);
    REQUIRE_MESSAGE(!r.has_value(), s);
    return r.error();
}
}  // namespace

// The catalogue's codes (declared in menus/: README and docs/menus.md).
TEST_CASE("code: the service codes of the catalogue") {
    CHECK(ok("*111#") == code{"*111", {}});
    CHECK(ok("*111*25#") == code{"*111", {"25"}});
    CHECK(ok("*111*828*1#") == code{"*111", {"828", "1"}});
    CHECK(ok("*111*6*2#") == code{"*111", {"6", "2"}});
    CHECK(ok("*152*2#") == code{"*152", {"2"}});
    CHECK(ok("**04*1234*5678*5678#") == code{"**04", {"1234", "5678", "5678"}});
    CHECK(ok("**05*12345678*1234*1234#") == code{"**05", {"12345678", "1234", "1234"}});
    CHECK(ok("#100#") == code{"#100", {}});
    CHECK(ok("*#06#") == code{"*#06", {}});
    CHECK(ok("##002#") == code{"##002", {}});
    CHECK(ok("*111*+79161234567*100#") == code{"*111", {"+79161234567", "100"}});
}

TEST_CASE("code: normalized spelling") {
    CHECK(ok("*111#").normalized() == "*111#");
    CHECK(ok(" * 111 * 25 # ").normalized() == "*111*25#");
    CHECK(ok("**04*1*2*3").normalized() == "**04*1*2*3#");
}

TEST_CASE("code: blanks and stray keys are tolerated") {
    CHECK(ok(" *111# ") == code{"*111", {}});
    CHECK(ok("*111*25#\r\n") == code{"*111", {"25"}});
    CHECK(ok("*1 11*2\t5#") == code{"*111", {"25"}});
    CHECK(ok("\xC2\xA0*111#") == code{"*111", {}});  // NBSP
    CHECK(ok("*111") == code{"*111", {}});           // SMSC stripped the '#'
    CHECK(ok("*111*25") == code{"*111", {"25"}});
    CHECK(ok("*111*#") == code{"*111", {}});  // stray '*' before '#'
    CHECK(ok("*111*25*") == code{"*111", {"25"}});
    CHECK(ok("*111##") == code{"*111", {}});
    CHECK(ok(std::string("*111#\0", 6)) == code{"*111", {}});
}

TEST_CASE("code: malformed strings are errors with a message") {
    using k = code_error::kind;
    CHECK(bad("").what == k::empty);
    CHECK(bad("   ").what == k::empty);
    CHECK(bad("hello").what == k::not_a_code);
    CHECK(bad("hello").message == "does not start with '*' or '#'");
    CHECK(bad("111").what == k::not_a_code);
    CHECK(bad("*#").what == k::not_a_code);
    CHECK(bad("*").message == "no service code after '*'");
    CHECK(bad("***111#").message == "too many '*' or '#' at the start");
    CHECK(bad("*111*2a5#").what == k::bad_character);
    CHECK(bad("*111*2a5#").message == "unexpected character 'a' at 7");
    CHECK(bad("*111*x#").message == "unexpected character 'x' at 6");
    CHECK(bad("*abc#").message == "unexpected character 'a' at 2");
    CHECK(bad("*111*\xD0\x91#").message == "unexpected character byte 0xd0 at 6");
    CHECK(bad("*111**25#").what == k::empty_segment);
    CHECK(bad("*111**25#").message == "empty part at 6");
    CHECK(bad("*111#25").what == k::trailing_text);
    CHECK(bad("*111*+#").message == "'+' without digits at 6");
    CHECK(bad(std::string(300, '1')).what == k::too_long);
    CHECK(bad("*" + std::string(200, '1') + "#").what == k::too_long);
}
