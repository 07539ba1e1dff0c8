// The outbox end to end: an SMS an action committed reaches the handset even
// when the daemon dies before the SMSC took it, and SMS the admin tool
// commits are sent by the running daemon.

#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

std::string fast_config(const temp_dir& dir) {
    auto path = dir.file("outbox.conf");
    // A short submit deadline so a refused send comes back to the outbox quickly.
    std::ofstream(path) << "[rules]\npwhash = minimum\n[smsc]\nsubmit_deadline = 1s\n";
    return path;
}

std::string admin_out(const std::vector<std::string>& args, const std::string& input = "") {
    std::vector<std::string> argv{binary_path("ussdgw-admin")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    if (!input.empty()) p.write(input);
    p.close_stdin();
    REQUIRE(p.wait_exit(patience));
    return p.output();
}

}  // namespace

TEST_CASE("outbox: an SMS committed while the SMSC refuses survives a SIGKILL and goes out after") {
    temp_dir dir;
    auto db = demo_store(dir);
    {
        // This SMSC refuses every submit_sm (queue full): the password SMS
        // is committed, and cannot leave.
        auto refusing = start_sim({"--queue-full-every", "1"});
        auto daemon = start_daemon(refusing.port, {"--db", db, "--config", fast_config(dir)});
        REQUIRE(refusing.proc->wait_for("bind ok", patience));
        refusing.proc->write("/as 79160000002\n/sms 3339 Password\n");
        REQUIRE(daemon->wait_for("not delivered", patience));
        daemon->signal(SIGKILL);
        daemon->wait_exit(patience);
        refusing.proc->write("/quit\n");
    }
    CHECK(admin_out({"--db", db, "outbox"}).find("1 SMS pending in the outbox") !=
          std::string::npos);
    // Restarted against an SMSC that accepts: the SMS goes out.
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", db, "--config", fast_config(dir)});
    auto mt = sim.proc->wait_for("MT sms from=3339 to=79160000002", patience);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(mt);
    CHECK(mt->find("Ваш пароль") != std::string::npos);
    sim.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
    CHECK(admin_out({"--db", db, "outbox"}).find("0 SMS pending in the outbox") !=
          std::string::npos);
}

TEST_CASE("outbox: a login alert the admin tool commits is sent by the running daemon") {
    temp_dir dir;
    auto db = demo_store(dir);
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", db, "--config", fast_config(dir)});
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    // The subscriber switches login alerts on and sets a password.
    sim.proc->write("*111*7*6*1#\n");
    REQUIRE(sim.proc->wait_for("Login alerts are on", patience));
    sim.proc->write("/sms 111 25 Hello123\n");
    REQUIRE(sim.proc->wait_for("accepted", patience));
    // The website's login check (here the admin tool) with a wrong password.
    auto out = admin_out({"--db", db, "password", "check", "79160000001"}, "Wrong123\n");
    CHECK(out.find("1 alert SMS queued") != std::string::npos);
    auto alert = sim.proc->wait_for(
        "MT sms from=3339 to=79160000001: Login to your account refused", patience);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    CHECK(alert);
    sim.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}
