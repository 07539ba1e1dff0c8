// The store runner: deduplication, group commit, ordering, hashing off the
// writer thread, and secrets kept out of the archive, the files and the logs.

#include <doctest/doctest.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include "fixture.hpp"
#include "ussdgw/actions/engine.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

actions::request transfer(const std::string& from, const std::string& to, const std::string& rub,
                          const std::string& key = "") {
    actions::request r;
    r.msisdn = from;
    r.action = "transfer";
    r.arguments = {{"to", to}, {"amount", rub}};
    r.dedup_key = key;
    return r;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("outcomes survive the dedup encoding") {
    actions::outcome o;
    o.ok = false;
    o.error = "x";
    o.language = "ru";
    o.vars = {{"a", "1:2"}, {"reason", "Текст\nс переводом"}, {"", ""}};
    o.sms = {{"111", "7916", "hi:there"}};
    auto back = actions::decode_outcome(actions::encode_outcome(o));
    REQUIRE(back);
    CHECK(back->ok == o.ok);
    CHECK(back->error == o.error);
    CHECK(back->language == o.language);
    CHECK(back->vars == o.vars);
    CHECK(back->sms == o.sms);
    CHECK_FALSE(actions::decode_outcome("5:abc"));
    CHECK_FALSE(actions::decode_outcome(actions::encode_outcome(o) + "x"));
}

TEST_CASE("a duplicate deliver_sm is not charged twice") {
    fixture f;
    auto first = f.run(transfer(en1, ru2, "10", "smsc:79160000001:42"));
    REQUIRE(first.ok);
    auto again = f.run(transfer(en1, ru2, "10", "smsc:79160000001:42"));
    CHECK(again.ok);
    CHECK(again.vars == first.vars);
    CHECK(f.balance(en1) == 24000);
    CHECK(f.balance(ru2) == 101000);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='transfer'") == 1);
    // A different key is a different request.
    CHECK(f.run(transfer(en1, ru2, "10", "smsc:79160000001:43")).ok);
    CHECK(f.balance(en1) == 23000);
}

TEST_CASE("two copies queued together are applied once") {
    fixture f;
    std::promise<actions::outcome> p1, p2;
    f.runner->run(transfer(en1, ru2, "5", "k1"), [&](actions::outcome o) { p1.set_value(o); });
    f.runner->run(transfer(en1, ru2, "5", "k1"), [&](actions::outcome o) { p2.set_value(o); });
    auto f1 = p1.get_future(), f2 = p2.get_future();
    REQUIRE(f1.wait_for(30s) == std::future_status::ready);
    REQUIRE(f2.wait_for(30s) == std::future_status::ready);
    CHECK(f1.get().vars == f2.get().vars);
    CHECK(f.balance(en1) == 24500);
}

TEST_CASE("a refusal is not remembered - a replay says so - and keys expire after the window") {
    fixture f;
    // Refused: nothing changed, so the same request after a top-up runs.
    CHECK(f.run(transfer(ru4, en1, "60", "k")).error == "insufficient_funds");
    f.call(ru4, "topup", {{"amount", "100"}}, actions::channel::admin);
    auto done = f.run(transfer(ru4, en1, "60", "k"));
    CHECK(done.ok);
    CHECK_FALSE(done.replayed);
    // Applied: the same key again is a replay, marked as one, with no SMS.
    auto again = f.run(transfer(ru4, en1, "60", "k"));
    CHECK(again.ok);
    CHECK(again.replayed);
    CHECK(again.sms.empty());
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='transfer' AND result='ok'") == 1);
    // A window of its own: a short one expires before the rules' default.
    auto shortlived = transfer(ru4, en1, "1", "short");
    shortlived.dedup_window_seconds = 60;
    CHECK(f.run(shortlived).ok);
    f.advance(61);
    CHECK_FALSE(f.run(shortlived).replayed);
    f.advance(f.cfg.dedup_window_seconds + 1);
    CHECK_FALSE(f.run(transfer(ru4, en1, "60", "k")).replayed);
    f.advance(f.cfg.dedup_window_seconds + 1);
    f.daily();
    CHECK(f.scalar("SELECT count(*) FROM dedup") == 0);
}

TEST_CASE("dedup keys are deleted within a minute of their window - not only by the daily job") {
    fixture f;
    auto keyed = [](const std::string& key) {
        auto r = transfer(en1, ru2, "1", key);
        r.dedup_window_seconds = 60;  // what the front doors ask for
        return r;
    };
    for (int i = 0; i < 50; ++i) REQUIRE(f.run(keyed("burst" + std::to_string(i))).ok);
    CHECK(f.scalar("SELECT count(*) FROM dedup") == 50);
    // Still within the window: a later keyed request deletes nothing.
    f.advance(30);
    REQUIRE(f.run(keyed("late")).ok);
    CHECK(f.scalar("SELECT count(*) FROM dedup") == 51);
    // A minute after the first expiry check: the 50 are past their window and
    // go; "late" (30 s younger) and the new row stay.
    f.advance(40);
    REQUIRE(f.run(keyed("next")).ok);
    CHECK(f.scalar("SELECT count(*) FROM dedup") == 2);
    CHECK(f.runner->stats().dedup_expired == 50);
    // The replay proof still holds within the window.
    CHECK(f.run(keyed("late")).replayed);
}

TEST_CASE("a replayed password_set does not keep the one-time password") {
    fixture f;
    actions::request r;
    r.msisdn = en1;
    r.action = "password_set";
    r.arguments = {{"password", "Hello123"}};
    r.dedup_key = "pw1";
    auto first = f.run(r);
    REQUIRE(first.ok);
    CHECK_FALSE(first.vars["otp"].empty());
    auto again = f.run(r);
    CHECK(again.ok);
    CHECK(again.vars.count("otp") == 0);
    CHECK(again.vars.count("message") == 0);
}

TEST_CASE("many actions share few commits and none is lost"
          // Group commit is SQLite's: on PostgreSQL each write is a transaction of its own.
          * doctest::test_suite("sqlite_only")) {
    fixture f;
    const int per_thread = 100;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto from = t % 2 ? ru2 : en1;
                auto to = t % 2 ? en1 : ru2;
                f.runner->run(transfer(from, to, "1"), [&](actions::outcome o) {
                    if (o.ok) ++ok;
                });
            }
        });
    }
    for (auto& th : threads) th.join();
    f.runner->drain();
    CHECK(ok == 4 * per_thread);
    auto st = f.runner->stats();
    CHECK(st.commits < 4 * per_thread);
    MESSAGE(st.actions, " actions in ", st.commits, " commits");
    CHECK(st.failed_commits == 0);
    CHECK(f.balance(en1) + f.balance(ru2) == 125000);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='transfer'") == 4 * per_thread);
}

