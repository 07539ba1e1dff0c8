// Secrets end to end: the store and its key are private files, the daemon
// refuses a store others may read, and passwords and codes never need the
// command line (where every local user can read them).

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

int run_admin(const std::vector<std::string>& args, const std::string& input = "",
              std::string* output = nullptr) {
    std::vector<std::string> argv{binary_path("ussdgw-admin")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    if (!input.empty()) p.write(input);
    p.close_stdin();
    auto rc = p.wait_exit(patience);
    if (output) *output = p.output();
    REQUIRE(rc);
    return *rc;
}

std::string fast_hash_config(const temp_dir& dir) {
    auto path = dir.file("fast.conf");
    std::ofstream(path) << "[rules]\npwhash = minimum\n";
    return path;
}

}  // namespace

TEST_CASE("the store and its server key are created private - others may not read them") {
    temp_dir dir;
    auto db = demo_store(dir);
    CHECK(mode_of(db) == 0600);
    CHECK(mode_of(db + ".key") == 0600);
}

TEST_CASE("the daemon refuses a store others may read - ussdgw-admin fix-permissions repairs it") {
    temp_dir dir;
    auto db = demo_store(dir);
    ::chmod(db.c_str(), 0644);
    auto sim = start_sim({});
    {
        auto refused = start_daemon(sim.port, {"--db", db, "--config", fast_hash_config(dir)});
        CHECK(refused->wait_exit(patience) == 1);
        CHECK(refused->output().find("refusing to start: " + db +
                                     " may be read or written by others (mode 0644)") !=
              std::string::npos);
        CHECK(refused->output().find("fix-permissions") != std::string::npos);
    }
    std::string out;
    CHECK(run_admin({"--db", db, "fix-permissions"}, "", &out) == 0);
    CHECK(out.find("mode 0644 -> 0600") != std::string::npos);
    CHECK(mode_of(db) == 0600);
    auto daemon = start_daemon(sim.port, {"--db", db, "--config", fast_hash_config(dir)});
    CHECK(sim.proc->wait_for("bind ok", patience));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}

TEST_CASE("a store without its server key is refused - the key is never silently replaced") {
    temp_dir dir;
    auto db = demo_store(dir);
    std::rename((db + ".key").c_str(), dir.file("moved.key").c_str());
    auto sim = start_sim({});
    auto refused = start_daemon(sim.port, {"--db", db});
    CHECK(refused->wait_exit(patience) == 1);
    CHECK(refused->output().find("which is missing: restore it") != std::string::npos);
    struct stat st {};
    CHECK(::stat((db + ".key").c_str(), &st) != 0);
    // The config can name where the key lives.
    auto conf = dir.file("key.conf");
    std::ofstream(conf) << "[store]\nkey_file = " << dir.file("moved.key") << "\n";
    auto daemon = start_daemon(sim.port, {"--db", db, "--config", conf});
    CHECK(sim.proc->wait_for("bind ok", patience));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}

TEST_CASE("the bind password comes from a file instead of the command line") {
    temp_dir dir;
    auto db = demo_store(dir);
    auto pw = dir.file("smsc.pw");
    std::ofstream(pw) << bind_password << "\n";
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", db, "--password-file", pw});
    CHECK(sim.proc->wait_for("bind ok", patience));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
    // And from systemd's credentials directory, under the name LoadCredential gives it.
    auto creds = dir.file("creds");
    std::filesystem::create_directory(creds);
    std::ofstream(creds + "/smsc-password") << bind_password << "\n";
    child_process with_creds(
        {binary_path("ussdgw"), "--smsc", "127.0.0.1:" + std::to_string(sim.port), "--db", db,
         "--menus", shipped_menus()},
        {{"CREDENTIALS_DIRECTORY", creds}});
    CHECK(sim.proc->wait_for("bind ok", patience));
    with_creds.signal(SIGTERM);
    CHECK(with_creds.wait_exit(patience) == 0);
    auto missing = start_daemon(sim.port, {"--db", db, "--password-file", dir.file("none")});
    CHECK(missing->wait_exit(patience) == 1);
    CHECK(missing->output().find("password file " + dir.file("none") + ": cannot open") !=
          std::string::npos);
}

TEST_CASE("an empty systemd credential leaves the config's bind password in force") {
    // systemd/ussdgw.service falls back to SetCredential=smsc-password:\n when
    // /etc/ussdgw/smsc-password is missing (a missing LoadCredential= file
    // fails the start on systemd 252): that stand-in must not blank the
    // password the config file gives.
    temp_dir dir;
    auto db = demo_store(dir);
    auto conf = dir.file("pw.conf");
    std::ofstream(conf) << "[smsc]\npassword = " << bind_password << "\n";
    auto creds = dir.file("creds");
    std::filesystem::create_directory(creds);
    std::ofstream(creds + "/smsc-password") << "\n";
    auto sim = start_sim({});
    child_process daemon({binary_path("ussdgw"), "--smsc", "127.0.0.1:" + std::to_string(sim.port),
                          "--config", conf, "--db", db, "--menus", shipped_menus()},
                         {{"CREDENTIALS_DIRECTORY", creds}});
    INFO("daemon output:\n" << daemon.output());
    CHECK(sim.proc->wait_for("bind ok", patience));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(patience) == 0);
}

