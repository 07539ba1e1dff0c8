// The operator console's users and API end to end: users made by the real
// ussdgw-admin, the real daemon with [console] users_file and its HTTP
// listener, a plain socket client as the browser.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "http_client.hpp"

using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

const std::string editor_password = "Ed1tor-pass-77";
const std::string viewer_password = "V1ewer-pass-42";

struct run_result {
    int code = -1;
    std::string output;
};

run_result admin(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    std::vector<std::string> argv{binary_path("ussdgw-admin")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    if (!stdin_text.empty()) p.write(stdin_text);
    p.close_stdin();
    while (p.read_line(20s)) {
    }
    auto code = p.wait_exit(30s);
    REQUIRE(code);
    return {*code, p.output()};
}

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
        sim = start_sim({});
        daemon = start_daemon(
            sim.port, {"--config", conf, "--db", demo_store(dir), "--http-listen", "127.0.0.1:0"});
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
