#include "ussdgw/actions/store_runner.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>

#include "ussdgw/store/db.hpp"
#include "ussdgw/store/read_cache.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/server_key.hpp"

namespace ussdgw::actions {

/// One queued request (or the daily job when daily_done is set, or a store
/// job such as the outbox's when job is set).
struct store_runner::item {
    request req;
    std::function<void(outcome)> done;
    std::shared_ptr<prepared> prep;
    std::function<void(daily_report)> daily_done;
    std::function<void(store::accounts&)> job;  // runs in the write transaction
    std::function<void(bool committed)> job_done;
    std::chrono::steady_clock::time_point queued;  // when it joined the hashing queue
    bool write = false;                            // counted in writes_queued_ until committed
};

namespace {

// A caller's callback must not take the writer thread down with it.
template <class F, class V>
void call_safely(F& f, V&& v) {
    if (!f) return;
    try {
        f(std::forward<V>(v));
    } catch (const std::exception& ex) {
        spdlog::error("action callback threw: {}", ex.what());
    } catch (...) {
        spdlog::error("action callback threw");
    }
}

// Overwrites what held a secret (the PIN, PUK or password argument and the
// prepared hashes keyed by it) before the memory is freed, so it lingers in
// neither the heap nor a core dump.
void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
}

}  // namespace

/// Writer-thread state: the connection and what runs on it.
struct store_runner::writer {
    std::unique_ptr<store::connection> conn;
    std::unique_ptr<store::accounts> db;
    std::unique_ptr<engine> eng;
    std::vector<store::archive_row> pending;         // read-only actions' archive rows
    std::shared_ptr<const actions::rules> in_force;  // the rules the engine has
    std::chrono::steady_clock::time_point pending_since;
    std::uint64_t archive_lost = 0;  // pending rows given up since the last commit
};

/// The calling thread's read connection (the event loop's in the daemon).
struct store_runner::loop_reader {
    std::thread::id owner;
    std::unique_ptr<store::connection> conn;
    std::unique_ptr<store::accounts> db;
    std::unique_ptr<store::read_cache> cache;  // null when runner_options::read_cache_rows is 0
    std::unique_ptr<engine> eng;
    std::shared_ptr<const actions::rules> in_force;  // the rules eng has
    store::read_cache_stats counted;                 // of cache, already in stats_
};

store_runner::store_runner(runner_options opts)
    : opts_(std::move(opts)), reg_(opts_.actions ? *opts_.actions : builtin_registry()) {
    // Open and migrate here so a bad file fails the constructor, not a thread.
    w_ = std::make_unique<writer>();
    auto* st = w_.get();
    st->conn = std::make_unique<store::connection>(opts_.db_path, store::open_mode::read_write,
                                                   opts_.busy_timeout);
    if (opts_.migrate) {
        auto m = store::migrate(*st->conn);
        if (!m) throw std::runtime_error(m.error());
    } else if (auto v = store::check_version(*st->conn); !v) {
        throw std::runtime_error(v.error());
    }
    if (!opts_.key_path.empty()) {
        auto k = store::open_server_key(*st->conn, opts_.key_path);
        if (!k) throw std::runtime_error(k.error());
        key_ = std::move(k).value();
    }
    hasher_.emplace(opts_.cfg.pwhash, key_);
    rules_ = std::make_shared<const rules>(opts_.cfg);
    st->db = std::make_unique<store::accounts>(*st->conn);
    st->eng = std::make_unique<engine>(*st->db, reg_, opts_.cfg, *hasher_, opts_.clock);
    // On PostgreSQL a read is a round trip to the server: the event loop
    // must not wait for it. Reads queue to the writer thread instead, which
    // answers each batch's reads from one snapshot before its writes.
    if (opts_.inline_reads && st->conn->engine() == store::engine::sqlite)
        reader_ = std::make_unique<loop_reader>();
    writer_ = std::thread([this] { writer_loop(); });
    for (std::size_t i = 0; i < std::max<std::size_t>(1, opts_.hash_threads); ++i)
        hash_threads_.emplace_back([this] { hash_loop(); });
}

