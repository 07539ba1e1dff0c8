#include "http_connection.hpp"

#include <sodium.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "ussdgw/util/log_text.hpp"

namespace ussdgw::app::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A request that is refused after it closed the connection's read side still
// has bytes on the way; reading them (for a bounded time and amount) before
// closing keeps the kernel from answering them with a reset that would
// destroy our answer in the client's receive buffer.
constexpr std::size_t drain_limit = 256 * 1024;
constexpr std::chrono::milliseconds drain_time{2000};

std::string_view view(beast::string_view s) {
    return {s.data(), s.size()};
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Keeps a connection alive for an answer and releases it on its executor.
struct answer_hold {
    answer_hold(std::shared_ptr<http_connection> c, asio::any_io_executor ex)
        : connection(std::move(c)), executor(std::move(ex)) {}
    ~answer_hold() {
        asio::post(executor, [c = std::move(connection)] {});
    }
    answer_hold(const answer_hold&) = delete;
    answer_hold& operator=(const answer_hold&) = delete;

    std::shared_ptr<http_connection> connection;
    asio::any_io_executor executor;
};

}  // namespace

http_connection::http_connection(asio::ip::tcp::socket socket, std::shared_ptr<http_shared> shared,
                                 bool refuse)
    : stream_(std::move(socket)), shared_(std::move(shared)), refuse_(refuse), counted_(!refuse) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : peer.address().to_string();
    shared_->open.insert(this);
    if (counted_) ++shared_->serving;
    // Headers, one body and a little of the next pipelined request fit; more is an abuse.
    buffer_.max_size(shared_->options.max_header + shared_->options.max_body + 16 * 1024);
}

http_connection::~http_connection() {
    wipe_request();
    shared_->open.erase(this);
    if (counted_) --shared_->serving;
}

void http_connection::start() {
    if (refuse_) {
        spdlog::warn("http: connection from {} refused: {} connections open (the most allowed)",
                     client_, shared_->serving);
        write(text_response(503, "too many connections; try again later"), false);
        return;
    }
    read_header();
}

void http_connection::close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
}

void http_connection::read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header));
    parser_->body_limit(shared_->options.max_body);
    stream_.expires_after(shared_->options.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void http_connection::on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& head = parser_->get();
    auto expect = head.find(http::field::expect);
    if (expect == head.end() || head.version() < 11 ||
        !iequals(view(expect->value()), "100-continue"))
        return read_body();
    // curl asks before sending a body over 1 KiB; a body over the limit was
    // already refused with the header (its Content-Length), without the wait.
    static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(shared_->options.idle_timeout);
    asio::async_write(stream_, asio::buffer(go_on),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->close();
                          self->read_body();
                      });
}

void http_connection::read_body() {
    if (parser_->is_done()) return on_request();
    // The deadline set before the header still runs: the whole request counts.
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->on_read_error(ec);
                         self->on_request();
                     });
}

void http_connection::on_read_error(beast::error_code ec) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == beast::error::timeout ||
        ec.category() != http::make_error_code(http::error::end_of_stream).category()) {
        // The client went away, went quiet, or the socket failed: nobody to answer.
        if (ec == beast::error::timeout)
            spdlog::debug("http: {} sent no complete request in {} ms; closed", client_,
                          shared_->options.idle_timeout.count());
        return close();
    }
    http_response r;
    if (ec == http::error::body_limit)
        r = text_response(
            413, fmt::format("request body larger than {} bytes", shared_->options.max_body));
    else if (ec == http::error::header_limit)
        r = text_response(
            431, fmt::format("request header larger than {} bytes", shared_->options.max_header));
    else
        r = text_response(400, "malformed request: " + ec.message());
    spdlog::info("http: {} from {}", r.status, client_);
    write(std::move(r), false);
}

void http_connection::on_request() {
    auto message = parser_->release();
    request_ = http_request{};
    request_.method = std::string(view(message.method_string()));
    request_.target = std::string(view(message.target()));
    request_.body = std::move(message.body());
    request_.client = client_;
    for (const auto& f : message) {
        std::string name(view(f.name_string()));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto [it, fresh] = request_.headers.emplace(std::move(name), std::string(view(f.value())));
        if (!fresh) it->second += ", " + std::string(view(f.value()));
    }
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    answered_ = false;
    const std::uint64_t id = ++request_id_;
    // The answer may come later and from any thread: it is carried back to
    // the connection's executor, and one meant for an earlier request (or a
    // second answer) is dropped. The connection is let go there too, so a
    // handler may drop `respond` on any thread.
    auto hold = std::make_shared<answer_hold>(shared_from_this(), stream_.get_executor());
    auto respond = [hold = std::move(hold), id](http_response r) {
        asio::dispatch(hold->executor, [hold, id, r = std::move(r)]() mutable {
            hold->connection->send(id, std::move(r));
        });
    };
    shared_->router.dispatch(request_, std::move(respond));
}

void http_connection::send(std::uint64_t request, http_response r) {
    if (closed_ || answered_ || request != request_id_) return;
    answered_ = true;
    spdlog::debug("http: {} {} {} from {}", request_.method, util::for_log(request_.target),
                  r.status, client_);
    write(std::move(r), keep_alive_);
}

void http_connection::write(http_response r, bool keep_alive) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "ussdgw");
    response_.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) response_.set(name, value);
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(shared_->options.idle_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                          self->on_written(ec, keep_alive);
                      });
}

void http_connection::on_written(beast::error_code ec, bool keep_alive) {
    // The request may have carried a password: it is not kept past its answer.
    wipe_request();
    if (ec || closed_) return close();
    if (!keep_alive) return finish();
    read_header();
}

void http_connection::finish() {
    // Our side is done: say so, and read what the client still sends (a body
    // we refused, a pipelined request) until it closes its side too.
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(drain_time);
    drain();
}

void http_connection::drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->drained_ += n;
                                if (ec || self->drained_ > drain_limit) return self->close();
                                self->drain();
                            });
}

void http_connection::wipe_request() {
    if (!request_.body.empty()) sodium_memzero(request_.body.data(), request_.body.size());
    request_.body.clear();
}

}  // namespace ussdgw::app::detail
