#pragma once
// One accepted HTTP connection (private to the app area): reads requests one
// at a time, hands each to the router, writes the answer, and keeps the
// connection alive while the client asks for it. Every asynchronous step
// holds the connection (shared_from_this), so it lives exactly as long as
// something is pending on it.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "ussdgw/app/http_router.hpp"
#include "ussdgw/app/http_server.hpp"

namespace ussdgw::app::detail {

class http_connection;

/// What the server and its connections share; outlives whichever goes first.
struct http_shared {
    http_router router;                         ///< handlers by path and method
    http_server_options options;                ///< limits
    std::unordered_set<http_connection*> open;  ///< every live connection (stop() closes them)
    std::size_t serving = 0;                    ///< open connections counted against the cap
    bool stopped = false;                       ///< stop() was called
};

/// One connection.
class http_connection : public std::enable_shared_from_this<http_connection> {
  public:
    /// Takes an accepted socket; `refuse`: answer 503 (too many connections) and close.
    http_connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<http_shared> shared,
                    bool refuse);
    ~http_connection();
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;

    /// Starts reading (or refusing). Call once, on a shared_ptr.
    void start();
    /// Closes the socket now; pending steps end and release the connection.
    void close();

  private:
    void read_header();
    void on_header(boost::beast::error_code ec);
    void read_body();
    void on_read_error(boost::beast::error_code ec);
    void on_request();
    void send(std::uint64_t request, http_response r);
    void write(http_response r, bool keep_alive);
    void on_written(boost::beast::error_code ec, bool keep_alive);
    void finish();
    void drain();
    void wipe_request();

    boost::beast::tcp_stream stream_;
    std::shared_ptr<http_shared> shared_;
    bool refuse_;
    bool counted_;
    std::string client_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    http_request request_;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    std::uint64_t request_id_ = 0;  // which request a late respond() belongs to
    bool answered_ = true;          // the current request has its answer
    bool closed_ = false;
    boost::beast::http::response<boost::beast::http::string_body> response_;
    std::array<char, 4096> drain_buffer_{};
    std::size_t drained_ = 0;
};

}  // namespace ussdgw::app::detail
