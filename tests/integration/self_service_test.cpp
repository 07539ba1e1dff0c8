// End to end through the simulator: the shipped menus, the demo store and the
// real daemon. Menu walks, direct codes, Russian screens, SMS commands, the
// dialog guard timer, the busy reply, SIGHUP reloads, SMSC resends.

#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using namespace ussdgw::test;
namespace fs = std::filesystem;

namespace {

// A config for tests: cheap password hashing (the hash cost is not under test
// here) plus whatever the test needs.
std::string test_config(const temp_dir& dir, const std::string& extra = "") {
    auto path = dir.file("ussdgw.conf");
    std::ofstream(path) << "[rules]\npwhash = minimum\n" << extra;
    return path;
}

// Runs one script against a fresh daemon on the demo store; returns when it passed.
void run_script(const std::string& body, const std::string& conf_extra = "") {
    temp_dir dir;
    auto script = write_script(dir, "s.sim", "wait-bind\n" + body);
    auto sim = start_sim({"--script", script});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir, conf_extra), "--db",
                                          demo_store(dir), "--menus", shipped_menus()});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
}

// An interactive simulator (phone prompt on a pipe) with a daemon bound to it.
struct phone {
    temp_dir dir;
    sim_process sim;
    std::unique_ptr<child_process> daemon;

    explicit phone(const std::string& conf_extra = "", const std::string& menus = shipped_menus()) {
        sim = start_sim({});
        daemon = start_daemon(sim.port, {"--config", test_config(dir, conf_extra), "--db",
                                         demo_store(dir), "--menus", menus});
        REQUIRE(sim.proc->wait_for("bind ok", patience));
    }
    // Types a line at the prompt and returns the next MT line it causes.
    std::string dial(const std::string& line) {
        sim.proc->write(line + "\n");
        auto mt = sim.proc->wait_for("MT ", patience);
        INFO("simulator output:\n" << sim.proc->output());
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(mt);
        return *mt;
    }
};

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a full *111# walk: main menu - then Balance - a result keeps 0 and 00") {
    run_script(R"(
79160000001 ussd *111#
expect ussd 79160000001 continue 1 Balance
79160000001 answer 1
expect ussd 79160000001 continue Balance: 250.00 RUB
79160000001 answer 00
expect ussd 79160000001 continue Service *111#
79160000001 answer 1
expect ussd 79160000001 continue 0 Back 00 Main menu
79160000001 answer 0
expect ussd 79160000001 continue Service *111#
)");
}

TEST_CASE(
    "the example script of the README and docs/smsc-sim.md passes against the shipped menus") {
    temp_dir dir;
    auto sim =
        start_sim({"--script", std::string(USSDGW_SOURCE_DIR) + "/tests/data/sim/example.sim"});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir), "--db", demo_store(dir)});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
}

TEST_CASE("*111*N*M# walks the tree in one string - direct codes run their action") {
    run_script(R"(
79160000001 ussd *111*2*1#
expect ussd 79160000001 end Tariff Smart
79160000001 ussd *111*25#
expect ussd 79160000001 end SMS from 3339
expect sms 79160000001 3339 Your password
79160000003 ussd *152#
expect ussd 79160000003 end
79160000001 ussd *999#
expect ussd 79160000001 end Unknown request
)");
}

TEST_CASE("navigation: 0 goes back - 00 to the main menu - an invalid choice repeats with a hint") {
    run_script(R"(
79160000001 ussd *111#
expect ussd 79160000001 continue Service *111#
79160000001 answer 2
expect ussd 79160000001 continue My tariff
79160000001 answer 0
expect ussd 79160000001 continue Service *111#
79160000001 answer 7
expect ussd 79160000001 continue
79160000001 answer 00
expect ussd 79160000001 continue Service *111#
79160000001 answer 42
expect ussd 79160000001 continue Invalid choice.
)");
}

TEST_CASE("a Russian-speaking subscriber gets Cyrillic screens - *111*6*2# switches to Latin") {
    run_script(R"(
79160000002 ussd *111*1#
expect sms 79160000002 111
expect ussd 79160000002 end
79160000002 ussd *111#
expect ussd 79160000002 continue Баланс
79160000002 ussd *111*6*2#
expect ussd 79160000002 end
79160000002 ussd *111#
expect ussd 79160000002 continue Balans
)");
}

TEST_CASE("SMS commands: 25 <password> to 111 - Password to 3339 - 0 to 8111 - help otherwise") {
    run_script(R"(
79160000001 sms 111 25 Hello123
expect sms 79160000001 3339
expect sms 79160000001 3339
79160000004 sms 3339 PASSWORD
expect sms 79160000004 3339
79160000001 sms 8111 0
expect sms 79160000001 8111
79160000001 sms 111 what is this
expect sms 79160000001 111 25 <password>
79160000001 sms 111 25 weak
expect sms 79160000001 3339
)");
}