store_runner::~store_runner() {
    {
        std::lock_guard lk(mu_);
        hash_stop_ = true;
    }
    hash_cv_.notify_all();
    for (auto& t : hash_threads_) t.join();
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    writer_.join();
}

void store_runner::run(request req, std::function<void(outcome)> done) {
    const entry* e = reg_.lookup(req.action);
    const bool hashing = e && e->prepare;
    const bool write = e && !e->read_only;  // unknown actions change nothing either
    if (!write && !hashing && reader_ && read_inline(req, done)) return;
    item it;
    it.req = std::move(req);
    it.done = std::move(done);
    it.queued = std::chrono::steady_clock::now();
    bool shed = false;
    {
        std::lock_guard lk(mu_);
        if (write) {
            // Counted before anything can commit it; shed requests are uncounted below.
            ++writes_queued_[it.req.msisdn];
            it.write = true;
        }
        if (hashing) {
            auto& mine = hash_queue_[it.req.msisdn];
            shed = hash_waiting_ >= opts_.hash_queue || mine.size() >= opts_.hash_queue_per_number;
            if (shed) {
                ++stats_.hash_shed;
                if (mine.empty()) hash_queue_.erase(it.req.msisdn);
                if (it.write) uncount_write(it.req.msisdn);
            } else {
                if (mine.empty()) hash_turns_.push_back(it.req.msisdn);
                mine.push_back(std::move(it));
                ++hash_waiting_;
                ++submitted_;
            }
        } else {
            ++submitted_;
            queue_.push_back(std::move(it));
        }
    }
    if (shed) {
        // Answered at once, changing nothing: the slow work is the resource
        // being protected, and the subscriber hears why.
        spdlog::debug("[msisdn={}] {} shed: Argon2id queue full", it.req.msisdn, it.req.action);
        outcome o;
        o.ok = false;
        o.error = "busy";
        o.language = it.req.language.empty() ? current_rules()->default_language : it.req.language;
        o.vars["reason"] = text(msg::busy, o.language);
        call_safely(it.done, std::move(o));
        return;
    }
    if (hashing)
        hash_cv_.notify_one();
    else
        cv_.notify_one();
}

void store_runner::uncount_write(const std::string& msisdn) {
    // Under mu_.
    auto w = writes_queued_.find(msisdn);
    if (w != writes_queued_.end() && --w->second == 0) writes_queued_.erase(w);
}

bool store_runner::read_inline(request& req, std::function<void(outcome)>& done) {
    auto& r = *reader_;
    const auto me = std::this_thread::get_id();
    std::shared_ptr<const rules> now_rules;
    {
        std::lock_guard lk(mu_);
        if (r.owner == std::thread::id{}) r.owner = me;
        // Another thread's reads, or a read that must see a queued write: the queue.
        if (r.owner != me || writes_queued_.contains(req.msisdn)) return false;
        now_rules = rules_;
    }
    std::optional<store::archive_row> row;
    outcome out;
    try {
        if (!r.conn) {
            r.conn = std::make_unique<store::connection>(opts_.db_path, store::open_mode::read_only,
                                                         opts_.busy_timeout);
            r.db = std::make_unique<store::accounts>(*r.conn);
            // The cache knows of commits through SQLite's data_version; on
            // PostgreSQL other gateways commit too, unseen: no cache there
            // (docs/architecture.md, "Kept rows").
            if (opts_.read_cache_rows > 0 && r.conn->engine() == store::engine::sqlite) {
                r.cache = std::make_unique<store::read_cache>(*r.conn, opts_.read_cache_rows);
                r.db->serve_from(r.cache.get());
            }
            r.eng = std::make_unique<engine>(*r.db, reg_, *now_rules, *hasher_, opts_.clock);
            r.in_force = now_rules;
            r.counted = {};
        }
        if (r.in_force != now_rules) {
            r.eng->set_rules(*now_rules);
            r.in_force = now_rules;
        }
        out = r.cache ? read_cached(r, req, row) : read_in_snapshot(r, req, row);
        faults_.succeeded(store_faults::op::read);
    } catch (const std::exception& ex) {
        // Reopened on the next read: a broken connection must not stay broken.
        faults_.failed(store_faults::op::read, ex, 1);
        if (r.cache) r.cache->abandon_read();
        r.eng.reset();
        r.db.reset();
        r.cache.reset();
        r.conn.reset();
        r.in_force.reset();
        row.reset();
        out = storage_failure(req, *now_rules);
    }
    {
        std::lock_guard lk(mu_);
        ++stats_.actions;
        ++stats_.inline_reads;
        ++submitted_;
        ++completed_;
        if (r.cache) {
            // Only the growth since the last read: the cache is rebuilt with its connection.
            const auto& c = r.cache->stats();
            stats_.read_cache_hits += c.hits - r.counted.hits;
            stats_.read_cache_misses += c.misses - r.counted.misses;
            stats_.read_cache_reruns += c.reruns - r.counted.reruns;
            r.counted = c;
        }
        if (row) {
            const bool wake = inline_archive_.empty() && !writer_holds_archive_;
            inline_archive_.push_back(std::move(*row));
            if (wake) cv_.notify_one();
        }
    }
    call_safely(done, std::move(out));
    return true;
}

