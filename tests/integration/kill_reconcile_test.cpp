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
// left the outbox and reached the SMSC.

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

using std::chrono::milliseconds;

constexpr int handsets = 6;
constexpr long long first_number = 79160000041;
constexpr int rounds = 20;
#if defined(__SANITIZE_ADDRESS__)
// An ASan daemon is several times slower; twenty kills matter more than volume.
constexpr int per_round = 20;
#else
constexpr int per_round = 30;
#endif

std::string number(int i) {
    return std::to_string(first_number + i);
}

/// The store as the daemon left it, read with SQL. Read-only: the test looks,
/// it never rolls a WAL forward or checkpoints in the daemon's place.
class store_view {
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
    ~store_view() { sqlite3_close(db_); }
    store_view(const store_view&) = delete;
    store_view& operator=(const store_view&) = delete;

    /// Every row of `sql`, each column as text (NULL as "").
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
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

    /// The one integer `sql` yields.
    long long scalar(const std::string& sql) {
        auto r = rows(sql);
        if (r.size() != 1 || r[0].size() != 1) throw std::runtime_error("not a scalar: " + sql);
        return std::stoll(r[0][0]);
    }

  private:
    sqlite3* db_ = nullptr;
};

// The handsets as an SQL list: every check looks at them only (the demo
// subscribers' own rows are not this test's business).
std::string ours() {
    std::string list;
    for (int i = 0; i < handsets; ++i) list += (i ? ",'" : "'") + number(i) + "'";
    return "(" + list + ")";
}

/// One transfer, keyed by its amount in RUB (unique over the whole test).
struct transfer {
    int from = 0;        ///< handset index of the sender
    int to = 0;          ///< handset index of the recipient
    long long time = 0;  ///< when it committed (unix seconds), from the store
};

/// What the SMSC saw, parsed from the simulator's lines, and the handsets'
/// closed loop: a handset dials its next transfer when its screen arrives.
class ring {
  public:
    /// Drives the handsets through `sim`'s phone prompt.
    explicit ring(sim_process& sim) : sim_(sim) { busy_.fill(-1); }

    /// Reads simulator lines (and drains the daemon's, so its pipe never fills)
    /// until `done` holds; false when `timeout` passes first.
    bool pump(const std::function<bool()>& done, milliseconds timeout, child_process* daemon) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (daemon)
                while (daemon->read_line(milliseconds(0))) {
                }
            auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            // A short slice so the daemon's pipe is drained while the SMSC is quiet.
            if (auto line = sim_.proc->read_line(std::min(left, milliseconds(50)))) on_line(*line);
        }
        return true;
    }

    /// Starts a round: up to `budget` transfers, every handset dialling.
    void start_round(int budget) {
        budget_ = budget;
        acked_in_round_ = 0;
        for (int h = 0; h < handsets; ++h) dial(h);
    }

    /// Ends the round's dialling, then writes a line the simulator echoes and
    /// reads up to its echo: every dial written before it has then been acted
    /// on (its MO sent, or refused).
    bool fence(milliseconds timeout, child_process* daemon) {
        budget_ = 0;
        const int want = ++fences_ + dials_;
        sim_.proc->write("/as " + number(0) + "\n");
        return pump([&] { return echoes_ >= want; }, timeout, daemon);
    }

    /// The daemon died: no screen will come for what was in flight.
    void forget_in_flight() {
        for (auto& b : busy_) b = -1;
        budget_ = 0;
    }

    int binds() const { return binds_; }                    ///< "bind ok" lines seen
    int disconnects() const { return disconnects_; }        ///< "disconnected" lines seen
    int acked_in_round() const { return acked_in_round_; }  ///< "sent" screens this round
    int dialled() const { return next_rub_ - 1; }           ///< transfers dialled in all
    /// Transfers answered "sent", by amount.
    const std::map<long long, transfer>& acked() const { return acked_; }
    /// Every transfer dialled, by amount.
    const std::map<long long, transfer>& all() const { return dialled_; }
    /// Notice SMS the SMSC carried, by the amount they name.
    const std::map<long long, int>& notices() const { return notices_; }
    /// Lines no handset expected (stray screens, refusals, warnings).
    const std::vector<std::string>& odd() const { return odd_; }

  private:
    void dial(int h) {
        if (budget_ <= 0 || busy_[h] >= 0) return;
        --budget_;
        const long long rub = next_rub_++;
        // Every other handset in turn: money flows both ways between every pair.
        const int to = (h + 1 + static_cast<int>(rub % (handsets - 1))) % handsets;
        dialled_[rub] = {h, to};
        busy_[h] = rub;
        ++dials_;
        sim_.proc->write("/as " + number(h) + "\n*111*4*4*" + number(to) + "*" +
                         std::to_string(rub) + "*1#\n");
    }

    int handset_of(const std::string& msisdn) const {
        for (int h = 0; h < handsets; ++h)
            if (number(h) == msisdn) return h;
        return -1;
    }

    void on_line(const std::string& line) {
        static const std::regex screen(R"(MT ussd to=(\d+) op=\S+ (end|continue): (.*))");
        static const std::regex notice(
            R"(MT sms from=111 to=(\d+): You received (\d+)\.00 RUB from (\d+)\.)");
        std::smatch m;
        if (line.starts_with("bind ok")) {
            ++binds_;
        } else if (line.starts_with("handset ")) {
            ++echoes_;
        } else if (line == "disconnected") {
            ++disconnects_;
        } else if (std::regex_match(line, m, screen)) {
            on_screen(m[1], m[2] == "end", m[3]);
        } else if (std::regex_match(line, m, notice)) {
            const long long rub = std::stoll(m[2]);
            auto it = dialled_.find(rub);
            if (it == dialled_.end() || number(it->second.to) != m[1] ||
                number(it->second.from) != m[3])
                odd_.push_back("a notice for no transfer dialled: " + line);
            ++notices_[rub];
        } else if (line.starts_with("MT ") || line.starts_with("warning:")) {
            odd_.push_back(line);
        }
    }

    void on_screen(const std::string& to, bool ends, const std::string& text) {
        static const std::regex sent(R"((\d+)\.00 RUB sent to (\d+)\. Balance: .*)");
        const int h = handset_of(to);
        std::smatch m;
        if (h < 0 || busy_[h] < 0 || !ends) {
            odd_.push_back("a screen nobody waits for: to=" + to + ": " + text);
            return;
        }
        const long long rub = busy_[h];
        busy_[h] = -1;
        const auto& t = dialled_.at(rub);
        if (std::regex_match(text, m, sent) && std::stoll(m[1]) == rub && m[2] == number(t.to)) {
            acked_[rub] = t;
            ++acked_in_round_;
        } else {
            odd_.push_back("transfer " + std::to_string(rub) + " answered: " + text);
        }
        dial(h);
    }

    sim_process& sim_;
    int budget_ = 0;
    int acked_in_round_ = 0;
    int binds_ = 0;
    int disconnects_ = 0;
    int dials_ = 0;   // "/as" lines written by dial()
    int fences_ = 0;  // "/as" lines written by fence()
    int echoes_ = 0;  // "handset" lines read back
    long long next_rub_ = 1;
    std::array<long long, handsets> busy_;  // the amount in flight per handset, or -1
    std::map<long long, transfer> dialled_;
    std::map<long long, transfer> acked_;
    std::map<long long, int> notices_;
    std::vector<std::string> odd_;
};

