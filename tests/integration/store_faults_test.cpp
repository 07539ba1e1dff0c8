// Store faults end to end: the real daemon on a real SQLite file whose disk
// fails under it (tests/support/io_fault_shim.c: full, read-only, failing)
// or whose write lock this process holds, the fault switched on and off
// while the daemon runs. During a fault a confirmed transfer and an SMS
// command are answered "try later" and move nothing, balance reads still
// work, /metrics counts the failures by kind, /healthz says why, and the log
// names the file and the cause once; once the fault clears the same requests
// succeed without a restart. A damaged store at start stops the daemon and
// the admin tool with an error naming the file.

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>

#include "harness.hpp"
#include "http_client.hpp"
#include "io_fault.hpp"

using namespace ussdgw::test;

namespace {

// msg::storage_error as the subscriber reads it (English demo subscriber).
const std::string try_later = "Service is temporarily unavailable. Please try later.";

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

std::size_t count_of(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = s.find(part); pos != std::string::npos; pos = s.find(part, pos + 1)) ++n;
    return n;
}

// What a money operation would change: both parties' balances and the
// transfers in their archives (reads add archive rows of their own, so the
// rows are filtered to money).
std::string money(const std::string& db) {
    std::string out;
    for (const char* msisdn : {"79160000001", "79160000003"}) {
        auto [rc, show] = admin({"--db", db, "subscriber", "show", msisdn, "--json"});
        REQUIRE(rc == 0);
        std::smatch m;
        REQUIRE(std::regex_search(show, m, std::regex(R"re("balance[a-z_]*":\s*(-?[0-9.]+))re")));
        auto [arc, archive] = admin({"--db", db, "archive", msisdn, "--json", "--limit", "1000"});
        REQUIRE(arc == 0);
        out += std::string(msisdn) + " balance " + m[1].str() + " transfers " +
               std::to_string(count_of(archive, "\"action\":\"transfer")) + "; ";
    }
    return out;
}

