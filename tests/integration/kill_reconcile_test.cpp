// SIGKILL of the daemon in the middle of a burst of transfers, twenty times,
// at a different point each time. The real daemon runs on a store made by
// ussdgw-admin; the simulator plays the SMSC in its phone mode and lives
// through every kill, so it sees every screen and SMS of every daemon. Six
// handsets pass money to each other in closed loop (one transfer in flight
// per handset), each transfer of the whole test with an amount of its own,
// so a screen, an archive row and a notice SMS each name their transfer.
// After every kill the store is checked with SQL: money neither made nor
// lost, no transfer half-applied or applied twice, every "sent" screen
// backed by a durable transfer, every transfer with its notice in the
// outbox. At the end the daemon runs once more and every notice must have
// left the outbox and reached the SMSC. The handsets' loop and the checks
// are transfer_ring.hpp's (shared_store_test.cpp runs them on PostgreSQL).

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "transfer_ring.hpp"

using namespace ussdgw::test;
using namespace ussdgw::test::transfers;

namespace {

constexpr int rounds = 20;
#if defined(__SANITIZE_ADDRESS__)
// An ASan daemon is several times slower; twenty kills matter more than volume.
constexpr int per_round = 20;
#else
constexpr int per_round = 30;
#endif

/// The store as the daemon left it, read with SQL. Read-only: the test looks,
/// it never rolls a WAL forward or checkpoints in the daemon's place.
class store_view : public sql_view {
  public:
    /// Opens `path` read-only; throws when it cannot.
    explicit store_view(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            std::string why = sqlite3_errmsg(db_);
            sqlite3_close(db_);
            throw std::runtime_error("cannot open " + path + ": " + why);
        }
        sqlite3_busy_timeout(db_, static_cast<int>(patience.count()));
    }
    ~store_view() override { sqlite3_close(db_); }
    store_view(const store_view&) = delete;
    store_view& operator=(const store_view&) = delete;

    std::vector<std::vector<std::string>> rows(const std::string& sql) override {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("bad query: ") + sqlite3_errmsg(db_) + ": " + sql);
        std::vector<std::vector<std::string>> out;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            auto& row = out.emplace_back();
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                auto* text = sqlite3_column_text(st, c);
                row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
            }
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            throw std::runtime_error(std::string("query failed: ") + sqlite3_errmsg(db_));
        return out;
    }

  private:
    sqlite3* db_ = nullptr;
};

std::string config(const temp_dir& dir) {
    auto path = dir.file("kill.conf");
    // The handsets dial far faster than people (no per-subscriber limit) and
    // each gets far more than ten notices an hour (every one must go out),
    // the outbox is looked at often (the final drain), and the last SIGTERM
    // needs no drain wait: the SMSC stays.
    std::ofstream(path) << "[rules]\nnotices_per_hour = 0\n"
                           "[ussd]\nrate_per_subscriber = 0\n"
                           "[outbox]\npoll = 200ms\n"
                           "[smsc]\ndrain_timeout = 100ms\n";
    return path;
}

}  // namespace