// The transfers the store holds, by amount in RUB (unique per transfer).
std::map<long long, transfer> committed(store_view& db) {
    std::map<long long, transfer> out;
    for (auto& r :
         db.rows("SELECT -amount / 100, msisdn, substr(arguments, instr(arguments, 'to=') + 3), "
                 "time FROM archive WHERE action = 'transfer' AND result = 'ok' AND msisdn IN " +
                 ours())) {
        transfer t;
        t.from = static_cast<int>(std::stoll(r[1]) - first_number);
        t.to = static_cast<int>(std::stoll(r[2]) - first_number);
        t.time = std::stoll(r[3]);
        out[std::stoll(r[0])] = t;
    }
    return out;
}

// Each transfer's notice row and its state, by the transfer's amount. A
// notice's text is sealed, so rows are paired with transfers by order: the
// transfer_in archive row and the outbox row are written by the same action,
// one after the other, so a recipient's n-th of each belong together. Empty
// when the pairing fails (a count or a moment differs): the caller checks.
std::map<long long, std::string> notice_rows(store_view& db) {
    std::map<long long, std::string> out;
    for (int h = 0; h < handsets; ++h) {
        auto in = db.rows(
            "SELECT amount / 100, time FROM archive WHERE action = 'transfer_in' "
            "AND msisdn = '" +
            number(h) + "' ORDER BY id");
        auto box = db.rows(
            "SELECT state, created FROM outbox WHERE sender = '111' AND "
            "recipient = '" +
            number(h) + "' ORDER BY id");
        if (in.size() != box.size()) return {};
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i][1] != box[i][1]) return {};
            out[std::stoll(in[i][0])] = box[i][0];
        }
    }
    return out;
}