TEST_CASE("a dialog idle past its guard time is dropped - a late answer hears that it ended") {
    phone p("[ussd]\ndialog_timeout = 1s\n");
    CHECK(contains(p.dial("*111#"), "continue"));
    REQUIRE(p.daemon->wait_for("dialog timed out", patience));
    auto late = p.dial("1");  // the phone still thinks the dialog is open: an answer (op 18)
    CHECK(contains(late, "end"));
    CHECK(contains(late, "Your session has ended"));
}

TEST_CASE("when the dialog table is full a new dialog gets 'busy' and ends") {
    phone p("[ussd]\nmax_dialogs = 1\n");
    CHECK(contains(p.dial("*111#"), "continue"));
    p.sim.proc->write("/as 79160000003\n");
    auto busy = p.dial("*111#");
    CHECK(contains(busy, "end"));
    CHECK(contains(busy, "Service is busy"));
    // The first subscriber's dialog is untouched by the refusal.
    p.sim.proc->write("/as 79160000001\n");
    CHECK(contains(p.dial("1"), "Balance: 250.00 RUB"));
}

TEST_CASE("SIGHUP reload: a broken file keeps the old tree serving - a good one replaces it") {
    temp_dir menus_copy;
    fs::copy(shipped_menus(), menus_copy.path(), fs::copy_options::recursive);
    phone p("", menus_copy.path());
    CHECK(contains(p.dial("*111#"), "Service *111#"));

    auto main_yaml = menus_copy.file("main.yaml");
    std::string original;
    {
        std::ifstream in(main_yaml);
        original.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(main_yaml) << original << "\n  broken: {type: menu, options: [}\n";
    p.daemon->signal(SIGHUP);
    REQUIRE(p.daemon->wait_for("everything stays as it was", patience));
    CHECK(contains(p.dial("00"), "Service *111#"));  // old tree, dialog still running

    std::string renamed = original;
    renamed.replace(renamed.find("\"Service *111#\""), 15, "\"Self-care *111#\"");
    std::ofstream(main_yaml) << renamed;
    p.daemon->signal(SIGHUP);
    REQUIRE(p.daemon->wait_for("in service", patience));
    // The running dialog finishes on the tree it started on; a new one sees the new tree.
    CHECK(contains(p.dial("00"), "Service *111#"));
    p.sim.proc->write("/release\n");
    CHECK(contains(p.dial("*111#"), "Self-care *111#"));
}

TEST_CASE(
    "SIGHUP reload: new rules reach screens and actions - a restart-only key is named - a bad "
    "value changes nothing") {
    phone p;
    auto conf = p.dir.file("ussdgw.conf");
    // Default SMS password limit: 8 characters at most.
    CHECK(contains(p.dial("*111*7*1*2#"), "6-8 Latin letters"));
    p.sim.proc->write("/sms 111 25 Hello12345\n");
    CHECK(p.sim.proc->wait_for("at most 8", patience));

    std::ofstream(conf) << "[rules]\npwhash = minimum\npassword_max_sms = 10\n"
                        << "[store]\nhash_queue = 100\n";
    p.daemon->signal(SIGHUP);
    REQUIRE(p.daemon->wait_for("in service", patience));
    const auto log = p.daemon->output();
    INFO(log);
    CHECK(contains(log, "reload: rules.password_max_sms: (default) -> 10"));
    CHECK(contains(log, "reload: store.hash_queue: (default) -> 100 (needs a restart"));
    // The screen (menus built with the new constants) and the action (the
    // runner's rules) both follow.
    CHECK(contains(p.dial("*111*7*1*2#"), "6-10 Latin letters"));
    p.sim.proc->write("/sms 111 25 Hello12345\n");
    CHECK(p.sim.proc->wait_for("accepted", patience));

    // A value out of range: the whole file is refused, the running rules stay.
    std::ofstream(conf) << "[rules]\npwhash = minimum\npassword_max_sms = 3\n";
    p.daemon->signal(SIGHUP);
    REQUIRE(p.daemon->wait_for("everything stays as it was", patience));
    CHECK(contains(p.daemon->output(), "ussdgw.conf:3"));
    CHECK(contains(p.dial("*111*7*1*2#"), "6-10 Latin letters"));
}

TEST_CASE("--log-format json: one JSON object per line - the bind and the subscriber as fields") {
    temp_dir dir;
    auto sim = start_sim({});
    auto daemon = start_daemon(
        sim.port, {"--config", test_config(dir), "--db", demo_store(dir), "--log-format", "json"});
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    auto bound = daemon->wait_for(R"("msg":"bound")", patience);
    REQUIRE(bound);
    CHECK(contains(*bound, R"("bind":"default")"));
    CHECK(contains(*bound, R"("level":"info")"));
    sim.proc->write("/sms 111 what is this\n");
    auto refused = daemon->wait_for("matched no command", patience);
    REQUIRE(refused);
    CHECK(contains(*refused, R"("msisdn":"79160000001")"));
    daemon->signal(SIGTERM);
    REQUIRE(daemon->wait_exit(patience));
    std::istringstream lines(daemon->output());
    for (std::string line; std::getline(lines, line);) {
        CAPTURE(line);
        CHECK(line.starts_with(R"({"time":")"));
        CHECK(line.ends_with("}"));
    }
}

TEST_CASE("a repeated SMS is answered every time - a same text is no proof of a resend") {
    phone p;
    p.sim.proc->write("/sms 8111 0\n");
    REQUIRE(p.sim.proc->wait_for("MT sms from=8111", patience));
    // The default profile trusts nothing in an MO SMS to prove a resend, so
    // the subscriber who sends "0" again hears back again.
    auto again = p.dial("/sms 8111 0");
    CHECK(contains(again, "MT sms from=8111"));
}

TEST_CASE("a submit cut by a lost link is resent after the rebind") {
    temp_dir dir;
    auto script = write_script(dir, "cut.sim", R"(
wait-bind
79160000001 sms 8111 0
wait-bind
expect sms 79160000001 8111
)");
    auto sim = start_sim({"--script", script, "--disconnect-after", "1"});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir), "--db", demo_store(dir),
                                          "--menus", shipped_menus()});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
    CHECK(contains(sim.proc->output(), "fault disconnect n=1"));
}

