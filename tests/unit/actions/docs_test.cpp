// docs/actions.md is what the menu and SMS layers read: its table must match
// the registry exactly. On a mismatch this prints the rows to paste.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ussdgw/actions/registry.hpp"

using namespace ussdgw;

namespace {

std::string join(const std::vector<std::string>& v) {
    if (v.empty()) return "-";
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += ", ";
        out += "`" + s + "`";
    }
    return out;
}

std::string expected_table() {
    const auto& r = actions::builtin_registry();
    std::string t =
        "| action | params | optional params | secret params | placeholders provided | error "
        "codes | store |\n|---|---|---|---|---|---|---|\n";
    for (const auto& name : r.names()) {
        const auto* e = r.lookup(name);
        t += "| `" + name + "` | " + join(e->facts.params) + " | " +
             join(e->facts.optional_params) + " | " + join(e->facts.secret_params) + " | " +
             join(e->facts.provides) + " | " + join(e->errors) + " | " +
             (e->read_only ? "read" : "write") + " |\n";
    }
    return t;
}

}  // namespace

TEST_CASE("docs/actions.md lists every action exactly as the registry has it") {
    std::ifstream in(std::string(USSDGW_SOURCE_DIR) + "/docs/actions.md");
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = ss.str();
    auto want = expected_table();
    bool found = doc.find(want) != std::string::npos;
    if (!found) MESSAGE("expected table:\n" << want);
    CHECK(found);
}

TEST_CASE("every action declares its facts consistently") {
    const auto& r = actions::builtin_registry();
    CHECK(r.names().size() == 34);
    for (const auto& name : r.names()) {
        const auto* e = r.lookup(name);
        CAPTURE(name);
        CHECK(e->facts.name == name);
        CHECK(static_cast<bool>(e->run));
        CHECK(r.find(name) == &e->facts);
        // Secret params are params the action takes.
        for (const auto& s : e->facts.secret_params) {
            bool declared = false;
            for (const auto& p : e->facts.params) declared |= p == s;
            for (const auto& p : e->facts.optional_params) declared |= p == s;
            CHECK(declared);
        }
    }
    CHECK(r.find("nope") == nullptr);
}