// Everything that must hold in the store at any moment the daemon may die.
// `opening` is each handset's balance before the first daemon ran.
void check_reconciles(store_view& db, const std::map<std::string, long long>& opening,
                      const ring& peer) {
    const auto set = ours();
    long long before = 0, after = 0;
    for (const auto& [msisdn, kopecks] : opening) {
        CAPTURE(msisdn);
        const auto balance =
            db.scalar("SELECT balance FROM subscribers WHERE msisdn = '" + msisdn + "'");
        // Every kopeck that moved is in the archive, and in the payments.
        CHECK(balance == kopecks + db.scalar("SELECT coalesce(sum(amount), 0) FROM archive "
                                             "WHERE msisdn = '" +
                                             msisdn + "'"));
        CHECK(balance == kopecks + db.scalar("SELECT coalesce(sum(amount), 0) FROM payments "
                                             "WHERE msisdn = '" +
                                             msisdn + "'"));
        before += kopecks;
        after += balance;
    }
    CHECK(after == before);
    // Nothing refused or failed: each handset has money enough, so a refusal
    // here (a storage error after a restart) would be the daemon's fault.
    CHECK(db.scalar("SELECT count(*) FROM archive WHERE action = 'transfer' AND result != 'ok' "
                    "AND msisdn IN " +
                    set) == 0);
    // Each amount was dialled once: two rows with one amount is a transfer applied twice.
    CHECK(db.scalar("SELECT count(*) FROM (SELECT amount FROM archive WHERE action = 'transfer' "
                    "AND msisdn IN " +
                    set + " GROUP BY amount HAVING count(*) > 1)") == 0);
    // Both halves of every transfer: the sender's row has the recipient's, at
    // the same moment, for the same amount, naming each other; and back.
    CHECK(db.scalar("SELECT count(*) FROM archive o WHERE o.action = 'transfer' AND o.msisdn IN " +
                    set +
                    " AND NOT EXISTS (SELECT 1 FROM archive i WHERE i.action = 'transfer_in' AND "
                    "i.time = o.time AND i.amount = -o.amount AND i.arguments = 'from=' || "
                    "o.msisdn AND o.arguments LIKE '%to=' || i.msisdn)") == 0);
    CHECK(db.scalar("SELECT count(*) FROM archive i WHERE i.action = 'transfer_in' AND i.msisdn "
                    "IN " +
                    set +
                    " AND NOT EXISTS (SELECT 1 FROM archive o WHERE o.action = 'transfer' AND "
                    "o.time = i.time AND o.amount = -i.amount AND i.arguments = 'from=' || "
                    "o.msisdn AND o.arguments LIKE '%to=' || i.msisdn)") == 0);
    // The same for the payments, and each payment with its archive row.
    CHECK(db.scalar("SELECT count(*) FROM payments o WHERE o.kind = 'transfer_out' AND o.msisdn "
                    "IN " +
                    set +
                    " AND NOT EXISTS (SELECT 1 FROM payments i WHERE i.kind = 'transfer_in' AND "
                    "i.msisdn = o.peer AND i.peer = o.msisdn AND i.amount = -o.amount AND i.time "
                    "= o.time)") == 0);
    CHECK(db.scalar("SELECT count(*) FROM payments i WHERE i.kind = 'transfer_in' AND i.msisdn "
                    "IN " +
                    set +
                    " AND NOT EXISTS (SELECT 1 FROM payments o WHERE o.kind = 'transfer_out' AND "
                    "o.msisdn = i.peer AND o.peer = i.msisdn AND o.amount = -i.amount AND o.time "
                    "= i.time)") == 0);
    const auto transfers =
        db.scalar("SELECT count(*) FROM archive WHERE action = 'transfer' AND msisdn IN " + set);
    CHECK(db.scalar("SELECT count(*) FROM payments WHERE kind = 'transfer_out' AND msisdn IN " +
                    set) == transfers);
    CHECK(db.scalar("SELECT count(*) FROM archive a WHERE a.action = 'transfer' AND a.msisdn IN " +
                    set +
                    " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.kind = 'transfer_out' AND "
                    "p.msisdn = a.msisdn AND p.amount = a.amount AND p.time = a.time)") == 0);
    // The recipient's notice was committed with the transfer: one outbox row
    // per transfer, to its recipient, written at the transfer's moment.
    CHECK(db.scalar("SELECT count(*) FROM outbox WHERE sender = '111' AND recipient IN " + set) ==
          transfers);
    CHECK(notice_rows(db).size() == static_cast<std::size_t>(transfers));
    // No acknowledged-but-lost transfer: every "sent" screen the SMSC carried
    // is a durable transfer from that handset to that recipient.
    const auto durable = committed(db);
    int lost = 0;
    for (const auto& [rub, t] : peer.acked()) {
        auto it = durable.find(rub);
        if (it == durable.end() || it->second.from != t.from || it->second.to != t.to) {
            ++lost;
            MESSAGE("transfer of ", rub, " RUB from ", number(t.from),
                    " was answered 'sent' but is not in the store");
        }
    }
    CHECK(lost == 0);
    // And nothing the store holds was dialled by nobody.
    for (const auto& [rub, t] : durable) CHECK_MESSAGE(peer.all().contains(rub), rub);
}

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
    auto all_arrived = [&] {
        for (const auto& [rub, t] : durable)
            if (!peer.notices().contains(rub)) return false;
        return true;
    };
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
