// Two daemons on one PostgreSQL store, bound to one simulator that keeps each
// handset on one of them (--route-by-handset, as a real SMSC keeps a
// subscriber's dialogs on one bind). Six handsets pass money to each other in
// closed loop, both directions between every pair, so the two daemons move
// money between the same accounts at the same moments (SERIALIZABLE writes,
// retried on conflict). A third of the way in one daemon is SIGKILLed: its
// handsets move to the other, which carries on alone; the store is checked
// then, in one snapshot, while the survivor writes. At two thirds the killed
// one starts again and takes its share back. At the end every notice must
// have left the outbox and reached the SMSC, and the store reconciles:
// money neither made nor lost, no transfer applied twice or half, every
// "sent" screen backed by a durable transfer, one outbox row per transfer.
// Each notice reaches the SMSC only once (the kill's window aside) and no
// transfer hears "try later".
// The ring and the checks are transfer_ring.hpp's (shared with the SQLite
// kill test); the store is read with libpq directly, not through the code
// under test. Skipped, saying why, where no PostgreSQL server can run.

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "pg_server.hpp"
#include "transfer_ring.hpp"

using namespace ussdgw::test;
using namespace ussdgw::test::transfers;

namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
// Two ASan daemons are several times slower: the kill and the sharing matter, not volume.
constexpr int total = 1'000;
#else
constexpr int total = 10'000;
#endif

