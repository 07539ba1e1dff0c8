// The SMSC matrix: every built-in profile (and the operator profiles the
// docs suggest) against the simulator playing each way SMSCs in the field
// carry a USSD dialog. In every style a multi-step dialog holds, no real
// answer is dropped, a resent confirmation or direct code moves money once,
// lent money stays, and releases and timeouts end dialogs.

#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

struct smsc_style {
    const char* name;              // for the failure message
    std::vector<std::string> sim;  // simulator flags that play the style
    std::string conf;              // the daemon's profile for it
    bool proves_resends = false;   // its sequence moves: a resent answer is dropped
};

const std::vector<smsc_style>& styles() {
    static const std::vector<smsc_style> all = {
        {"sequence counts - profile default (auto)", {}, "", true},
        {"sequence echoes ours - profile default (auto)", {"--its-sequence", "echo"}, "", true},
        {"sequence fixed at 0 - profile default (auto)", {"--its-sequence", "fixed"}, "", false},
        {"sequence fixed at 0 - operator profile sequence=fixed",
         {"--its-sequence", "fixed"},
         "[smsc]\nprofile = fixed-smsc\n[profile fixed-smsc]\nbased_on = default\n"
         "sequence = fixed\n",
         false},
        {"sequence counts - operator profile sequence=moves",
         {},
         "[smsc]\nprofile = counting\n[profile counting]\nbased_on = default\nsequence = moves\n",
         true},
        {"no its_session_info - user_message_reference - profile umr",
         {"--dialog-key", "umr"},
         "[smsc]\nprofile = umr\n",
         false},
        {"no session TLV at all - profile msisdn",
         {"--dialog-key", "msisdn"},
         "[smsc]\nprofile = msisdn\n",
         false},
        {"op 1 on every MO - vendor release 32 - operator profile begin_while_open=answer",
         {"--its-sequence", "fixed", "--answer-op", "1", "--release-op", "32"},
         "[smsc]\nprofile = op1\n[profile op1]\nbased_on = default\nbegin_while_open = answer\n",
         false},
    };
    return all;
}

std::string config(const temp_dir& dir, const smsc_style& s, const std::string& extra = "") {
    auto path = dir.file("style.conf");
    std::ofstream(path) << "[rules]\npwhash = minimum\n" << extra << s.conf;
    return path;
}

// One script covering the money and navigation cases of one style.
std::string matrix_script(const smsc_style& s) {
    std::string body = R"(
wait-bind
# The same digit twice in a row is two answers: Payments, then Transfer money.
79160000001 ussd *111#
expect ussd 79160000001 continue Service *111#
79160000001 answer 4
expect ussd 79160000001 continue Promised payment
79160000001 answer 4
expect ussd 79160000001 continue Recipient
79160000001 answer 0
expect ussd 79160000001 continue Promised payment
79160000001 answer 0
expect ussd 79160000001 continue Service *111#
79160000001 release
# A transfer confirmed in the menu, the "1" resent by the SMSC.
79160000001 ussd *111*4*4#
expect ussd 79160000001 continue Recipient
79160000001 answer 79160000003
expect ussd 79160000001 continue Amount
79160000001 answer 100
expect ussd 79160000001 continue Transfer 100
79160000001 answer 1
expect ussd 79160000001 continue 100.00 RUB sent
79160000001 resend
)";
    // Where nothing proves the resend it is processed: the dialog is on the
    // result, so the "1" is a wrong key there, never a second transfer.
    if (!s.proves_resends) body += "expect ussd 79160000001 continue Invalid choice.\n";
    body += R"(expect sms 79160000003 111 You received 100.00 RUB
