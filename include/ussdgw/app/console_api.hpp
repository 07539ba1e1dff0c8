#pragma once
// The operator console's JSON API under /console/api/ on the HTTP listener
// (off unless `[console] users_file` names a users file):
//   POST /console/api/login          {"user", "password"} -> session cookie + CSRF token
//   GET  /console/api/session        who is logged in, their role and CSRF token
//   POST /console/api/logout         ends the session
//   GET  /console/api/tree           the menu tree in service (?candidate=1: the checked upload)
//   POST /console/api/phone          {"dial", "msisdn"?, "language"?, "candidate"?} or
//                                    {"answer"}: a dry-run dialog (console_phone.hpp)
//   GET  /console/api/menus/file     ?name=FILE: a menu file as in service
//   POST /console/api/menus/check    {"file", "content"}: validates the menus with the
//                                    file replaced, as --check-config does (editor)
//   POST /console/api/menus/apply    puts the checked file in service, as SIGHUP (editor)
//   POST /console/api/menus/rollback puts back what the last apply replaced (editor)
//   GET  /console/api/menus/history  applies and roll-backs, who and when
//   POST /console/api/trace          {"msisdn", "stop"?}: trace a number's next dialogs
//   GET  /console/api/trace          ?msisdn=N&after=ID: its steps since ID
// Sessions live in memory (HttpOnly, SameSite=Strict cookie, idle timeout);
// The page itself (static files from `static_dir`) is served at /console/.
// Every change needs the session's CSRF token in X-CSRF-Token and a JSON
// body; failed logins are limited per client address and per user name; the
// Argon2id check runs on a thread of its own, never on the event loop; every
// answer carries a strict Content-Security-Policy. docs/console.md.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rules.hpp"
#include "ussdgw/app/console_phone.hpp"
#include "ussdgw/app/console_users.hpp"
#include "ussdgw/app/dialog_trace.hpp"
#include "ussdgw/app/http_server.hpp"
#include "ussdgw/menu/tree.hpp"

namespace ussdgw::app {

/// How the console API is set up.
struct console_options {
    std::vector<console_user> users;             ///< from the users file
    std::chrono::seconds session_idle{30 * 60};  ///< a session unused this long ends
    std::size_t max_sessions = 1000;             ///< the oldest goes beyond it
    std::size_t failures_per_minute = 5;         ///< per client address and per user name
    std::size_t logins_waiting = 8;              ///< Argon2id checks queued at most
    /// The menu tree in service now (it changes with reloads).
    std::function<std::shared_ptr<const menu::tree>()> tree;
    /// The menus' version (1 at start, +1 per reload); may be null.
    const std::atomic<std::uint64_t>* version = nullptr;
    std::string menus_dir;  ///< the directory the daemon loads its menus from
    /// The page's files (index.html, console.js, console.css), served under
    /// /console/; empty: the API alone.
    std::string static_dir;
    std::string db_path;   ///< the store the phone copies subscribers from
    actions::rules rules;  ///< the rules the phone's actions follow (and menus are checked with)
    /// Reloads the config and menus as SIGHUP does; false when they were refused.
    std::function<bool()> reload;
    /// The door's live trace (the door records into it); may be null.
    dialog_trace* trace = nullptr;
};

/// One apply or roll-back.
struct console_change {
    std::string action;         ///< "apply" or "rollback"
    std::string user;           ///< who
    std::string file;           ///< which menu file
    std::int64_t time = 0;      ///< Unix seconds
    std::uint64_t version = 0;  ///< the menus' version it put in service
};

/// The console's sessions and endpoints. Lives on the event loop's thread.
class console_api {
  public:
    /// Owns one thread for the Argon2id checks.
    console_api(boost::asio::any_io_executor loop, console_options options);
    /// Waits for a check in progress, then stops the thread.
    ~console_api();
    console_api(const console_api&) = delete;
    console_api& operator=(const console_api&) = delete;

    /// How to reload as SIGHUP does (set once the reloader exists).
    void set_reload(std::function<bool()> reload) { opt_.reload = std::move(reload); }

    /// Registers the endpoints on `server`; the API must outlive the server's use of them.
    void add_to(http_server& server);

    /// Sessions open now.
    std::size_t sessions() const { return sessions_.size(); }
    /// The last applies and roll-backs (at most 1,000), oldest first.
    const std::vector<console_change>& changes() const { return changes_; }
    /// Applies and roll-backs since the start, by (action, user).
    const std::map<std::pair<std::string, std::string>, std::uint64_t>& change_counts() const {
        return change_counts_;
    }

  private:
    struct session {
        std::string user;
        console_role role = console_role::viewer;
        std::string csrf;
        std::chrono::steady_clock::time_point used;
        std::shared_ptr<console_phone> phone;         // made on the first dial
        std::shared_ptr<const menu::tree> candidate;  // the last upload that checked clean
        std::string staged_file, staged_content;      // that upload
    };
    // What an apply replaced, so a roll-back can put it back.
    struct replaced {
        std::string file;
        std::optional<std::string> before;  // nullopt: the file was new
    };
    using respond_fn = std::function<void(http_response)>;

    void login(const http_request& rq, respond_fn respond);
    void finish_login(const std::string& client, const std::string& user, bool matched,
                      const respond_fn& respond);
    session* current(const http_request& rq);
    const console_user* find_user(const std::string& name) const;
    bool limited(const std::string& key, std::chrono::steady_clock::time_point now);
    void failed(const std::string& key, std::chrono::steady_clock::time_point now);
    void with_session(const http_request& rq, const respond_fn& respond,
                      const std::function<http_response(session&)>& answer);
    session* changing(const http_request& rq, const respond_fn& respond, bool editor);
    void phone(const http_request& rq, respond_fn respond);
    http_response check(session& s, const http_request& rq);
    http_response apply(session& s);
    http_response rollback(session& s);
    bool put_file(const std::string& file, const std::optional<std::string>& content);
    void add_static(http_server& server);
    std::uint64_t version() const;

    boost::asio::any_io_executor loop_;
    console_options opt_;
    std::string dummy_hash_;  // checked for unknown users, so a miss costs as much as a hit
    std::map<std::string, session> sessions_;  // by cookie token
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
    std::size_t checking_ = 0;    // Argon2id checks queued or running
    std::vector<replaced> undo_;  // applies not rolled back, oldest first (at most 100)
    std::vector<console_change> changes_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> change_counts_;
    void record(console_change c);
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool hashing_{1};
};

/// The tree as JSON: languages, root, nodes (id, kind, file, line, texts per
/// language, options, action and arguments, input variable) and direct codes.
std::string tree_json(const menu::tree& t, std::uint64_t version);

}  // namespace ussdgw::app