outcome store_runner::read_in_snapshot(loop_reader& r, const request& req,
                                       std::optional<store::archive_row>& row) {
    // One snapshot for every query the action makes.
    store::transaction t(*r.conn, false);
    auto out = r.eng->read(req, &row);
    t.commit();
    return out;
}

outcome store_runner::read_cached(loop_reader& r, const request& req,
                                  std::optional<store::archive_row>& row) {
    // Read handlers change nothing, so running one again is safe; the cache
    // says when its rows went stale under a read (at most twice: the second
    // run that needs the store runs inside one transaction).
    r.cache->begin_read();
    for (;;) {
        outcome out;
        try {
            out = r.eng->read(req, &row);
        } catch (const store::read_cache::moved&) {
            row.reset();
            continue;
        }
        if (r.cache->end_read()) return out;
        row.reset();
    }
}

void store_runner::run_daily(std::function<void(daily_report)> done) {
    item it;
    it.daily_done = done ? std::move(done) : [](daily_report) {};
    {
        std::lock_guard lk(mu_);
        ++submitted_;
        queue_.push_back(std::move(it));
    }
    cv_.notify_one();
}

void store_runner::run_job(std::function<void(store::accounts&)> job,
                           std::function<void(bool)> done) {
    item it;
    it.job = std::move(job);
    it.job_done = std::move(done);
    {
        std::lock_guard lk(mu_);
        ++submitted_;
        queue_.push_back(std::move(it));
    }
    cv_.notify_one();
}

void store_runner::due(std::size_t limit, std::vector<std::int64_t> busy,
                       std::function<void(outbox_due)> done) {
    auto found = std::make_shared<outbox_due>();
    run_job(
        [this, found, limit,
         busy = std::set<std::int64_t>(busy.begin(), busy.end())](store::accounts& db) {
            const auto now = opts_.clock();
            found->expired = static_cast<std::size_t>(db.expire_outbox(now));
            found->pending = static_cast<std::size_t>(db.count_outbox());
            const auto rows = db.due_outbox(static_cast<std::int64_t>(limit + busy.size()));
            for (const auto& row : rows) {
                if (busy.contains(row.id) || found->items.size() >= limit) continue;
                outbox_item item{row.id, {row.sender, row.recipient, row.body}, row.attempts};
                if (row.sealed) {
                    auto text = key_ ? key_->unseal(row.body) : std::nullopt;
                    if (!text) {
                        // Another key sealed it: it can never be read; give it up.
                        spdlog::error("outbox row {} cannot be unsealed with this server key",
                                      row.id);
                        db.outbox_sent(row.id, now, "unreadable");
                        continue;
                    }
                    item.sms.text = std::move(*text);
                }
                found->items.push_back(std::move(item));
            }
        },
        [found, done = std::move(done)](bool committed) {
            if (!committed) *found = outbox_due{};
            done(std::move(*found));
        });
}

