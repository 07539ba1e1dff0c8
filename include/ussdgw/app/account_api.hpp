#pragma once
// The personal-account API for the operator's website (docs/api.md): a
// subscriber logs in with the password this gateway issued, or orders a new
// one by SMS. Both run the same actions as *111*25# and the login check of
// every other door (password_check, password_issue through actions::runner),
// so lockout, login alerts and the archive are the same; the archive shows
// channel "web". Guarded by a bearer token and by per-number and per-client
// rate limits. Runs on the daemon's event loop.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/app/http_router.hpp"
#include "ussdgw/app/http_server.hpp"
#include "ussdgw/app/rate_limiter.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// How the API is guarded ([http] in config).
struct account_api_options {
    /// The bearer token callers must send; empty: the API answers 503.
    std::string token;
    std::size_t rate_per_number =
        5;  ///< requests per subscriber number per minute (both endpoints)
    std::size_t rate_per_client = 60;  ///< requests per client address per minute; 0: no limit
};

/// POST /api/v1/login and POST /api/v1/password.
class account_api {
  public:
    /// `runner` runs the actions; `sms_committed` is called (on the executor)
    /// after an action committed SMS to the outbox, to send them now.
    account_api(boost::asio::any_io_executor executor, std::shared_ptr<actions::runner> runner,
                account_api_options options, std::function<void()> sms_committed);
    ~account_api();
    account_api(const account_api&) = delete;
    account_api& operator=(const account_api&) = delete;

    /// Adds both endpoints to `routes` (an http_server, or an http_router in
    /// tests); this object must outlive its use there.
    template <typename Routes>
    void add_routes(Routes& routes) {
        routes.add("POST", "/api/v1/login",
                   [this](const http_request& req, respond_fn respond) { login(req, respond); });
        routes.add("POST", "/api/v1/password",
                   [this](const http_request& req, respond_fn respond) { password(req, respond); });
    }

  private:
    using respond_fn = std::function<void(http_response)>;
    std::optional<http_response> admit(const http_request& req);
    std::optional<http_response> limit_number(const http_request& req, const std::string& msisdn);
    void login(const http_request& req, respond_fn respond);
    void password(const http_request& req, respond_fn respond);
    void run(actions::request r, std::function<void(const actions::outcome&)> then);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<actions::runner> runner_;
    account_api_options options_;
    std::function<void()> sms_committed_;
    rate_limiter per_number_;
    rate_limiter per_client_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The API token: the first line of `path` (without its line end), at least 16 characters.
util::result<std::string, std::string> read_api_token(const std::string& path);

}  // namespace ussdgw::app
