// The personal-account API end to end: the real daemon with its HTTP
// listener (--http-listen 127.0.0.1:0, the port read from its log), the
// simulator as the handsets, and a plain socket client as the website.

#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <sstream>

#include "harness.hpp"
#include "http_client.hpp"

using namespace ussdgw::test;

namespace {

const std::string token = "test-token-0123456789abcdef";

// The simulator, the daemon on a demo store with the API on, and its port.
struct web_gateway {
    temp_dir dir;
    std::string db;
    sim_process sim;
    std::unique_ptr<child_process> daemon;
    std::uint16_t port = 0;

    // `http_extra`: more [http] keys; `with_token`: write and name a token file.
    explicit web_gateway(const std::string& http_extra = "", bool with_token = true,
                         const std::string& conf_extra = "") {
        std::ofstream(dir.file("api-token")) << token << "\n";
        auto conf = dir.file("ussdgw.conf");
        std::ofstream(conf) << "[rules]\npwhash = minimum\n"
                            << conf_extra << "[http]\n"
                            << (with_token ? "token_file = " + dir.file("api-token") + "\n" : "")
                            << http_extra;
        db = demo_store(dir);
        sim = start_sim({});
        daemon =
            start_daemon(sim.port, {"--config", conf, "--db", db, "--http-listen", "127.0.0.1:0"});
        auto line = daemon->wait_for("http listening on 127.0.0.1:", patience);
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(line);
        port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
        REQUIRE(sim.proc->wait_for("bind ok", patience));
    }
    ~web_gateway() {
        sim.proc->write("/quit\n");
        daemon->signal(SIGTERM);
        daemon->wait_exit(patience);
    }

    // POSTs `body` to `path` with the token (or `auth` as the whole Authorization value).
    http_reply post(const std::string& path, const std::string& body,
                    const std::string& bearer = token) {
        auto r = http_call(port, http_request_text("POST", path, body, bearer), patience);
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(r);
        return *r;
    }
    http_reply login(const std::string& msisdn, const std::string& password) {
        return post("/api/v1/login",
                    R"({"msisdn": ")" + msisdn + R"(", "password": ")" + password + R"("})");
    }
    // The password of the next "Your password: X." SMS from 3339 to `msisdn`.
    std::string password_sms(const std::string& msisdn) {
        const std::string marker = "MT sms from=3339 to=" + msisdn + ": Your password: ";
        auto line = sim.proc->wait_for(marker, patience);
        INFO("simulator output:\n" << sim.proc->output());
        REQUIRE(line);
        auto from = line->find(marker) + marker.size();
        return line->substr(from, line->find('.', from) - from);
    }
};

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A /metrics page as series -> value ("ussdgw_dialogs_total{outcome=\"released\"}" -> 1).
std::map<std::string, double> scrape(std::uint16_t port) {
    auto r = http_call(port, http_request_text("GET", "/metrics"), patience);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(contains(r->headers["content-type"], "text/plain; version=0.0.4"));
    std::map<std::string, double> out;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

// Scrapes until `ready` holds for the page (the simulator prints an MT
// before the daemon has read its response); the last page either way.
template <typename Ready>
std::map<std::string, double> scrape_when(std::uint16_t port, Ready ready) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    auto page = scrape(port);
    while (!ready(page) && std::chrono::steady_clock::now() < deadline) page = scrape(port);
    return page;
}

// How much `series` moved from `before` to `after` (absent counts as 0).
double moved(const std::map<std::string, double>& before,
             const std::map<std::string, double>& after, const std::string& series) {
    auto value = [&](const std::map<std::string, double>& m) {
        auto it = m.find(series);
        return it == m.end() ? 0.0 : it->second;
    };
    return value(after) - value(before);
}

}  // namespace