void store_runner::settle(std::vector<std::pair<std::int64_t, std::string>> sent,
                          std::vector<std::int64_t> failed, std::function<void()> done) {
    run_job(
        [this, sent = std::move(sent), failed = std::move(failed)](store::accounts& db) {
            const auto now = opts_.clock();
            for (const auto& [id, message_id] : sent) db.outbox_sent(id, now, message_id);
            for (auto id : failed) db.outbox_failed(id);
        },
        [done = std::move(done)](bool committed) {
            if (!committed)
                spdlog::error("outbox: recording sent SMS failed; they may be sent again");
            done();
        });
}

void store_runner::drain() {
    std::unique_lock lk(mu_);
    auto target = submitted_;
    drained_cv_.wait(lk, [&] { return completed_ >= target; });
}

runner_stats store_runner::stats() const {
    std::lock_guard lk(mu_);
    auto s = stats_;
    s.hash_waiting = hash_waiting_;
    return s;
}

void store_runner::finish(std::size_t n) {
    {
        std::lock_guard lk(mu_);
        completed_ += n;
        stats_.actions += n;
    }
    drained_cv_.notify_all();
}

void store_runner::hash_loop() {
    // Each hashing thread reads stored hashes through its own read-only
    // connection (WAL lets it read while the writer writes).
    std::unique_ptr<store::connection> conn;
    std::unique_ptr<store::accounts> reader;
    for (;;) {
        item it;
        {
            std::unique_lock lk(mu_);
            hash_cv_.wait(lk, [&] { return hash_stop_ || !hash_turns_.empty(); });
            if (hash_turns_.empty()) return;
            // Round robin: the number at the front gets one job, then waits
            // behind every other number with work.
            std::string msisdn = std::move(hash_turns_.front());
            hash_turns_.pop_front();
            auto& mine = hash_queue_[msisdn];
            it = std::move(mine.front());
            mine.pop_front();
            if (mine.empty())
                hash_queue_.erase(msisdn);
            else
                hash_turns_.push_back(std::move(msisdn));
            --hash_waiting_;
            const auto waited =
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - it.queued)
                                               .count());
            ++stats_.hash_done;
            stats_.hash_wait_us += waited;
            stats_.hash_wait_max_us = std::max(stats_.hash_wait_max_us, waited);
        }
        if (opts_.on_hash_task) opts_.on_hash_task();
        auto prep = std::make_shared<prepared>();
        try {
            if (!reader) {
                conn = std::make_unique<store::connection>(
                    opts_.db_path, store::open_mode::read_only, opts_.busy_timeout);
                reader = std::make_unique<store::accounts>(*conn);
            }
            // A number the store does not serve is refused without any hashing:
            // 60 ms of Argon2id per try would be free work for anyone.
            const entry* e = reg_.lookup(it.req.action);
            if (!e->needs_subscriber || reader->find_subscriber(it.req.msisdn)) {
                const auto cfg = current_rules();
                prepare_context pc{it.req, reader.get(), *hasher_, *cfg, *prep};
                e->prepare(pc);
            }
        } catch (const std::exception& ex) {
            // Not fatal: the handler hashes or verifies inline what is missing.
            spdlog::warn("prepare of {} for {} failed: {}", it.req.action, it.req.msisdn,
                         ex.what());
            reader.reset();
            conn.reset();
        }
        it.prep = std::move(prep);
        {
            std::lock_guard lk(mu_);
            queue_.push_back(std::move(it));
        }
        cv_.notify_one();
    }
}

