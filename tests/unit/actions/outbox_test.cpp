// The outbox: an action's SMS are rows written in its own transaction, in
// the recipient's alphabet, sealed under the server key; the sender reads
// them through due() and records them with settle(); old ones expire.

#include <doctest/doctest.h>

#include <future>

#include "fixture.hpp"
#include "ussdgw/util/charset.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

actions::outbox_due due(fixture& f, std::vector<std::int64_t> busy = {}, std::size_t limit = 100) {
    std::promise<actions::outbox_due> p;
    auto fut = p.get_future();
    f.runner->due(limit, std::move(busy),
                  [&p](actions::outbox_due d) { p.set_value(std::move(d)); });
    REQUIRE(fut.wait_for(30s) == std::future_status::ready);
    return fut.get();
}

void settle(fixture& f, std::vector<std::pair<std::int64_t, std::string>> sent,
            std::vector<std::int64_t> failed) {
    std::promise<void> p;
    auto fut = p.get_future();
    f.runner->settle(std::move(sent), std::move(failed), [&p] { p.set_value(); });
    REQUIRE(fut.wait_for(30s) == std::future_status::ready);
}

}  // namespace

TEST_CASE("outbox: an action's SMS are rows committed with it - a refusal writes none") {
    fixture f;
    REQUIRE(f.call(en1, "transfer", {{"to", ru2}, {"amount", "10"}}).ok);
    auto d = due(f);
    REQUIRE(d.items.size() == 1);
    CHECK(d.items[0].sms.to == ru2);
    CHECK(d.items[0].sms.from == "111");
    CHECK(d.items[0].sms.text.find("10,00 руб.") != std::string::npos);
    CHECK(d.pending == 1);
    CHECK(f.call(en5, "transfer", {{"to", ru2}, {"amount", "10"}}).error == "insufficient_funds");
    CHECK(due(f).items.size() == 1);
}

TEST_CASE(
    "outbox: sent rows leave - failed ones stay with their attempts - busy ones are skipped") {
    fixture f;
    REQUIRE(f.call(en1, "app_link").ok);
    REQUIRE(f.call(ru2, "app_link").ok);
    auto d = due(f);
    REQUIRE(d.items.size() == 2);
    const auto first = d.items[0].id, second = d.items[1].id;
    CHECK(due(f, {first}).items.size() == 1);
    CHECK(due(f, {first}).items[0].id == second);
    settle(f, {{first, "42"}}, {second});
    d = due(f);
    REQUIRE(d.items.size() == 1);
    CHECK(d.items[0].id == second);
    CHECK(d.items[0].attempts == 1);
    // A sent row keeps who and when, never the text.
    CHECK(f.scalar("SELECT count(*) FROM outbox WHERE state = 'sent' AND body = '' AND "
                   "message_id = '42'") == 1);
}

TEST_CASE("outbox: a row never accepted is given up after its age - and counted") {
    fixture f;
    f.cfg.outbox_max_age_seconds = 3600;
    f.start();
    REQUIRE(f.call(en1, "app_link").ok);
    f.advance(3599);
    CHECK(due(f).items.size() == 1);
    f.advance(1);
    auto d = due(f);
    CHECK(d.items.empty());
    CHECK(d.expired == 1);
    CHECK(d.pending == 0);
    CHECK(f.scalar("SELECT count(*) FROM outbox WHERE state = 'expired' AND body = ''") == 1);
    // The daily job forgets finished rows after a week.
    f.advance(8 * 86400);
    CHECK(f.daily().outbox_purged == 1);
}

TEST_CASE("outbox: with a server key the text is sealed in the store and opened for sending") {
    fixture f;
    f.key_path = f.dir.file("test.key");
    f.start();
    auto issued = f.call(en1, "password_issue");
    REQUIRE(issued.ok);
    REQUIRE(issued.sms.size() == 1);
    const std::string password = issued.sms[0].text.substr(issued.sms[0].text.find(": ") + 2, 8);
    CHECK(f.scalar("SELECT count(*) FROM outbox WHERE sealed = 1 AND body NOT LIKE '%" + password +
                   "%'") == 1);
    auto d = due(f);
    REQUIRE(d.items.size() == 1);
    CHECK(d.items[0].sms.text == issued.sms[0].text);
}

TEST_CASE("outbox: every SMS is written in the alphabet its recipient chose") {
    fixture f;
    REQUIRE(f.call(ru2, "alphabet_set", {{"alphabet", "latin"}}).ok);
    // A notice to the Latin subscriber, sent by someone else's action.
    REQUIRE(f.call(en1, "transfer", {{"to", ru2}, {"amount", "10"}}).ok);
    // And one of their own.
    REQUIRE(f.call(ru2, "app_link").ok);
    auto d = due(f);
    REQUIRE(d.items.size() == 2);
    for (const auto& item : d.items) {
        CAPTURE(item.sms.text);
        CHECK(item.sms.to == ru2);
        CHECK(ussdgw::util::utf8_to_gsm7(item.sms.text).has_value());  // no Cyrillic left
    }
    CHECK(d.items[0].sms.text.find("Vam postupilo") != std::string::npos);
}