// A /metrics page as series -> value.
std::map<std::string, double> scrape(std::uint16_t port) {
    auto r = http_call(port, http_request_text("GET", "/metrics"), patience);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::map<std::string, double> out;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

std::string errors_series(const std::string& kind) {
    return "ussdgw_store_errors_total{op=\"write\",kind=\"" + kind + "\"}";
}

// The simulator, the daemon on a demo store with the fault shim preloaded
// and its HTTP listener on, and the listener's port.
struct gateway {
    temp_dir dir;
    std::string db;
    io_fault fault;
    sim_process sim;
    std::unique_ptr<child_process> daemon;
    std::uint16_t http = 0;

    gateway() : db(demo_store(dir)), fault(dir, db) {
        auto conf = dir.file("ussdgw.conf");
        // A held lock fails a write after 300 ms instead of the default 5 s:
        // the lock test waits for that once per failed write.
        std::ofstream(conf) << "[rules]\npwhash = minimum\n[store]\nbusy_timeout = 300ms\n";
        sim = start_sim({});
        daemon = start_daemon(
            sim.port, {"--config", conf, "--db", db, "--http-listen", "127.0.0.1:0"}, fault.env());
        auto line = daemon->wait_for("http listening on 127.0.0.1:", patience);
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(line);
        http = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
        REQUIRE(sim.proc->wait_for("bind ok", patience));
    }
    ~gateway() {
        fault.clear();
        sim.proc->write("/quit\n");
        daemon->signal(SIGTERM);
        daemon->wait_exit(patience);
    }

    // Types `line` at the phone prompt (handset 79160000001) and returns the
    // next MT line that contains `mt` (other MTs, such as the outbox's SMS,
    // may come in between).
    std::string phone(const std::string& line, const std::string& mt_part) {
        sim.proc->write(line + "\n");
        auto mt = sim.proc->wait_for(
            [&](const std::string& l) { return l.starts_with("MT ") && contains(l, mt_part); },
            patience);
        INFO("typed: " << line << " and waited for " << mt_part);
        INFO("simulator output:\n" << sim.proc->output());
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(mt);
        return *mt;
    }

    // A transfer of 10 RUB to 79160000003 walked through the menu and
    // confirmed; the result screen. The dialog is hung up after it.
    std::string transfer() {
        phone("*111*4*4#", "Recipient");
        phone("79160000003", "Amount");
        phone("10", "Transfer 10 RUB to 79160000003?");
        auto result = phone("1", "MT ussd to=79160000001");
        sim.proc->write("/release\n");
        return result;
    }

    // The balance screen from the menu (a read: no write transaction); the
    // dialog is hung up after it.
    std::string balance() {
        phone("*111#", "1 Balance");
        auto screen = phone("1", "MT ussd to=79160000001");
        sim.proc->write("/release\n");
        return screen;
    }

    // "25 Hello123" to 111 (a new password: a write, with Argon2id work
    // first); the reply from 3339.
    std::string password_sms() {
        return phone("/sms 111 25 Hello123", "MT sms from=3339 to=79160000001");
    }

    // Scrapes until `ready` holds for the page; the last page either way.
    std::map<std::string, double> scrape_when(
        const std::function<bool(std::map<std::string, double>&)>& ready) {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        auto page = scrape(http);
        while (!ready(page) && std::chrono::steady_clock::now() < deadline) page = scrape(http);
        return page;
    }

    // GET /healthz: its status and body.
    std::pair<int, std::string> health() {
        auto r = http_call(http, http_request_text("GET", "/healthz"), patience);
        REQUIRE(r);
        return {r->status, r->body};
    }
};

// One fault from start to end. `on` and `off` switch it; `kind` is the
// metric label and `words` what the log line must say about the cause.
void check_fault(gateway& g, const std::string& kind, const std::string& words,
                 const std::function<void()>& on, const std::function<void()>& off) {
    // The store works: a read, and the state the fault must not change.
    CHECK(contains(g.balance(), "Balance: 250.00 RUB"));
    const auto before = money(g.db);
    const auto page0 = scrape(g.http);
    CHECK(page0.at(errors_series(kind)) == 0);

    on();
    // A confirmed transfer and an SMS command: "try later", nothing moved.
    auto screen = g.transfer();
    CHECK(contains(screen, try_later));
    auto reply = g.password_sms();
    CHECK(contains(reply, "from=3339 to=79160000001"));
    CHECK(contains(reply, try_later));
    // Reads do not write: the balance is still shown.
    CHECK(contains(g.balance(), "Balance: 250.00 RUB"));
    // The operator's view: the failures by kind, the health check's reason.
    auto page = g.scrape_when([&](auto& p) { return p[errors_series(kind)] >= 2; });
    CHECK(page[errors_series(kind)] >= 2);
    CHECK(page["ussdgw_store_writes_failing"] == 1);
    for (const auto& other : {"disk_full", "read_only", "locked", "io", "corrupt", "other"})
        if (other != kind) CHECK(page[errors_series(other)] == 0);
    auto [status, why] = g.health();
    CHECK(status == 503);
    CHECK(contains(why, "the store refused a write"));
    CHECK(contains(why, words));

    off();
    // The same requests succeed on the running daemon.
    auto done = g.transfer();
    CHECK(contains(done, "10.00 RUB sent"));
    auto accepted = g.password_sms();
    CHECK(!contains(accepted, try_later));
    // The action's own SMS leaves through the outbox: that write worked too.
    CHECK(g.sim.proc->wait_for("MT sms from=3339 to=79160000001: Your new password is accepted",
                               patience));
    CHECK(contains(g.balance(), "Balance: 240.00 RUB"));
    const auto recovered = "store " + g.db + ": writes work again";
    CHECK(g.daemon->wait_for(recovered, patience));
    CHECK(g.health().first == 200);
    CHECK(scrape(g.http).at("ussdgw_store_writes_failing") == 0);

    const auto& log = g.daemon->output();
    INFO("daemon output:\n" << log);
    // One error line for the whole fault, naming the file, the kind and the cause.
    const auto opened = "store " + g.db + ": write failed, ";
    CHECK(count_of(log, opened) == 1);
    auto at = log.find(opened);
    REQUIRE(at != std::string::npos);
    const auto line = log.substr(at, log.find('\n', at) - at);
    CHECK(contains(line, words));
    CHECK(contains(log.substr(log.rfind('\n', at) + 1, 40), "error"));
    CHECK(count_of(log, recovered) == 1);
    // The failed transfer left nothing; the one after it is all there is.
    auto after = money(g.db);
    CHECK(before != after);
    CHECK(contains(before, "79160000001 balance 250"));
    CHECK(contains(after, "79160000001 balance 240"));
    CHECK(contains(after, "79160000003 balance 0"));
    CHECK(count_of(after, "transfers 1;") == 2);
    CHECK(count_of(before, "transfers 0;") == 2);
}

// This process holds the store's write lock, as a backup or a stray sqlite3
// shell would: BEGIN EXCLUSIVE through SQLite's own API.
class lock_holder {
  public:
    /// Opens `db` when `open` (else holds nothing).
    explicit lock_holder(const std::string& db, bool open = true) {
        if (!open) return;
        REQUIRE(sqlite3_open_v2(db.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        sqlite3_busy_timeout(db_, static_cast<int>(patience.count()));
        // The first statement opens the WAL, which then stays while this is open.
        REQUIRE(sqlite3_exec(db_, "SELECT count(*) FROM subscribers", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
    }
    ~lock_holder() {
        release();
        sqlite3_close(db_);
    }
    lock_holder(const lock_holder&) = delete;
    lock_holder& operator=(const lock_holder&) = delete;
    void take() { REQUIRE(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == 0); }
    void release() {
        if (db_ && !sqlite3_get_autocommit(db_))
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

  private:
    sqlite3* db_ = nullptr;
};

// Starts the daemon on `db` and returns its exit code and output; it must
// stop by itself.
std::pair<int, std::string> start_on(const temp_dir& dir, const std::string& db) {
    auto sim = start_sim({});
    auto conf = dir.file("ussdgw.conf");
    std::ofstream(conf) << "[rules]\npwhash = minimum\n";
    auto daemon = start_daemon(sim.port, {"--config", conf, "--db", db});
    auto rc = daemon->wait_exit(patience);
    sim.proc->write("/quit\n");
    REQUIRE(rc);
    return {*rc, daemon->output()};
}

// A clean stop with an error: a non-zero exit code that is not a signal (a
// crash, an abort), and no sanitizer report.
void check_refused(int rc, const std::string& out, const std::string& db) {
    INFO("output:\n" << out);
    CHECK(rc != 0);
    CHECK(rc < 128);
    CHECK(contains(out, db));
    CHECK(!contains(out, "AddressSanitizer"));
    CHECK(!contains(out, "runtime error"));
    CHECK(!contains(out, "terminate called"));
}

}  // namespace

TEST_CASE("store faults: a full disk - try later and no money moved - then service resumes") {
    gateway g;
    check_fault(
        g, "disk_full", "disk full", [&] { g.fault.set("ENOSPC"); }, [&] { g.fault.clear(); });
}

TEST_CASE("store faults: a read-only store - try later with reads still served - then resumes") {
    gateway g;
    check_fault(
        g, "read_only", "Read-only file system", [&] { g.fault.set("EROFS"); },
        [&] { g.fault.clear(); });
}

TEST_CASE("store faults: a failing disk (EIO) - try later - then service resumes") {
    gateway g;
    check_fault(
        g, "io", "Input/output error", [&] { g.fault.set("EIO"); }, [&] { g.fault.clear(); });
}

TEST_CASE("store faults: the store locked by another process - try later - then resumes") {
    gateway g;
    lock_holder other(g.db);
    check_fault(
        g, "locked", "database is locked", [&] { other.take(); }, [&] { other.release(); });
}

TEST_CASE("store faults: a store read-only at start stops the daemon by name - then it starts") {
    temp_dir dir;
    const auto db = demo_store(dir);
    io_fault fault(dir, db);
    fault.set("EROFS");
    // Another connection keeps the WAL in place (SQLite then opens the store
    // read-only without a word, and that writer would never write again).
    for (bool wal_open : {false, true}) {
        INFO("another connection open: " << wal_open);
        lock_holder other(db, wal_open);
        auto sim = start_sim({});
        auto daemon = start_daemon(sim.port, {"--db", db}, fault.env());
        auto rc = daemon->wait_exit(patience);
        sim.proc->write("/quit\n");
        REQUIRE(rc);
        check_refused(*rc, daemon->output(), db);
        CHECK(contains(daemon->output(), "read-only file or directory"));
        CHECK(contains(daemon->output(), "Read-only file system"));
    }
    // Once the fault clears the same store starts (systemd restarts it).
    fault.clear();
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", db}, fault.env());
    CHECK(sim.proc->wait_for("bind ok", patience));
    sim.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
}

TEST_CASE("store faults: a store of garbage bytes stops the daemon and the admin tool by name") {
    temp_dir dir;
    const auto db = dir.file("garbage.db");
    {
        std::mt19937 bytes(7);
        std::ofstream f(db, std::ios::binary);
        for (int i = 0; i < 64 * 1024; ++i) f.put(static_cast<char>(bytes() & 0xff));
    }
    ::chmod(db.c_str(), 0600);
    auto [rc, out] = start_on(dir, db);
    check_refused(rc, out, db);
    CHECK(contains(out, "damaged file: file is not a database"));
    auto [arc, aout] = admin({"--db", db, "subscriber", "show", "79160000001"});
    check_refused(arc, aout, db);
}

TEST_CASE("store faults: a truncated store stops the daemon and the admin tool by name") {
    temp_dir dir;
    const auto db = demo_store(dir);
    const auto size = std::filesystem::file_size(db);
    REQUIRE(size > 4 * 4096);
    // Cut to its first pages: the header and the schema survive, the tables do not.
    std::filesystem::resize_file(db, 3 * 4096);
    auto [rc, out] = start_on(dir, db);
    check_refused(rc, out, db);
    CHECK(contains(out, "damaged file: database disk image is malformed"));
    auto [arc, aout] = admin({"--db", db, "subscriber", "show", "79160000001"});
    check_refused(arc, aout, db);
}