void store_runner::writer_loop() {
    for (;;) {
        std::vector<item> batch;
        bool stopping = false;
        {
            std::unique_lock lk(mu_);
            auto ready = [&] {
                return stop_ || !queue_.empty() ||
                       (!inline_archive_.empty() && w_->pending.empty());
            };
            if (w_->pending.empty())
                cv_.wait(lk, ready);
            else
                cv_.wait_until(lk, w_->pending_since + opts_.archive_flush_delay, ready);
            while (!queue_.empty() && batch.size() < opts_.max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            if (!inline_archive_.empty()) {
                if (w_->pending.empty()) w_->pending_since = std::chrono::steady_clock::now();
                for (auto& row : inline_archive_) w_->pending.push_back(std::move(row));
                inline_archive_.clear();
            }
            stopping = stop_ && queue_.empty();
            if (batch.empty() && stopping && w_->pending.empty()) return;
        }
        if (w_->conn->engine() == store::engine::postgres) {
            process_apart(batch, stopping);
        } else {
            process(batch, stopping);
            for (auto& it : batch) wipe_secrets(it);
        }
        std::lock_guard lk(mu_);
        writer_holds_archive_ = !w_->pending.empty();
    }
}

void store_runner::wipe_secrets(item& it) {
    const entry* e = reg_.lookup(it.req.action);
    if (!e || !e->prepare) return;
    for (const auto& name : e->facts.secret_params)
        if (auto a = it.req.arguments.find(name); a != it.req.arguments.end()) wipe(a->second);
    if (!it.prep) return;
    // Map keys are const only to keep the ordering; the map dies right after.
    for (auto& [secret, hash] : it.prep->hashes) wipe(const_cast<std::string&>(secret));
    for (auto& [key, match] : it.prep->verified) wipe(const_cast<std::string&>(key.second));
    for (auto& g : it.prep->generated) wipe(g);
}

void store_runner::set_rules(const rules& r) {
    auto fresh = std::make_shared<rules>(r);
    fresh->pwhash = opts_.cfg.pwhash;  // the hash cost is sealed: stored hashes carry theirs
    std::lock_guard lk(mu_);
    rules_ = std::move(fresh);
}

std::shared_ptr<const rules> store_runner::current_rules() const {
    std::lock_guard lk(mu_);
    return rules_;
}

void store_runner::hold_archive(store::fault_kind why, bool stopping) {
    auto& w = *w_;
    if (w.pending.empty()) return;
    // The reads happened, so their rows wait for the next write when the
    // store failed for a reason that passes. A damaged store, or one failing
    // for a reason not known, may be failing on the rows themselves: those
    // are given up rather than retried for ever; so is everything at stop.
    const bool passes = why == store::fault_kind::disk_full ||
                        why == store::fault_kind::read_only || why == store::fault_kind::locked ||
                        why == store::fault_kind::io;
    const std::size_t keep = passes && !stopping ? archive_rows_held : 0;
    if (w.pending.size() > keep) {
        const auto lost = w.pending.size() - keep;
        w.pending.erase(w.pending.begin(), w.pending.begin() + static_cast<std::ptrdiff_t>(lost));
        // Once per fault at error: a long one under load gives rows up at every write.
        spdlog::log(w.archive_lost ? spdlog::level::debug : spdlog::level::err,
                    "store {}: {} archive row(s) of read-only actions given up with a failed write",
                    opts_.db_path, lost);
        w.archive_lost += lost;
    }
    if (w.pending.empty()) return;
    // Tried again with the next write, or on their own a second later: a
    // writer with nothing else to do must not hammer a failing store.
    const auto retry =
        std::max<std::chrono::milliseconds>(archive_retry_delay, opts_.archive_flush_delay);
    w.pending_since = std::chrono::steady_clock::now() + retry - opts_.archive_flush_delay;
}

void store_runner::back_off() {
    // Two gateways that lost a race to each other and retried in lockstep
    // would race again: a short random pause breaks the step. Short and not
    // growing: the other gateway has its next write ready at once, so a
    // loser that waited long would find a newer winner each time (measured:
    // a pause growing to 20 ms starved one gateway into "try later").
    // (The writer thread's own time: the event loop does not wait.)
    thread_local std::minstd_rand random(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 500));
}

