#include "ussdgw/app/main.hpp"

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdlib>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/console_api.hpp"
#include "ussdgw/app/daemon.hpp"
#include "ussdgw/app/account_api.hpp"
#include "ussdgw/app/http_server.hpp"
#include "ussdgw/app/log_format.hpp"
#include "ussdgw/app/metrics.hpp"
#include "ussdgw/app/notify.hpp"
#include "ussdgw/app/ops_endpoints.hpp"
#include "ussdgw/app/reload.hpp"
#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/app/self_service.hpp"
#include "ussdgw/sms/front_doors.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/server_key.hpp"
#include "ussdgw/app/version.hpp"
#include "ussdgw/util/first_line.hpp"

namespace ussdgw::app {
namespace {

// Flags override the config file; the config file overrides defaults.
struct flags {
    std::string config_path;
    std::string smsc;
    std::string system_id;
    std::string password;
    std::string password_file;
    std::string db;
    std::string menus;
    std::string log_level;
    std::string log_format;
    std::string http_listen;
    bool check_config = false;
};

// The first line of a password file, without its line end.
util::result<std::string, std::string> read_password_file(const std::string& path) {
    auto line = util::first_line_of_file(path);
    if (!line) return util::fail("password file " + path + ": " + line.error());
    return line;
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
    // The bind password, weakest source first: config file, a password file
    // (config, then systemd's credentials directory), the environment, a flag.
    std::string pw_file = f.password_file.empty() ? c.smsc.password_file : f.password_file;
    // A credential with an empty first line counts as none: the shipped unit
    // falls back to such a one (SetCredential=) when /etc/ussdgw/smsc-password
    // is missing, and that must not blank a password the config file gives.
    if (pw_file.empty())
        if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) {
            const std::string cred = std::string(dir) + "/smsc-password";
            if (auto pw = read_password_file(cred); pw && !pw->empty()) pw_file = cred;
        }
    if (!pw_file.empty()) {
        auto pw = read_password_file(pw_file);
        if (!pw)
            errors.push_back(pw.error());
        else
            c.smsc.password = *pw;
    }
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
    if (store::engine_of(c.db_path) == store::engine::postgres && c.key_file.empty())
        // Nothing beside a server to put it next to, and every gateway on
        // the store must key its hashes alike: the operator names the file.
        errors.push_back("store " + store::printable_target(c.db_path) +
                         " is on PostgreSQL: set [store] key_file (each gateway sharing the "
                         "store keeps a copy of the same server key file)");
    if (!f.menus.empty()) c.menus_dir = f.menus;
    if (!f.log_level.empty()) {
        auto probe = parse_config("[log]\nlevel = " + f.log_level + "\n", "--log-level", c);
        if (!probe)
            errors.push_back("--log-level: unknown level '" + f.log_level +
                             "' (trace, debug, info, warn, error, off)");
        else
            c.log_level = f.log_level;
    }
    if (!f.log_format.empty()) {
        if (!parse_log_format(f.log_format))
            errors.push_back("--log-format: unknown format '" + f.log_format + "' (text or json)");
        else
            c.log_format = f.log_format;
    }
    if (!f.http_listen.empty()) {
        if (auto a = parse_listen_address(f.http_listen); !a)
            errors.push_back("--http-listen: " + a.error());
        else
            c.http.listen = f.http_listen;
    }
    // The API's bearer token: only from a file (a command line is public).
    if (!c.http.token_file.empty()) {
        auto t = read_api_token(c.http.token_file);
        if (!t)
            errors.push_back(t.error());
        else
            c.http.token = *t;
    }
    if (!c.console_users_file.empty()) {
        auto users = load_console_users(c.console_users_file);
        if (!users)
            errors.push_back(users.error());
        else if (users.value().empty())
            errors.push_back(c.console_users_file +
                             ": no users (add one with ussdgw-admin console-user add)");
        else
            c.console_users = std::move(users.value());
    }
    if (!errors.empty()) return util::fail(std::move(errors));
    return c;
}

std::string key_path(const config& c) {
    return c.key_file.empty() ? store::default_key_path(c.db_path) : c.key_file;
}

// What starting would do to the store, without changing it: the daemon
// creates a missing file and migrates an older one, but refuses a newer one,
// one that others may read, and a server key that is missing or not its own.
util::result<std::string, std::string> check_store(const config& cfg) {
    const std::string path = store::printable_target(cfg.db_path);
    const bool postgres = store::engine_of(cfg.db_path) == store::engine::postgres;
    if (auto p = store::check_private_files(cfg.db_path, key_path(cfg)); !p)
        return util::fail(p.error());
    if (!postgres && !std::filesystem::exists(path))
        return "store " + path + " and its server key " + key_path(cfg) +
               " will be created at start";
    try {
        store::connection c(cfg.db_path, store::open_mode::read_only);
        int v = c.user_version();
        int latest = store::latest_schema_version();
        if (v > latest)
            return util::fail(fmt::format(
                "store {}: schema version {} is newer than this binary's {}; run a newer ussdgw",
                path, v, latest));
        std::string key = "server key " + key_path(cfg) + " will key it at start";
        if (v >= 5) {
            auto k = store::check_server_key(c, key_path(cfg));
            if (!k) return util::fail(k.error());
            key = *k;
        }
        if (v < latest)
            return fmt::format("store {} at schema {} will be migrated to {} at start, {}", path, v,
                               latest, key);
        return fmt::format("store {} at schema {}, {}", path, v, key);
    } catch (const std::exception& e) {
        return util::fail("store " + path + ": " + e.what());
    }
}

// The daily job (blocking fees past the free days, due promised payments) is
// idempotent per day, so running it at start and every hour is safe and
// catches up after downtime.
class daily_job {
  public:
    daily_job(boost::asio::io_context& io, actions::store_runner& runner)
        : timer_(io), runner_(runner) {
        tick();
    }

