#pragma once
// actions::runner on SQLite: one writer thread owns the connection; requests
// queue up and the thread takes everything queued as one batch, runs each
// state-changing action in its own SAVEPOINT inside one BEGIN IMMEDIATE ...
// COMMIT (group commit: one fsync for the batch), and only after COMMIT calls
// the `done` callbacks. Read-only actions run in a read transaction and are
// answered at once; their archive rows ride along with the next write batch.
// A read asked from the thread that first called run() (the daemon's event
// loop) is answered right there, from a read connection of its own (WAL lets
// it read while the writer writes): no thread hop, no wake-up. Only when that
// subscriber has a write still queued does the read wait behind it in the
// queue, so nobody reads around their own change.
// Argon2id work runs first on a small pool of hashing threads, so a balance
// queued after a password_set is answered without waiting for the hash.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/actions/engine.hpp"
#include "ussdgw/actions/outbox.hpp"
#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rules.hpp"
#include "ussdgw/actions/store_faults.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/util/histogram.hpp"

namespace ussdgw::actions {

/// How a store_runner is built.
struct runner_options {
    std::string db_path = "ussdgw.db";  ///< SQLite file
    /// true: create/migrate the file at start; false: refuse a file not at
    /// the latest schema version (the operator runs `ussdgw-admin init`).
    bool migrate = true;
    /// The server key file (store/server_key.hpp): read, or created for a store
    /// that has none; empty: no key (hashes unkeyed; tests and old stores only).
    std::string key_path;
    rules cfg;                     ///< self-service rules, including pwhash limits
    clock_fn clock = system_now;   ///< time source
    std::size_t hash_threads = 1;  ///< Argon2id pool size (each hash uses pwhash.mem)
    /// Requests waiting for Argon2id work at most, over all numbers; beyond it
    /// a request is answered "busy" at once instead of queueing without bound.
    std::size_t hash_queue = 256;
    /// ... and per subscriber number, so one number cannot hold up the others.
    std::size_t hash_queue_per_number = 2;
    std::size_t max_batch = 1024;  ///< most requests per group commit
    /// How long a statement waits for a lock another process holds.
    std::chrono::milliseconds busy_timeout = store::default_busy_timeout;
    /// Archive rows of read-only actions wait at most this long for a write batch.
    std::chrono::milliseconds archive_flush_delay{200};
    /// Reads from the first calling thread are answered inline (see above);
    /// false sends every request through the writer's queue.
    bool inline_reads = true;
    /// Rows those inline reads keep in memory between transactions
    /// (store/read_cache.hpp: subscribers, tariffs, connected services),
    /// trusted only while no connection has committed since; 0: none kept.
    std::size_t read_cache_rows = 65'536;
    const registry* actions = nullptr;   ///< nullptr: builtin_registry()
    std::function<void()> on_hash_task;  ///< test hook: runs on the hashing thread first
};

/// Counters for tests and metrics.
struct runner_stats {
    std::uint64_t actions = 0;            ///< requests answered
    std::uint64_t inline_reads = 0;       ///< of which reads answered on the calling thread
    std::uint64_t read_cache_hits = 0;    ///< rows those reads took from memory
    std::uint64_t read_cache_misses = 0;  ///< rows they read from the store
    std::uint64_t read_cache_reruns = 0;  ///< reads run again: the store changed under them
    std::uint64_t commits = 0;            ///< write transactions committed
    std::uint64_t failed_commits = 0;     ///< write transactions lost (requests told storage_error)
    std::uint64_t conflict_retries =
        0;                            ///< write batches run again after losing a race on PostgreSQL
    std::uint64_t dedup_expired = 0;  ///< dedup keys deleted once their window passed
    std::uint64_t hash_waiting = 0;   ///< requests waiting for Argon2id work now
    std::uint64_t hash_done = 0;      ///< requests whose Argon2id work ran
    std::uint64_t hash_shed = 0;      ///< requests answered "busy" because the queue was full
    std::uint64_t hash_wait_us = 0;   ///< time requests waited for a hashing thread, summed
    std::uint64_t hash_wait_max_us = 0;  ///< the longest such wait
};

/// The store-backed runner; also the outbox its actions write to.
class store_runner : public runner, public outbox {
  public:
    /// Opens (creating and migrating) the database and starts the threads.
    /// Throws std::runtime_error when the database cannot be opened or is newer.
    explicit store_runner(runner_options opts);
    /// Finishes everything queued, then stops the threads.
    ~store_runner() override;
    store_runner(const store_runner&) = delete;
    store_runner& operator=(const store_runner&) = delete;