TEST_CASE(
    "the umr SMSC profile: dialogs keyed on user_message_reference - ended by op 2 + end bit") {
    temp_dir dir;
    auto script = write_script(dir, "umr.sim", R"(
wait-bind
79160000001 ussd *111#
expect ussd 79160000001 continue 1 Balance
79160000001 answer 1
expect ussd 79160000001 continue Balance: 250.00 RUB
79160000001 ussd *111*2*1#
expect ussd 79160000001 end Tariff
)");
    auto sim = start_sim({"--script", script, "--profile", "umr"});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir, "[smsc]\nprofile = umr\n"),
                                          "--db", demo_store(dir), "--menus", shipped_menus()});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
    CHECK(contains(sim.proc->output(), "op=2 continue: Balance"));
    CHECK(contains(sim.proc->output(), "op=2 end: Tariff"));
}

TEST_CASE("an SMSC redelivering a confirmation does not move money twice") {
    temp_dir dir;
    // MO 5 is the "1 Yes" that confirms the transfer; the simulator sends it
    // again as an SMSC does after losing our deliver_sm_resp.
    auto script = write_script(dir, "dup.sim", R"(
wait-bind
79160000001 ussd *111*4*4#
expect ussd 79160000001 continue Recipient
79160000001 answer 79160000003
expect ussd 79160000001 continue Amount
79160000001 answer 100
expect ussd 79160000001 continue Transfer 100
79160000001 answer 1
expect ussd 79160000001 continue 100.00 RUB sent
expect sms 79160000003 111 You received 100.00 RUB
expect-none 1
79160000003 ussd *111#
expect ussd 79160000003 continue Balance
79160000003 answer 1
expect ussd 79160000003 continue Balance: 90.00 RUB
)");
    auto db = demo_store(dir);
    auto sim = start_sim({"--script", script, "--duplicate-every", "4"});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir), "--db", db});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim.proc->output());
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
    CHECK(contains(sim.proc->output(), "fault duplicate n=4"));
    CHECK(contains(daemon->output(), "resend of answer (sequence"));
    // The archive holds exactly one transfer.
    child_process archive({binary_path("ussdgw-admin"), "archive", "79160000001", "--db", db});
    REQUIRE(archive.wait_exit(patience) == 0);
    std::size_t transfers = 0;
    for (std::size_t pos = 0; (pos = archive.output().find("transfer", pos)) != std::string::npos;
         ++pos)
        ++transfers;
    INFO(archive.output());
    CHECK(transfers == 1);
}

