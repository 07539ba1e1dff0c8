// app/reload: which keys a running daemon takes, and what a reload reports
// as changed (bind passwords never shown).

#include <doctest/doctest.h>

#include <algorithm>

#include "ussdgw/app/reload.hpp"

using namespace ussdgw::app;

namespace {

config parsed(const std::string& text) {
    auto c = parse_config(text, "t.conf");
    REQUIRE(c);
    return std::move(c).value();
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE(
    "reload: rules - dialog limits - menus and log are taken - binds - store and listener are "
    "sealed") {
    for (const char* key : {"rules.transfer_max", "ussd.dialog_timeout", "menus.dir", "log.level",
                            "log.format", "outbox.max_age"})
        CHECK_MESSAGE(reloadable(key), key);
    for (const char* key : {"smsc.host", "smsc.password", "smsc b.port", "store.path",
                            "http.listen", "outbox.poll", "profile mine.sms_concat"})
        CHECK_MESSAGE(!reloadable(key), key);
}

TEST_CASE("reload: the diff names each change - hides bind passwords - sorts sealed from applied") {
    auto was = parsed(
        "[smsc]\npassword = old\n[rules]\npassword_max_sms = 8\n"
        "[smsc b]\npassword = x\n[store]\nhash_queue = 10\n");
    auto now = parsed(
        "[smsc]\npassword = new\n[rules]\npassword_max_sms = 10\ntransfer_max = 100\n"
        "[smsc b]\npassword = y\n");
    auto d = diff(was, now);
    CHECK(has(d.applied, "rules.password_max_sms: 8 -> 10"));
    CHECK(has(d.applied, "rules.transfer_max: (default) -> 100"));
    CHECK(has(d.sealed, "smsc.password: (changed)"));
    CHECK(has(d.sealed, "smsc b.password: (changed)"));
    CHECK(has(d.sealed, "store.hash_queue: 10 -> (default)"));
    CHECK(d.applied.size() == 2);
    CHECK(d.sealed.size() == 3);
    for (const auto& line : d.sealed) {
        CHECK(line.find("old") == std::string::npos);
        CHECK(line.find("new") == std::string::npos);
    }
    CHECK(diff(was, was).applied.empty());
    CHECK(diff(was, was).sealed.empty());
}