void store_runner::process_apart(std::vector<item>& batch, bool stopping) {
    // PostgreSQL: several writers on other gateways. A batch of writes in
    // one transaction takes its row locks action by action, so two
    // gateways' batches could lock in opposite orders (a deadlock, found
    // only after the server's deadlock_timeout), and one lost race would
    // run every action of the batch again. Each write, job and daily run is
    // therefore its own transaction; runs of reads still share one snapshot.
    auto is_read = [this](const item& it) {
        return !it.daily_done && !it.job && w_->eng->read_only(it.req.action);
    };
    if (batch.empty()) {
        process(batch, stopping);  // the archive rows of earlier reads, when due
        return;
    }
    std::size_t i = 0;
    while (i < batch.size()) {
        std::size_t j = i + 1;
        if (is_read(batch[i]))
            while (j < batch.size() && is_read(batch[j])) ++j;
        std::vector<item> part(std::make_move_iterator(batch.begin() + static_cast<long>(i)),
                               std::make_move_iterator(batch.begin() + static_cast<long>(j)));
        process(part, stopping && j == batch.size());
        for (auto& it : part) wipe_secrets(it);
        i = j;
    }
}

store::fault_kind store_runner::write_failed(const std::vector<item*>& late,
                                             const std::exception& ex) {
    // Everything in the batch is rolled back; each request hears "try
    // later", and the writer goes on with the next batch.
    const auto told = std::count_if(late.begin(), late.end(),
                                    [](const item* it) { return !it->job && !it->daily_done; });
    return faults_.failed(store_faults::op::write, ex, static_cast<std::size_t>(told));
}

void store_runner::reopen_writer_if_lost() {
    auto& w = *w_;
    if (!w.conn->lost()) return;
    // A PostgreSQL server that restarted, or a network that dropped the
    // session: a new one, or this batch fails like any store fault and the
    // next tries again. SQLite's file connection is never lost this way.
    try {
        auto conn = std::make_unique<store::connection>(opts_.db_path, store::open_mode::read_write,
                                                        opts_.busy_timeout);
        auto db = std::make_unique<store::accounts>(*conn);
        auto rules_now = current_rules();
        auto eng = std::make_unique<engine>(*db, reg_, *rules_now, *hasher_, opts_.clock);
        w.in_force = std::move(rules_now);
        w.eng = std::move(eng);
        w.db = std::move(db);
        w.conn = std::move(conn);
        spdlog::warn("store {}: connection lost; reconnected",
                     store::printable_target(opts_.db_path));
    } catch (const std::exception& ex) {
        spdlog::debug("store {}: reconnecting failed: {}", store::printable_target(opts_.db_path),
                      store::explain(ex));
    }
}

