#include "ussdgw/app/main.hpp"

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdlib>
#include <iostream>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/daemon.hpp"
#include "ussdgw/app/front_doors.hpp"
#include "ussdgw/app/version.hpp"

namespace ussdgw::app {
namespace {

// Flags override the config file; the config file overrides defaults.
struct flags {
    std::string config_path;
    std::string smsc;
    std::string system_id;
    std::string password;
    std::string db;
    std::string menus;
    std::string log_level;
    bool check_config = false;
};

void setup_logging(const std::string& level) {
    // One line per event on stderr; journald adds its own timestamps under systemd.
    auto logger = spdlog::stderr_logger_st("ussdgw");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

// Builds the snapshot: defaults <- file <- environment <- flags.
util::result<config, config_errors> build_config(const flags& f) {
    config c;
    if (!f.config_path.empty()) {
        auto loaded = load_config_file(f.config_path);
        if (!loaded) return loaded;
        c = std::move(loaded).value();
    }
    config_errors errors;
    if (const char* pw = std::getenv("USSDGW_SMSC_PASSWORD")) c.smsc.password = pw;
    if (!f.smsc.empty()) {
        if (auto r = apply_smsc_address(c, f.smsc); !r) errors.push_back("--smsc: " + r.error());
    }
    if (!f.system_id.empty()) {
        if (f.system_id.size() > 15)
            errors.push_back("--system-id: must be 1 to 15 characters");
        else
            c.smsc.system_id = f.system_id;
    }
    if (!f.password.empty()) c.smsc.password = f.password;
    if (c.smsc.password.size() > 8)
        errors.push_back("SMSC password: must be at most 8 characters (SMPP 3.4)");
    if (!f.db.empty()) c.db_path = f.db;
    if (!f.menus.empty()) c.menus_dir = f.menus;
    if (!f.log_level.empty()) {
        auto probe = parse_config("[log]\nlevel = " + f.log_level + "\n", "--log-level", c);
        if (!probe)
            errors.push_back("--log-level: unknown level '" + f.log_level +
                             "' (trace, debug, info, warn, error, off)");
        else
            c.log_level = f.log_level;
    }
    if (!errors.empty()) return util::fail(std::move(errors));
    return c;
}

}  // namespace

int run_main(int argc, char** argv) {
    CLI::App cli{
        "ussdgw: USSD/SMS self-service gateway. Binds to an SMSC over SMPP 3.4 as an ESME\n"
        "(bind_transceiver), answers USSD dialogs and SMS commands from menus/ and keeps\n"
        "accounts in SQLite. Flags override the config file. Stops cleanly on SIGTERM/SIGINT.",
        "ussdgw"};
    flags f;
    cli.add_option("--config", f.config_path, "Config file (INI; see conf/ussdgw.conf)");
    cli.add_option("--smsc", f.smsc, "SMSC address HOST:PORT (default 127.0.0.1:2775)");
    cli.add_option("--system-id", f.system_id, "bind system_id (default ussdgw)");
    cli.add_option("--password", f.password,
                   "bind password; prefer the USSDGW_SMSC_PASSWORD environment variable, "
                   "which a flag overrides");
    cli.add_option("--db", f.db, "SQLite account store (default ussdgw.db)");
    cli.add_option("--menus", f.menus, "Menu directory (default menus)");
    cli.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off");
    cli.add_flag("--check-config", f.check_config,
                 "Validate the config and menus, print every problem, exit 0 (ok) or 1");
    cli.set_version_flag("--version", std::string("ussdgw ") + version);
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    auto built = build_config(f);
    if (!built) {
        for (auto& e : built.error()) std::cerr << "ussdgw: " << e << "\n";
        return 1;
    }
    config cfg = std::move(built).value();
    auto door = make_front_door(cfg);
    if (!door) {
        for (auto& e : door.error()) std::cerr << "ussdgw: " << e << "\n";
        return 1;
    }
    if (f.check_config) {
        std::cout << "ussdgw: configuration OK (" << cfg.source << ")\n";
        return 0;
    }

    setup_logging(cfg.log_level);
    boost::asio::io_context io;
    daemon d(io, cfg, std::move(door).value());
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    bool stopping = false;
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec || stopping) return;
        stopping = true;
        spdlog::info("signal {}: finishing in-flight work and unbinding", sig);
        d.stop([&] {
            spdlog::info("stopped");
            io.stop();
        });
    });
    spdlog::info("ussdgw {} starting: {}:{} system_id={} profile={}", version, cfg.smsc.host,
                 cfg.smsc.port, cfg.smsc.system_id, cfg.profile.name);
    d.start();
    io.run();
    return 0;
}

}  // namespace ussdgw::app
