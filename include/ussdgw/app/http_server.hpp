#pragma once
// One HTTP/1.1 listener on the daemon's io_context (Boost.Beast), for the
// operator's own callers: the personal-account API, metrics, health checks.
// Every connection is bounded: a timeout for reading a request and writing
// its answer, a header and a body size limit, and a cap on open connections,
// so a slow or hostile client costs one connection slot for a while, never
// the event loop. Handlers plug in by method and path (http_router.hpp).

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ussdgw/app/http_router.hpp"
#include "ussdgw/app/listen_address.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

namespace detail {
struct http_shared;
}

/// Limits of the HTTP listener.
struct http_server_options {
    std::size_t max_body = 16 * 1024;   ///< larger bodies are answered 413
    std::size_t max_header = 8 * 1024;  ///< larger request heads are answered 431
    /// Connections open at once at most; one more is answered 503 and closed.
    std::size_t max_connections = 64;
    /// Reading one request (from its first byte, or from the end of the
    /// previous answer on a kept-alive connection) and writing one answer
    /// must each finish within this; otherwise the connection is closed.
    std::chrono::milliseconds idle_timeout{30'000};
};

/// The listener and its connections. Lives on one io_context thread.
class http_server {
  public:
    /// An unstarted server; handlers may be added before or after listen().
    explicit http_server(boost::asio::any_io_executor executor, http_server_options options = {});
    /// Stops (see stop()).
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    /// Routes `method` `path` (exact, without query) to `h` (http_router::add).
    void add(std::string method, std::string path, http_handler h);

    /// Binds and starts accepting; the bound port, or why binding failed.
    util::result<std::uint16_t, std::string> listen(const listen_address& where);

    /// The bound port (0 before listen()).
    std::uint16_t port() const { return port_; }

    /// Connections open now (those being refused for the cap excluded).
    std::size_t connections() const;

    /// Closes the listener and every open connection; answers not yet sent
    /// are dropped (their handlers' respond calls are then ignored).
    void stop();

  private:
    void accept();

    boost::asio::any_io_executor executor_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;  // paces accepting after an error (EMFILE)
    std::shared_ptr<detail::http_shared> shared_;
    std::uint16_t port_ = 0;
};

}  // namespace ussdgw::app
