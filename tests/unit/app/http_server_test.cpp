// app/http_server: the listener on a real loopback socket, driven by a plain
// socket client: routing (404, 405 with Allow), keep-alive, answers given
// later, the body limit (413, also after Expect: 100-continue), malformed
// requests (400), the idle timeout, the connection cap (503) and stop().

#include <doctest/doctest.h>

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <future>
#include <thread>

#include "http_client.hpp"
#include "ussdgw/app/http_server.hpp"

using namespace ussdgw::app;
using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds patience{20'000};

// A server on 127.0.0.1:0 whose io_context runs on its own thread.
struct running_server {
    boost::asio::io_context io;
    // Keeps io.run() going when the server has nothing pending (after stop()).
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};
    std::unique_ptr<http_server> server;
    std::uint16_t port = 0;
    std::thread thread;

    explicit running_server(const std::function<void(http_server&)>& routes,
                            http_server_options options = {}) {
        server = std::make_unique<http_server>(io.get_executor(), options);
        routes(*server);
        auto p = server->listen({"127.0.0.1", 0});
        REQUIRE(p);
        port = *p;
        CHECK(server->port() == port);
        thread = std::thread([this] { io.run(); });
    }
    // Runs `f` on the server's thread and waits for it.
    template <class F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(io, [&task] { task(); });
        return result.get();
    }
    ~running_server() {
        on_io([this] {
            server->stop();
            return 0;
        });
        work.reset();
        io.stop();
        thread.join();
    }
};

void hello_routes(http_server& s) {
    s.add("GET", "/hello", [](const http_request& req, auto respond) {
        respond(text_response(200, "hello " + req.client + " " + req.target));
    });
    s.add("POST", "/echo", [](const http_request& req, auto respond) {
        http_response r;
        r.body = req.method + " " + req.body +
                 " x-test=" + (req.headers.count("x-test") ? req.headers.at("x-test") : "none");
        r.headers["X-Extra"] = "yes";
        respond(std::move(r));
    });
}

}  // namespace

TEST_CASE("http server: routes by path then method and keeps the connection alive") {
    running_server s(hello_routes);
    http_client c(s.port);
    REQUIRE(c.send(http_request_text("GET", "/hello?x=1")));
    auto r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "hello 127.0.0.1 /hello?x=1\n");
    CHECK(r->headers["content-type"] == "text/plain; charset=utf-8");
    // The same connection serves the next requests.
    REQUIRE(c.send(http_request_text("POST", "/hello", "{}")));
    r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 405);
    CHECK(r->headers["allow"] == "GET");
    CHECK(r->body == "method not allowed (allowed: GET)\n");
    REQUIRE(c.send(http_request_text("GET", "/nowhere")));
    r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "not found\n");
    // Header names arrive lower-cased; a repeated field is joined.
    REQUIRE(
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nX-Test: a\r\nx-test: b\r\nContent-Length: "
               "3\r\n\r\nabc"));
    r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "POST abc x-test=a, b");
    CHECK(r->headers["x-extra"] == "yes");
    // Connection: close is honoured.
    REQUIRE(c.send(http_request_text("GET", "/hello", "", "", false)));
    r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->headers["connection"] == "close");
    CHECK(c.wait_closed(patience));
}

TEST_CASE("http server: a handler may answer later and only its first answer counts") {
    running_server s([](http_server& srv) {
        srv.add("GET", "/later", [](const http_request&, auto respond) {
            // Answered from another thread, twice: the server takes the first.
            std::thread([respond] {
                respond(text_response(202, "first"));
                respond(text_response(500, "second"));
            }).detach();
        });
        srv.add("GET", "/never", [](const http_request&, auto) {
            // Dropping `respond` unanswered: nothing can answer, so the connection closes.
        });
    });
    http_client c(s.port);
    REQUIRE(c.send(http_request_text("GET", "/later")));
    auto r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 202);
    CHECK(r->body == "first\n");
    REQUIRE(c.send(http_request_text("GET", "/later")));
    r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 202);
    http_client n(s.port);
    REQUIRE(n.send(http_request_text("GET", "/never")));
    CHECK_FALSE(n.read_reply(patience));
    CHECK(n.wait_closed(patience));
}

