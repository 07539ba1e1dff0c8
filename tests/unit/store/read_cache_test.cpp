// The read cache: rows served from memory only while no connection has
// committed since they were read; a read answers from one state of the store.

#include <doctest/doctest.h>

#include "process.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/read_cache.hpp"
#include "ussdgw/store/schema.hpp"

// SQLite itself: its files, migration steps and faults (test_store.hpp).
TEST_SUITE_BEGIN("sqlite_only");

using namespace ussdgw;

namespace {

const std::string alice = "79001110001";
const std::string bob = "79001110002";

// A writer (the daemon's writer thread, or ussdgw-admin: another connection)
// and a reader with a cache, on one real file.
struct fixture {
    test::temp_dir dir;
    store::connection wc{dir.file("s.db")};
    bool migrated = static_cast<bool>(store::migrate(wc));
    store::accounts writer{wc};
    store::connection rc{dir.file("s.db"), store::open_mode::read_only};
    store::accounts reader{rc};
    store::read_cache cache{rc, 100};

    fixture() {
        store::load_demo_catalog(writer);
        for (const auto& m : {alice, bob}) {
            store::subscriber s;
            s.msisdn = m;
            s.tariff = "Basic";
            s.balance = 1000;
            writer.add_subscriber(s);
        }
        reader.serve_from(&cache);
    }

    // One read as the runner makes it: run again while the cache says so.
    template <class F>
    auto read(F f) {
        cache.begin_read();
        for (;;) {
            decltype(f()) v;
            try {
                v = f();
            } catch (const store::read_cache::moved&) {
                continue;
            }
            if (cache.end_read()) return v;
        }
    }
    store::kopecks balance(const std::string& m) {
        return read([&] { return reader.find_subscriber(m)->balance; });
    }
};

}  // namespace

TEST_CASE("a row read once is served from memory until another connection commits") {
    fixture f;
    CHECK(f.balance(alice) == 1000);
    CHECK(f.cache.stats().misses == 1);
    CHECK(f.balance(alice) == 1000);
    CHECK(f.balance(alice) == 1000);
    CHECK(f.cache.stats().hits == 2);
    CHECK(f.cache.stats().misses == 1);

    f.writer.add_balance(alice, 250);  // a commit (autocommit) by another connection
    CHECK(f.balance(alice) == 1250);
    CHECK(f.cache.stats().reruns == 1);  // the hit was refused at the end of the read
    CHECK(f.cache.stats().resets >= 1);
    CHECK(f.balance(alice) == 1250);  // and kept again
}

TEST_CASE("a commit to a table the cache does not keep still retires its rows") {
    // The version is the whole store's: no table is assumed unrelated.
    fixture f;
    CHECK(f.balance(bob) == 1000);
    f.writer.add_payment(bob, 1, "topup", 500, "ref");
    const auto misses = f.cache.stats().misses;
    CHECK(f.balance(bob) == 1000);
    CHECK(f.cache.stats().misses == misses + 1);
}

TEST_CASE("a read that mixes kept rows and the store answers from one state") {
    fixture f;
    CHECK(f.balance(alice) == 1000);  // alice kept
    // Within one read: alice from memory, then the store moves, then a row
    // that is not kept needs the store. The first answer must not pair the
    // old alice with the new store.
    int runs = 0;
    auto both = f.read([&] {
        ++runs;
        const auto a = f.reader.find_subscriber(alice)->balance;
        if (runs == 1) {
            store::transaction t(f.wc);
            f.writer.add_balance(alice, -300);
            f.writer.add_balance(bob, 300);
            t.commit();
        }
        const auto b = f.reader.find_subscriber(bob)->balance;
        return a + b;
    });
    CHECK(runs == 2);
    CHECK(both == 2000);  // 700 + 1300: money neither made nor lost
    CHECK(f.cache.stats().reruns == 1);
    // Both rows were read in the second run's transaction and are kept.
    CHECK(f.balance(alice) == 700);
    CHECK(f.balance(bob) == 1300);
}

TEST_CASE("tariffs and connected services are kept - and retired alike") {
    fixture f;
    auto title = [&] { return f.read([&] { return f.reader.find_tariff("Basic")->title_en; }); };
    const auto first = title();
    CHECK(title() == first);
    CHECK(f.cache.stats().hits == 1);
    auto t = *f.writer.find_tariff("Basic");
    t.title_en = "Basic 2";
    f.writer.put_tariff(t);
    CHECK(title() == "Basic 2");

    auto count = [&] { return f.read([&] { return f.reader.connected(alice).size(); }); };
    const auto before = count();
    CHECK(count() == before);
    f.writer.subscribe(alice, "caller_id", 1);
    CHECK(count() == before + 1);
    // An unknown tariff or number is kept as unknown, and retired the same way.
    CHECK_FALSE(f.read([&] { return f.reader.find_subscriber("79009999999").has_value(); }));
    CHECK_FALSE(f.read([&] { return f.reader.find_subscriber("79009999999").has_value(); }));
    store::subscriber s;
    s.msisdn = "79009999999";
    s.tariff = "Basic";
    f.writer.add_subscriber(s);
    CHECK(f.read([&] { return f.reader.find_subscriber("79009999999").has_value(); }));
}

TEST_CASE("at its capacity the cache forgets its rows and starts over") {
    test::temp_dir dir;
    store::connection wc{dir.file("s.db")};
    REQUIRE(store::migrate(wc));
    store::accounts writer{wc};
    store::connection rc{dir.file("s.db"), store::open_mode::read_only};
    store::accounts reader{rc};
    store::read_cache cache{rc, 3};
    reader.serve_from(&cache);
    for (int i = 0; i < 10; ++i) {
        cache.begin_read();
        reader.find_subscriber("7900000000" + std::to_string(i));
        REQUIRE(cache.end_read());
        CHECK(cache.rows() <= 3);
    }
    CHECK(cache.stats().resets >= 3);
}

TEST_CASE("a failed read leaves no transaction open") {
    fixture f;
    f.cache.begin_read();
    f.reader.find_subscriber(alice);  // opens the read transaction (a miss)
    CHECK(f.rc.in_transaction());
    f.cache.abandon_read();
    CHECK_FALSE(f.rc.in_transaction());
    // The writer is not held back by a reader left behind.
    f.writer.add_balance(alice, 1);
    CHECK(f.balance(alice) == 1001);
}

TEST_SUITE_END();