TEST_CASE("a read queued after a write of the same subscriber sees the write") {
    fixture f;
    std::promise<actions::outcome> pw, pr;
    f.runner->run(transfer(en1, ru2, "50"), [&](actions::outcome o) { pw.set_value(o); });
    actions::request b;
    b.msisdn = en1;
    b.action = "balance";
    f.runner->run(b, [&](actions::outcome o) { pr.set_value(o); });
    auto fr = pr.get_future();
    REQUIRE(fr.wait_for(30s) == std::future_status::ready);
    CHECK(fr.get().vars["balance"] == "200.00");
    REQUIRE(pw.get_future().wait_for(30s) == std::future_status::ready);
}

TEST_CASE(
    "a read from the first calling thread is answered before run returns - its archive row "
    "follows"
    // Inline reads are SQLite's (on PostgreSQL every read takes the queue).
    * doctest::test_suite("sqlite_only")) {
    fixture f;
    actions::request b;
    b.msisdn = en1;
    b.action = "balance";
    std::optional<actions::outcome> got;
    std::thread::id answered_on;
    f.runner->run(b, [&](actions::outcome o) {
        got = std::move(o);
        answered_on = std::this_thread::get_id();
    });
    // No waiting at all: the event loop's reads never leave its thread.
    REQUIRE(got.has_value());
    CHECK(got->vars["balance"] == "250.00");
    CHECK(answered_on == std::this_thread::get_id());
    CHECK(f.runner->stats().inline_reads == 1);
    // The read is archived like any other, by the writer within its flush delay.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::int64_t rows = 0;
    while ((rows = f.scalar("SELECT count(*) FROM archive WHERE action='balance'")) == 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    CHECK(rows == 1);
}

TEST_CASE(
    "inline reads come from memory between writes - and see every write by the runner or "
    "another process at once"
    // SQLite's data_version tells the cache of commits; PostgreSQL reads through.
    * doctest::test_suite("sqlite_only")) {
    fixture f;
    auto balance = [&] { return f.call(en1, "balance").vars["balance"]; };
    CHECK(balance() == "250.00");
    const auto misses = f.runner->stats().read_cache_misses;
    CHECK(balance() == "250.00");
    CHECK(balance() == "250.00");
    // Neither the subscriber nor the tariff was read from the file again.
    CHECK(f.runner->stats().read_cache_misses == misses);
    CHECK(f.runner->stats().read_cache_hits >= 4);

    // ussdgw-admin (another connection) tops up: the next read has it.
    f.exec("UPDATE subscribers SET balance = balance + 1000 WHERE msisdn = '" + en1 + "'");
    CHECK(balance() == "260.00");
    // The runner's own writer: a transfer out, then a read on the event loop.
    REQUIRE(f.run(transfer(en1, ru2, "60")).ok);
    CHECK(balance() == "200.00");
    CHECK(f.runner->stats().inline_reads >= 5);
}

TEST_CASE("with the read cache off every inline read goes to the file"
          // Inline reads are SQLite's (on PostgreSQL every read takes the queue).
          * doctest::test_suite("sqlite_only")) {
    fixture f;
    f.start([](actions::runner_options& o) { o.read_cache_rows = 0; });
    CHECK(f.call(en1, "balance").vars["balance"] == "250.00");
    f.exec("UPDATE subscribers SET balance = balance + 1000 WHERE msisdn = '" + en1 + "'");
    CHECK(f.call(en1, "balance").vars["balance"] == "260.00");
    CHECK(f.runner->stats().inline_reads == 2);
    CHECK(f.runner->stats().read_cache_hits == 0);
    CHECK(f.runner->stats().read_cache_misses == 0);
}

TEST_CASE("reads from any other thread go through the writer's queue"
          // Inline reads are SQLite's (on PostgreSQL every read takes the queue).
          * doctest::test_suite("sqlite_only")) {
    fixture f;
    auto ask = [&](const std::string& who) {
        actions::request b;
        b.msisdn = who;
        b.action = "balance";
        std::promise<std::thread::id> p;
        f.runner->run(b, [&](actions::outcome) { p.set_value(std::this_thread::get_id()); });
        auto fut = p.get_future();
        REQUIRE(fut.wait_for(30s) == std::future_status::ready);
        return fut.get();
    };
    CHECK(ask(en1) == std::this_thread::get_id());  // this thread is the first
    std::thread::id other, answered;
    std::thread([&] {
        other = std::this_thread::get_id();
        answered = ask(ru2);
    }).join();
    CHECK(answered != other);
    f.runner->drain();  // counted once its batch is done, just after the answer
    CHECK(f.runner->stats().inline_reads == 1);
    CHECK(f.runner->stats().actions == 2);
}

TEST_CASE("while a subscriber's write is queued their reads take the queue - others stay inline"
          // Inline reads are SQLite's (on PostgreSQL every read takes the queue).
          * doctest::test_suite("sqlite_only")) {
    fixture f;
    std::promise<void> gate;
    auto gate_f = gate.get_future().share();
    f.start([gate_f](actions::runner_options& o) {
        o.on_hash_task = [gate_f] { gate_f.wait_for(30s); };
    });
    std::promise<actions::outcome> pset, pmine;
    actions::request s;
    s.msisdn = en1;
    s.action = "password_set";
    s.arguments = {{"password", "Hello123"}};
    f.runner->run(s, [&](actions::outcome x) { pset.set_value(x); });
    std::optional<actions::outcome> other;
    actions::request b;
    b.msisdn = ru2;
    b.action = "balance";
    f.runner->run(b, [&](actions::outcome x) { other = x; });
    CHECK(other.has_value());  // another subscriber: inline, at once
    CHECK(f.runner->stats().inline_reads == 1);
    b.msisdn = en1;
    f.runner->run(b, [&](actions::outcome x) { pmine.set_value(x); });
    auto mine = pmine.get_future();
    REQUIRE(mine.wait_for(30s) == std::future_status::ready);
    CHECK(mine.get().ok);
    CHECK(f.runner->stats().inline_reads == 1);  // en1's went through the writer
    gate.set_value();
    REQUIRE(pset.get_future().wait_for(30s) == std::future_status::ready);
    f.runner->drain();
    // Once the write committed, the subscriber's reads are inline again.
    f.call(en1, "balance");
    CHECK(f.runner->stats().inline_reads == 2);
}

TEST_CASE("a balance queued after a password_set does not wait for the hash") {
    fixture f;
    std::promise<void> gate;
    auto gate_f = gate.get_future().share();
    f.start([gate_f](actions::runner_options& o) {
        o.on_hash_task = [gate_f] { gate_f.wait_for(30s); };
    });

    std::promise<actions::outcome> pset, pbal;
    actions::request s;
    s.msisdn = en1;
    s.action = "password_set";
    s.arguments = {{"password", "Hello123"}};
    f.runner->run(s, [&](actions::outcome x) { pset.set_value(x); });
    actions::request b;
    b.msisdn = ru2;
    b.action = "balance";
    f.runner->run(b, [&](actions::outcome x) { pbal.set_value(x); });
    auto fb = pbal.get_future();
    auto fs = pset.get_future();
    REQUIRE(fb.wait_for(10s) == std::future_status::ready);
    CHECK(fb.get().ok);
    CHECK(fs.wait_for(0s) != std::future_status::ready);  // still hashing
    gate.set_value();
    REQUIRE(fs.wait_for(30s) == std::future_status::ready);
    CHECK(fs.get().ok);
}

TEST_CASE("nothing secret reaches the archive - the database files or the logs") {
    fixture f;
    // As the daemon runs it: with a server key (SMS waiting in the outbox are sealed).
    f.key_path = f.dir.file("test.key");
    f.start();
    auto log_path = f.dir.file("ussdgw.log");
    auto logger = spdlog::basic_logger_mt("secrets-test", log_path);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::trace);

    const std::vector<std::string> secrets = {"Zq7#Secret", "Xy9#Nope1", "86429753", "31415926",
                                              "Ty6%Other"};
    f.call(en1, "password_set", {{"password", "Zq7#Secret"}});
    auto otp = f.call(en1, "password_set", {{"password", "Ty6%Other"}}).vars["otp"];
    f.call(en1, "password_check", {{"password", "Xy9#Nope1"}});
    f.call(en1, "password_check", {{"password", otp}});
    f.call(en1, "pin_change", {{"old", "1234"}, {"new", "86429753"}, {"new2", "86429753"}});
    f.call(ru2, "puk_unblock", {{"puk", "31415926"}, {"new", "86429753"}, {"new2", "86429753"}});
    auto issued = f.call(ru4, "password_issue").sms.at(0).text;
    auto archive_pw = f.call(ru2, "sms_archive_on").vars["archive_password"];
    f.call("79990000000", "password_check", {{"password", "Xy9#Nope1"}});
    f.call(en1, "no_such_action", {{"password", "Xy9#Nope1"}});
    f.runner.reset();  // flush everything
    logger->flush();
    spdlog::set_default_logger(previous);
    spdlog::drop("secrets-test");

    auto all = secrets;
    all.push_back(otp);
    all.push_back(archive_pw);
    all.push_back(issued.substr(issued.find(": ") + 2, 8));
    std::string files = slurp(f.path) + slurp(f.path + "-wal") + slurp(log_path);
    REQUIRE(slurp(log_path).find("password_check") != std::string::npos);  // the log was written
    for (const auto& s : all) {
        CAPTURE(s);
        REQUIRE(s.size() >= 8);
        CHECK(files.find(s) == std::string::npos);
    }
    f.start();
    CHECK(f.scalar("SELECT count(*) FROM outbox WHERE sealed = 1") == 3);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE arguments LIKE '%password=***%'") == 6);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE arguments = 'new=***; new2=***; old=***'") ==
          1);
}

