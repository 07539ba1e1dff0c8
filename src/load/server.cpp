#include "server.hpp"

#include <fmt/format.h>

namespace ussdgw::load {

namespace asio = boost::asio;

server::server(asio::io_context& io, const options& opts, link_events& events)
    : io_(io), opts_(opts), events_(events), acceptor_(io), shutdown_timer_(io) {}

server::~server() {
    // Handlers the io_context never ran may still hold links: closing them
    // here keeps those from reporting to an owner that is gone.
    done_ = nullptr;
    for (auto& l : links_) l->close();
}

util::result<std::string, std::string> server::listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(opts_.listen_host, ec);
    if (ec) return util::fail(fmt::format("'{}' is not an IP address", opts_.listen_host));
    asio::ip::tcp::endpoint ep(address, opts_.listen_port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return util::fail(fmt::format("cannot listen on {}:{}: {}", opts_.listen_host,
                                      opts_.listen_port, ec.message()));
    }
    auto local = acceptor_.local_endpoint();
    accept();
    auto host = local.address().to_string();
    return local.address().is_v6() ? fmt::format("[{}]:{}", host, local.port())
                                   : fmt::format("{}:{}", host, local.port());
}

void server::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            auto l = std::make_shared<link>(std::move(socket), events_, opts_, next_id_++);
            links_.push_back(l);
            l->start();
        }
        accept();
    });
}

void server::shutdown(std::chrono::steady_clock::duration patience, std::function<void()> done) {
    done_ = std::move(done);
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& l : links_) l->unbind();
    shutdown_timer_.expires_after(patience);
    shutdown_timer_.async_wait([this](boost::system::error_code e) {
        if (e) return;
        for (auto& l : links_) l->close();
        check_shutdown();
    });
    check_shutdown();
}

void server::on_closed() {
    if (done_) check_shutdown();
}

void server::check_shutdown() {
    if (!done_) return;
    for (auto& l : links_)
        if (!l->closed()) return;
    shutdown_timer_.cancel();
    auto done = std::move(done_);
    done_ = nullptr;
    // Later: the link that just closed is still on the stack.
    asio::post(io_, std::move(done));
}

}  // namespace ussdgw::load
