// ussdgw-load: a load generator playing the SMSC side of SMPP 3.4 against
// ussdgw (docs/load.md). One thread: the io_context runs the listener, every
// connection, the flows and their timers; nothing is shared, nothing locked.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <csignal>
#include <cstdio>

#include <boost/asio.hpp>

#include "engine.hpp"
#include "options.hpp"
#include "scenario.hpp"
#include "server.hpp"

namespace {

using namespace ussdgw::load;
namespace asio = boost::asio;

int run(const options& opts, const scenario& sc) {
    asio::io_context io(1);  // one thread: tells Asio to skip its locks
    server* srv = nullptr;
    engine eng(io, opts, sc, [&srv] {
        if (srv) srv->on_closed();
    });
    server listener(io, opts, eng);
    srv = &listener;
    auto where = listener.listen();
    if (!where) {
        std::fprintf(stderr, "ussdgw-load: %s\n", where.error().c_str());
        return usage_exit;
    }
    std::printf("ussdgw-load listening on %s\n", where.value().c_str());
    std::fflush(stdout);

    int exit_code = 1;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) eng.interrupt();
    });
    // Every way out unbinds the daemon politely first.
    eng.start([&](int code) {
        exit_code = code;
        signals.cancel();
        listener.shutdown(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(opts.timeout)),
                          [&io] { io.stop(); });
    });
    io.run();
    srv = nullptr;
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    const auto& opts = std::get<options>(parsed);
    auto sc = load_scenario(opts.scenario);
    if (!sc) {
        std::fprintf(stderr, "ussdgw-load: %s: %s\n", sc.error().where.c_str(),
                     sc.error().why.c_str());
        return usage_exit;
    }
    try {
        return run(opts, sc.value());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ussdgw-load: error: %s\n", e.what());
        return usage_exit;
    }
}
