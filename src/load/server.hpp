#pragma once
// The listening side: accepts the daemon's connections, gives each a link,
// and at the end unbinds them all politely before the process exits.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "link.hpp"
#include "options.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::load {

/// The listener and every link it accepted.
class server {
  public:
    /// Links it accepts report to `events`.
    server(boost::asio::io_context& io, const options& opts, link_events& events);
    /// Closes what is still open (without callbacks into a dead owner).
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Opens the listener and starts accepting; "HOST:PORT" as bound (the
    /// real port when --listen said 0), or why it could not listen.
    util::result<std::string, std::string> listen();

    /// Stops accepting (the daemon's rebinds are refused), sends unbind on
    /// every bound link and closes each when its unbind_resp arrives or
    /// `patience` passes; then calls `done`.
    void shutdown(std::chrono::steady_clock::duration patience, std::function<void()> done);

    /// Called by the link owner when a link closed (keeps the shutdown's count).
    void on_closed();

  private:
    void accept();
    void check_shutdown();

    boost::asio::io_context& io_;
    const options& opts_;
    link_events& events_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer shutdown_timer_;
    std::vector<std::shared_ptr<link>> links_;
    std::function<void()> done_;
    std::size_t next_id_ = 0;
};

}  // namespace ussdgw::load
