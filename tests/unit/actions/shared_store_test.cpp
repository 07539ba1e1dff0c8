// Several gateways on one PostgreSQL store: two runners (as two daemons
// would have) on the same database. Money moved in both directions at once
// stays whole, an outbox row is handed to one of them only, and the schema
// is migrated once when both start together. Needs the throwaway server
// (pg_server); skipped, saying why, where it cannot run.

#include <doctest/doctest.h>

#include <future>
#include <thread>
#include <vector>

#include "fixture.hpp"
#include "pg_server.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

// A database with the demo data on the test process's server, or "" (and
// a message) when there is none.
std::string shared_demo_store() {
    auto* server = pg_server::shared();
    if (!server->available()) {
        MESSAGE("skipped: " << server->why_unavailable());
        return {};
    }
    auto uri = server->create_database();
    make_demo_db(uri);
    return uri;
}

std::unique_ptr<actions::store_runner> gateway(const std::string& uri) {
    actions::runner_options o;
    o.db_path = uri;
    o.cfg = test_rules();
    o.clock = [] { return t0; };
    return std::make_unique<actions::store_runner>(std::move(o));
}

actions::request transfer(const std::string& from, const std::string& to) {
    actions::request r;
    r.msisdn = from;
    r.action = "transfer";
    r.arguments = {{"to", to}, {"amount", "1"}};
    return r;
}

std::int64_t scalar(const std::string& uri, const std::string& sql) {
    store::connection c(uri);
    auto st = c.prepare(sql);
    auto cur = st.query();
    return cur.next() ? cur.int64(0) : -1;
}

actions::outbox_due due(actions::store_runner& r) {
    std::promise<actions::outbox_due> p;
    auto f = p.get_future();
    r.due(100, {}, [&p](actions::outbox_due d) { p.set_value(std::move(d)); });
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    return f.get();
}

void settle(actions::store_runner& r, std::vector<std::pair<std::int64_t, std::string>> sent,
            std::vector<std::int64_t> failed) {
    std::promise<void> p;
    auto f = p.get_future();
    r.settle(std::move(sent), std::move(failed), [&p] { p.set_value(); });
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
}

}  // namespace

TEST_CASE("two gateways moving money both ways between the same numbers keep every kopeck") {
    const auto uri = shared_demo_store();
    if (uri.empty()) return;
    auto a = gateway(uri);
    auto b = gateway(uri);
    const auto before = scalar(uri, "SELECT sum(balance) FROM subscribers");
    const auto en1_before =
        scalar(uri, "SELECT balance FROM subscribers WHERE msisdn='" + en1 + "'");

    // 150 transfers of 1 RUB each way, all in flight at once on both.
    constexpr int n = 150;
    std::vector<std::future<actions::outcome>> results;
    std::vector<std::shared_ptr<std::promise<actions::outcome>>> promises;
    for (int i = 0; i < n; ++i) {
        for (auto* g : {a.get(), b.get()}) {
            const bool forward = g == a.get();
            auto p = std::make_shared<std::promise<actions::outcome>>();
            results.push_back(p->get_future());
            g->run(forward ? transfer(en1, ru2) : transfer(ru2, en1),
                   [p](actions::outcome o) { p->set_value(std::move(o)); });
            promises.push_back(std::move(p));
        }
    }
    int forward_ok = 0, backward_ok = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        REQUIRE(results[i].wait_for(std::chrono::seconds(60)) == std::future_status::ready);
        const auto o = results[i].get();
        CHECK_MESSAGE(o.ok, "transfer " << i << " refused: " << o.error);
        if (o.ok) ++(i % 2 == 0 ? forward_ok : backward_ok);
    }
    a->drain();
    b->drain();
    MESSAGE("conflicts run again: " << a->stats().conflict_retries << " + "
                                    << b->stats().conflict_retries);

    CHECK(scalar(uri, "SELECT sum(balance) FROM subscribers") == before);
    CHECK(scalar(uri, "SELECT balance FROM subscribers WHERE msisdn='" + en1 + "'") ==
          en1_before - 100 * forward_ok + 100 * backward_ok);
    // Each transfer wrote both its payments and both archive rows, once.
    CHECK(scalar(uri, "SELECT count(*) FROM payments WHERE kind='transfer_out'") ==
          forward_ok + backward_ok);
    CHECK(scalar(uri, "SELECT count(*) FROM payments WHERE kind='transfer_in'") ==
          forward_ok + backward_ok);
    CHECK(scalar(uri, "SELECT count(*) FROM archive WHERE action='transfer'") ==
          forward_ok + backward_ok);
    CHECK(scalar(uri, "SELECT count(*) FROM archive WHERE action='transfer_in'") ==
          forward_ok + backward_ok);
    CHECK(scalar(uri, "SELECT -sum(amount) FROM archive WHERE action='transfer'") ==
          100 * (forward_ok + backward_ok));
}

