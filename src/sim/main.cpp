// ussdgw-smsc-sim: the SMSC simulator (docs/smsc-sim.md). One thread runs the
// io_context and everything SMPP (libsmpp34 is not thread-safe); only stdin
// is read on a thread of its own, in interactive mode.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/asio.hpp>

#include "console.hpp"
#include "load.hpp"
#include "options.hpp"
#include "phone.hpp"
#include "script.hpp"
#include "smsc.hpp"

namespace {

using namespace ussdgw::sim;
namespace asio = boost::asio;

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run(const options& opts) {
    asio::io_context io;  // declared first: everything below uses it until destroyed
    smsc sim(io, opts);
    try {
        sim.listen();
    } catch (const std::exception& e) {
        print("error: cannot listen on {}:{}: {}", opts.listen_host, opts.listen_port, e.what());
        return 2;
    }

    int exit_code = 0;
    bool finishing = false;
    // Every way out goes through here: unbind politely, then stop.
    auto finish = [&](int code) {
        if (finishing) return;
        finishing = true;
        exit_code = code;
        sim.shutdown([&io] { io.stop(); });
    };

    const bool interactive = opts.script.empty() && opts.load == 0;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) finish(interactive ? 0 : 1);
    });

    std::unique_ptr<smsc_observer> mode;
    if (!opts.script.empty()) {
        auto text = read_file(opts.script);
        if (!text) {
            print("script failed at {}:0: cannot read the file", opts.script);
            return 1;
        }
        auto parsed = parse_script(*text);
        if (auto* err = std::get_if<script_syntax_error>(&parsed)) {
            print("script failed at {}:{}: {}", opts.script, err->line, err->why);
            return 1;
        }
        auto runner = std::make_unique<script_runner>(
            io, sim, opts, opts.script, std::move(std::get<std::vector<script_line>>(parsed)));
        runner->start(finish);
        mode = std::move(runner);
    } else if (opts.load != 0) {
        sim.set_quiet(true);
        sim.set_keep_last_mo(false);
        auto runner = std::make_unique<load_runner>(io, sim, opts);
        runner->start(finish);
        mode = std::move(runner);
    } else {
        auto p = std::make_unique<phone>(io, sim, opts, finish);
        p->start();
        mode = std::move(p);
    }
    sim.set_observer(mode.get());

    io.run();
    sim.set_observer(nullptr);
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    try {
        return run(std::get<options>(parsed));
    } catch (const std::exception& e) {
        print("error: {}", e.what());
        return 2;
    }
}