TEST_CASE("http api: 401 without a token and with a wrong one") {
    web_gateway gw;
    const std::string body = R"({"msisdn": "79160000001", "password": "Hello123"})";
    auto none = gw.post("/api/v1/login", body, "");
    CHECK(none.status == 401);
    CHECK(none.headers["www-authenticate"] == "Bearer realm=\"ussdgw\"");
    CHECK(none.headers["content-type"] == "application/json");
    CHECK(contains(none.body, R"("error":"missing or wrong bearer token)"));
    auto wrong = gw.post("/api/v1/password", R"({"msisdn": "79160000001"})", token + "x");
    CHECK(wrong.status == 401);
    // Nothing was sent: the next SMS from 3339 must be the one this asks for.
    CHECK(gw.post("/api/v1/password", R"({"msisdn": "79160000005"})").status == 200);
    auto sms = gw.sim.proc->wait_for("MT sms from=3339", patience);
    REQUIRE(sms);
    CHECK(contains(*sms, "to=79160000005"));
}

TEST_CASE("http api: 400 for malformed JSON - a missing msisdn - a bad number") {
    web_gateway gw;
    auto malformed = gw.post("/api/v1/login", R"({"msisdn": "79160000001", "password": )");
    CHECK(malformed.status == 400);
    CHECK(contains(malformed.body, R"({"error":"malformed JSON at byte)"));
    auto missing = gw.post("/api/v1/password", R"({"number": "79160000001"})");
    CHECK(missing.status == 400);
    CHECK(contains(missing.body, "unknown field 'number'"));
    auto no_msisdn = gw.post("/api/v1/login", R"({"password": "Hello123"})");
    CHECK(no_msisdn.status == 400);
    CHECK(contains(no_msisdn.body, "missing field 'msisdn'"));
    auto bad = gw.post("/api/v1/password", R"({"msisdn": "12345"})");
    CHECK(bad.status == 400);
    CHECK(contains(bad.body, "field 'msisdn': wrong number of digits"));
    auto type = gw.post("/api/v1/password", R"({"msisdn": 79160000001})");
    CHECK(type.status == 400);
    CHECK(contains(type.body, "field 'msisdn' must be a string"));
}

TEST_CASE("http api: a wrong password is refused then the one *111*25# sent logs in") {
    web_gateway gw;
    gw.sim.proc->write("*111*25#\n");
    const auto password = gw.password_sms("79160000001");
    REQUIRE(password.size() == 8);
    auto wrong = gw.login("79160000001", "Wrong123");
    CHECK(wrong.status == 200);
    CHECK(contains(wrong.body, R"("result":"refused")"));
    CHECK(contains(wrong.body, R"("reason":"wrong")"));
    CHECK(contains(wrong.body, R"("message":"Wrong password)"));
    CHECK(gw.daemon->wait_for("web login refused: wrong", patience));
    // Typed as the subscriber writes it: 8 and ten digits.
    auto right = gw.login("89160000001", password);
    CHECK(right.status == 200);
    CHECK(right.body == "{\"result\":\"accepted\"}\n");
    CHECK(gw.daemon->wait_for("web login accepted", patience));
    // The archive says these came through the website.
    child_process admin(
        {binary_path("ussdgw-admin"), "archive", "79160000001", "--json", "--db", gw.db});
    REQUIRE(admin.wait_exit(patience) == 0);
    CHECK(contains(admin.output(), R"("channel":"web","action":"password_check")"));
    // No password in any log line, at debug level.
    gw.daemon->signal(SIGTERM);
    REQUIRE(gw.daemon->wait_for("stopped", patience));
    CHECK_FALSE(contains(gw.daemon->output(), password));
    CHECK_FALSE(contains(gw.daemon->output(), "Wrong123"));
}

TEST_CASE("http api: three wrong passwords lock the login") {
    web_gateway gw("api_rate_per_number = 100\n");
    CHECK(gw.post("/api/v1/password", R"({"msisdn": "79160000001"})").status == 200);
    const auto password = gw.password_sms("79160000001");
    CHECK(contains(gw.login("79160000001", "Wrong111").body, R"("reason":"wrong")"));
    CHECK(contains(gw.login("79160000001", "Wrong222").body, R"("reason":"wrong")"));
    auto third = gw.login("79160000001", "Wrong333");
    CHECK(contains(third.body, R"("reason":"locked")"));
    // Locked: even the right password is refused until a new one is ordered.
    CHECK(contains(gw.login("79160000001", password).body, R"("reason":"locked")"));
    CHECK(gw.post("/api/v1/password", R"({"msisdn": "79160000001"})").status == 200);
    const auto fresh = gw.password_sms("79160000001");
    CHECK(contains(gw.login("79160000001", fresh).body, R"("result":"accepted")"));
}

TEST_CASE("http api: POST /api/v1/password sends a new password by SMS from 3339") {
    // The outbox is looked at hourly here: the SMS leaves at once only
    // because the API tells the sender that the action committed it.
    web_gateway gw("", true, "[outbox]\npoll = 1h\n");
    auto r = gw.post("/api/v1/password", R"({"msisdn": "+79160000002"})");
    CHECK(r.status == 200);
    CHECK(r.body == "{\"result\":\"sent\"}\n");
    auto sms = gw.sim.proc->wait_for("MT sms from=3339 to=79160000002: Ваш пароль", patience);
    INFO("simulator output:\n" << gw.sim.proc->output());
    CHECK(sms);
    auto unknown = gw.post("/api/v1/password", R"({"msisdn": "79169999999"})");
    CHECK(unknown.status == 200);
    CHECK(contains(unknown.body, R"("reason":"unknown_subscriber")"));
}

TEST_CASE("http api: 429 with Retry-After after the per-number limit") {
    web_gateway gw("api_rate_per_number = 2\n");
    CHECK(contains(gw.login("79160000003", "Hello123").body, R"("reason":"no_password")"));
    CHECK(contains(gw.login("9160000003", "Hello123").body, R"("reason":"no_password")"));
    auto over = gw.login("+79160000003", "Hello123");
    CHECK(over.status == 429);
    REQUIRE(over.headers.count("retry-after"));
    CHECK(std::stoi(over.headers["retry-after"]) >= 1);
    CHECK(std::stoi(over.headers["retry-after"]) <= 30);
    CHECK(contains(over.body, "too many requests for this number"));
    // Another number is not affected.
    CHECK(gw.post("/api/v1/password", R"({"msisdn": "79160000004"})").status == 200);
}

TEST_CASE("http api: 429 after the per-client limit") {
    web_gateway gw("api_rate_per_client = 2\n");
    CHECK(gw.post("/api/v1/login", "{}").status == 400);
    CHECK(gw.post("/api/v1/login", "{}", "wrong").status == 401);
    auto over = gw.post("/api/v1/password", R"({"msisdn": "79160000001"})");
    CHECK(over.status == 429);
    CHECK(contains(over.body, "too many requests from this client"));
}

TEST_CASE("http api: 404 for an unknown path and 405 for a wrong method") {
    web_gateway gw;
    auto missing = http_call(gw.port, http_request_text("GET", "/api/v1/nothing"), patience);
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(missing->body == "not found\n");
    auto get = http_call(gw.port, http_request_text("GET", "/api/v1/login"), patience);
    REQUIRE(get);
    CHECK(get->status == 405);
    CHECK(get->headers["allow"] == "POST");
}

TEST_CASE("http api: a body over 16 KiB is answered 413") {
    web_gateway gw;
    const std::string body =
        R"({"msisdn": "79160000001", "password": ")" + std::string(17 * 1024, 'a') + R"("})";
    auto r = http_call(gw.port, http_request_text("POST", "/api/v1/login", body, token), patience);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(r->body == "request body larger than 16384 bytes\n");
}

TEST_CASE("http api: 503 when no token file is configured") {
    web_gateway gw("", false);
    auto r = gw.post("/api/v1/login", R"({"msisdn": "79160000001", "password": "Hello123"})");
    CHECK(r.status == 503);
    CHECK(r.body == "{\"error\":\"API disabled: no token configured\"}\n");
}

TEST_CASE("metrics: each counter moves by exactly the traffic sent") {
    web_gateway g;
    auto& sim = *g.sim.proc;
    // The simulator says "bind ok" as it sends bind_resp; the daemon reads it after.
    const auto before = scrape_when(g.port, [](const std::map<std::string, double>& p) {
        return p.at("ussdgw_smsc_bound{smsc=\"default\"}") == 1;
    });
    CHECK(before.at("ussdgw_smsc_bound{smsc=\"default\"}") == 1);
    CHECK(before.at("ussdgw_menu_version") == 1);
    CHECK(before.count("process_resident_memory_bytes") == 1);
    CHECK(before.count("process_open_fds") == 1);
    CHECK(before.count("process_cpu_seconds_total") == 1);

    // A dialog: menu, balance, released by the handset; a second dialog left
    // open (its screen also proves the release was handled: one link, in order).
    sim.write("*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    sim.write("1\n");
    REQUIRE(sim.wait_for("Balance:", patience));
    sim.write("/release\n");
    sim.write("*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    // Two SMS: one no command matches (help), one command (services list).
    sim.write("/sms 111 what is this\n");
    REQUIRE(sim.wait_for("MT sms from=111", patience));
    sim.write("/sms 8111 0\n");
    REQUIRE(sim.wait_for("MT sms from=8111", patience));

    // Every submit answered: the window is empty again.
    const auto after = scrape_when(g.port, [](const std::map<std::string, double>& p) {
        return p.at("ussdgw_smpp_window_in_use{smsc=\"default\"}") == 0;
    });
    INFO("daemon output:\n" << g.daemon->output());
    auto pdus = [](const char* dir, const char* cmd) {
        return std::string("ussdgw_smpp_pdus_total{smsc=\"default\",direction=\"") + dir +
               "\",command=\"" + cmd + "\",status=\"ESME_ROK\"}";
    };
    // 4 USSD MOs (begin, answer, release, begin) and 2 SMS; 5 MTs (3 screens, 2 SMS).
    CHECK(moved(before, after, pdus("in", "deliver_sm")) == 6);
    CHECK(moved(before, after, pdus("out", "deliver_sm_resp")) == 6);
    CHECK(moved(before, after, pdus("out", "submit_sm")) == 5);
    CHECK(moved(before, after, pdus("in", "submit_sm_resp")) == 5);
    CHECK(moved(before, after, "ussdgw_dialogs_total{outcome=\"released\"}") == 1);
    CHECK(moved(before, after, "ussdgw_dialogs_total{outcome=\"timeout\"}") == 0);
    CHECK(after.at("ussdgw_dialogs_open") == 1);
    CHECK(moved(before, after, "ussdgw_sms_in_total{number=\"111\",result=\"help\"}") == 1);
    CHECK(moved(before, after, "ussdgw_sms_in_total{number=\"8111\",result=\"command\"}") == 1);
    CHECK(moved(before, after, "ussdgw_actions_total{action=\"balance\",result=\"ok\"}") == 1);
    CHECK(moved(before, after, "ussdgw_actions_total{action=\"services_list\",result=\"ok\"}") ==
          1);
    // Each begin and each SMS looks up the subscriber's language first.
    CHECK(moved(before, after, "ussdgw_actions_total{action=\"profile\",result=\"ok\"}") == 4);
    CHECK(moved(before, after, "ussdgw_action_seconds_count{action=\"balance\"}") == 1);
    CHECK(moved(before, after, "ussdgw_action_seconds_bucket{action=\"balance\",le=\"+Inf\"}") ==
          1);
    CHECK(after.at("ussdgw_smpp_window_in_use{smsc=\"default\"}") == 0);
    CHECK(moved(before, after, "ussdgw_smpp_reconnects_total{smsc=\"default\",reason=\"lost\"}") ==
          0);
}

TEST_CASE(
    "healthz: 200 while a bind is up and the store writes - 503 with the reason when the SMSC is "
    "gone - 200 again after it returns") {
    web_gateway g;
    auto health = [&] {
        auto r = http_call(g.port, http_request_text("GET", "/healthz"), patience);
        REQUIRE(r);
        return *r;
    };
    REQUIRE(g.daemon->wait_for("] bound", patience));
    auto up = health();
    CHECK(up.status == 200);
    CHECK(up.body == "ok\n");

    const auto port = g.sim.port;
    g.sim.proc->write("/quit\n");
    REQUIRE(g.sim.proc->wait_exit(patience));
    REQUIRE(g.daemon->wait_for("link lost", patience));
    auto down = health();
    CHECK(down.status == 503);
    CHECK(down.body == "no SMSC bind is up\n");
    const auto page = scrape(g.port);
    CHECK(page.at("ussdgw_smsc_bound{smsc=\"default\"}") == 0);

    g.sim = start_sim({}, port);
    REQUIRE(g.sim.proc->wait_for("bind ok", patience));
    REQUIRE(g.daemon->wait_for("] bound", patience));
    INFO("daemon output:\n" << g.daemon->output());
    CHECK(health().status == 200);
    CHECK(scrape(g.port).at("ussdgw_smpp_reconnects_total{smsc=\"default\",reason=\"lost\"}") >= 1);
}

TEST_CASE(
    "an operator's round: a password from *111*25# logs in through the API - metrics show it - a "
    "reload - a clean stop") {
    web_gateway g;
    g.sim.proc->write("*111*25#\n");
    const auto password = g.password_sms("79160000001");
    auto ok = g.login("79160000001", password);
    CHECK(ok.status == 200);
    CHECK(contains(ok.body, "accepted"));
    auto page = scrape(g.port);
    CHECK(page.at("ussdgw_actions_total{action=\"password_issue\",result=\"ok\"}") == 1);
    g.daemon->signal(SIGHUP);
    REQUIRE(g.daemon->wait_for("in service", patience));
    page = scrape(g.port);
    CHECK(page.at("ussdgw_menu_version") == 2);
    CHECK(page.at("ussdgw_menu_reloads_total{result=\"ok\"}") == 1);
    g.daemon->signal(SIGTERM);
    auto rc = g.daemon->wait_exit(patience);
    REQUIRE(rc);
    CHECK(*rc == 0);
    CHECK(contains(g.daemon->output(), "stopped"));
}

TEST_CASE(
    "menu funnel: where dialogs reached - chose - were refused - hung up - timed out - in "
    "/menu/funnel and /metrics") {
    // Debug logs: the timeout's line is what the test waits for.
    web_gateway g("", true, "[ussd]\ndialog_timeout = 1s\n[log]\nlevel = debug\n");
    auto& sim = *g.sim.proc;
    sim.write("*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    sim.write("77\n");  // not an item: the menu again, with the hint
    REQUIRE(sim.wait_for("Invalid choice.", patience));
    sim.write("1\n");
    REQUIRE(sim.wait_for("Balance:", patience));
    sim.write("/release\n");
    REQUIRE(g.daemon->wait_for("dialog released by the subscriber", patience));
    // A second dialog left on the main menu until it times out.
    sim.write("*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    REQUIRE(g.daemon->wait_for("dialog timed out", patience));
    const auto page = scrape(g.port);
    INFO("daemon output:\n" << g.daemon->output());
    auto at = [&](const std::string& series) {
        const auto it = page.find(series);
        return it == page.end() ? -1.0 : it->second;
    };
    CHECK(at("ussdgw_dialogs_total{outcome=\"timeout\"}") == 1);
    CHECK(at("ussdgw_menu_node_total{node=\"main\",event=\"reached\"}") == 2);
    CHECK(at("ussdgw_menu_node_total{node=\"main\",event=\"invalid\"}") == 1);
    CHECK(at("ussdgw_menu_node_total{node=\"main\",event=\"chose\",item=\"1\"}") == 1);
    CHECK(at("ussdgw_menu_node_total{node=\"main\",event=\"timeout\"}") == 1);
    CHECK(at("ussdgw_menu_node_total{node=\"balance\",event=\"reached\"}") == 1);
    CHECK(at("ussdgw_menu_node_total{node=\"balance\",event=\"released\"}") == 1);
    // Nothing else was counted: the invalid answer did not reach "main" again.
    std::size_t series = 0;
    for (const auto& [name, value] : page) series += name.starts_with("ussdgw_menu_node_total");
    CHECK(series == 6);

    auto r = http_call(g.port, http_request_text("GET", "/menu/funnel"), patience);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->headers["content-type"] == "application/json");
    // The same counts, with the last hour and day (all of them, minutes ago).
    CHECK(contains(
        r->body,
        R"({"node":"main","event":"chose","item":"1","total":1,"last_hour":1,"last_day":1})"));
    CHECK(contains(r->body,
                   R"({"node":"main","event":"reached","total":2,"last_hour":2,"last_day":2})"));
    CHECK(contains(r->body, R"("dropped":0)"));
}
