// End to end over loopback TCP: the real ussdgw binary bound to the real
// simulator (libsmpp34 on its side, our codec on ours). The bind, round
// trips, rebind after an SMSC restart, refused binds with backoff, throttling,
// and a polite unbind on SIGTERM.

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <signal.h>

#include <regex>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

// Waits for the simulator to finish its script; on failure shows both sides' output.
void require_script_passes(sim_process& sim, child_process& daemon) {
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon.output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
}

}  // namespace

TEST_CASE("one USSD and one SMS round trip through the daemon") {
    temp_dir dir;
    auto script = write_script(dir, "roundtrip.txt", R"(
wait-bind
79160000001 ussd *111#
expect ussd 79160000001 continue Balance
79160000002 sms 111 hello
expect sms 79160000002 111
)");
    auto sim = start_sim({"--script", script});
    auto daemon = start_daemon(sim.port, {"--db", demo_store(dir), "--menus", shipped_menus()});
    require_script_passes(sim, *daemon);
}

TEST_CASE("after the SMSC restarts the daemon rebinds and answers the next request") {
    temp_dir dir;
    auto first = write_script(dir, "first.txt",
                              "wait-bind\n79160000001 ussd *111#\n"
                              "expect ussd 79160000001 continue Balance\n");
    auto sim = start_sim({"--script", first});
    auto daemon = start_daemon(sim.port, {"--db", demo_store(dir), "--menus", shipped_menus()});
    require_script_passes(sim, *daemon);  // the simulator exits: the link drops

    REQUIRE(daemon->wait_for("link lost", patience));
    auto second = write_script(dir, "second.txt",
                               "wait-bind\n79160000003 ussd *111#\n"
                               "expect ussd 79160000003 continue\n");
    auto again = start_sim({"--script", second}, sim.port);
    require_script_passes(again, *daemon);
    CHECK(daemon->running());
}

TEST_CASE("a refused bind is logged and retried with growing delays - never in a loop") {
    temp_dir dir;
    auto sim = start_sim({"--password", "right"});
    auto daemon = start_daemon(sim.port, {"--password", "wrong", "--db", demo_store(dir)});
    // Each refusal logs its status and the delay before the next attempt.
    std::regex refused(R"(bind refused: ESME_RINVPASWD; retrying in (\d+) ms)");
    std::vector<long> delays;
    while (delays.size() < 3) {
        auto line = daemon->wait_for(
            [&](const std::string& l) { return std::regex_search(l, refused); }, patience);
        REQUIRE(line);
        std::smatch m;
        std::regex_search(*line, m, refused);
        delays.push_back(std::stol(m[1]));
    }
    // Backoff starts at 500 ms and doubles, jittered down to half: 250..500,
    // 500..1000, 1000..2000. A spinning client would show near-zero delays.
    CHECK(delays[0] >= 250);
    CHECK(delays[0] <= 500);
    CHECK(delays[1] >= 500);
    CHECK(delays[2] >= 1000);
    // The simulator saw exactly as many attempts as were logged (plus at most one in flight).
    daemon->signal(SIGTERM);
    REQUIRE(daemon->wait_exit(patience) == 0);
    sim.proc->signal(SIGTERM);
    sim.proc->wait_exit(patience);
    std::size_t attempts = 0;
    for (std::size_t pos = 0;
         (pos = sim.proc->output().find("bind refused", pos)) != std::string::npos; ++pos)
        ++attempts;
    CHECK(attempts >= 3);
    CHECK(attempts <= 4);
    // The password is a secret: it never appears in the daemon's log.
    CHECK(daemon->output().find("wrong") == std::string::npos);
}

TEST_CASE("throttled and queue-full submits are retried until they go through") {
    temp_dir dir;
    auto script = write_script(dir, "throttle.txt", R"(
wait-bind
79160000001 ussd *111#
expect ussd 79160000001 continue Balance
79160000002 ussd *111#
expect ussd 79160000002 continue
79160000003 sms 111 hello
expect sms 79160000003 111
79160000004 sms 111 hello
expect sms 79160000004 111
)");
    auto sim = start_sim({"--script", script, "--throttle-every", "2", "--queue-full-every", "3"});
    auto daemon = start_daemon(sim.port, {"--db", demo_store(dir), "--menus", shipped_menus()});
    require_script_passes(sim, *daemon);
    CHECK(daemon->wait_for("refused with ESME_RTHROTTLED; retry", patience));
}

TEST_CASE("SIGTERM unbinds politely and exits 0") {
    temp_dir dir;
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", demo_store(dir), "--menus", shipped_menus()});
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    daemon->signal(SIGTERM);
    CHECK(sim.proc->wait_for("unbind", patience));
    auto rc = daemon->wait_exit(patience);
    INFO(daemon->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
}

TEST_CASE("--check-config validates and exits 0 or 1 with file:line") {
    temp_dir dir;
    child_process good({binary_path("ussdgw"), "--config",
                        std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.conf", "--menus",
                        shipped_menus(), "--check-config"});
    CHECK(good.wait_exit(patience) == 0);
    auto bad = write_script(dir, "bad.conf", "[smsc]\nport = 0\n");
    child_process broken({binary_path("ussdgw"), "--config", bad, "--check-config"});
    CHECK(broken.wait_exit(patience) == 1);
    CHECK(broken.output().find("bad.conf:2: smsc.port") != std::string::npos);
    // A store that is not a database is found before the daemon would start on it.
    auto junk = write_script(dir, "junk.db", "this is not sqlite\n");
    ::chmod(junk.c_str(), 0600);
    child_process bad_store(
        {binary_path("ussdgw"), "--db", junk, "--menus", shipped_menus(), "--check-config"});
    CHECK(bad_store.wait_exit(patience) == 1);
    CHECK(bad_store.output().find("store " + junk) != std::string::npos);
    // A store others may read is found too, with the fix.
    ::chmod(junk.c_str(), 0644);
    child_process open_store(
        {binary_path("ussdgw"), "--db", junk, "--menus", shipped_menus(), "--check-config"});
    CHECK(open_store.wait_exit(patience) == 1);
    CHECK(open_store.output().find("fix-permissions") != std::string::npos);
}