TEST_CASE("an outbox row goes to one gateway - another gets it once the first gives it back") {
    const auto uri = shared_demo_store();
    if (uri.empty()) return;
    auto a = gateway(uri);
    auto b = gateway(uri);
    std::promise<actions::outcome> p;
    auto f = p.get_future();
    a->run(transfer(en1, ru2), [&p](actions::outcome o) { p.set_value(std::move(o)); });
    REQUIRE(f.get().ok);

    const auto first = due(*a);
    REQUIRE(first.items.size() == 1);  // the recipient's SMS
    CHECK(first.items[0].sms.to == ru2);
    // b does not get a row a is sending; a sees its own again (its sender
    // skips what it has in flight).
    CHECK(due(*b).items.empty());
    CHECK(due(*a).items.size() == 1);
    // The SMSC refused it on a: the row is free, and b may send it.
    settle(*a, {}, {first.items[0].id});
    const auto retry = due(*b);
    REQUIRE(retry.items.size() == 1);
    CHECK(retry.items[0].id == first.items[0].id);
    CHECK(retry.items[0].attempts == 1);
    settle(*b, {{retry.items[0].id, "m1"}}, {});
    CHECK(due(*a).items.empty());
    CHECK(due(*b).items.empty());
    CHECK(scalar(uri, "SELECT count(*) FROM outbox WHERE state='sent' AND message_id='m1'") == 1);
}

TEST_CASE("gateways starting together on an empty PostgreSQL store migrate it once") {
    auto* server = pg_server::shared();
    if (!server->available()) {
        MESSAGE("skipped: " << server->why_unavailable());
        return;
    }
    const auto uri = server->create_database();
    std::vector<std::thread> starters;
    std::vector<std::string> errors(4);
    for (std::size_t i = 0; i < errors.size(); ++i)
        starters.emplace_back([&, i] {
            try {
                store::connection c(uri);
                auto m = store::migrate(c);
                if (!m) errors[i] = m.error();
            } catch (const std::exception& ex) {
                errors[i] = ex.what();
            }
        });
    for (auto& t : starters) t.join();
    for (const auto& e : errors) CHECK_MESSAGE(e.empty(), e);
    CHECK(scalar(uri, "SELECT count(*) FROM schema_version") == 1);
    CHECK(scalar(uri, "SELECT version FROM schema_version") == store::latest_schema_version());

    // A store a newer binary wrote is refused, naming both versions.
    store::connection c(uri);
    c.exec("UPDATE schema_version SET version = 99");
    auto m = store::migrate(c);
    REQUIRE_FALSE(m);
    CHECK(m.error().find("schema version 99") != std::string::npos);
    CHECK(m.error().find("newer than this binary") != std::string::npos);
}

TEST_CASE("a gateway whose PostgreSQL session is cut reconnects - one batch hears try later") {
    const auto uri = shared_demo_store();
    if (uri.empty()) return;
    auto a = gateway(uri);
    auto run = [&](const actions::request& r) {
        std::promise<actions::outcome> p;
        auto f = p.get_future();
        a->run(r, [&p](actions::outcome o) { p.set_value(std::move(o)); });
        REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
        return f.get();
    };
    REQUIRE(run(transfer(en1, ru2)).ok);
    {
        // What a server restart or a dropped network does to the gateway's sessions.
        store::connection admin(uri);
        admin.exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid()");
    }
    const auto cut = run(transfer(en1, ru2));
    CHECK_FALSE(cut.ok);
    CHECK(cut.error == "storage_error");
    // The next batch runs on a new session, and so does every read after.
    const auto again = run(transfer(en1, ru2));
    CHECK_MESSAGE(again.ok, again.error);
    CHECK(scalar(uri, "SELECT count(*) FROM payments WHERE kind='transfer_out'") == 2);
}

TEST_CASE("on PostgreSQL a read never runs on the calling thread - the event loop never waits") {
    const auto uri = shared_demo_store();
    if (uri.empty()) return;
    auto a = gateway(uri);
    actions::request r;
    r.msisdn = en1;
    r.action = "balance";
    std::promise<std::pair<actions::outcome, std::thread::id>> p;
    auto f = p.get_future();
    a->run(r, [&p](actions::outcome o) {
        p.set_value({std::move(o), std::this_thread::get_id()});
    });
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    const auto [o, thread] = f.get();
    CHECK(o.ok);
    CHECK(o.vars.at("balance") == "250.00");
    CHECK(thread != std::this_thread::get_id());
    CHECK(a->stats().inline_reads == 0);
}
