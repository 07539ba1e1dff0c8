#pragma once
// Runs actions on one store connection, synchronously: argument checks,
// deduplication, the savepoint, the archive row. The store_runner calls it
// from its writer thread; the admin tool calls it directly.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/secrets.hpp"

namespace ussdgw::actions {

/// What the daily job did.
struct daily_report {
    bool ok = true;                     ///< false: the job's transaction failed, nothing changed
    int blocking_charged = 0;           ///< subscribers charged a blocking fee
    store::kopecks blocking_total = 0;  ///< kopecks charged for blocking
    int services_charged = 0;           ///< subscriptions charged a daily or monthly fee
    store::kopecks services_total = 0;  ///< kopecks charged for services
    int promised_repaid = 0;            ///< promised payments repaid
    store::kopecks promised_total = 0;  ///< kopecks repaid
    std::int64_t dedup_purged = 0;      ///< dedup keys forgotten
    std::int64_t outbox_purged = 0;     ///< outbox rows sent or expired a week ago, forgotten
    int trust_reviewed = 0;             ///< full-trust credit limits reviewed (a new month)
    int trust_changed = 0;              ///< ... of which changed (each told by SMS)
    int usage_periods_rolled = 0;       ///< package periods started afresh (used counters reset)
    /// SMS the job produced (credit limit changes), already in the outbox;
    /// empty when !ok.
    std::vector<domain::sms_out> sms;
};

/// Serialises an outcome for the dedup table (length-prefixed fields).
std::string encode_outcome(const outcome& o);
/// The inverse of encode_outcome; nullopt when `s` is damaged.
std::optional<outcome> decode_outcome(const std::string& s);
/// "key=value; key=***" with the action's secret params redacted.
std::string archive_arguments(const entry* e, const args& a);

/// The outcome of a request the store could not serve ("try later").
outcome storage_failure(const request& req, const rules& cfg);

/// Synchronous action execution on one connection.
class engine {
  public:
    /// `db` must stay alive as long as the engine.
    engine(store::accounts& db, const registry& reg, const rules& cfg, const store::hasher& h,
           clock_fn clock);

    /// True when `action` is read-only (no write transaction needed).
    bool read_only(const std::string& action) const;

    /// Runs a state-changing request. The caller holds a write transaction;
    /// the action runs in its own savepoint, is archived, and its dedup key
    /// recorded, all in that transaction. Throws store::db_failure only when
    /// the transaction itself is lost.
    outcome execute(const request& req, const prepared* prep = nullptr);

    /// Runs a read-only request (the caller may hold a read transaction).
    /// When the action is archived, `*row` receives its archive row for the
    /// caller to write with the next write transaction.
    outcome read(const request& req, std::optional<store::archive_row>* row);

    /// The daily job: blocking fees past the free days, daily and monthly
    /// service fees, promised payments due, the monthly full-trust review,
    /// package periods that began, old dedup keys. Safe to run any number of
    /// times a day. The caller holds a write transaction.
    daily_report daily();

    /// The outcome given to every request of a batch whose commit failed.
    outcome storage_failure(const request& req) const;

    /// The registry in use.
    const registry& actions() const noexcept { return reg_; }
    /// The rules in use.
    const rules& cfg() const noexcept { return cfg_; }
    /// The clock's time.
    store::unix_time now() const { return clock_(); }

    /// The rules in force from now on (a reload); call between requests.
    void set_rules(const rules& r) { cfg_ = r; }

    /// Writes `sms` to the outbox (in the caller's transaction), each in the
    /// alphabet its recipient chose, sealed when the store has a server key.
    void queue_sms(const std::vector<domain::sms_out>& sms, store::unix_time now);

    /// Dedup keys deleted since the last call because their window had passed
    /// (the caller counts them once the transaction commits).
    std::uint64_t take_dedup_purged() noexcept { return std::exchange(dedup_purged_, 0); }

  private:
    void expire_dedup(store::unix_time now, std::int64_t window);
    void cap_notices(const request& req, std::vector<domain::sms_out>& sms, store::unix_time now);
    void review_full_trust(store::unix_time now, daily_report& r);
    outcome invoke(const entry* e, const request& req, const prepared* prep, store::unix_time now,
                   bool* keep, store::kopecks* amount);
    store::archive_row make_row(const entry* e, const request& req, const outcome& o,
                                store::unix_time now, store::kopecks amount) const;

    store::accounts& db_;
    const registry& reg_;
    rules cfg_;  // a copy: set_rules() replaces it between batches
    const store::hasher& hasher_;
    clock_fn clock_;
    // The dedup table holds one row per remembered request; rows past the
    // longest window in use are deleted once a minute by the writer, so the
    // table holds about (window + 1 min) of keyed traffic (docs/operations.md).
    std::int64_t longest_dedup_window_ = 0;
    store::unix_time next_dedup_expiry_ = 0;
    std::uint64_t dedup_purged_ = 0;
};

}  // namespace ussdgw::actions
