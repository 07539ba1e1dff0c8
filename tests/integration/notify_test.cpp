// The daemon under systemd's Type=notify, with the test playing systemd: a
// NOTIFY_SOCKET it reads. READY=1 once serving, STATUS= following the bind,
// STOPPING=1 on SIGTERM, and WATCHDOG=1 pings only when systemd watches this
// very process (WATCHDOG_USEC, WATCHDOG_PID).

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <string>

#include "harness.hpp"
#include "notify_socket.hpp"

using namespace ussdgw::test;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

std::size_t count(const std::vector<std::string>& messages, const std::string& m) {
    return static_cast<std::size_t>(std::count(messages.begin(), messages.end(), m));
}

// ussdgw run as systemd runs it with a watchdog: WATCHDOG_PID is the daemon's
// own pid, known only once it runs, so a shell exports its own and execs.
std::unique_ptr<child_process> start_watched_daemon(std::uint16_t port, const std::string& db,
                                                    const std::string& pid,
                                                    std::map<std::string, std::string> env) {
    return std::make_unique<child_process>(
        std::vector<std::string>{
            "/bin/sh", "-c", "export WATCHDOG_PID=" + pid + "; exec \"$0\" \"$@\"",
            binary_path("ussdgw"), "--smsc", "127.0.0.1:" + std::to_string(port), "--password",
            bind_password, "--menus", shipped_menus(), "--db", db},
        std::move(env));
}

}  // namespace

TEST_CASE("notify: READY=1 once serving - STATUS with the bind state - STOPPING=1 on SIGTERM") {
    temp_dir dir;
    auto db = demo_store(dir);
    notify_socket systemd(dir.file("notify"));
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", db}, {{"NOTIFY_SOCKET", systemd.path()}});
    INFO("daemon output:\n" << daemon->output());
    CHECK(systemd.wait_for("READY=1", patience));
    auto bound = systemd.wait_for(
        [](const std::string& l) { return starts_with(l, "STATUS=bound to 1 of 1"); }, patience);
    REQUIRE(bound);
    // The handset works once systemd was told the daemon is up.
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    sim.proc->write("*111#\n");
    CHECK(sim.proc->wait_for("continue: Service *111#", patience));

    // The SMSC goes away: systemctl status says so while the daemon rebinds.
    sim.proc->write("/quit\n");
    CHECK(sim.proc->wait_exit(patience) == 0);
    CHECK(systemd.wait_for(
        [](const std::string& l) { return starts_with(l, "STATUS=bound to 0 of 1"); }, patience));

    daemon->signal(SIGTERM);
    CHECK(systemd.wait_for("STOPPING=1", patience));
    CHECK(daemon->wait_exit(patience) == 0);
    // Nobody asked for a watchdog: no pings.
    CHECK(count(systemd.received(), "WATCHDOG=1") == 0);
}

TEST_CASE("notify: WATCHDOG=1 every half interval when systemd watches this process") {
    temp_dir dir;
    auto db = demo_store(dir);
    notify_socket systemd(dir.file("notify"));
    auto sim = start_sim({});
    // 200 ms: pings every 100 ms, the first before READY=1.
    auto daemon = start_watched_daemon(
        sim.port, db, "$$", {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "200000"}});
    INFO("daemon output:\n" << daemon->output());
    CHECK(systemd.wait_for("WATCHDOG=1", patience));
    CHECK(systemd.wait_for("READY=1", patience));
    CHECK(systemd.wait_for("WATCHDOG=1", patience));
    CHECK(systemd.wait_for("WATCHDOG=1", patience));
    daemon->signal(SIGTERM);
    CHECK(systemd.wait_for("STOPPING=1", patience));
    CHECK(daemon->wait_exit(patience) == 0);
    CHECK(count(systemd.received(), "WATCHDOG=1") >= 3);
}

TEST_CASE("notify: no WATCHDOG=1 when the watchdog is meant for another process") {
    temp_dir dir;
    auto db = demo_store(dir);
    notify_socket systemd(dir.file("notify"));
    auto sim = start_sim({});
    // The shell's parent (this test) is watched, not the daemon.
    auto daemon = start_watched_daemon(
        sim.port, db, "$PPID", {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "200000"}});
    INFO("daemon output:\n" << daemon->output());
    // A watched daemon pings before READY=1, so none by then means none at all.
    CHECK(systemd.wait_for("READY=1", patience));
    CHECK(count(systemd.received(), "WATCHDOG=1") == 0);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}
