// The runner when the store fails under it: every waiting request is told
// "storage_error", nothing of the batch is kept, the failure is counted by
// kind, and the next write works once the fault clears. The fault here is
// the one a unit test can make for real: another connection holding the
// write lock (the disk faults are in tests/integration/store_faults_test.cpp).

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <functional>
#include <future>
#include <thread>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using namespace std::chrono_literals;
using op = actions::store_faults::op;
using store::fault_kind;

namespace {

// Another process's hold on the store, as a backup or a sqlite3 shell takes it.
class lock_holder {
  public:
    explicit lock_holder(const std::string& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    ~lock_holder() { sqlite3_close(db_); }
    lock_holder(const lock_holder&) = delete;
    lock_holder& operator=(const lock_holder&) = delete;
    void release() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  private:
    sqlite3* db_ = nullptr;
};

// Waits (30 s at most) until `done` holds; false when it never did.
bool wait_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::yield();
    }
    return true;
}

actions::request transfer(const std::string& rub) {
    actions::request r;
    r.msisdn = en1;
    r.action = "transfer";
    r.arguments = {{"to", en3}, {"amount", rub}};
    return r;
}

}  // namespace

TEST_CASE("a locked store: writes answered storage_error and counted - reads served - then resume" *
          doctest::test_suite("sqlite_only")) {
    fixture f;
    f.start([](actions::runner_options& o) {
        o.busy_timeout = 50ms;
        o.archive_flush_delay = 10ms;
    });
    const auto& faults = f.runner->faults();
    // A read first, so this thread's read connection is open before the lock.
    REQUIRE(f.call(en1, "balance").ok);

    lock_holder other(f.path);
    // Two requests in one batch: both told, neither applied.
    std::promise<actions::outcome> p1, p2;
    f.runner->run(transfer("10"), [&](actions::outcome o) { p1.set_value(std::move(o)); });
    f.runner->run(transfer("20"), [&](actions::outcome o) { p2.set_value(std::move(o)); });
    for (auto* p : {&p1, &p2}) {
        auto out = p->get_future();
        REQUIRE(out.wait_for(30s) == std::future_status::ready);
        auto o = out.get();
        CHECK(!o.ok);
        CHECK(o.error == "storage_error");
        CHECK(o.vars["reason"] == "Service is temporarily unavailable. Please try later.");
    }
    CHECK(faults.count(op::write, fault_kind::locked) >= 1);
    CHECK(faults.count(op::write, fault_kind::disk_full) == 0);
    CHECK(faults.writes_failing() == fault_kind::locked);
    CHECK(f.runner->stats().failed_commits >= 1);
    // WAL readers do not need the write lock: the balance is still read.
    const auto failed = f.runner->stats().failed_commits;
    auto read = f.call(en1, "balance");
    CHECK(read.ok);
    CHECK(read.vars["balance"] == "250.00");
    // Its archive row is flushed on its own, and that write fails too.
    REQUIRE(wait_until([&] { return f.runner->stats().failed_commits > failed; }));

    other.release();
    auto done = f.run(transfer("10"));
    CHECK(done.ok);
    CHECK(!faults.writes_failing());
    CHECK(f.balance(en1) == 24000);
    CHECK(f.balance(en3) == 0);
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='transfer'") == 1);
    // The reads' archive rows waited through the failed writes for this one.
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action='balance'") == 2);
}