# A transfer confirmed in the dialled string, the whole begin resent.
79160000001 ussd *111*4*4*79160000003*10*1#
expect ussd 79160000001 end 10.00 RUB sent
79160000001 resend
expect ussd 79160000001 end Already done earlier, not repeated
expect sms 79160000003 111 You received 10.00 RUB
# A promised payment cannot leave the account.
79160000005 ussd *111*4*1*4*1#
expect ussd 79160000005 end Promised payment of 800.00 RUB is credited
79160000005 ussd *111*4*4*79160000003*750*1#
expect ussd 79160000005 end Only your own money can be transferred
# The recipient got each transfer once: -10 + 100 + 10.
79160000003 ussd *111#
expect ussd 79160000003 continue Balance
79160000003 answer 1
expect ussd 79160000003 continue Balance: 100.00 RUB
)";
    return body;
}

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("smsc matrix: every style holds a dialog - resends move money once - lent money stays") {
    for (const auto& s : styles()) {
        INFO("style: " << std::string(s.name));
        temp_dir dir;
        auto db = demo_store(dir);
        auto script = write_script(dir, "matrix.sim", matrix_script(s));
        auto args = s.sim;
        args.insert(args.end(), {"--script", script});
        auto sim = start_sim(args);
        auto daemon = start_daemon(sim.port, {"--config", config(dir, s), "--db", db});
        auto rc = sim.proc->wait_exit(patience * 2);
        daemon->signal(SIGTERM);
        daemon->wait_exit(patience);
        INFO("simulator output:\n" << sim.proc->output());
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(rc.has_value());
        CHECK(*rc == 0);
        const auto& log = daemon->output();
        CHECK(log.find("dialog released by the subscriber") != std::string::npos);
        // A resent answer is dropped only where the style proves it.
        CHECK((log.find("resend of answer") != std::string::npos) == s.proves_resends);
        child_process archive(
            {binary_path("ussdgw-admin"), "archive", "79160000001", "--db", db, "--limit", "50"});
        REQUIRE(archive.wait_exit(patience) == 0);
        CHECK(count(archive.output(), "transfer ") + count(archive.output(), "transfer\n") == 2);
    }
}

TEST_CASE("smsc matrix: a dialog left idle times out in every style - a late answer hears so") {
    for (const auto& s : styles()) {
        INFO("style: " << std::string(s.name));
        temp_dir dir;
        auto sim = start_sim(s.sim);
        auto daemon = start_daemon(
            sim.port,
            {"--config", config(dir, s, "[ussd]\ndialog_timeout = 1s\n"), "--db", demo_store(dir)});
        REQUIRE(sim.proc->wait_for("bind ok", patience));
        sim.proc->write("*111#\n");
        REQUIRE(sim.proc->wait_for("continue: Service *111#", patience));
        // The guard timer fires on the daemon's side; wait for it to say so.
        REQUIRE(daemon->wait_for("dialog timed out", patience));
        sim.proc->write("1\n");
        auto late = sim.proc->wait_for("MT ussd", patience);
        INFO("simulator output:\n" << sim.proc->output());
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(late);
        CHECK(late->find("end: Your session has ended") != std::string::npos);
        sim.proc->write("/quit\n");
        daemon->signal(SIGTERM);
        CHECK(daemon->wait_exit(patience) == 0);
    }
}

TEST_CASE("an MO op the profile does not know is acknowledged - no screen - logged once per bind") {
    temp_dir dir;
    // This SMSC answers screens with op 21, which the default profile gives no
    // role. Each such MO must be acknowledged with status 0 (a script line
    // fails otherwise) and get no screen: the next screen the handset sees is
    // the menu of its next dial.
    auto script = write_script(dir, "op21.sim", R"(
wait-bind
79160000001 ussd *111#
expect ussd 79160000001 continue Service *111#
79160000001 answer 1
79160000001 answer 1
79160000001 answer 1
79160000001 release
79160000001 ussd *111#
expect ussd 79160000001 continue Service *111#
)");
    auto sim = start_sim({"--answer-op", "21", "--script", script});
    auto daemon = start_daemon(
        sim.port, {"--config", config(dir, styles().front()), "--db", demo_store(dir)});
    auto rc = sim.proc->wait_exit(patience * 2);
    daemon->signal(SIGTERM);
    REQUIRE(daemon->wait_exit(patience) == 0);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    CHECK(rc == 0);
    CHECK(count(daemon->output(), "ussd_service_op 21 has no role in profile default") == 1);
}