TEST_CASE("ussdgw-admin takes the PIN and PUK from stdin - and they work at the handset") {
    temp_dir dir;
    auto db = dir.file("s.db");
    REQUIRE(run_admin({"--db", db, "demo"}) == 0);
    std::string out;
    CHECK(run_admin({"--db", db, "subscriber", "add", "79001112233", "--codes-file", "-"},
                    "4321\n87654321\n", &out) == 0);
    CHECK(out.find("4321") == std::string::npos);
    CHECK(run_admin({"--db", db, "subscriber", "add", "79001112234", "--codes-file", "-"}, "12ab\n",
                    &out) == 2);
    CHECK(out.find("the PIN must be digits") != std::string::npos);
    auto script = write_script(dir, "pin.sim", R"(
wait-bind
79001112233 ussd **04*4321*5678*5678#
expect ussd 79001112233 end The PIN has been changed.
79001112233 ussd **05*87654321*1111*1111#
expect ussd 79001112233 end
)");
    auto sim = start_sim({"--script", script});
    auto daemon = start_daemon(sim.port, {"--db", db, "--config", fast_hash_config(dir)});
    auto rc = sim.proc->wait_exit(patience * 2);
    INFO("simulator:\n" << sim.proc->output());
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    INFO("daemon:\n" << daemon->output());
    CHECK(rc == 0);
}

TEST_CASE("a secret answer typed into a USSD prompt never reaches the debug log") {
    // No shipped menu asks for a secret on a screen (SIM codes come in the
    // dialled string), so this copy of the menus adds one.
    temp_dir dir;
    const auto menus = dir.file("menus");
    std::filesystem::copy(shipped_menus(), menus, std::filesystem::copy_options::recursive);
    std::ofstream(menus + "/secret_prompt.yaml") << R"(nodes:
  secret_code:
    type: input
    prompt: {en: "Your code:", ru: "Ваш код:"}
    var: code
    digits: true
    length: [4, 8]
    secret: true
    next: secret_done
  secret_done:
    type: text
    text: {en: "Code taken.", ru: "Код принят."}
  plain_code:
    type: input
    prompt: {en: "Any number:", ru: "Любое число:"}
    var: number
    digits: true
    next: secret_done
codes:
  - {code: "*111*98#", goto: secret_code}
  - {code: "*111*97#", goto: plain_code}
)";
    auto sim = start_sim({});
    auto daemon = start_daemon(
        sim.port, {"--db", demo_store(dir), "--menus", menus, "--config", fast_hash_config(dir)});
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    sim.proc->write("*111*98#\n");
    REQUIRE(sim.proc->wait_for("Your code:", patience));
    sim.proc->write("48317256\n");
    REQUIRE(sim.proc->wait_for("Code taken.", patience));
    // The control: the same path with a prompt that is not secret is logged,
    // so the check below is looking at the right lines.
    sim.proc->write("/release\n*111*97#\n");
    REQUIRE(sim.proc->wait_for("Any number:", patience));
    sim.proc->write("13572468\n");
    REQUIRE(sim.proc->wait_for("Code taken.", patience));
    REQUIRE(daemon->wait_for("13572468", patience));
    sim.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
    INFO("daemon output:\n" << daemon->output());
    CHECK(daemon->output().find("48317256") == std::string::npos);
}

TEST_CASE("PIN and PUK guessing: the strikes survive a daemon restart mid-attack") {
    temp_dir dir;
    const auto db = demo_store(dir);
    const auto conf = fast_hash_config(dir);
    // One daemon life: dial each code, wait for each answer, stop cleanly.
    auto life = [&](const std::vector<std::pair<std::string, std::string>>& dials) {
        auto sim = start_sim({});
        auto daemon = start_daemon(sim.port, {"--db", db, "--config", conf});
        REQUIRE(sim.proc->wait_for("bind ok", patience));
        for (const auto& [code, answer] : dials) {
            CAPTURE(code);
            sim.proc->write(code + "\n");
            CHECK(sim.proc->wait_for(answer, patience));
        }
        sim.proc->write("/quit\n");
        daemon->signal(SIGTERM);
        CHECK(daemon->wait_exit(patience) == 0);
    };
    life({{"**04*0000*5678*5678#", "Wrong PIN. Attempts left: 2."},
          {"**04*0001*5678*5678#", "Wrong PIN. Attempts left: 1."}});
    // Restarted: the third wrong PIN is the third strike, and then even the
    // right one is refused.
    life({{"**04*0002*5678*5678#", "The PIN is blocked"},
          {"**04*1234*5678*5678#", "The PIN is blocked"},
          {"**05*00000000*5678*5678#", "Wrong PUK. Attempts left: 9."}});
    life({{"**05*00000001*5678*5678#", "Wrong PUK. Attempts left: 8."}});
}