TEST_CASE("PINs PUKs and passwords never reach the log - the archive or an MT in clear") {
    temp_dir dir;
    auto script = write_script(dir, "secrets.sim", R"(
wait-bind
79160000001 ussd **04*1234*5678*5678#
expect ussd 79160000001 end PIN has been changed
79160000001 ussd **05*12345678*9876*9876#
expect ussd 79160000001 end
79160000001 sms 111 25 Secr7tXy
expect sms 79160000001 3339 one-time password
expect sms 79160000001 3339 accepted
79160000001 sms 111 25 Secr7tXy extra
expect sms 79160000001 3339 error
# Near misses: one part short, one too many, a typo, the wrong number.
79160000001 ussd **04*7391*4682#
expect ussd 79160000001 end Unknown request **04*xxx*xxx#
79160000001 ussd **05*84736251*4682*4682*1#
expect ussd 79160000001 end Unknown request
79160000001 ussd **04*73a1*4682*4682#
expect ussd 79160000001 end **04*...
79160000001 sms 3339 25 Zq9wPx4k
expect sms 79160000001 3339
79160000001 sms 1234 25 Zq9wPx4k
expect sms 79160000001 1234
79160000001 sms 111 Zq9wPx4k
expect sms 79160000001 111
)");
    auto db = demo_store(dir);
    auto sim = start_sim({"--script", script});
    // At trace level every per-message line is logged.
    auto daemon =
        start_daemon(sim.port, {"--config", test_config(dir), "--db", db, "--log-level", "trace"});
    auto rc = sim.proc->wait_exit(patience * 2);
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    INFO("simulator output:\n" << sim.proc->output());
    INFO("daemon output:\n" << daemon->output());
    REQUIRE(rc == 0);
    child_process archive(
        {binary_path("ussdgw-admin"), "archive", "79160000001", "--limit", "50", "--db", db});
    REQUIRE(archive.wait_exit(patience) == 0);
    INFO("archive:\n" << archive.output());
    CHECK(contains(archive.output(), "pin_change"));
    CHECK(contains(archive.output(), "password_set"));
    // The simulator prints every MT it carried: what an SMSC would log.
    for (const char* secret :
         {"5678", "12345678", "9876", "Secr7tXy", "7391", "4682", "84736251", "73a1", "Zq9wPx4k"}) {
        CAPTURE(secret);
        CHECK(!contains(daemon->output(), secret));
        CHECK(!contains(archive.output(), secret));
        CHECK(!contains(sim.proc->output(), secret));
    }
}

TEST_CASE("the password help states the configured SMS limits - and the check keeps to them") {
    run_script(R"(
79160000001 ussd *111*7*1*2#
expect ussd 79160000001 end 6-10 Latin letters
79160000001 sms 111 25 Hello12345
expect sms 79160000001 3339 one-time password
expect sms 79160000001 3339 accepted
79160000001 sms 111 25 Hello123456
expect sms 79160000001 3339 at most 10
)",
               "password_max_sms = 10\n");
}

TEST_CASE("number management: a linked number shows in the owner's *111# with its balance") {
    temp_dir dir;
    auto db = demo_store(dir);
    auto admin = [&](std::vector<std::string> args) {
        args.insert(args.begin(), binary_path("ussdgw-admin"));
        args.insert(args.end(), {"--db", db});
        child_process p(args);
        auto rc = p.wait_exit(patience);
        INFO(p.output());
        REQUIRE(rc == 0);
    };
    auto script = write_script(dir, "links.sim", R"(
wait-bind
79160000001 ussd *111*828*1#
expect ussd 79160000001 end Number management is on
79160000001 ussd *111*7*3#
expect ussd 79160000001 continue 3 Number management
79160000001 release
)");
    auto sim = start_sim({"--script", script});
    auto daemon = start_daemon(sim.port, {"--config", test_config(dir), "--db", db});
    REQUIRE(sim.proc->wait_exit(patience * 2) == 0);
    CHECK(!contains(sim.proc->output(), "Linked numbers"));
    admin({"link", "79160000001", "79160000004"});
    auto script2 = write_script(dir, "links2.sim", R"(
wait-bind
79160000001 ussd *111*7*3#
expect ussd 79160000001 continue 4 Linked numbers
79160000001 answer 4
expect ussd 79160000001 continue 79160000004: 50.00 RUB
expect sms 79160000004 111 привязан
)");
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    auto sim2 = start_sim({"--script", script2});
    auto daemon2 = start_daemon(sim2.port, {"--config", test_config(dir), "--db", db});
    auto rc = sim2.proc->wait_exit(patience * 2);
    INFO("simulator output:\n" << sim2.proc->output());
    INFO("daemon output:\n" << daemon2->output());
    CHECK(rc == 0);
    daemon2->signal(SIGTERM);
    daemon2->wait_exit(patience);
}
