// The operator console's users and API end to end: users made by the real
// ussdgw-admin, the real daemon with [console] users_file and its HTTP
// listener, a plain socket client as the browser.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "http_client.hpp"

using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

const std::string editor_password = "Ed1tor-pass-77";
const std::string viewer_password = "V1ewer-pass-42";

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A request with the browser's headers: JSON body, cookie, CSRF token.
std::string request(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& cookie = "",
                    const std::string& csrf = "", const std::string& type = "application/json") {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!cookie.empty()) r += "Cookie: theme=dark; " + cookie + "\r\n";
    if (!csrf.empty()) r += "X-CSRF-Token: " + csrf + "\r\n";
    if (method == "POST")
        r +=
            "Content-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

// A JSON string field's value, from a flat object.
std::string field(const std::string& body, const std::string& name) {
    const auto key = "\"" + name + "\":\"";
    const auto at = body.find(key);
    if (at == std::string::npos) return {};
    const auto from = at + key.size();
    return body.substr(from, body.find('"', from) - from);
}

// The simulator and the daemon with the console on, users made by ussdgw-admin.
struct console_gateway {
    temp_dir dir;
    std::string users = dir.file("console-users");
    std::string menus = dir.file("menus");
    sim_process sim;
    std::unique_ptr<child_process> daemon;
    std::uint16_t port = 0;

    console_gateway() {
        REQUIRE(admin({"console-user", "add", "ed", "--role", "editor", "--file", users},
                      editor_password + "\n")
                    .code == 0);
        REQUIRE(
            admin({"console-user", "add", "vi", "--file", users}, viewer_password + "\n").code ==
            0);
        auto conf = dir.file("ussdgw.conf");
        std::ofstream(conf) << "[rules]\npwhash = minimum\n[console]\nusers_file = " << users
                            << "\n";
        // Its own copy of the menus: an apply writes into the directory.
        std::filesystem::copy(shipped_menus(), menus);
        sim = start_sim({});
        daemon = start_daemon(sim.port, {"--config", conf, "--db", demo_store(dir), "--menus",
                                         menus, "--http-listen", "127.0.0.1:0"});
        REQUIRE(daemon->wait_for("console: 2 users from", patience));
        auto line = daemon->wait_for("http listening on 127.0.0.1:", patience);
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(line);
        port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    }
    ~console_gateway() {
        sim.proc->write("/quit\n");
        daemon->signal(SIGTERM);
        daemon->wait_exit(patience);
    }
    http_reply call(const std::string& raw) {
        auto r = http_call(port, raw, patience);
        INFO("daemon output:\n" << daemon->output());
        REQUIRE(r);
        return *r;
    }
    http_reply login(const std::string& user, const std::string& password) {
        return call(request("POST", "/console/api/login",
                            R"({"user": ")" + user + R"(", "password": ")" + password + R"("})"));
    }
};

// "ussdgw_console=TOKEN" from a login's Set-Cookie.
std::string session_cookie(const http_reply& r) {
    const auto& c = r.headers.at("set-cookie");
    return c.substr(0, c.find(';'));
}

}  // namespace

