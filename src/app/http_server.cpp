#include "ussdgw/app/http_server.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "http_connection.hpp"

namespace ussdgw::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http_server::http_server(asio::any_io_executor executor, http_server_options options)
    : executor_(executor),
      acceptor_(executor),
      retry_(executor),
      shared_(std::make_shared<detail::http_shared>()) {
    shared_->options = options;
}

http_server::~http_server() {
    stop();
}

void http_server::add(std::string method, std::string path, http_handler h) {
    shared_->router.add(std::move(method), std::move(path), std::move(h));
}

std::size_t http_server::connections() const {
    return shared_->serving;
}

util::result<std::uint16_t, std::string> http_server::listen(const listen_address& where) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(where.host, ec);
    if (ec) return util::fail("http listen " + to_string(where) + ": " + ec.message());
    tcp::endpoint endpoint(address, where.port);
    auto failed = [&](const char* step) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        return util::fail(
            fmt::format("http listen {}: cannot {}: {}", to_string(where), step, ec.message()));
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return failed("open a socket");
    // A restart must not wait for the previous process's TIME_WAIT sockets.
    if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec)
        return failed("set SO_REUSEADDR");
    if (acceptor_.bind(endpoint, ec); ec) return failed("bind");
    if (acceptor_.listen(tcp::socket::max_listen_connections, ec); ec) return failed("listen");
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return failed("read the bound port");
    accept();
    return port_;
}

void http_server::accept() {
    // `shared` rather than `this` decides whether to go on: a completion
    // already queued when the server is destroyed must not touch it.
    acceptor_.async_accept(
        [this, shared = shared_](boost::system::error_code ec, tcp::socket socket) {
            if (shared->stopped) return;
            if (ec) {
                // Out of descriptors, most likely: try again shortly rather than spin.
                spdlog::warn("http: accept failed: {}; retrying in 100 ms", ec.message());
                retry_.expires_after(std::chrono::milliseconds(100));
                retry_.async_wait([this, shared](boost::system::error_code e) {
                    if (!e && !shared->stopped) accept();
                });
                return;
            }
            const bool refuse = shared->serving >= shared->options.max_connections;
            std::make_shared<detail::http_connection>(std::move(socket), shared, refuse)->start();
            accept();
        });
}

void http_server::stop() {
    if (shared_->stopped) return;
    shared_->stopped = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
    // Closing only cancels their pending steps; each connection goes away
    // when its step completes, so the set is not changed under us.
    std::vector<detail::http_connection*> open(shared_->open.begin(), shared_->open.end());
    for (auto* c : open) c->close();
}

}  // namespace ussdgw::app