void store_runner::process(std::vector<item>& batch, bool stopping) {
    auto& w = *w_;
    reopen_writer_if_lost();
    auto& eng = *w.eng;
    // A reload's rules apply from the next batch on, never within one.
    if (auto r = current_rules(); r != w.in_force) {
        w.in_force = r;
        eng.set_rules(*r);
    }

    // Read-only actions whose subscriber has no earlier write in this batch
    // are answered now from committed state; the rest wait for the commit so
    // nobody reads a change that might not become durable.
    std::set<std::string> written;
    bool daily_seen = false;
    std::vector<item*> early, late;
    for (auto& it : batch) {
        bool ro = !it.daily_done && !it.job && eng.read_only(it.req.action);
        if (ro && !daily_seen && !written.count(it.req.msisdn)) {
            early.push_back(&it);
        } else {
            late.push_back(&it);
            if (it.daily_done) daily_seen = true;
            if (!ro) written.insert(it.req.msisdn);
        }
    }

    if (!early.empty()) {
        std::vector<outcome> outs;
        try {
            store::transaction t(*w.conn, false);
            for (auto* it : early) {
                std::optional<store::archive_row> row;
                outs.push_back(eng.read(it->req, &row));
                if (row) {
                    if (w.pending.empty()) w.pending_since = std::chrono::steady_clock::now();
                    w.pending.push_back(std::move(*row));
                }
            }
            t.commit();
            faults_.succeeded(store_faults::op::read);
        } catch (const std::exception& ex) {
            faults_.failed(store_faults::op::read, ex, early.size());
            outs.clear();
            for (auto* it : early) outs.push_back(eng.storage_failure(it->req));
        }
        for (std::size_t i = 0; i < early.size(); ++i)
            call_safely(early[i]->done, std::move(outs[i]));
        finish(early.size());
    }

    bool flush_due =
        !w.pending.empty() && (stopping || std::chrono::steady_clock::now() >=
                                               w.pending_since + opts_.archive_flush_delay);
    if (late.empty() && !flush_due) return;

    std::vector<outcome> outs(late.size());
    std::vector<daily_report> reports(late.size());
    bool committed = false;
    std::optional<store::fault_kind> failure;
    // The outbox's own work (claims, marks) is guarded by row locks and
    // claims, not by isolation: on PostgreSQL it runs READ COMMITTED, so one
    // gateway's scan of the queue never fails another's transaction.
    const auto kind = late.size() == 1 && late[0]->job ? store::transaction::kind::queue
                                                       : store::transaction::kind::write;
    for (int attempt = 1;; ++attempt) {
        try {
            store::transaction t(*w.conn, kind);
            // Read-only actions answered earlier come first, as they happened first.
            for (const auto& row : w.pending) w.db->add_archive(row);
            for (std::size_t i = 0; i < late.size(); ++i) {
                auto* it = late[i];
                if (it->daily_done) {
                    // One gateway at a time runs the daily job on a shared
                    // store; the next finds the day's work done (it is
                    // idempotent per day) instead of racing it.
                    if (w.conn->engine() == store::engine::postgres)
                        w.conn->exec("SELECT pg_advisory_xact_lock(7235102)");
                    reports[i] = eng.daily();
                } else if (it->job) {
                    it->job(*w.db);
                } else if (eng.read_only(it->req.action)) {
                    std::optional<store::archive_row> row;
                    outs[i] = eng.read(it->req, &row);
                    if (row) w.db->add_archive(*row);
                } else {
                    outs[i] = eng.execute(it->req, it->prep.get());
                }
            }
            // synchronous=FULL: when COMMIT returns the batch is on disk.
            const auto before = std::chrono::steady_clock::now();
            t.commit();
            commit_seconds_.observe(std::chrono::steady_clock::now() - before);
            committed = true;
            faults_.succeeded(store_faults::op::write);
        } catch (const store::db_failure& ex) {
            // PostgreSQL: another gateway's transaction touched the same rows
            // first (SERIALIZABLE refused this one). Nothing of the batch
            // stayed; running it again on what is there now is correct.
            if (ex.conflict() && attempt < max_conflict_attempts) {
                {
                    std::lock_guard lk(mu_);
                    ++stats_.conflict_retries;
                }
                back_off();
                continue;
            }
            failure = write_failed(late, ex);
        } catch (const std::exception& ex) {
            failure = write_failed(late, ex);
        }
        break;
    }
    if (committed) {
        w.pending.clear();
        w.archive_lost = 0;
    } else {
        hold_archive(*failure, stopping);
    }
    {
        std::lock_guard lk(mu_);
        const auto expired = eng.take_dedup_purged();  // rolled back: still there
        if (committed) {
            ++stats_.commits;
            stats_.dedup_expired += expired;
        } else {
            ++stats_.failed_commits;
        }
        // Committed or rolled back, these writes no longer hold reads back.
        for (auto* it : late)
            if (it->write) uncount_write(it->req.msisdn);
    }
    for (std::size_t i = 0; i < late.size(); ++i) {
        auto* it = late[i];
        if (it->job) {
            if (it->job_done) it->job_done(committed);
        } else if (it->daily_done) {
            // A job that was rolled back did nothing: no counts, no SMS.
            if (!committed) reports[i] = daily_report{};
            reports[i].ok = committed;
            call_safely(it->daily_done, reports[i]);
        } else {
            call_safely(it->done, committed ? std::move(outs[i]) : eng.storage_failure(it->req));
        }
    }
    finish(late.size());
}

}  // namespace ussdgw::actions
