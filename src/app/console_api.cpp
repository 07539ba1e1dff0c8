#include "ussdgw/app/console_api.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/sms/front_doors.hpp"

namespace ussdgw::app {

namespace {

using json = nlohmann::ordered_json;
using steady = std::chrono::steady_clock;

constexpr const char* cookie_name = "ussdgw_console";

// The console is our own page and nothing else: no inline script, no
// framing, no other origin.
void secure(http_response& r) {
    r.headers["Content-Security-Policy"] =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    r.headers["X-Content-Type-Options"] = "nosniff";
    r.headers["X-Frame-Options"] = "DENY";
    r.headers["Referrer-Policy"] = "no-referrer";
    r.headers["Cache-Control"] = "no-store";
}

http_response answer(int status, const json& body) {
    http_response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = body.dump();
    secure(r);
    return r;
}

http_response refuse(int status, const std::string& why) {
    return answer(status, json{{"error", why}});
}

std::string random_token() {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

// The value of `name` in "a=1<sep> name=2": a Cookie header (';') or a
// query string ('&'); empty when absent.
std::string value_in(std::string_view list, char sep, std::string_view name) {
    while (!list.empty()) {
        const auto end = list.find(sep);
        auto pair = list.substr(0, end);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
            pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        if (end == std::string_view::npos) break;
        list.remove_prefix(end + 1);
    }
    return {};
}

// The value of cookie `name` in the request's Cookie header.
std::string cookie(const http_request& rq, std::string_view name) {
    const auto it = rq.headers.find("cookie");
    return it == rq.headers.end() ? std::string() : value_in(it->second, ';', name);
}

bool json_body(const http_request& rq) {
    const auto it = rq.headers.find("content-type");
    return it != rq.headers.end() && it->second.rfind("application/json", 0) == 0;
}

json localized_json(const menu::tree& t, const menu::localized& texts) {
    json out = json::object();
    for (std::size_t i = 0; i < texts.size() && i < t.languages.size(); ++i)
        out[t.languages[i]] = texts[i].source();
    return out;
}

// Menu files live in one directory: the name says which.
std::string file_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

std::string id_of(const menu::tree& t, menu::node_id n) {
    return n == menu::no_node ? std::string() : t.nodes[n].id;
}

// A menu file's name: no directories, no dots but the extension.
bool menu_file_name(const std::string& name) {
    static const std::regex ok("[A-Za-z0-9_-]{1,64}\\.yaml");
    return std::regex_match(name, ok);
}

// The value of `key` in the request's query ("?name=main.yaml").
std::string query_value(const std::string& target, const std::string& key) {
    const auto q = target.find('?');
    return q == std::string::npos ? std::string()
                                  : value_in(std::string_view(target).substr(q + 1), '&', key);
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A subscriber number as an operator types it ("+79160000001",
// "89160000001"), in the form the store and the door key it by.
util::result<std::string, std::string> number_arg(const std::string& typed) {
    auto n = actions::normalize_msisdn(typed);
    if (!n) return util::fail("msisdn: " + actions::describe(n.error()));
    return n.value();
}

json screen_json(const phone_screen& s) {
    json actions = json::array();
    for (const auto& a : s.actions) {
        json j{{"action", a.name}, {"ok", a.ok}};
        if (!a.ok) j["error"] = a.error;
        actions.push_back(std::move(j));
    }
    json sms = json::array();
    for (const auto& m : s.sms) sms.push_back({{"from", m.from}, {"to", m.to}, {"text", m.text}});
    return json{{"screen", s.text},     {"end", s.end},         {"encoding", s.encoding},
                {"units", s.units},     {"limit", s.limit},     {"page", s.page},
                {"pages", s.pages},     {"paged", s.pages > 1}, {"actions", std::move(actions)},
                {"sms", std::move(sms)}};
}

}  // namespace

std::string tree_json(const menu::tree& t, std::uint64_t version) {
    json nodes = json::array();
    for (const auto& n : t.nodes) {
        json j{{"id", n.id},
               {"kind", menu::to_string(n.kind)},
               {"file", file_name(n.file)},
               {"line", n.line},
               {"text", localized_json(t, n.text)}};
        if (n.kind == menu::node_kind::menu) {
            json options = json::array();
            for (const auto& o : n.options) {
                json oj{{"key", o.key},
                        {"label", localized_json(t, o.label)},
                        {"next", id_of(t, o.next)}};
                if (!o.when.empty()) oj["when"] = o.when;
                options.push_back(std::move(oj));
            }
            j["options"] = std::move(options);
        }
        if (n.kind == menu::node_kind::input) {
            j["var"] = n.var;
            j["secret"] = n.secret;
        }
        if (n.kind == menu::node_kind::confirm) {
            j["yes"] = id_of(t, n.yes);
            j["no"] = id_of(t, n.no);
        }
        if (n.kind == menu::node_kind::action) {
            j["action"] = n.action;
            json args = json::object();
            for (const auto& a : n.args) args[a.name] = a.value.source();
            j["args"] = std::move(args);
        }
        if (n.next != menu::no_node) j["next"] = id_of(t, n.next);
        nodes.push_back(std::move(j));
    }
    json codes = json::array();
    for (const auto& c : t.codes) {
        json j{{"code", c.source},
               {"file", file_name(c.file)},
               {"line", c.line},
               {"target", id_of(t, c.target)}};
        // A code that spells a walk of the menus but leads elsewhere shadows it.
        if (const auto w = walk_of(t, c); w && w->at != c.target) {
            j["shadows"] = id_of(t, w->at);
            j["override"] = c.override_walk;
        }
        codes.push_back(std::move(j));
    }
    return json{{"version", version},
                {"languages", t.languages},
                {"root", id_of(t, t.root)},
                {"nodes", std::move(nodes)},
                {"codes", std::move(codes)}}
        .dump();
}

console_api::console_api(boost::asio::any_io_executor loop, console_options options)
    : loop_(std::move(loop)), opt_(std::move(options)) {
    char out[crypto_pwhash_STRBYTES];
    const std::string filler = random_token();
    if (crypto_pwhash_str(out, filler.data(), filler.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
        dummy_hash_ = out;
}

console_api::~console_api() {
    *alive_ = false;
    hashing_.join();
}

const console_user* console_api::find_user(const std::string& name) const {
    for (const auto& u : opt_.users)
        if (u.name == name) return &u;
    return nullptr;
}

bool console_api::limited(const std::string& key, steady::time_point now) {
    auto it = failures_.find(key);
    if (it == failures_.end()) return false;
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= std::chrono::minutes(1)) times.pop_front();
    if (times.empty()) {
        failures_.erase(it);
        return false;
    }
    return times.size() >= opt_.failures_per_minute;
}

void console_api::failed(const std::string& key, steady::time_point now) {
    // Bounded: one entry per address or name that failed in the last minute,
    // and at most failures_per_minute times in each.
    if (failures_.size() >= 100'000) failures_.clear();
    auto& times = failures_[key];
    times.push_back(now);
    while (times.size() > opt_.failures_per_minute) times.pop_front();
}

console_api::session* console_api::current(const http_request& rq) {
    const auto token = cookie(rq, cookie_name);
    if (token.empty()) return nullptr;
    const auto it = sessions_.find(token);
    if (it == sessions_.end()) return nullptr;
    const auto now = steady::now();
    if (now - it->second.used >= opt_.session_idle) {
        sessions_.erase(it);
        return nullptr;
    }
    it->second.used = now;
    return &it->second;
}

void console_api::with_session(const http_request& rq, const respond_fn& respond,
                               const std::function<http_response(session&)>& answer_with) {
    session* s = current(rq);
    if (!s) {
        respond(refuse(401, "log in first"));
        return;
    }
    respond(answer_with(*s));
}

void console_api::login(const http_request& rq, respond_fn respond) {
    if (!json_body(rq)) {
        respond(refuse(415, "send the login as application/json"));
        return;
    }
    std::string user, password;
    try {
        const auto body = json::parse(rq.body);
        user = body.at("user").get<std::string>();
        password = body.at("password").get<std::string>();
    } catch (const json::exception&) {
        respond(refuse(400, "expected {\"user\": ..., \"password\": ...}"));
        return;
    }
    // Only a name a user may have is checked, counted and remembered (the
    // failure counts are keyed by it).
    if (!valid_console_name(user)) {
        respond(refuse(400, "user: letters, digits, '.', '_' and '-', at most 64"));
        return;
    }
    const auto now = steady::now();
    const std::string by_client = "client " + rq.client, by_user = "user " + user;
    if (limited(by_client, now) || limited(by_user, now)) {
        auto r = refuse(429, "too many failed logins; try again in a minute");
        r.headers["Retry-After"] = "60";
        respond(std::move(r));
        return;
    }
    if (checking_ >= opt_.logins_waiting) {
        auto r = refuse(503, "busy; try again in a moment");
        r.headers["Retry-After"] = "1";
        respond(std::move(r));
        return;
    }
    const console_user* found = find_user(user);
    // An unknown name costs the same check as a known one: timing tells nothing.
    const std::string hash = found ? found->hash : dummy_hash_;
    ++checking_;
    boost::asio::post(hashing_, [this, alive = alive_, hash, password = std::move(password),
                                 known = found != nullptr, client = rq.client, user,
                                 respond = std::move(respond)]() mutable {
        const bool matched = console_password_matches(hash, password) && known;
        sodium_memzero(password.data(), password.size());
        boost::asio::post(loop_, [this, alive, matched, client, user, respond] {
            if (!*alive) return;
            --checking_;
            finish_login(client, user, matched, respond);
        });
    });
}

void console_api::finish_login(const std::string& client, const std::string& user, bool matched,
                               const respond_fn& respond) {
    const auto now = steady::now();
    const console_user* found = find_user(user);
    if (!matched || !found) {
        failed("client " + client, now);
        failed("user " + user, now);
        // A name that is no user may be a password typed in the wrong field: not logged.
        spdlog::warn("console: failed login for {} from {}", found ? user : "an unknown user",
                     client);
        respond(refuse(401, "wrong user name or password"));
        return;
    }
    if (sessions_.size() >= opt_.max_sessions) {
        auto oldest = sessions_.begin();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
            if (it->second.used < oldest->second.used) oldest = it;
        sessions_.erase(oldest);
    }
    const auto token = random_token();
    session s;
    s.user = found->name;
    s.role = found->role;
    s.csrf = random_token();
    s.used = now;
    auto r = answer(200, json{{"user", s.user}, {"role", to_string(s.role)}, {"csrf", s.csrf}});
    r.headers["Set-Cookie"] = std::string(cookie_name) + "=" + token +
                              "; Path=/console; HttpOnly; SameSite=Strict; Max-Age=" +
                              std::to_string(opt_.session_idle.count());
    sessions_.emplace(token, std::move(s));
    spdlog::info("console: {} ({}) logged in from {}", found->name, to_string(found->role), client);
    respond(std::move(r));
}

console_api::session* console_api::changing(const http_request& rq, const respond_fn& respond,
                                            bool editor) {
    session* s = current(rq);
    if (!s) {
        respond(refuse(401, "log in first"));
        return nullptr;
    }
    const auto it = rq.headers.find("x-csrf-token");
    if (it == rq.headers.end() || it->second != s->csrf) {
        respond(refuse(403, "missing or wrong X-CSRF-Token"));
        return nullptr;
    }
    if (editor && s->role != console_role::editor) {
        respond(refuse(403, "only an editor may change the menus"));
        return nullptr;
    }
    if (!json_body(rq)) {
        respond(refuse(415, "send application/json"));
        return nullptr;
    }
    return s;
}

std::uint64_t console_api::version() const {
    return opt_.version ? opt_.version->load() : 0;
}

void console_api::phone(const http_request& rq, respond_fn respond) {
    session* s = changing(rq, respond, false);
    if (!s) return;
    json body;
    try {
        body = json::parse(rq.body);
    } catch (const json::exception&) {
        respond(refuse(400, "malformed JSON"));
        return;
    }
    const bool dialling = body.contains("dial");
    if (!dialling && !body.contains("answer")) {
        respond(refuse(400, "expected {\"dial\": \"*111#\"} or {\"answer\": \"1\"}"));
        return;
    }
    std::string text, msisdn, language;
    bool candidate = false;
    try {
        text = body.at(dialling ? "dial" : "answer").get<std::string>();
        if (body.contains("msisdn")) msisdn = body.at("msisdn").get<std::string>();
        if (body.contains("language")) language = body.at("language").get<std::string>();
        if (body.contains("candidate")) candidate = body.at("candidate").get<bool>();
    } catch (const json::exception&) {
        respond(refuse(
            400, "dial, answer, msisdn and language are strings; candidate is true or false"));
        return;
    }
    if (!msisdn.empty()) {  // empty: the demo subscriber
        auto n = number_arg(msisdn);
        if (!n) {
            respond(refuse(400, n.error()));
            return;
        }
        msisdn = n.value();
    }
    std::shared_ptr<const menu::tree> tree;
    if (dialling) {
        tree = candidate ? s->candidate : (opt_.tree ? opt_.tree() : nullptr);
        if (!tree) {
            respond(refuse(409, candidate ? "no checked upload to try: check a file first"
                                          : "no menus loaded"));
            return;
        }
    }
    if (checking_ >= opt_.logins_waiting) {
        respond(refuse(503, "busy; try again in a moment"));
        return;
    }
    if (!s->phone)
        s->phone = std::make_shared<console_phone>(opt_.rules, actions::builtin_registry());
    ++checking_;
    // The phone's actions may hash a password: never on the event loop.
    boost::asio::post(hashing_, [this, alive = alive_, ph = s->phone, dialling, tree, text, msisdn,
                                 language, db = opt_.db_path, respond = std::move(respond)] {
        auto r = dialling ? ph->dial(tree, db, msisdn, language, text) : ph->answer(text);
        auto reply = r ? answer(200, screen_json(r.value())) : refuse(409, r.error());
        boost::asio::post(loop_, [this, alive, respond, reply = std::move(reply)]() mutable {
            if (!*alive) return;
            --checking_;
            respond(std::move(reply));
        });
    });
}

http_response console_api::check(session& s, const http_request& rq) {
    std::string file, content;
    try {
        const auto body = json::parse(rq.body);
        file = body.at("file").get<std::string>();
        content = body.at("content").get<std::string>();
    } catch (const json::exception&) {
        return refuse(400, "expected {\"file\": \"NAME.yaml\", \"content\": \"...\"}");
    }
    if (!menu_file_name(file))
        return refuse(400, "file: a name like balance.yaml (letters, digits, '_', '-')");
    // The menus as they would be: a copy of the directory with this file in it.
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "ussdgw-console-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return refuse(500, "cannot make a staging directory");
    const fs::path staging(tmpl);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(opt_.menus_dir, ec))
        if (!ec && e.is_regular_file() && e.path().extension() == ".yaml")
            fs::copy_file(e.path(), staging / e.path().filename(), ec);
    if (ec) {
        // A set missing a file would be checked wrongly: say so instead.
        fs::remove_all(staging, ec);
        return refuse(500, "cannot copy " + opt_.menus_dir + " to check it");
    }
    std::ofstream(staging / file, std::ios::binary) << content;
    menu::load_options options;
    options.constants = actions::rule_constants(opt_.rules);
    auto doors = sms::load_front_doors(staging.string(), actions::builtin_registry(), options);
    fs::remove_all(staging, ec);
    if (!doors) {
        json problems = json::array();
        for (const auto& p : doors.error())
            problems.push_back({{"file", fs::path(p.file).filename().string()},
                                {"line", p.line},
                                {"message", p.message}});
        return answer(422, json{{"ok", false}, {"problems", std::move(problems)}});
    }
    s.candidate = doors.value().menus;
    s.staged_file = file;
    s.staged_content = std::move(content);
    return answer(200, json{{"ok", true}, {"file", file}, {"nodes", s.candidate->nodes.size()}});
}

bool console_api::put_file(const std::string& file, const std::optional<std::string>& content) {
    const auto path = opt_.menus_dir + "/" + file;
    if (!content) return ::unlink(path.c_str()) == 0;
    const auto tmp = path + ".console-tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << *content;
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

void console_api::record(console_change c) {
    ++change_counts_[{c.action, c.user}];
    changes_.push_back(std::move(c));
    if (changes_.size() > 1000) changes_.erase(changes_.begin());
}

http_response console_api::apply(session& s) {
    if (s.staged_file.empty()) return refuse(409, "check a file first");
    if (!opt_.reload) return refuse(503, "reloading is not available");
    const auto file = s.staged_file;
    const auto before = read_file(opt_.menus_dir + "/" + file);
    if (!put_file(file, s.staged_content))
        return refuse(500, "cannot write " + file + " into " + opt_.menus_dir);
    if (!opt_.reload()) {
        put_file(file, before);
        return refuse(409, "the daemon refused the menus (see its log); nothing changed");
    }
    undo_.push_back({file, before});
    if (undo_.size() > 100) undo_.erase(undo_.begin());
    record({"apply", s.user, file, std::time(nullptr), version()});
    spdlog::info("console: {} applied {}; menus version {} in service", s.user, file, version());
    s.staged_file.clear();
    s.staged_content.clear();
    s.candidate.reset();
    return answer(200, json{{"ok", true}, {"file", file}, {"version", version()}});
}

http_response console_api::rollback(session& s) {
    if (undo_.empty()) return refuse(409, "nothing to roll back");
    if (!opt_.reload) return refuse(503, "reloading is not available");
    const auto last = undo_.back();
    const auto now_there = read_file(opt_.menus_dir + "/" + last.file);
    if (!put_file(last.file, last.before))
        return refuse(500, "cannot write " + last.file + " into " + opt_.menus_dir);
    if (!opt_.reload()) {
        put_file(last.file, now_there);
        return refuse(409, "the daemon refused the menus (see its log); nothing changed");
    }
    undo_.pop_back();
    record({"rollback", s.user, last.file, std::time(nullptr), version()});
    spdlog::info("console: {} rolled back {}; menus version {} in service", s.user, last.file,
                 version());
    return answer(200, json{{"ok", true}, {"file", last.file}, {"version", version()}});
}

void console_api::add_static(http_server& server) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::size_t served = 0;
    for (const auto& e : fs::directory_iterator(opt_.static_dir, ec)) {
        if (!e.is_regular_file()) continue;
        const auto name = e.path().filename().string();
        const auto ext = e.path().extension().string();
        const char* type = ext == ".html"  ? "text/html; charset=utf-8"
                           : ext == ".js"  ? "text/javascript; charset=utf-8"
                           : ext == ".css" ? "text/css; charset=utf-8"
                           : ext == ".png" ? "image/png"
                           : ext == ".svg" ? "image/svg+xml"
                                           : nullptr;
        auto body = type ? read_file(e.path().string()) : std::nullopt;
        if (!body) continue;
        http_response r;
        r.content_type = type;
        r.body = std::move(*body);
        secure(r);
        auto page = [r](const http_request&, respond_fn respond) { respond(r); };
        server.add("GET", "/console/" + name, page);
        if (name == "index.html") {
            server.add("GET", "/console/", page);
            server.add("GET", "/console", page);
        }
        ++served;
    }
    if (served == 0)
        spdlog::warn("console: no page files in '{}' ([console] static_dir): the API alone",
                     opt_.static_dir);
}

void console_api::add_to(http_server& server) {
    if (!opt_.static_dir.empty()) add_static(server);
    server.add("POST", "/console/api/login", [this](const http_request& rq, respond_fn respond) {
        login(rq, std::move(respond));
    });
    server.add("GET", "/console/api/session", [this](const http_request& rq, respond_fn respond) {
        with_session(rq, respond, [](session& s) {
            return answer(200,
                          json{{"user", s.user}, {"role", to_string(s.role)}, {"csrf", s.csrf}});
        });
    });
    server.add("POST", "/console/api/logout", [this](const http_request& rq, respond_fn respond) {
        session* s = changing(rq, respond, false);
        if (!s) return;
        spdlog::info("console: {} logged out", s->user);
        sessions_.erase(cookie(rq, cookie_name));
        auto r = answer(200, json{{"ok", true}});
        r.headers["Set-Cookie"] =
            std::string(cookie_name) + "=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0";
        respond(std::move(r));
    });
    server.add("GET", "/console/api/tree", [this](const http_request& rq, respond_fn respond) {
        const bool candidate = query_value(rq.target, "candidate") == "1";
        with_session(rq, respond, [this, candidate](session& s) {
            const auto t = candidate ? s.candidate : (opt_.tree ? opt_.tree() : nullptr);
            if (!t)
                return refuse(candidate ? 409 : 503,
                              candidate ? "no checked upload" : "no menus loaded");
            http_response r;
            r.content_type = "application/json";
            r.body = tree_json(*t, candidate ? 0 : version());
            secure(r);
            return r;
        });
    });
    server.add("POST", "/console/api/phone", [this](const http_request& rq, respond_fn respond) {
        phone(rq, std::move(respond));
    });
    server.add("GET", "/console/api/menus/file",
               [this](const http_request& rq, respond_fn respond) {
                   const auto name = query_value(rq.target, "name");
                   with_session(rq, respond, [this, name](session&) {
                       if (!menu_file_name(name))
                           return refuse(400, "name: a menu file name like main.yaml");
                       const auto text = read_file(opt_.menus_dir + "/" + name);
                       if (!text) return refuse(404, "no menu file " + name);
                       return answer(
                           200, json{{"file", name}, {"content", *text}, {"version", version()}});
                   });
               });
    server.add("GET", "/console/api/menus/history",
               [this](const http_request& rq, respond_fn respond) {
                   with_session(rq, respond, [this](session&) {
                       json list = json::array();
                       for (const auto& c : changes_)
                           list.push_back({{"action", c.action},
                                           {"user", c.user},
                                           {"file", c.file},
                                           {"time", c.time},
                                           {"version", c.version}});
                       return answer(200, json{{"changes", std::move(list)},
                                               {"can_roll_back", !undo_.empty()},
                                               {"version", version()}});
                   });
               });
    server.add("POST", "/console/api/trace", [this](const http_request& rq, respond_fn respond) {
        session* s = changing(rq, respond, false);
        if (!s) return;
        std::string msisdn;
        bool stop = false;
        try {
            const auto body = json::parse(rq.body);
            msisdn = body.at("msisdn").get<std::string>();
            if (body.contains("stop")) stop = body.at("stop").get<bool>();
        } catch (const json::exception&) {
            respond(refuse(400, "expected {\"msisdn\": \"79160000001\"}"));
            return;
        }
        auto number = number_arg(msisdn);
        if (!number) {
            respond(refuse(400, number.error()));
            return;
        }
        msisdn = number.value();
        if (!opt_.trace) {
            respond(refuse(503, "tracing is not available"));
            return;
        }
        if (stop) {
            opt_.trace->stop(msisdn);
            spdlog::info("console: {} stopped tracing {}", s->user, msisdn);
        } else if (!opt_.trace->start(msisdn)) {
            respond(refuse(429, "too many numbers traced at once; stop one first"));
            return;
        } else {
            spdlog::info("console: {} traces {}", s->user, msisdn);
        }
        respond(answer(200, json{{"msisdn", msisdn}, {"tracing", !stop}}));
    });
    server.add("GET", "/console/api/trace", [this](const http_request& rq, respond_fn respond) {
        const auto msisdn = query_value(rq.target, "msisdn");
        const auto after_text = query_value(rq.target, "after");
        with_session(rq, respond, [this, msisdn, after_text](session&) {
            const auto number = number_arg(msisdn);
            if (!number) return refuse(400, number.error());
            std::uint64_t after = 0;
            if (!after_text.empty()) {
                if (after_text.size() > 18 ||
                    after_text.find_first_not_of("0123456789") != std::string::npos)
                    return refuse(400, "after: the id of a step, digits only");
                after = std::stoull(after_text);
            }
            if (!opt_.trace) return refuse(503, "tracing is not available");
            auto [events, tracing] = opt_.trace->since(number.value(), after);
            json list = json::array();
            for (const auto& e : events)
                list.push_back(
                    {{"id", e.id}, {"time", e.time}, {"kind", e.kind}, {"text", e.text}});
            return answer(200, json{{"msisdn", number.value()},
                                    {"tracing", tracing},
                                    {"events", std::move(list)}});
        });
    });
    for (const char* what : {"check", "apply", "rollback"}) {
        server.add("POST", std::string("/console/api/menus/") + what,
                   [this, what = std::string(what)](const http_request& rq, respond_fn respond) {
                       session* s = changing(rq, respond, true);
                       if (!s) return;
                       respond(what == "check"   ? check(*s, rq)
                               : what == "apply" ? apply(*s)
                                                 : rollback(*s));
                   });
    }
}

}  // namespace ussdgw::app