TEST_CASE("a database newer than the binary is refused") {
    temp_dir d;
    {
        store::connection c(d.file("new.db"));
        c.exec("PRAGMA user_version = 99");
    }
    actions::runner_options o;
    o.db_path = d.file("new.db");
    o.cfg = test_rules();
    CHECK_THROWS_WITH_AS(actions::store_runner{o}, doctest::Contains("newer than this binary"),
                         std::runtime_error);
}

TEST_CASE("without migrate the runner refuses a file that is not initialised") {
    temp_dir d;
    actions::runner_options o;
    o.db_path = d.file("empty.db");
    o.cfg = test_rules();
    o.migrate = false;
    CHECK_THROWS_WITH_AS(actions::store_runner{o}, doctest::Contains("ussdgw-admin init"),
                         std::runtime_error);
}

TEST_CASE("Argon2id work: bounded per number and overall - served round robin - busy beyond") {
    fixture f;
    std::promise<void> gate;
    auto gate_f = gate.get_future().share();
    f.start([gate_f](actions::runner_options& o) {
        o.hash_threads = 1;
        o.hash_queue = 4;
        o.hash_queue_per_number = 2;
        o.on_hash_task = [gate_f] { gate_f.wait_for(30s); };
    });

    std::mutex mu;
    std::vector<std::string> order;
    std::vector<actions::outcome> shed;
    std::atomic<int> answered{0};
    auto issue = [&](const std::string& msisdn, const std::string& tag) {
        actions::request r;
        r.msisdn = msisdn;
        r.action = "password_issue";
        f.runner->run(r, [&, tag](actions::outcome out) {
            std::lock_guard lk(mu);
            if (out.error == "busy")
                shed.push_back(out);
            else
                order.push_back(tag);
            ++answered;
        });
    };
    // The hashing thread takes A1 and holds it at the gate.
    issue(en1, "A1");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (f.runner->stats().hash_done < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    REQUIRE(f.runner->stats().hash_done == 1);
    issue(en1, "A2");
    issue(en1, "A3");
    issue(en1, "A4");  // a third waiting for one number: busy at once
    issue(ru2, "B1");
    issue(en3, "C1");
    issue(ru4, "D1");  // five waiting in all: busy at once
    {
        std::lock_guard lk(mu);
        REQUIRE(shed.size() == 2);
        CHECK(shed[0].vars["reason"] == "Too many requests at once. Please try again in a minute.");
        CHECK(order.empty());
    }
    CHECK(f.runner->stats().hash_waiting == 4);
    CHECK(f.runner->stats().hash_shed == 2);
    gate.set_value();
    f.runner->drain();
    std::lock_guard lk(mu);
    // The flooding number gets one turn, then waits behind every other number.
    CHECK(order == std::vector<std::string>{"A1", "A2", "B1", "C1", "A3"});
    auto st = f.runner->stats();
    CHECK(st.hash_done == 5);
    CHECK(st.hash_waiting == 0);
    CHECK(st.hash_wait_max_us > 0);
}

TEST_CASE("an unknown number costs no Argon2id work") {
    // Declared before the fixture: the runner uses it until it is destroyed.
    std::atomic<int> prepared{0};
    actions::registry counting = actions::builtin_registry();
    fixture f;
    auto e = *actions::builtin_registry().lookup("password_set");
    auto inner = e.prepare;
    e.prepare = [&prepared, inner](actions::prepare_context& p) {
        ++prepared;
        inner(p);
    };
    counting.add(e);
    f.start([&counting](actions::runner_options& o) { o.actions = &counting; });
    auto unknown = f.call("79990000001", "password_set", {{"password", "Hello123"}});
    CHECK(unknown.error == "unknown_subscriber");
    CHECK(prepared == 0);
    CHECK(f.call(en1, "password_set", {{"password", "Hello123"}}).ok);
    CHECK(prepared == 1);
}
