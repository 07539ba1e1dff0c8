// SIM codes: PIN change and PUK unblock with their attempt limits.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

actions::args pin(const std::string& old, const std::string& a, const std::string& b) {
    return {{"old", old}, {"new", a}, {"new2", b}};
}

actions::args puk(const std::string& p, const std::string& a, const std::string& b) {
    return {{"puk", p}, {"new", a}, {"new2", b}};
}

}  // namespace

TEST_CASE("pin_change: 4..8 digits - both new must match - old must be right") {
    fixture f;
    auto bad = f.call(en1, "pin_change", pin("1234", "123", "123"));
    CHECK(bad.error == "bad_pin");
    CHECK(bad.vars["reason"] == "The new PIN must have 4 to 8 digits.");
    CHECK(f.call(en1, "pin_change", pin("1234", "123456789", "123456789")).error == "bad_pin");
    CHECK(f.call(en1, "pin_change", pin("1234", "12a4", "12a4")).error == "bad_pin");
    CHECK(f.call(en1, "pin_change", pin("1234", "4321", "4322")).error == "pin_mismatch");
    // Format errors cost no attempt.
    CHECK(f.scalar("SELECT pin_failed FROM sim WHERE msisdn='79160000001'") == 0);
    auto wrong = f.call(en1, "pin_change", pin("0000", "4321", "4321"));
    CHECK(wrong.error == "wrong_pin");
    CHECK(wrong.vars["reason"] == "Wrong PIN. Attempts left: 2.");
    CHECK(f.call(en1, "pin_change", pin("1234", "87654321", "87654321")).ok);
    CHECK(f.call(en1, "pin_change", pin("87654321", "4321", "4321")).ok);
    CHECK(f.call(en1, "pin_change", pin("1234", "5555", "5555")).error == "wrong_pin");
    CHECK(f.scalar("SELECT pin_failed FROM sim WHERE msisdn='79160000001'") == 1);
}

TEST_CASE("3 wrong PINs require the PUK - the PUK sets a new PIN") {
    fixture f;
    CHECK(f.call(ru2, "pin_change", pin("0000", "4321", "4321")).error == "wrong_pin");
    CHECK(f.call(ru2, "pin_change", pin("0000", "4321", "4321")).error == "wrong_pin");
    auto third = f.call(ru2, "pin_change", pin("0000", "4321", "4321"));
    CHECK(third.error == "pin_blocked");
    CHECK(third.vars["reason"].find("**05*") != std::string::npos);
    // Even the right PIN is refused now.
    CHECK(f.call(ru2, "pin_change", pin("1234", "4321", "4321")).error == "pin_blocked");
    CHECK(f.call(ru2, "puk_unblock", puk("12345678", "99", "99")).error == "bad_pin");
    CHECK(f.call(ru2, "puk_unblock", puk("12345678", "9999", "9998")).error == "pin_mismatch");
    auto wp = f.call(ru2, "puk_unblock", puk("00000000", "9999", "9999"));
    CHECK(wp.error == "wrong_puk");
    CHECK(wp.vars["reason"] == "Неверный PUK-код. Осталось попыток: 9.");
    CHECK(f.call(ru2, "puk_unblock", puk("12345678", "9999", "9999")).ok);
    CHECK(f.call(ru2, "pin_change", pin("9999", "1111", "1111")).ok);
    CHECK(f.scalar(
              "SELECT puk_failed + pin_failed + pin_blocked FROM sim WHERE msisdn='79160000002'") ==
          0);
}

TEST_CASE("10 wrong PUKs block the SIM for good") {
    fixture f;
    for (int i = 1; i <= 9; ++i) {
        auto o = f.call(en5, "puk_unblock", puk("00000000", "9999", "9999"));
        CHECK(o.error == "wrong_puk");
        CHECK(o.vars["attempts_left"] == std::to_string(10 - i));
    }
    auto tenth = f.call(en5, "puk_unblock", puk("00000000", "9999", "9999"));
    CHECK(tenth.error == "sim_blocked");
    CHECK(tenth.vars["reason"].find("new SIM") != std::string::npos);
    CHECK(f.call(en5, "puk_unblock", puk("12345678", "9999", "9999")).error == "sim_blocked");
    CHECK(f.call(en5, "pin_change", pin("1234", "9999", "9999")).error == "sim_blocked");
    // The number is kept.
    CHECK(f.call(en5, "balance").ok);
}
