#pragma once
// Closed-loop money transfers between six handsets through the simulator's
// phone prompt, and the SQL that reconciles a store after them (shared by
// kill_reconcile_test.cpp and shared_store_test.cpp). Each handset has one
// transfer in flight at a time (`*111*4*4*TO*RUB*1#`) and dials the next when
// its screen arrives; every transfer of a test has an amount of its own, so a
// screen, an archive row and a notice SMS each name their transfer. The
// checks read the store through sql_view: a SQLite file or a PostgreSQL
// database alike (the SQL is what both engines understand).

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"

namespace ussdgw::test::transfers {

using std::chrono::milliseconds;

/// The handsets: `handsets` consecutive numbers from `first_number`.
inline constexpr int handsets = 6;
inline constexpr long long first_number = 79160000041;

/// Handset `i`'s number.
inline std::string number(int i) {
    return std::to_string(first_number + i);
}

/// The handsets as an SQL list: every check looks at them only (the demo
/// subscribers' own rows are not these tests' business).
inline std::string ours() {
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

/// The daemons whose output a pump drains (null entries are skipped).
using daemons = std::vector<child_process*>;

/// What the SMSC saw, parsed from the simulator's lines, and the handsets'
/// closed loop: a handset dials its next transfer when its screen arrives.
class ring {
  public:
    /// Drives the handsets through `sim`'s phone prompt.
    explicit ring(sim_process& sim) : sim_(sim) {
        busy_.fill(-1);
        route_.fill(0);
    }

    /// Reads simulator lines (and drains the daemons', so their pipes never
    /// fill) until `done` holds; false when `timeout` passes first.
    bool pump(const std::function<bool()>& done, milliseconds timeout, const daemons& drain) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            for (auto* d : drain)
                if (d)
                    while (d->read_line(milliseconds(0))) {
                    }
            auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            // A short slice so the daemons' pipes are drained while the SMSC is quiet.
            if (auto line = sim_.proc->read_line(std::min(left, milliseconds(50)))) on_line(*line);
        }
        return true;
    }
    /// pump() draining one daemon (or none: null).
    bool pump(const std::function<bool()>& done, milliseconds timeout, child_process* daemon) {
        return pump(done, timeout, daemons{daemon});
    }

    /// Starts a round: up to `budget` transfers, every idle handset dialling.
    void start_round(int budget) {
        budget_ = budget;
        acked_in_round_ = 0;
        for (int h = 0; h < handsets; ++h) dial(h);
    }

    /// Ends the round's dialling: no handset dials again.
    void stop_dialling() { budget_ = 0; }

    /// Writes a line the simulator echoes and reads up to its echo: every
    /// dial written before it has then been acted on (its MO sent, or
    /// refused). Handsets keep dialling meanwhile unless stop_dialling() ran.
    bool fence(milliseconds timeout, const daemons& drain) {
        const int want = ++fences_ + dials_;
        sim_.proc->write("/as " + number(0) + "\n");
        return pump([&] { return echoes_ >= want; }, timeout, drain);
    }
    /// fence() draining one daemon (or none).
    bool fence(milliseconds timeout, child_process* daemon) {
        return fence(timeout, daemons{daemon});
    }

    /// The daemon died: no screen will come for what was in flight.
    void forget_in_flight() {
        for (auto& b : busy_) b = -1;
        budget_ = 0;
    }

    /// The ESME of bind `bind` died: the transfers in flight of the handsets
    /// whose MOs went there get no screen; those handsets dial anew (within
    /// the budget; the simulator routes them elsewhere). Call after a fence
    /// that follows the simulator's "disconnected": every route line of a
    /// dial written before has then been read. Returns how many were given up.
    int give_up_on(int bind) {
        int n = 0;
        for (int h = 0; h < handsets; ++h) {
            if (busy_[h] < 0 || route_[h] != bind) continue;
            busy_[h] = -1;
            ++n;
            dial(h);
        }
        given_up_ += n;
        return n;
    }

    /// True when no transfer is in flight and none will be dialled.
    bool idle() const {
        return budget_ <= 0 &&
               std::all_of(busy_.begin(), busy_.end(), [](auto b) { return b < 0; });
    }

