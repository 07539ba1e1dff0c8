// Several binds: two SMSCs (two simulators), one daemon. A dialog is
// answered on the bind it came in on; SMS leave on any bound one, so they
// still go out while one SMSC is down.

#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>

#include "harness.hpp"

using namespace ussdgw::test;

TEST_CASE(
    "two binds: each dialog answered where it came from - SMS go out while one SMSC is down") {
    temp_dir dir;
    auto a = start_sim({});
    auto b = start_sim({"--dialog-key", "umr"});
    auto conf = dir.file("two.conf");
    std::ofstream(conf) << "[rules]\npwhash = minimum\n"
                        << "[smsc second]\nhost = 127.0.0.1\nport = " << b.port
                        << "\npassword = " << bind_password
                        << "\nprofile = umr\nreconnect_min = 50ms\n";
    auto daemon = start_daemon(a.port, {"--config", conf, "--db", demo_store(dir)});
    REQUIRE(a.proc->wait_for("bind ok", patience));
    REQUIRE(b.proc->wait_for("bind ok", patience));
    // A dialog on each SMSC: the screens come back on the same SMSC.
    a.proc->write("*111#\n");
    REQUIRE(a.proc->wait_for("continue: Service *111#", patience));
    b.proc->write("/as 79160000003\n*111#\n");
    REQUIRE(b.proc->wait_for("continue: Service *111#", patience));
    a.proc->write("1\n");
    CHECK(a.proc->wait_for("Balance: 250.00 RUB", patience));
    b.proc->write("1\n");
    CHECK(b.proc->wait_for("Balance: -10.00 RUB", patience));
    // The first SMSC goes away: a password SMS asked on the second still arrives.
    a.proc->write("/quit\n");
    REQUIRE(a.proc->wait_exit(patience));
    b.proc->write("/sms 3339 Password\n");
    auto sms = b.proc->wait_for("MT sms from=3339 to=79160000003", patience);
    INFO("daemon output:\n" << daemon->output());
    CHECK(sms);
    b.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}