TEST_CASE(
    "SIGKILL mid-burst of transfers 20 times: balances and archive reconcile and no "
    "screen without its transfer and no notice SMS lost") {
    temp_dir dir;
    auto db = demo_store(dir);
    {
        child_process add({binary_path("ussdgw-admin"), "--db", db, "subscriber", "add", number(0),
                           "--count", std::to_string(handsets), "--balance", "100000"});
        REQUIRE_MESSAGE(add.wait_exit(patience) == 0, add.output());
    }
    std::map<std::string, long long> opening;
    {
        store_view v(db);
        for (auto& r : v.rows("SELECT msisdn, balance FROM subscribers WHERE msisdn IN " + ours()))
            opening[r[0]] = std::stoll(r[1]);
    }
    REQUIRE(opening.size() == handsets);

    const auto conf = config(dir);
    auto sim = start_sim({});
    ring peer(sim);
    auto start = [&] {
        auto d = start_daemon(sim.port, {"--db", db, "--config", conf, "--log-level", "info"});
        const int binds = peer.binds();
        auto up = peer.pump([&] { return peer.binds() > binds; }, patience, d.get());
        INFO("daemon output:\n" << d->output());
        REQUIRE(up);
        return d;
    };

    int kills_mid_commit = 0;  // kills that left a committed transfer unanswered
    std::size_t committed_before = 0, acked_before = 0;
    // Transfers whose notice row was pending at a kill: the only notices the
    // SMSC may get twice (accepted, then the daemon died before the row was
    // marked sent).
    std::set<long long> pending_at_kill;
    for (int round = 0; round < rounds; ++round) {
        CAPTURE(round);
        auto daemon = start();
        // A different point each round, from "before any screen" to "all but the last".
        const int k = (round * 7) % per_round;
        peer.start_round(per_round);
        auto reached =
            peer.pump([&] { return peer.acked_in_round() >= k; }, patience, daemon.get());
        INFO("daemon output:\n" << daemon->output());
        INFO("odd SMSC lines: " << peer.odd().size());
        REQUIRE_MESSAGE(reached, "only ", peer.acked_in_round(), " of ", k, " screens came");
        // Every dial written is on the wire (or refused) before the kill, so
        // none can reach the next daemon behind the test's back.
        peer.stop_dialling();
        REQUIRE(peer.fence(patience, daemon.get()));
        daemon->signal(SIGKILL);
        REQUIRE(daemon->wait_exit(patience) == 128 + SIGKILL);
        // The SMSC notices the closed link after every screen the daemon wrote before it died.
        const int gone = peer.disconnects();
        REQUIRE(peer.pump([&] { return peer.disconnects() > gone; }, patience, nullptr));
        peer.forget_in_flight();

        store_view v(db);
        check_reconciles(v, opening, peer);
        for (const auto& [rub, state] : notice_rows(v))
            if (state == "pending") pending_at_kill.insert(rub);
        const auto now_committed = committed(v).size();
        if (now_committed - committed_before > peer.acked().size() - acked_before)
            ++kills_mid_commit;
        committed_before = now_committed;
        acked_before = peer.acked().size();
    }

    // Once more, to the end: every notice the store committed must leave the
    // outbox and reach the SMSC, pending ones from the last kill included.
    auto daemon = start();
    std::map<long long, transfer> durable;
    {
        store_view v(db);
        durable = committed(v);
    }
    auto all_arrived = [&] { return every_notice_arrived(peer, durable); };
    CHECK(peer.pump(all_arrived, patience, daemon.get()));
    // The row is marked sent one store commit after the SMSC accepted it.
    auto none_pending = [&] {
        store_view v(db);
        return v.scalar("SELECT count(*) FROM outbox WHERE state != 'sent' AND recipient IN " +
                        ours()) == 0;
    };
    CHECK(peer.pump(none_pending, patience, daemon.get()));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
    INFO("daemon output:\n" << daemon->output());

    store_view v(db);
    check_reconciles(v, opening, peer);
    CHECK(committed(v).size() == durable.size());
    std::size_t missing = 0, duplicates = 0, unexplained = 0;
    for (const auto& [rub, t] : durable) {
        auto it = peer.notices().find(rub);
        if (it == peer.notices().end()) {
            ++missing;
            MESSAGE("the notice of transfer ", rub, " to ", number(t.to),
                    " never reached the SMSC");
        } else if (it->second > 1) {
            duplicates += static_cast<std::size_t>(it->second - 1);
            // Sent twice is allowed only where the daemon died between the
            // SMSC's acceptance and the row's commit as sent.
            if (!pending_at_kill.contains(rub)) {
                ++unexplained;
                MESSAGE("the notice of transfer ", rub, " came ", it->second,
                        " times though its row was never pending at a kill");
            }
        }
    }
    CHECK(missing == 0);
    CHECK(unexplained == 0);
    // A notice for a transfer the store does not hold would be an SMS for money never moved.
    for (const auto& [rub, n] : peer.notices()) CHECK_MESSAGE(durable.contains(rub), rub);
    for (const auto& line : peer.odd()) MESSAGE(line);
    CHECK(peer.odd().empty());
    MESSAGE(rounds, " kills: ", peer.dialled(), " transfers dialled, ", durable.size(),
            " committed, ", peer.acked().size(), " answered 'sent'; ", kills_mid_commit,
            " kills left committed transfers unanswered; ", pending_at_kill.size(),
            " notice(s) pending at a kill, ", duplicates, " sent twice (the documented window)");
    sim.proc->write("/quit\n");
    sim.proc->wait_exit(patience);
}