    int binds() const { return binds_; }                    ///< "bind ok" lines seen
    int disconnects() const { return disconnects_; }        ///< "disconnected" lines seen
    int acked_in_round() const { return acked_in_round_; }  ///< "sent" screens this round
    int dialled() const { return next_rub_ - 1; }           ///< transfers dialled in all
    int given_up() const { return given_up_; }              ///< transfers give_up_on() dropped
    /// Transfers answered "sent", by amount.
    const std::map<long long, transfer>& acked() const { return acked_; }
    /// Every transfer dialled, by amount.
    const std::map<long long, transfer>& all() const { return dialled_; }
    /// Notice SMS the SMSC carried, by the amount they name.
    const std::map<long long, int>& notices() const { return notices_; }
    /// "sent" screens by the bind (from the simulator's --route-by-handset
    /// route lines; 0 = no route line seen: the simulator's default routing).
    const std::map<int, int>& screens_by_bind() const { return screens_by_bind_; }
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
        static const std::regex route(R"(route from=(\d+) bind=(\d+))");
        std::smatch m;
        if (line.starts_with("bind ok")) {
            ++binds_;
        } else if (line.starts_with("handset ")) {
            ++echoes_;
        } else if (line == "disconnected") {
            ++disconnects_;
        } else if (std::regex_match(line, m, route)) {
            const int h = handset_of(m[1]);
            if (h >= 0) route_[h] = std::stoi(m[2]);
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
            ++screens_by_bind_[route_[h]];
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
    int given_up_ = 0;
    int dials_ = 0;   // "/as" lines written by dial()
    int fences_ = 0;  // "/as" lines written by fence()
    int echoes_ = 0;  // "handset" lines read back
    long long next_rub_ = 1;
    std::array<long long, handsets> busy_;  // the amount in flight per handset, or -1
    std::array<int, handsets> route_;       // the bind each handset's last MO went to
    std::map<long long, transfer> dialled_;
    std::map<long long, transfer> acked_;
    std::map<long long, int> notices_;
    std::map<int, int> screens_by_bind_;
    std::vector<std::string> odd_;
};

/// A store the checks read with SQL, whatever its engine.
class sql_view {
  public:
    virtual ~sql_view() = default;
    /// Every row of `sql`, each column as text (NULL as "").
    virtual std::vector<std::vector<std::string>> rows(const std::string& sql) = 0;

    /// The one integer `sql` yields.
    long long scalar(const std::string& sql) {
        auto r = rows(sql);
        if (r.size() != 1 || r[0].size() != 1) throw std::runtime_error("not a scalar: " + sql);
        return std::stoll(r[0][0]);
    }
};

/// The transfers the store holds, by amount in RUB (unique per transfer).
inline std::map<long long, transfer> committed(sql_view& db) {
    std::map<long long, transfer> out;
    for (auto& r :
         db.rows("SELECT -amount / 100, msisdn, arguments, time FROM archive WHERE action = "
                 "'transfer' AND result = 'ok' AND msisdn IN " +
                 ours())) {
        // The recipient is what follows "to=" in the arguments (no SQL
        // function finds a substring in both engines).
        const auto at = r[2].find("to=");
        if (at == std::string::npos) throw std::runtime_error("a transfer without to=: " + r[2]);
        transfer t;
        t.from = static_cast<int>(std::stoll(r[1]) - first_number);
        t.to = static_cast<int>(std::stoll(r[2].substr(at + 3)) - first_number);
        t.time = std::stoll(r[3]);
        out[std::stoll(r[0])] = t;
    }
    return out;
}

/// True once the SMSC carried a notice for every transfer in `durable`.
inline bool every_notice_arrived(const ring& peer, const std::map<long long, transfer>& durable) {
    for (const auto& [rub, t] : durable)
        if (!peer.notices().contains(rub)) return false;
    return true;
}

/// Each transfer's notice row and its state, by the transfer's amount. A
/// notice's text is sealed, so rows are paired with transfers by order: the
/// transfer_in archive row and the outbox row are written by the same action,
/// one after the other, so a recipient's n-th of each belong together. Empty
/// when the pairing fails (a count or a moment differs): the caller checks.
inline std::map<long long, std::string> notice_rows(sql_view& db) {
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

/// Everything that must hold in the store at any moment a daemon may die.
/// `opening` is each handset's balance before the first daemon ran.
inline void check_reconciles(sql_view& db, const std::map<std::string, long long>& opening,
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
                    set + " GROUP BY amount HAVING count(*) > 1) AS twice") == 0);
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

}  // namespace ussdgw::test::transfers
