#pragma once
// The operator console's JSON API under /console/api/ on the HTTP listener
// (off unless `[console] users_file` names a users file):
//   POST /console/api/login   {"user", "password"} -> a session cookie + CSRF token
//   GET  /console/api/session  who is logged in, their role and CSRF token
//   POST /console/api/logout   (CSRF) ends the session
//   GET  /console/api/tree     the menu tree in service, node by node
// Sessions live in memory (HttpOnly, SameSite=Strict cookie, idle timeout);
// every change needs the session's CSRF token in X-CSRF-Token and a JSON
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

#include "ussdgw/app/console_users.hpp"
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

    /// Registers the endpoints on `server`; the API must outlive the server's use of them.
    void add_to(http_server& server);

    /// Sessions open now.
    std::size_t sessions() const { return sessions_.size(); }

  private:
    struct session {
        std::string user;
        console_role role = console_role::viewer;
        std::string csrf;
        std::chrono::steady_clock::time_point used;
    };
    using respond_fn = std::function<void(http_response)>;

    void login(const http_request& rq, respond_fn respond);
    void finish_login(const std::string& client, const std::string& user, bool matched,
                      const respond_fn& respond);
    session* current(const http_request& rq);
    bool limited(const std::string& key, std::chrono::steady_clock::time_point now);
    void failed(const std::string& key, std::chrono::steady_clock::time_point now);
    void with_session(const http_request& rq, const respond_fn& respond,
                      const std::function<http_response(session&)>& answer);

    boost::asio::any_io_executor loop_;
    console_options opt_;
    std::string dummy_hash_;  // checked for unknown users, so a miss costs as much as a hit
    std::map<std::string, session> sessions_;  // by cookie token
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
    std::size_t checking_ = 0;  // Argon2id checks queued or running
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool hashing_{1};
};

/// The tree as JSON: languages, root, nodes (id, kind, file, line, texts per
/// language, options, action and arguments, input variable) and direct codes.
std::string tree_json(const menu::tree& t, std::uint64_t version);

}  // namespace ussdgw::app