  private:
    void tick() {
        runner_.run_daily([](actions::daily_report r) {
            if (!r.ok)
                spdlog::error("daily job failed; it runs again within the hour");
            else if (r.blocking_charged || r.services_charged || r.promised_repaid ||
                     r.trust_changed || r.usage_periods_rolled)
                spdlog::info(
                    "daily job: {} blocking fee(s), {} service fee(s), {} promised payment(s) "
                    "repaid, {} credit limit(s) changed of {} reviewed, {} package period(s) "
                    "started; {} SMS to the outbox",
                    r.blocking_charged, r.services_charged, r.promised_repaid, r.trust_changed,
                    r.trust_reviewed, r.usage_periods_rolled, r.sms.size());
        });
        timer_.expires_after(std::chrono::hours(1));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) tick();
        });
    }
    boost::asio::steady_timer timer_;
    actions::store_runner& runner_;
};

}  // namespace

int run_main(int argc, char** argv) {
    // The store, its -wal and -shm, and the server key are created for this
    // user only; a core dump must not carry secrets out of the process.
    ::umask(077);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    CLI::App cli{
        "ussdgw: USSD/SMS self-service gateway. Binds to an SMSC over SMPP 3.4 as an ESME\n"
        "(bind_transceiver), answers USSD dialogs and SMS commands from menus/ and keeps\n"
        "accounts in SQLite (one box) or PostgreSQL (several boxes). Flags override the\n"
        "config file. Stops cleanly on SIGTERM/SIGINT.",
        "ussdgw"};
    flags f;
    cli.add_option("--config", f.config_path, "Config file (INI; see conf/ussdgw.conf)");
    cli.add_option("--smsc", f.smsc, "SMSC address HOST:PORT (default 127.0.0.1:2775)");
    cli.add_option("--system-id", f.system_id, "bind system_id (default ussdgw)");
    cli.add_option("--password", f.password,
                   "bind password. Every local user can read a command line in /proc: on a "
                   "server use --password-file, the USSDGW_SMSC_PASSWORD environment variable or "
                   "systemd's LoadCredential=smsc-password (a flag overrides them all)");
    cli.add_option("--password-file", f.password_file,
                   "read the bind password from the first line of FILE (mode 0600)");
    cli.add_option("--db", f.db,
                   "Account store: a SQLite file (default ussdgw.db), or a postgresql:// URI "
                   "shared by several gateways (password from PGPASSWORD or a PGPASSFILE; "
                   "[store] key_file required)");
    cli.add_option("--menus", f.menus, "Menu directory (default menus)");
    cli.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off");
    cli.add_option("--log-format", f.log_format,
                   "text (one line per event, context as key=value) or json (one object per "
                   "line, context as fields); also [log] format");
    cli.add_option("--http-listen", f.http_listen,
                   "HTTP listener IP:PORT for the account API and metrics (also [http] listen; "
                   "port 0 picks a free one; loopback recommended)");
    cli.add_flag("--check-config", f.check_config,
                 "Validate the config, the menus and the store (changing nothing), print every "
                 "problem, exit 0 (ok) or 1");
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
    // Texts may state the configured limits ({rules.password_min_sms}).
    menu::load_options load_options;
    load_options.constants = actions::rule_constants(cfg.rules);
    auto doors = sms::load_front_doors(cfg.menus_dir, actions::builtin_registry(), load_options);
    if (!doors) {
        for (auto& p : doors.error()) std::cerr << "ussdgw: " << p.to_string() << "\n";
        std::cerr << "ussdgw: " << doors.error().size() << " problem(s) in " << cfg.menus_dir
                  << "\n";
        return 1;
    }
    if (f.check_config) {
        auto store = check_store(cfg);
        if (!store) {
            std::cerr << "ussdgw: " << store.error() << "\n";
            return 1;
        }
        std::cout << "ussdgw: configuration OK (" << cfg.source << ", menus " << cfg.menus_dir
                  << ", " << *store << ")\n";
        return 0;
    }

    // One line per event on stderr, which journald keeps under systemd.
    spdlog::set_default_logger(
        make_stderr_logger(*parse_log_format(cfg.log_format), cfg.log_level));
    if (auto p = store::check_private_files(cfg.db_path, key_path(cfg)); !p) {
        spdlog::critical("refusing to start: {}", p.error());
        return 1;
    }
    boost::asio::io_context io;
    std::shared_ptr<actions::store_runner> runner;
    try {
        actions::runner_options ro;
        ro.db_path = cfg.db_path;
        ro.key_path = key_path(cfg);
        ro.hash_threads = cfg.hash_threads > 0
                              ? cfg.hash_threads
                              : std::max<std::size_t>(1, std::thread::hardware_concurrency());
        ro.hash_queue = cfg.hash_queue;
        ro.hash_queue_per_number = cfg.hash_queue_per_number;
        ro.busy_timeout = cfg.busy_timeout;
        ro.read_cache_rows = cfg.read_cache_rows;
        ro.cfg = cfg.rules;
        runner = std::make_shared<actions::store_runner>(std::move(ro));
    } catch (const std::exception& e) {
        spdlog::critical("cannot open the store {}: {}", store::printable_target(cfg.db_path),
                         store::explain(e));
        return 1;
    }
    self_service_options door_options;
    door_options.dialog_timeout = cfg.dialog_timeout;
    door_options.max_dialogs = cfg.max_dialogs;
    door_options.duplicate_window = cfg.duplicate_window;
    door_options.rate_per_subscriber = cfg.rate_per_subscriber;
    if (runner->key()) door_options.request_keys = util::fingerprinter(runner->key()->bytes());
    auto door = std::make_unique<self_service_door>(io.get_executor(), runner,
                                                    std::move(doors).value(), door_options);
    self_service_door& self_service = *door;
    // Kept by the API alone, not in the copies of the config that live on.
    std::string api_token = std::exchange(cfg.http.token, {});
    // The console's live trace, declared before the daemon that owns the door
    // recording into it, so it outlives the door.
    dialog_trace trace;
    daemon d(io, cfg, std::move(door), runner);
    d.on_status([](const std::string& status) { notify_status(status); });

    reload_counts reloads;
    metrics_sources sources{&d, &self_service, runner.get(), &reloads};

    // The HTTP listener, when [http] listen is set: the account API and the
    // operator's /metrics and /healthz. The API is declared first so that it
    // outlives the server's handlers.
    std::unique_ptr<account_api> api;
    std::unique_ptr<console_api> console;
    std::unique_ptr<http_server> http;
    if (!cfg.http.listen.empty()) {
        http = std::make_unique<http_server>(io.get_executor());
        account_api_options api_options;
        api_options.token = std::move(api_token);
        api_options.rate_per_number = cfg.http.api_rate_per_number;
        api_options.rate_per_client = cfg.http.api_rate_per_client;
        if (api_options.token.empty())
            spdlog::warn("http: no [http] token_file: the account API answers 503");
        api = std::make_unique<account_api>(io.get_executor(), runner, std::move(api_options),
                                            [&d] { d.kick_outbox(); });
        api->add_routes(*http);
        if (!cfg.console_users.empty()) {
            console_options co;
            co.users = cfg.console_users;
            co.tree = [&self_service] { return self_service.menus(); };
            co.version = &reloads.version;
            co.menus_dir = cfg.menus_dir;
            co.static_dir = cfg.console_static_dir;
            co.db_path = cfg.db_path;
            co.rules = cfg.rules;
            co.trace = &trace;
            self_service.set_trace(&trace);
            console = std::make_unique<console_api>(io.get_executor(), std::move(co));
            console->add_to(*http);
            sources.console = console.get();
            spdlog::info("console: {} users from {}", cfg.console_users.size(),
                         cfg.console_users_file);
        }
        add_ops_endpoints(*http, io.get_executor(), sources, *runner);
    } else if (!cfg.console_users.empty()) {
        spdlog::warn("console: [console] users_file is set but [http] listen is not: no console");
    }

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    bool stopping = false;
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec || stopping) return;
        stopping = true;
        notify_stopping();
        spdlog::info("signal {}: finishing in-flight work and unbinding", sig);
        if (http) http->stop();  // no new API work while the daemon drains
        d.stop([&] {
            spdlog::info("stopped");
            io.stop();
        });
    });
    // SIGHUP: the config as at start (same file, environment and flags) and the menus.
    reloader reload(
        io,
        [&f]() {
            auto c = build_config(f);
            if (c) c->http.token.clear();  // the API keeps the one it started with
            return c;
        },
        cfg, self_service, *runner, reloads);
    if (console) console->set_reload([&reload] { return reload.reload(); });
    daily_job daily(io, *runner);

    std::string binds;
    for (const auto& l : cfg.links())
        binds += fmt::format("{}{}={}:{} system_id={} profile={}", binds.empty() ? "" : "; ",
                             l.name, l.smsc.host, l.smsc.port, l.smsc.system_id, l.profile.name);
    spdlog::info("ussdgw {} starting: binds {}; store={} menus={}", version, binds,
                 store::printable_target(cfg.db_path), cfg.menus_dir);
    if (http) {
        // The address was checked with the config; binding may still fail (port taken).
        auto where = parse_listen_address(cfg.http.listen);
        auto port = where ? http->listen(*where)
                          : util::result<std::uint16_t, std::string>(util::fail(where.error()));
        if (!port) {
            spdlog::critical("refusing to start: {}", port.error());
            return 1;
        }
        spdlog::info("http listening on {}", to_string(listen_address{where->host, *port}));
    }
    d.start();
    // The store is open and the menus are loaded: systemd may call us started.
    watchdog_pinger watchdog(io);
    notify_status("started; binding to the SMSC");
    notify_ready();
    io.run();
    return 0;
}

}  // namespace ussdgw::app
