#pragma once
// A real store (a file in a temp dir, or a fresh PostgreSQL database:
// test_store.hpp) with the demo data, a movable clock and a
// store_runner; call() runs one action and waits for its durable outcome.

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "process.hpp"
#include "test_store.hpp"
#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/schema.hpp"

namespace ussdgw::test {

/// 2030-01-01 00:00:00 UTC: a fixed start so dates in texts are predictable.
inline constexpr std::int64_t t0 = 1893456000;

/// Fast Argon2id for tests.
inline actions::rules test_rules() {
    actions::rules r;
    r.pwhash = store::pwhash_limits::minimum();
    return r;
}

/// Creates the schema and the demo data in `path`.
inline void make_demo_db(const std::string& path) {
    store::connection c(path);
    auto m = store::migrate(c);
    if (!m) throw std::runtime_error(m.error());
    store::accounts a(c);
    store::hasher h(store::pwhash_limits::minimum());
    store::transaction t(c);
    store::load_demo(a, h, t0);
    t.commit();
}

/// The store, the clock and the runner of one test.
struct fixture {
    temp_dir dir;
    std::string path = fresh_store(dir, "test.db");
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(t0);
    std::unique_ptr<actions::store_runner> runner;
    actions::rules cfg = test_rules();
    std::string key_path;  ///< the server key file; empty: none (the store's hashes unkeyed)

    explicit fixture(bool demo = true) {
        if (demo) make_demo_db(path);
        start();
    }

    /// (Re)starts the runner with the current cfg.
    void start(const std::function<void(actions::runner_options&)>& tweak = {}) {
        runner.reset();
        actions::runner_options o;
        o.db_path = path;
        o.cfg = cfg;
        o.key_path = key_path;
        auto clock = now;
        o.clock = [clock] { return clock->load(); };
        if (tweak) tweak(o);  // a test's own pool sizes, hooks or registry
        runner = std::make_unique<actions::store_runner>(std::move(o));
    }

    /// Moves the clock forward.
    void advance(std::int64_t seconds) { *now += seconds; }
    /// Moves the clock forward by days.
    void advance_days(std::int64_t days) { advance(days * 86400); }

    /// Runs one request and waits (with a deadline) for its outcome.
    actions::outcome run(actions::request req) {
        std::promise<actions::outcome> p;
        auto f = p.get_future();
        runner->run(std::move(req), [&p](actions::outcome o) { p.set_value(std::move(o)); });
        if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            throw std::runtime_error("action did not complete within 30 s");
        return f.get();
    }

    /// Runs `action` for `msisdn` with `args` through `via`.
    actions::outcome call(const std::string& msisdn, const std::string& action,
                          actions::args args = {}, actions::channel via = actions::channel::ussd) {
        actions::request r;
        r.msisdn = msisdn;
        r.action = action;
        r.arguments = std::move(args);
        r.via = via;
        return run(std::move(r));
    }

    /// Runs the daily job and waits for it.
    actions::daily_report daily() {
        std::promise<actions::daily_report> p;
        auto f = p.get_future();
        runner->run_daily([&p](actions::daily_report r) { p.set_value(r); });
        if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            throw std::runtime_error("daily job did not complete within 30 s");
        return f.get();
    }

    /// A subscriber's row read through a separate connection.
    store::subscriber sub(const std::string& msisdn) {
        runner->drain();
        store::connection c(path);
        store::accounts a(c);
        auto s = a.find_subscriber(msisdn);
        if (!s) throw std::runtime_error("no subscriber " + msisdn);
        return *s;
    }

    /// One integer from a query on a separate connection.
    std::int64_t scalar(const std::string& sql) {
        runner->drain();
        store::connection c(path);
        auto st = c.prepare(sql);
        auto cur = st.query();
        return cur.next() ? cur.int64(0) : -1;
    }

    /// Runs SQL on a separate connection once the runner is idle (test data
    /// the actions cannot make, such as payments in past months).
    void exec(const std::string& sql) {
        runner->drain();
        store::connection c(path);
        c.exec(sql);
    }

    /// Balance in kopecks.
    std::int64_t balance(const std::string& msisdn) { return sub(msisdn).balance; }
};

/// Demo numbers.
inline const std::string en1 = "79160000001";  // en, 250 RUB, Smart
inline const std::string ru2 = "79160000002";  // ru, 1000 RUB, Premium
inline const std::string en3 = "79160000003";  // en, -10 RUB, Basic
inline const std::string ru4 = "79160000004";  // ru, 50 RUB, Smart
inline const std::string en5 = "79160000005";  // en, 0 RUB, Basic

}  // namespace ussdgw::test