TEST_CASE("http server: a body over the limit is answered 413") {
    http_server_options o;
    o.max_body = 1024;
    running_server s(hello_routes, o);
    // Told by Content-Length, with the body sent at once anyway.
    http_client c(s.port);
    REQUIRE(c.send(http_request_text("POST", "/echo", std::string(4096, 'x'))));
    auto r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(r->body == "request body larger than 1024 bytes\n");
    CHECK(r->headers["connection"] == "close");
    CHECK(c.wait_closed(patience));
    // Found while reading a chunked body.
    http_client chunked(s.port);
    REQUIRE(chunked.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                         std::string("800\r\n") + std::string(2048, 'y') + "\r\n0\r\n\r\n"));
    r = chunked.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 413);
    // Exactly at the limit is fine; Expect: 100-continue gets its 100 first.
    http_client fits(s.port);
    REQUIRE(
        fits.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  "Content-Length: 1024\r\n\r\n"));
    REQUIRE(fits.send(std::string(1024, 'z')));
    r = fits.read_reply(patience);  // skips the 100
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.size() == std::string("POST  x-test=none").size() + 1024);
}

TEST_CASE("http server: a malformed request is answered 400 and closed") {
    running_server s(hello_routes);
    http_client c(s.port);
    REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"));
    auto r = c.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.rfind("malformed request: ", 0) == 0);
    CHECK(r->body.find('\n') == r->body.size() - 1);  // one line
    CHECK(c.wait_closed(patience));
    http_client junk(s.port);
    REQUIRE(junk.send("this is not http\r\n\r\n"));
    r = junk.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 400);
    // A head over its limit.
    http_client big(s.port);
    REQUIRE(big.send("GET /hello HTTP/1.1\r\nX-Big: " + std::string(16 * 1024, 'h') + "\r\n\r\n"));
    r = big.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 431);
}

TEST_CASE("http server: a silent or slow client is closed after the idle timeout") {
    http_server_options o;
    o.idle_timeout = 300ms;
    running_server s(hello_routes, o);
    http_client silent(s.port);
    CHECK(silent.wait_closed(patience));
    http_client slow(s.port);
    REQUIRE(slow.send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // the head never ends
    CHECK(slow.wait_closed(patience));
    // Between requests on a kept-alive connection too.
    http_client idle(s.port);
    REQUIRE(idle.send(http_request_text("GET", "/hello")));
    REQUIRE(idle.read_reply(patience));
    CHECK(idle.wait_closed(patience));
}

TEST_CASE("http server: connections over the cap are answered 503 until one closes") {
    http_server_options o;
    o.max_connections = 2;
    running_server s(hello_routes, o);
    auto first = std::make_unique<http_client>(s.port);
    http_client second(s.port);
    for (auto* c : {first.get(), &second}) {
        REQUIRE(c->send(http_request_text("GET", "/hello")));
        REQUIRE(c->read_reply(patience));
    }
    CHECK(s.on_io([&] { return s.server->connections(); }) == 2);
    http_client third(s.port);
    auto r = third.read_reply(patience);
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->body == "too many connections; try again later\n");
    CHECK(third.wait_closed(patience));
    first.reset();
    // The server notices the close when it reads: wait for it, with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (s.on_io([&] { return s.server->connections(); }) > 1 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    auto again = http_call(s.port, http_request_text("GET", "/hello"), patience);
    REQUIRE(again);
    CHECK(again->status == 200);
}

TEST_CASE("http server: stop closes the listener and open connections") {
    running_server s(hello_routes);
    http_client open(s.port);
    REQUIRE(open.send(http_request_text("GET", "/hello")));
    REQUIRE(open.read_reply(patience));
    s.on_io([&] {
        s.server->stop();
        return 0;
    });
    CHECK(open.wait_closed(patience));
    CHECK_THROWS_AS(http_client(s.port), std::runtime_error);
}

TEST_CASE("http server: a port in use is refused with the reason") {
    running_server s(hello_routes);
    boost::asio::io_context io;
    http_server other(io.get_executor());
    auto r = other.listen({"127.0.0.1", s.port});
    REQUIRE_FALSE(r);
    CHECK(r.error().find("cannot bind") != std::string::npos);
    CHECK(r.error().find("127.0.0.1:" + std::to_string(s.port)) != std::string::npos);
}
