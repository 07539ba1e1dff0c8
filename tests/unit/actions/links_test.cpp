// Number management links: made by the operator only, for an owner with the
// service on, one owner per number; the owner's *111# lists their balances.

#include <doctest/doctest.h>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

TEST_CASE("links: the operator links a number to an owner with number management on") {
    fixture f;
    auto off = f.call(en1, "number_link", {{"other", ru2}}, channel::admin);
    CHECK(off.error == "number_management_off");
    REQUIRE(f.call(en1, "number_management", {{"state", "on"}}).ok);
    // A subscriber cannot link by dialling: the operator checks ownership.
    CHECK(f.call(en1, "number_link", {{"other", ru2}}).error == "not_allowed");
    auto linked = f.call(en1, "number_link", {{"other", "9160000002"}}, channel::admin);
    REQUIRE(linked.ok);
    CHECK(linked.vars["other"] == ru2);
    // The linked number is told, in its own language.
    REQUIRE(linked.sms.size() == 1);
    CHECK(linked.sms[0].to == ru2);
    CHECK(linked.sms[0].text.find("привязан к счёту 79160000001") != std::string::npos);
    CHECK(f.call(en1, "number_link", {{"other", en1}}, channel::admin).error == "same_number");
    CHECK(f.call(en1, "number_link", {{"other", "79990000000"}}, channel::admin).error ==
          "unknown_recipient");
    REQUIRE(f.call(en3, "number_management", {{"state", "on"}}).ok);
    CHECK(f.call(en3, "number_link", {{"other", ru2}}, channel::admin).error == "link_taken");
    CHECK(f.call(en3, "number_unlink", {{"other", ru2}}, channel::admin).error == "not_linked");
}

TEST_CASE("links: the owner's linked balances - and the profile counts them for the menu") {
    fixture f;
    CHECK(f.call(en1, "linked_balances").error == "no_links");
    CHECK(f.call(en1, "profile").vars["linked"] == "0");
    REQUIRE(f.call(en1, "number_management", {{"state", "on"}}).ok);
    REQUIRE(f.call(en1, "number_link", {{"other", ru2}}, channel::admin).ok);
    REQUIRE(f.call(en1, "number_link", {{"other", ru4}}, channel::admin).ok);
    CHECK(f.call(en1, "profile").vars["linked"] == "2");
    auto b = f.call(en1, "linked_balances");
    REQUIRE(b.ok);
    CHECK(b.vars["message"] == "Your numbers:\n79160000002: 1000.00 RUB\n79160000004: 50.00 RUB");
    // Switching the service off hides them; unlinking removes them.
    REQUIRE(f.call(en1, "number_management", {{"state", "off"}}).ok);
    CHECK(f.call(en1, "profile").vars["linked"] == "0");
    CHECK(f.call(en1, "linked_balances").error == "no_links");
    REQUIRE(f.call(en1, "number_management", {{"state", "on"}}).ok);
    REQUIRE(f.call(en1, "number_unlink", {{"other", ru2}}, channel::admin).ok);
    CHECK(f.call(en1, "profile").vars["linked"] == "1");
}
