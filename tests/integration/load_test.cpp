// ussdgw-load end to end: the load generator listening on a free port, the
// real daemon bound to it on a demo store, every built-in scenario and a
// scenario file, and what a transfer run left in the store.

#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace ussdgw::test;

namespace {

// Ten handsets with money of their own, so a window of 10 has a handset per
// flow and every transfer of the ring is covered (the demo's 79160000003 and
// ...05 are at -10 and 0 RUB).
constexpr const char* handsets = "79160000011:10";
constexpr long long opening_kopecks = 100000;

std::string msisdn(int i) {
    return std::to_string(79160000011LL + i);
}

// The demo store plus the ten load handsets at 1000 RUB each.
std::string load_store(const temp_dir& dir) {
    auto db = demo_store(dir);
    for (int i = 0; i < 10; ++i) {
        auto r = admin({"--db", db, "subscriber", "add", msisdn(i), "--balance", "1000"});
        REQUIRE_MESSAGE(r.code == 0, r.output);
    }
    return db;
}

// A transfer's notice to the recipient leaves through the outbox after the
// run's last step; the daemon stopped with notices unsent waits up to
// drain_timeout for a bind that ussdgw-load no longer gives. Not worth 5 s a run.
std::string quick_stop_config(const std::string& db) {
    auto path = db + ".conf";
    std::ofstream(path) << "[smsc]\ndrain_timeout = 100ms\n";
    return path;
}

// Runs ussdgw-load with `args` on a free port and the daemon on `db` against
// it; its exit status and everything it printed.
run_result run_load(const std::string& db, const std::vector<std::string>& args) {
    std::vector<std::string> argv{binary_path("ussdgw-load"),
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--timeout",
                                  "20",
                                  "--password",
                                  bind_password};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process load(argv);
    auto line = load.wait_for("ussdgw-load listening on", patience);
    REQUIRE_MESSAGE(line, load.output());
    const auto port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    auto daemon =
        start_daemon(port, {"--db", db, "--log-level", "warn", "--config", quick_stop_config(db)});
    auto code = load.wait_exit(std::chrono::milliseconds(60'000));
    daemon->signal(SIGTERM);
    daemon->wait_exit(patience);
    INFO("daemon output:\n" << daemon->output());
    REQUIRE_MESSAGE(code, load.output());
    return {*code, load.output()};
}

// The bench line of a run's output, or "" when there is none.
std::string bench_of(const std::string& output) {
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("bench: ", 0) == 0) return line;
    return "";
}

// The value of ` key=` on a bench line.
std::string field(const std::string& bench, const std::string& key) {
    auto at = bench.find(" " + key + "=");
    if (at == std::string::npos) return "";
    at += key.size() + 2;
    return bench.substr(at, bench.find(' ', at) - at);
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

long long balance_kopecks(const std::string& db, const std::string& number) {
    auto r = admin({"--db", db, "subscriber", "show", number, "--json"});
    REQUIRE(r.code == 0);
    const std::string key = "\"balance_kopecks\":";
    auto at = r.output.find(key);
    REQUIRE(at != std::string::npos);
    return std::stoll(r.output.substr(at + key.size()));
}

}  // namespace

TEST_CASE("load: every built-in scenario completes 200 steps at window 10 without errors") {
    temp_dir dir;
    auto db = load_store(dir);
    for (const char* name : {"menu-balance", "direct-read", "sms", "transfer", "mixed"}) {
        CAPTURE(name);
        auto r = run_load(db, {"--scenario", name, "--count", "200", "--window", "10",
                               "--subscribers", handsets});
        INFO("ussdgw-load output:\n" << r.output);
        CHECK(r.code == 0);
        auto bench = bench_of(r.output);
        REQUIRE(!bench.empty());
        CHECK(field(bench, "scenario") == name);
        CHECK(field(bench, "window") == "10");
        CHECK(field(bench, "binds") == "1");
        CHECK(field(bench, "n") == "200");
        CHECK(field(bench, "errors") == "0");
        CHECK(std::stod(field(bench, "rate")) > 0);
        CHECK(std::stod(field(bench, "p50_ms")) <= std::stod(field(bench, "p99_ms")));
        CHECK(std::stod(field(bench, "p99_ms")) <= std::stod(field(bench, "p999_ms")));
        CHECK(field(bench, "cpu_us") == "-");  // no --daemon-pid
        CHECK(field(bench, "rss_kb") == "-");
    }
}

TEST_CASE("load: a transfer run moves the money it reports") {
    temp_dir dir;
    auto db = load_store(dir);
    auto r = run_load(db, {"--scenario", "transfer", "--count", "200", "--window", "10",
                           "--subscribers", handsets});
    INFO("ussdgw-load output:\n" << r.output);
    REQUIRE(r.code == 0);
    CHECK(field(bench_of(r.output), "n") == "200");
    // Each handset sent 10 RUB to the next (the last to the first): 200
    // transfers made, 200 received, and every balance is what its own rows say.
    std::size_t sent = 0, received = 0;
    long long total = 0;
    for (int i = 0; i < 10; ++i) {
        auto archive = admin({"--db", db, "archive", msisdn(i), "--limit", "1000", "--json"});
        REQUIRE(archive.code == 0);
        const auto out = count_of(archive.output, "\"action\":\"transfer\",\"result\":\"ok\"");
        const auto in = count_of(archive.output, "\"action\":\"transfer_in\",\"result\":\"ok\"");
        CHECK(count_of(archive.output, "\"action\":\"transfer\",") == out);  // none refused
        const auto balance = balance_kopecks(db, msisdn(i));
        CHECK(balance == opening_kopecks - 1000 * static_cast<long long>(out) +
                             1000 * static_cast<long long>(in));
        sent += out;
        received += in;
        total += balance;
    }
    CHECK(sent == 200);
    CHECK(received == 200);
    CHECK(total == 10 * opening_kopecks);
}

TEST_CASE("load: a scenario file runs its steps and expands {next}") {
    temp_dir dir;
    auto db = load_store(dir);
    auto file = write_script(dir, "dialog.scn",
                             "# The balance through the menu, an SMS command while the dialog\n"
                             "# is still open, then a transfer to the next handset.\n"
                             "ussd *111#\n"
                             "answer 1\n"
                             "\n"
                             "sms 8111 0\n"
                             "ussd *111*4*4*{next}*10*1#\n");
    auto r = run_load(
        db, {"--scenario", file, "--count", "200", "--window", "10", "--subscribers", handsets});
    INFO("ussdgw-load output:\n" << r.output);
    CHECK(r.code == 0);
    auto bench = bench_of(r.output);
    CHECK(field(bench, "scenario") == "dialog.scn");
    CHECK(field(bench, "n") == "200");
    CHECK(field(bench, "errors") == "0");
    // 200 steps are 50 flows of four, so 50 transfers.
    std::size_t transfers = 0;
    for (int i = 0; i < 10; ++i) {
        auto archive = admin({"--db", db, "archive", msisdn(i), "--limit", "1000", "--json"});
        transfers += count_of(archive.output, "\"action\":\"transfer\",\"result\":\"ok\"");
    }
    CHECK(transfers == 50);
}

TEST_CASE("load: a bad scenario line is reported as file:line with exit status 2") {
    temp_dir dir;
    auto file = write_script(dir, "bad.scn", "# fine so far\nussd *111#\nanswer\n");
    child_process load({binary_path("ussdgw-load"), "--listen", "127.0.0.1:0", "--scenario", file,
                        "--count", "10"});
    CHECK(load.wait_exit(patience) == 2);
    CHECK(load.output().find(file + ":3: answer needs a TEXT") != std::string::npos);
    CHECK(load.output().find("listening on") == std::string::npos);  // refused before listening

    auto unknown = write_script(dir, "unknown.scn", "ussd *111#\n\nsend 8111 0\n");
    child_process load2({binary_path("ussdgw-load"), "--listen", "127.0.0.1:0", "--scenario",
                         unknown, "--count", "10"});
    CHECK(load2.wait_exit(patience) == 2);
    CHECK(load2.output().find(unknown + ":3: unknown step 'send'") != std::string::npos);
}

TEST_CASE("load: no bind within --timeout exits 1 and says so") {
    child_process load({binary_path("ussdgw-load"), "--listen", "127.0.0.1:0", "--scenario",
                        "direct-read", "--count", "10", "--timeout", "0.3"});
    CHECK(load.wait_exit(patience) == 1);
    CHECK(load.output().find("only 0 of 1 bind(s) arrived within 0.3 s") != std::string::npos);
    CHECK(load.output().find("bench:") == std::string::npos);
}