    /// Queues a request; `done` runs on the writer thread after the commit,
    /// or, for a read answered inline, on the calling thread before run returns.
    void run(request req, std::function<void(outcome)> done) override;
    /// Queues the daily job (blocking fees, promised repayments); `done` after commit.
    void run_daily(std::function<void(daily_report)> done);
    /// Runs `job` on the writer thread inside the next write transaction
    /// (on PostgreSQL a READ COMMITTED one of its own: jobs are queue work,
    /// guarded by row locks and claims); `done(committed)` after the commit
    /// (or the rollback).
    void run_job(std::function<void(store::accounts&)> job, std::function<void(bool)> done);
    /// outbox: gives up expired rows, then returns due ones (unsealed).
    void due(std::size_t limit, std::vector<std::int64_t> busy,
             std::function<void(outbox_due)> done) override;
    /// outbox: records sent rows and failed attempts.
    void settle(std::vector<std::pair<std::int64_t, std::string>> sent,
                std::vector<std::int64_t> failed, std::function<void()> done) override;
    /// Blocks until everything queued before the call is answered.
    void drain();
    /// Counters so far.
    runner_stats stats() const;
    /// Rules in force for requests taken from now on (a SIGHUP reload). The
    /// Argon2id cost (pwhash) is fixed at start.
    void set_rules(const rules& r);
    /// How long each write batch's COMMIT took (the fsync of a group commit).
    const util::histogram& commit_seconds() const { return commit_seconds_; }
    /// The store's server key (nullopt when opened without one).
    const std::optional<store::server_key>& key() const { return key_; }
    /// The store's failures so far, by kind, and whether writes fail now.
    const store_faults& faults() const { return faults_; }

  private:
    struct item;
    struct writer;
    struct loop_reader;
    bool read_inline(request& req, std::function<void(outcome)>& done);
    outcome read_in_snapshot(loop_reader& r, const request& req,
                             std::optional<store::archive_row>& row);
    outcome read_cached(loop_reader& r, const request& req, std::optional<store::archive_row>& row);
    void uncount_write(const std::string& msisdn);
    void writer_loop();
    void hash_loop();
    void process(std::vector<item>& batch, bool stopping);
    store::fault_kind write_failed(const std::vector<item*>& late, const std::exception& ex);
    void reopen_writer_if_lost();
    void process_apart(std::vector<item>& batch, bool stopping);
    static void back_off();
    // How often a batch that lost a race with another gateway (PostgreSQL)
    // runs: past this the requests hear "try later" like any store failure.
    static constexpr int max_conflict_attempts = 100;
    void hold_archive(store::fault_kind why, bool stopping);
    void finish(std::size_t n);
    void wipe_secrets(item& it);
    std::shared_ptr<const rules> current_rules() const;

    // Archive rows of reads held through failed writes at most, and how
    // soon a failed flush of them is tried again.
    static constexpr std::size_t archive_rows_held = 10'000;
    static constexpr std::chrono::milliseconds archive_retry_delay{1000};

    runner_options opts_;
    const registry& reg_;
    store_faults faults_{opts_.db_path};
    std::optional<store::server_key> key_;
    util::histogram commit_seconds_;
    std::shared_ptr<const rules> rules_;   // under mu_: the latest set_rules()
    std::optional<store::hasher> hasher_;  // built once the store's key is known

    mutable std::mutex mu_;
    std::condition_variable cv_;       // writer queue
    std::condition_variable hash_cv_;  // hashing queue
    std::condition_variable drained_cv_;
    std::deque<item> queue_;
    // Argon2id work per subscriber number, served round robin, so a number
    // that sends many requests waits for its own and not others for it.
    std::unordered_map<std::string, std::deque<item>> hash_queue_;
    std::deque<std::string> hash_turns_;  // numbers with work, in serving order
    std::size_t hash_waiting_ = 0;
    // Writes queued and not yet committed, per subscriber: a read of theirs
    // is not answered inline while it would miss one.
    std::unordered_map<std::string, std::size_t> writes_queued_;
    // Archive rows of inline reads, for the writer's next transaction. The
    // writer is woken only when it holds none (else its flush timer takes them).
    std::vector<store::archive_row> inline_archive_;
    bool writer_holds_archive_ = false;
    bool stop_ = false;
    bool hash_stop_ = false;
    std::uint64_t submitted_ = 0;
    std::uint64_t completed_ = 0;
    runner_stats stats_;

    std::unique_ptr<writer> w_;            // used only by the writer thread once started
    std::unique_ptr<loop_reader> reader_;  // used only by the first thread that calls run()
    std::vector<std::thread> hash_threads_;
    std::thread writer_;
};

}  // namespace ussdgw::actions