TEST_CASE("console users: added by ussdgw-admin with the password from stdin - hashed - 0600") {
    temp_dir dir;
    const auto users = dir.file("users");
    auto added = admin({"console-user", "add", "ops.lead", "--role", "editor", "--file", users},
                       editor_password + "\n");
    CHECK(added.code == 0);
    CHECK(contains(added.output, "added ops.lead (editor)"));
    struct stat st {};
    REQUIRE(::stat(users.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto text = slurp(users);
    CHECK(contains(text, "ops.lead editor $argon2id$"));
    CHECK_FALSE(contains(text, editor_password));

    // Refusals name what is wrong and change nothing.
    auto short_pw = admin({"console-user", "add", "x", "--file", users}, "short\n");
    CHECK(short_pw.code == 2);
    CHECK(contains(short_pw.output, "at least 10 characters"));
    auto bad_role = admin({"console-user", "add", "x", "--role", "root", "--file", users},
                          viewer_password + "\n");
    CHECK(bad_role.code == 2);
    CHECK(contains(bad_role.output, "unknown role 'root'"));
    auto bad_name = admin({"console-user", "add", "a b", "--file", users}, viewer_password + "\n");
    CHECK(bad_name.code == 2);
    CHECK(slurp(users) == text);

    // A second user, a role change, a listing, a removal.
    CHECK(admin({"console-user", "add", "vi", "--file", users}, viewer_password + "\n").code == 0);
    auto changed = admin({"console-user", "add", "vi", "--role", "editor", "--file", users},
                         viewer_password + "\n");
    CHECK(contains(changed.output, "replaced vi (editor)"));
    auto list = admin({"console-user", "list", "--file", users});
    CHECK(list.code == 0);
    CHECK(list.output == "ops.lead editor\nvi editor\n");
    CHECK(admin({"console-user", "remove", "vi", "--file", users}).code == 0);
    CHECK(admin({"console-user", "remove", "vi", "--file", users}).code == 1);
    CHECK(admin({"console-user", "list", "--file", users}).output == "ops.lead editor\n");
}

TEST_CASE("console users: a damaged users file stops the daemon naming the file and line") {
    temp_dir dir;
    const auto users = dir.file("users");
    std::ofstream(users) << "# users\nops viewer $argon2id$v=19$m=65536,t=2,p=1$x$y\n"
                         << "boss admin $argon2id$v=19$m=65536,t=2,p=1$x$y\n";
    auto conf = dir.file("ussdgw.conf");
    std::ofstream(conf) << "[console]\nusers_file = " << users << "\n";
    child_process d({binary_path("ussdgw"), "--config", conf, "--check-config"});
    while (d.read_line(20s)) {
    }
    const auto code = d.wait_exit(30s);
    REQUIRE(code);
    CHECK(*code != 0);
    CHECK(contains(d.output(), users + ":3: unknown role 'admin' (viewer or editor)"));
}

TEST_CASE(
    "console api: login sets an HttpOnly SameSite=Strict session - the tree needs it - logout "
    "needs the CSRF token") {
    console_gateway g;
    // Nothing without a session, and every answer with the strict policy.
    auto anonymous = g.call(request("GET", "/console/api/tree"));
    CHECK(anonymous.status == 401);
    CHECK(contains(anonymous.headers["content-security-policy"], "default-src 'none'"));
    CHECK(contains(anonymous.headers["content-security-policy"], "frame-ancestors 'none'"));
    CHECK(anonymous.headers["x-content-type-options"] == "nosniff");
    CHECK(anonymous.headers["cache-control"] == "no-store");

    // A login must be JSON (a form from another site cannot post it).
    auto as_form = g.call(request("POST", "/console/api/login", "user=ed&password=x", "", "",
                                  "application/x-www-form-urlencoded"));
    CHECK(as_form.status == 415);
    CHECK(g.login("ed", "wrong-password-1").status == 401);
    CHECK(g.login("nobody", editor_password).status == 401);
    // A name no user can have is refused as such, and not counted or logged.
    CHECK(g.login("no body", editor_password).status == 400);

    auto ok = g.login("ed", editor_password);
    REQUIRE(ok.status == 200);
    const auto& set = ok.headers["set-cookie"];
    CHECK(contains(set, "ussdgw_console="));
    CHECK(contains(set, "HttpOnly"));
    CHECK(contains(set, "SameSite=Strict"));
    CHECK(contains(set, "Path=/console"));
    CHECK(field(ok.body, "role") == "editor");
    const auto csrf = field(ok.body, "csrf");
    CHECK(csrf.size() == 64);
    const auto cookie = session_cookie(ok);

    auto who = g.call(request("GET", "/console/api/session", "", cookie));
    CHECK(who.status == 200);
    CHECK(field(who.body, "user") == "ed");
    CHECK(field(who.body, "csrf") == csrf);

    // The tree: nodes with their file and line, items, actions, direct codes.
    auto tree = g.call(request("GET", "/console/api/tree", "", cookie));
    REQUIRE(tree.status == 200);
    CHECK(tree.headers["content-type"] == "application/json");
    CHECK(contains(tree.body, R"("languages":["en","ru"],"root":"main")"));
    CHECK(contains(tree.body, R"({"id":"main","kind":"menu","file":")"));
    CHECK(contains(tree.body, R"("text":{"en":"Service *111#","ru":"*111#"})"));
    CHECK(contains(tree.body,
                   R"({"key":"1","label":{"en":"Balance","ru":"Баланс"},"next":"balance"})"));
    CHECK(contains(tree.body, R"("kind":"action")"));
    CHECK(contains(tree.body, R"({"code":"*111*25#")"));
    // *111*1# leads to the app link where walking *111# then 1 leads to the balance.
    CHECK(contains(tree.body, R"("target":"app_link","shadows":"balance","override":true})"));
    CHECK(contains(tree.body, R"("version":1)"));

    // Logout is a change: without the session's token it is refused.
    CHECK(g.call(request("POST", "/console/api/logout", "{}", cookie)).status == 403);
    CHECK(
        g.call(request("POST", "/console/api/logout", "{}", cookie, "0" + csrf.substr(1))).status ==
        403);
    auto out = g.call(request("POST", "/console/api/logout", "{}", cookie, csrf));
    CHECK(out.status == 200);
    CHECK(contains(out.headers["set-cookie"], "Max-Age=0"));
    CHECK(g.call(request("GET", "/console/api/session", "", cookie)).status == 401);
    CHECK(g.call(request("GET", "/console/api/tree", "", cookie)).status == 401);

    // The log says who logged in and who failed, never a password.
    INFO("daemon output:\n" << g.daemon->output());
    CHECK(g.daemon->wait_for("console: failed login for an unknown user from 127.0.0.1", patience));
    CHECK(g.daemon->wait_for("console: ed (editor) logged in from 127.0.0.1", patience));
    CHECK_FALSE(contains(g.daemon->output(), editor_password));
    CHECK_FALSE(contains(g.daemon->output(), "nobody"));
}

TEST_CASE(
    "console api: five failed logins in a minute lock the user name out - even the right "
    "password") {
    console_gateway g;
    for (int i = 0; i < 5; ++i)
        CHECK(g.login("vi", "not-the-password-" + std::to_string(i)).status == 401);
    auto locked = g.login("vi", viewer_password);
    CHECK(locked.status == 429);
    CHECK(locked.headers["retry-after"] == "60");
    // The client address failed five times too: another user from it waits as well.
    CHECK(g.login("ed", editor_password).status == 429);
}

namespace {

// Logs in; the session cookie and CSRF token.
std::pair<std::string, std::string> logged_in(console_gateway& g, const std::string& user,
                                              const std::string& password) {
    auto r = g.login(user, password);
    REQUIRE(r.status == 200);
    return {session_cookie(r), field(r.body, "csrf")};
}

// A JSON string with quotes and backslashes escaped.
std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

}  // namespace

TEST_CASE(
    "console phone: a dry-run dialog on a copy of the subscriber - real screens and encodings - "
    "nothing reaches the store or the SMSC") {
    console_gateway g;
    auto [cookie, csrf] = logged_in(g, "vi", viewer_password);
    auto phone = [&](const std::string& body) {
        return g.call(request("POST", "/console/api/phone", body, cookie, csrf));
    };
    CHECK(g.call(request("POST", "/console/api/phone", R"({"dial": "*111#"})", cookie)).status ==
          403);  // no CSRF token

    auto menu = phone(R"({"dial": "*111#", "msisdn": "79160000001"})");
    REQUIRE(menu.status == 200);
    CHECK(contains(menu.body, R"("screen":"Service *111#\n1 Balance)"));
    CHECK(contains(menu.body, R"("end":false,"encoding":"GSM 7-bit")"));
    CHECK(contains(menu.body, R"("limit":182)"));
    auto balance = phone(R"({"answer": "1"})");
    REQUIRE(balance.status == 200);
    CHECK(contains(balance.body, "Balance: 250.00"));
    CHECK(contains(balance.body, R"("actions":[{"action":"balance","ok":true}])"));

    // A Russian subscriber's screens are UCS-2, 80 units to a screen.
    auto ru = phone(R"({"dial": "*111#", "msisdn": "79160000002"})");
    CHECK(contains(ru.body, R"("encoding":"UCS-2")"));
    CHECK(contains(ru.body, R"("limit":80)"));

    // A transfer runs for real in the copy: its screen, its notice, its balance...
    auto sent = phone(R"({"dial": "*111*4*4*79160000003*10*1#", "msisdn": "79160000001"})");
    REQUIRE(sent.status == 200);
    INFO(sent.body);
    CHECK(contains(sent.body, R"({"action":"transfer","ok":true})"));
    CHECK(contains(sent.body, R"("to":"79160000003")"));
    // ... and not in the store: a fresh copy, and the simulator's handset, see 250.00.
    phone(R"({"dial": "*111#", "msisdn": "79160000001"})");
    CHECK(contains(phone(R"({"answer": "1"})").body, "Balance: 250.00"));
    g.sim.proc->write("/as 79160000001\n*111#\n");
    REQUIRE(g.sim.proc->wait_for("MT ussd", patience));
    g.sim.proc->write("1\n");
    REQUIRE(g.sim.proc->wait_for("Balance: 250.00", patience));
    CHECK_FALSE(contains(g.sim.proc->output(), "MT sms"));  // no notice reached the SMSC

    // The demo subscriber when none is chosen; a number the store lacks is refused.
    CHECK(contains(phone(R"({"dial": "*111#"})").body, "Service *111#"));
    auto unknown = phone(R"({"dial": "*111#", "msisdn": "79999999999"})");
    CHECK(unknown.status == 409);
    CHECK(contains(unknown.body, "no subscriber 79999999999"));
    auto bad = phone(R"({"dial": "*111#", "msisdn": "7916x"})");
    CHECK(bad.status == 400);
    CHECK(contains(bad.body, "msisdn: "));
    // Typed as operators type it, the number is the store's.
    auto plus = phone(R"({"dial": "*111#", "msisdn": "+79160000001"})");
    CHECK(plus.status == 200);
    CHECK(contains(phone(R"({"answer": "1"})").body, "Balance: 250.00"));
}

TEST_CASE(
    "console menus: a broken upload is refused with its lines - a good one is tried on the phone - "
    "applied - rolled back - viewers may not") {
    console_gateway g;
    auto [cookie, csrf] = logged_in(g, "ed", editor_password);
    auto post = [&](const std::string& path, const std::string& body) {
        return g.call(request("POST", path, body, cookie, csrf));
    };
    const auto path = g.menus + "/main.yaml";
    const std::string original = slurp(path);
    auto shown = g.call(request("GET", "/console/api/menus/file?name=main.yaml", "", cookie));
    REQUIRE(shown.status == 200);
    CHECK(contains(shown.body, R"(title: {en: \"Service *111#\")"));

    // Broken: an item sent to a node that does not exist.
    std::string broken = original;
    const std::string balance_item = "next: balance}";
    REQUIRE(contains(broken, balance_item));
    broken.replace(broken.find(balance_item), balance_item.size(), "next: balanse}");
    auto refused = post("/console/api/menus/check",
                        R"({"file": "main.yaml", "content": )" + json_string(broken) + "}");
    CHECK(refused.status == 422);
    INFO(refused.body);
    CHECK(contains(refused.body, R"("ok":false)"));
    CHECK(contains(refused.body, R"({"file":"main.yaml","line":)"));
    CHECK(contains(refused.body, "balanse"));
    // Not YAML at all, and a name that is not a menu file.
    CHECK(post("/console/api/menus/check", R"({"file": "main.yaml", "content": "nodes: [a"})")
              .status == 422);
    CHECK(
        post("/console/api/menus/check", R"({"file": "../ussdgw.conf", "content": "x"})").status ==
        400);
    CHECK(post("/console/api/menus/apply", "{}").status == 409);  // nothing checked yet

    // Good: a new title. Checked, tried on the phone, not yet in service.
    std::string changed = original;
    changed.replace(changed.find("Service *111#"), 13, "Self-care *111#");
    auto ok = post("/console/api/menus/check",
                   R"({"file": "main.yaml", "content": )" + json_string(changed) + "}");
    REQUIRE(ok.status == 200);
    auto tried = post("/console/api/phone", R"({"dial": "*111#", "candidate": true})");
    CHECK(contains(tried.body, "Self-care *111#"));
    auto live = post("/console/api/phone", R"({"dial": "*111#"})");
    CHECK(contains(live.body, "Service *111#"));

    // A viewer can look, not change.
    auto [vcookie, vcsrf] = logged_in(g, "vi", viewer_password);
    auto viewer_apply = g.call(request("POST", "/console/api/menus/apply", "{}", vcookie, vcsrf));
    CHECK(viewer_apply.status == 403);
    CHECK(contains(viewer_apply.body, "only an editor"));

    // Apply: the file, the daemon and a subscriber dialling through the SMSC all have it.
    auto applied = post("/console/api/menus/apply", "{}");
    REQUIRE(applied.status == 200);
    CHECK(contains(applied.body, R"("version":2)"));
    CHECK(slurp(path) == changed);
    g.sim.proc->write("*111#\n");
    REQUIRE(g.sim.proc->wait_for("Self-care *111#", patience));
    g.sim.proc->write("/release\n");
    REQUIRE(g.daemon->wait_for("console: ed applied main.yaml; menus version 2", patience));

    // Roll back: the previous file and screens return.
    auto back = post("/console/api/menus/rollback", "{}");
    REQUIRE(back.status == 200);
    CHECK(contains(back.body, R"("version":3)"));
    CHECK(slurp(path) == original);
    g.sim.proc->write("*111#\n");
    REQUIRE(g.sim.proc->wait_for("Service *111#", patience));
    CHECK(post("/console/api/menus/rollback", "{}").status == 409);  // nothing more
    auto history = g.call(request("GET", "/console/api/menus/history", "", cookie));
    CHECK(contains(history.body, R"({"action":"apply","user":"ed","file":"main.yaml")"));
    CHECK(contains(history.body, R"({"action":"rollback","user":"ed","file":"main.yaml")"));
    CHECK(contains(history.body, R"("can_roll_back":false)"));
    // Counted with who did it.
    auto metrics = g.call(request("GET", "/metrics"));
    CHECK(contains(metrics.body, "ussdgw_console_changes_total{action=\"apply\",user=\"ed\"} 1\n"));
    CHECK(contains(metrics.body,
                   "ussdgw_console_changes_total{action=\"rollback\",user=\"ed\"} 1\n"));
    // An upload over the listener's 16 KiB body limit is refused before it is read.
    auto huge = post("/console/api/menus/check",
                     R"({"file": "main.yaml", "content": ")" + std::string(20000, 'x') + "\"}");
    CHECK(huge.status == 413);
}

TEST_CASE(
    "console trace: a number's next dialog step by step - its PIN masked - others not recorded") {
    console_gateway g;
    auto [cookie, csrf] = logged_in(g, "vi", viewer_password);
    // The number in the national form: traced as the store keys it.
    auto start =
        g.call(request("POST", "/console/api/trace", R"({"msisdn": "89160000001"})", cookie, csrf));
    REQUIRE(start.status == 200);
    CHECK(contains(start.body, R"("msisdn":"79160000001","tracing":true)"));
    CHECK(
        g.call(request("POST", "/console/api/trace", R"({"msisdn": "12"})", cookie, csrf)).status ==
        400);
    CHECK(g.call(request("GET", "/console/api/trace?msisdn=79160000001&after=x", "", cookie))
              .status == 400);
    auto& sim = *g.sim.proc;
    // Another number's dialog first: not traced.
    sim.write("/as 79160000005\n*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    sim.write("/release\n");
    // The traced number: a menu, the balance, then a PIN change dialled whole.
    sim.write("/as 79160000001\n*111#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    sim.write("1\n");
    REQUIRE(sim.wait_for("Balance:", patience));
    sim.write("/release\n");
    sim.write("**04*1111*2468*2468#\n");
    REQUIRE(sim.wait_for("MT ussd", patience));
    http_reply steps;
    const auto deadline = std::chrono::steady_clock::now() + patience;
    do {
        steps = g.call(request("GET", "/console/api/trace?msisdn=79160000001", "", cookie));
    } while (!contains(steps.body, "pin_change") && std::chrono::steady_clock::now() < deadline);
    INFO(steps.body);
    CHECK(contains(steps.body, R"("kind":"dial","text":"*111#")"));
    CHECK(contains(steps.body, R"("kind":"screen","text":"Service *111#)"));
    CHECK(contains(steps.body, R"("kind":"answer","text":"1")"));
    CHECK(contains(steps.body, R"("kind":"action","text":"balance: ok")"));
    CHECK(contains(steps.body, R"("kind":"released")"));
    CHECK(contains(steps.body, R"("kind":"action","text":"pin_change: )"));
    CHECK_FALSE(contains(steps.body, "2468"));  // the new PIN, masked
    CHECK_FALSE(contains(steps.body, "1111"));  // the old one
    CHECK_FALSE(contains(steps.body, "79160000005"));
    // Only what came after a given step.
    auto later =
        g.call(request("GET", "/console/api/trace?msisdn=79160000001&after=3", "", cookie));
    CHECK_FALSE(contains(later.body, R"("id":3,)"));
    CHECK(contains(later.body, R"("id":4,)"));
    // Stopped: forgotten, and nothing more is recorded.
    CHECK(g.call(request("POST", "/console/api/trace", R"({"msisdn": "79160000001", "stop": true})",
                         cookie, csrf))
              .status == 200);
    auto stopped = g.call(request("GET", "/console/api/trace?msisdn=79160000001", "", cookie));
    CHECK(contains(stopped.body, R"("tracing":false,"events":[])"));
}
