// Crash safety: a child process runs a burst of transfers through the real
// runner and is killed with SIGKILL mid-burst, after it reported over a pipe
// that some transfers committed. The parent reopens the database: money is
// neither created nor lost, every archived transfer is fully applied, and
// every transfer reported done is there.

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>

#include "fixture.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

const std::vector<std::string> ring = {en1, ru2, en3, ru4, en5};

[[noreturn]] void child_burst(const std::string& path, int out) {
    actions::runner_options o;
    o.db_path = path;
    o.cfg = test_rules();
    actions::store_runner r(std::move(o));
    std::atomic<int> done{0};
    for (int i = 0; i < 1'000'000; ++i) {
        actions::request q;
        q.msisdn = ring[static_cast<std::size_t>(i) % ring.size()];
        q.action = "transfer";
        q.arguments = {{"to", ring[static_cast<std::size_t>(i + 1) % ring.size()]},
                       {"amount", std::to_string(1 + i % 7)}};
        r.run(std::move(q), [&done, out](actions::outcome x) {
            int n = ++done;
            (void)x;
            // Written after COMMIT returned: the parent may kill us any time now.
            if (n % 25 == 0) {
                ssize_t w = ::write(out, &n, sizeof n);
                (void)w;
            }
        });
        // Keep the queue short so batches keep committing while we submit.
        if (i % 200 == 199) r.drain();
    }
    _exit(0);
}

}  // namespace

TEST_CASE("SIGKILL in the middle of a burst of transfers loses nothing and half-applies nothing") {
    temp_dir dir;
    auto path = fresh_store(dir, "crash.db");
    make_demo_db(path);
    std::map<std::string, std::int64_t> initial;
    {
        store::connection c(path);
        c.exec("UPDATE subscribers SET balance = 100000");
        store::accounts a(c);
        for (const auto& m : ring) initial[m] = a.find_subscriber(m)->balance;
    }
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        try {
            child_burst(path, fds[1]);
        } catch (...) {
            _exit(3);  // never return into the test runner from the child
        }
    }
    close(fds[1]);
    int reported = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (reported < 400 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0) continue;
        int n = 0;
        if (read(fds[0], &n, sizeof n) != sizeof n) break;
        reported = n;
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(fds[0]);
    REQUIRE(reported >= 400);
    CHECK(WIFSIGNALED(status));

    store::connection c(path);
    store::accounts a(c);
    auto scalar = [&](const std::string& sql) {
        auto st = c.prepare(sql);
        auto cur = st.query();
        REQUIRE(cur.next());
        return cur.int64(0);
    };
    std::int64_t sum_before = 0, sum_after = 0;
    for (const auto& m : ring) {
        auto s = a.find_subscriber(m);
        REQUIRE(s);
        sum_before += initial[m];
        sum_after += s->balance;
        // Every kopeck that moved is in the archive (transfer and transfer_in rows).
        auto st = c.prepare("SELECT coalesce(sum(amount), 0) FROM archive WHERE msisdn = ?");
        auto cur = st.query(m);
        REQUIRE(cur.next());
        CHECK(s->balance == initial[m] + cur.int64(0));
    }
    CHECK(sum_after == sum_before);
    auto transfers =
        scalar("SELECT count(*) FROM archive WHERE action = 'transfer' AND result = 'ok'");
    CHECK(transfers >= reported);
    CHECK(scalar("SELECT count(*) FROM archive WHERE action = 'transfer_in'") == transfers);
    CHECK(scalar("SELECT count(*) FROM payments WHERE kind = 'transfer_out'") == transfers);
    CHECK(scalar("SELECT count(*) FROM payments WHERE kind = 'transfer_in'") == transfers);
    MESSAGE("killed after ", reported, " reported commits; ", transfers, " transfers durable");
}