// A daemon that died leaves its outbox claims to expire (a minute, on the
// server's clock) before the other sends those notices: the final drain waits
// that long and more.
constexpr milliseconds drain_patience{120'000};

/// The PostgreSQL store read with SQL in one snapshot (REPEATABLE READ, read
/// only): every query of a view sees the same moment, while daemons write.
class pg_view : public sql_view {
  public:
    /// Connects to `uri`; throws when it cannot.
    explicit pg_view(const std::string& uri) : conn_(PQconnectdb(uri.c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string why = PQerrorMessage(conn_);
            PQfinish(conn_);
            throw std::runtime_error("cannot connect to the store: " + why);
        }
        command("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    ~pg_view() override { PQfinish(conn_); }  // the snapshot ends with the session
    pg_view(const pg_view&) = delete;
    pg_view& operator=(const pg_view&) = delete;

    std::vector<std::vector<std::string>> rows(const std::string& sql) override {
        PGresult* r = PQexec(conn_, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            std::string why = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error("query failed: " + why + ": " + sql);
        }
        std::vector<std::vector<std::string>> out;
        for (int i = 0; i < PQntuples(r); ++i) {
            auto& row = out.emplace_back();
            for (int c = 0; c < PQnfields(r); ++c)
                row.emplace_back(PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c));
        }
        PQclear(r);
        return out;
    }

  private:
    void command(const std::string& sql) {
        PGresult* r = PQexec(conn_, sql.c_str());
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        std::string why = PQresultErrorMessage(r);
        PQclear(r);
        if (!ok) throw std::runtime_error(sql + ": " + why);
    }

    PGconn* conn_;
};

std::string config(const temp_dir& dir, const std::string& key) {
    auto path = dir.file("shared.conf");
    // As the kill test: handsets far faster than people, every notice goes
    // out, the outbox looked at often, no drain wait at SIGTERM. Both
    // daemons seal and open with the one server key.
    std::ofstream(path) << "[rules]\nnotices_per_hour = 0\n"
                           "[ussd]\nrate_per_subscriber = 0\n"
                           "[outbox]\npoll = 200ms\n"
                           "[smsc]\ndrain_timeout = 100ms\n"
                           "[store]\nkey_file = "
                        << key << "\n";
    return path;
}

// A percentage for the figures.
int percent(long long part, long long whole) {
    return whole > 0 ? static_cast<int>(part * 100 / whole) : 0;
}

}  // namespace

TEST_CASE(
    "two daemons on one PostgreSQL store with 10000 transfers both ways and one SIGKILL: "
    "balances reconcile and every notice reaches the SMSC") {
    auto* server = pg_server::shared();
    if (!server->available()) {
        MESSAGE("skipped: " << server->why_unavailable());
        return;
    }
    temp_dir dir;
    const auto uri = server->create_database();
    const auto key = dir.file("server.key");
    {
        // Each transfer has an amount of its own, up to `total` RUB, and a
        // handset may send more than it gets for a long while (the daemons'
        // paces differ): the balances cover that, so nothing is refused.
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"init"},
              {"demo"},
              {"subscriber", "add", number(0), "--count", std::to_string(handsets), "--balance",
               "100000000"}}) {
            std::vector<std::string> argv{"--db", uri, "--key-file", key};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = admin(argv);
            INFO("ussdgw-admin " << args.front() << ":\n" << r.output);
            REQUIRE(r.code == 0);
        }
    }
    std::map<std::string, long long> opening;
    {
        pg_view v(uri);
        for (auto& r : v.rows("SELECT msisdn, balance FROM subscribers WHERE msisdn IN " + ours()))
            opening[r[0]] = std::stoll(r[1]);
        REQUIRE(opening.size() == handsets);
    }
    auto rollbacks = [&] {
        pg_view v(uri);
        return v.scalar(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()");
    };
    const auto rollbacks_before = rollbacks();

    const auto conf = config(dir, key);
    auto sim = start_sim({"--route-by-handset"});
    ring peer(sim);
    std::unique_ptr<child_process> a, b;
    auto running = [&] { return daemons{a.get(), b.get()}; };
    // Starts a daemon into `d`; returns the number of its bind (the simulator's route lines name
    // it).
    auto start = [&](std::unique_ptr<child_process>& d) {
        d = start_daemon(sim.port, {"--db", uri, "--config", conf, "--log-level", "info"});
        const int binds = peer.binds();
        auto up = peer.pump([&] { return peer.binds() > binds; }, patience, running());
        INFO("daemon output:\n" << d->output());
        REQUIRE(up);
        REQUIRE(peer.binds() == binds + 1);
        return peer.binds();
    };
    // Pumps until `target` transfers were answered, failing when none is for `patience`.
    auto until_acked = [&](std::size_t target) {
        while (peer.acked().size() < target && !peer.idle()) {
            const auto had = peer.acked().size();
            auto moved = peer.pump([&] { return peer.acked().size() > had || peer.idle(); },
                                   patience, running());
            INFO("daemon A output:\n" << (a ? a->output() : std::string()));
            INFO("daemon B output:\n" << (b ? b->output() : std::string()));
            INFO("odd SMSC lines: " << peer.odd().size());
            REQUIRE_MESSAGE(moved, "no transfer answered for ", patience.count(), " ms at ",
                            peer.acked().size(), " of ", target);
        }
    };

    const int bind_a = start(a);
    const int bind_b = start(b);
    const auto began = steady::now();
    peer.start_round(total);

    // A third on both daemons.
    until_acked(total / 3);
    const auto by_bind = peer.screens_by_bind();
    CHECK_MESSAGE(by_bind.contains(bind_a), "daemon A answered nothing before the kill");
    CHECK_MESSAGE(by_bind.contains(bind_b), "daemon B answered nothing before the kill");
    const int b_before_kill = by_bind.contains(bind_b) ? by_bind.at(bind_b) : 0;

    // SIGKILL of A mid-burst: B carries on, the simulator moves A's handsets
    // to it as they dial; what A had in flight gets no screen and is dialled anew.
    a->signal(SIGKILL);
    REQUIRE(a->wait_exit(patience) == 128 + SIGKILL);
    const auto killed_a = std::move(a);
    {
        const int gone = peer.disconnects();
        REQUIRE(peer.pump([&] { return peer.disconnects() > gone; }, patience, running()));
    }
    REQUIRE(peer.fence(patience, running()));
    const int given_up = peer.give_up_on(bind_a);
    // What pending notices A may have had: the only ones the SMSC may get twice
    // (accepted, then A died before the row was marked sent).
    std::set<long long> pending_at_kill;
    {
        pg_view v(uri);
        check_reconciles(v, opening, peer);
        for (const auto& [rub, state] : notice_rows(v))
            if (state == "pending") pending_at_kill.insert(rub);
    }

    // The second third on B alone.
    until_acked(2 * total / 3);
    {
        const auto& now = peer.screens_by_bind();
        const int b_after_kill = now.contains(bind_b) ? now.at(bind_b) : 0;
        CHECK_MESSAGE(b_after_kill > b_before_kill, "daemon B answered nothing after A was killed");
    }

    // A again, as a new bind: the simulator hands it its share back.
    const int bind_a2 = start(a);
    until_acked(total);
    REQUIRE(peer.pump([&] { return peer.idle(); }, patience, running()));
    const auto took = std::chrono::duration<double>(steady::now() - began).count();
    CHECK_MESSAGE(peer.screens_by_bind().contains(bind_a2),
                  "daemon A answered nothing after its restart");

    // Every notice the store committed must leave the outbox and reach the
    // SMSC, those A claimed before it died included (once their claim expired).
    std::map<long long, transfer> durable;
    {
        pg_view v(uri);
        durable = committed(v);
    }
    auto all_arrived = [&] { return every_notice_arrived(peer, durable); };
    const auto drain_began = steady::now();
    CHECK(peer.pump(all_arrived, drain_patience, running()));
    // The row is marked sent one store commit after the SMSC accepted it;
    // looked at every quarter second, not on every simulator line.
    auto looked = steady::now() - std::chrono::seconds(1);
    auto none_pending = [&] {
        if (steady::now() - looked < milliseconds(250)) return false;
        looked = steady::now();
        pg_view v(uri);
        return v.scalar("SELECT count(*) FROM outbox WHERE state != 'sent' AND recipient IN " +
                        ours()) == 0;
    };
    CHECK(peer.pump(none_pending, drain_patience, running()));
    const auto drained = std::chrono::duration<double>(steady::now() - drain_began).count();
    const auto rolled_back = rollbacks() - rollbacks_before;
    for (auto* d : running()) {
        d->signal(SIGTERM);
        CHECK(d->wait_exit(patience) == 0);
    }
    // What the daemons said, all three runs: lines that are not info (errors,
    // warnings) are shown once below, and counted.
    std::vector<std::string> said;
    for (const auto* d : {killed_a.get(), a.get(), b.get()}) {
        std::size_t at = 0;
        const auto& out = d->output();
        while (at < out.size()) {
            auto nl = out.find('\n', at);
            if (nl == std::string::npos) nl = out.size();
            said.push_back(out.substr(at, nl - at));
            at = nl + 1;
        }
    }
    auto count_said = [&](const std::string& needle) {
        return std::count_if(said.begin(), said.end(),
                             [&](const auto& l) { return l.find(needle) != std::string::npos; });
    };
    const auto settle_lost =
        count_said("outbox: recording sent SMS failed; they may be sent again");
    const auto refused_storage = count_said("transfer refused: storage_error");
    const auto batches_lost = count_said(": write failed, ");

    pg_view v(uri);
    check_reconciles(v, opening, peer);
    CHECK(committed(v).size() == durable.size());
    CHECK(v.scalar("SELECT count(*) FROM outbox WHERE state != 'sent' AND recipient IN " +
                   ours()) == 0);
    std::size_t missing = 0, duplicates = 0, unexplained = 0;
    for (const auto& [rub, t] : durable) {
        auto it = peer.notices().find(rub);
        if (it == peer.notices().end()) {
            ++missing;
            MESSAGE("the notice of transfer ", rub, " to ", number(t.to),
                    " never reached the SMSC");
        } else if (it->second > 1) {
            duplicates += static_cast<std::size_t>(it->second - 1);
            // The documented window: A died between the SMSC's acceptance and
            // the row's commit as sent.
            if (!pending_at_kill.contains(rub) && ++unexplained <= 5)
                MESSAGE("the notice of transfer ", rub, " came ", it->second,
                        " times though its row was not pending at the kill");
        }
    }
    CHECK(missing == 0);
    // A notice for a transfer the store does not hold would be an SMS for money never moved.
    for (const auto& [rub, n] : peer.notices()) CHECK_MESSAGE(durable.contains(rub), rub);
    // Transfers answered "try later": the daemon gave the batch up after its
    // conflict retries (docs/operations.md: after 20 lost races in a row).
    // Nothing of them may have been applied, and each is a refusal the daemon
    // logged; anything else the handsets did not expect is a failure.
    std::size_t try_later = 0;
    static const std::regex later(
        R"(transfer (\d+) answered: Service is temporarily unavailable\..*)");
    for (const auto& line : peer.odd()) {
        std::smatch m;
        if (std::regex_match(line, m, later)) {
            ++try_later;
            CHECK_MESSAGE(!durable.contains(std::stoll(m[1])), line);
        } else {
            CHECK_MESSAGE(false, line);
        }
    }
    CHECK(refused_storage >= static_cast<long>(try_later));
    // Two daemons moving money between the same accounts lose races to each
    // other all the time; each write is its own transaction, retried after a
    // random pause, and the outbox's work runs READ COMMITTED, so no lost
    // race may cost a transfer ("try later") or a "mark sent" (a notice sent
    // again). Were one lost anyway, the daemon must have said so.
    CHECK(unexplained == 0);
    CHECK(try_later == 0);
    if (unexplained > 0) CHECK(settle_lost > 0);
    if (unexplained + try_later > 0) {
        std::string shown;
        int n = 0;
        for (const auto& l : said)
            if ((l.find(" error ") != std::string::npos ||
                 l.find(" warning ") != std::string::npos) &&
                ++n <= 6)
                shown += l.substr(0, 400) + "\n";
        MESSAGE("the daemons' first error and warning lines:\n", shown);
    }

    const auto& screens = peer.screens_by_bind();
    auto on = [&](int bind) { return screens.contains(bind) ? screens.at(bind) : 0; };
    const long long answered = static_cast<long long>(peer.acked().size());
    const int by_a = on(bind_a) + on(bind_a2);
    MESSAGE(peer.dialled(), " transfers dialled, ", durable.size(), " committed, ", answered,
            " answered 'sent' in ", took, " s (", static_cast<int>(answered / took),
            "/s); screens: daemon A ", by_a, " (", percent(by_a, answered), "%: ", on(bind_a),
            " before the kill, ", on(bind_a2), " after its restart), daemon B ", on(bind_b), " (",
            percent(on(bind_b), answered), "%); ", given_up,
            " transfer(s) in flight on A at the kill dialled anew; ", pending_at_kill.size(),
            " notice row(s) pending at the kill; ", duplicates, " notice(s) sent more than once (",
            unexplained, " transfer(s) outside the kill's window); ", try_later,
            " transfer(s) answered 'try later'; daemons logged ", batches_lost,
            " write batch(es) lost, ", settle_lost, " outbox 'recording sent SMS failed'; ",
            rolled_back,
            " transaction(s) rolled back on the server (serialization conflicts among them); "
            "outbox drained ",
            drained, " s after the last screen");
    sim.proc->write("/quit\n");
    sim.proc->wait_exit(patience);
}
