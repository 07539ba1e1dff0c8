#include "ussdgw/app/reload.hpp"

#include <spdlog/spdlog.h>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/app/log_format.hpp"
#include "ussdgw/sms/front_doors.hpp"

namespace ussdgw::app {

bool reloadable(const std::string& key) {
    // What a running daemon can take: the self-service rules, the dialog
    // limits, the menus and the log level. Binds, the store and the
    // listeners are in use and stay until a restart.
    for (const char* prefix : {"rules.", "ussd.", "log.", "menus.", "outbox.max_age"})
        if (key.rfind(prefix, 0) == 0) return true;
    return false;
}

config_changes diff(const config& running, const config& fresh) {
    config_changes out;
    // Bind passwords ([smsc] password, [smsc NAME] password) are never shown;
    // password rules and file paths are.
    auto secret = [](const std::string& key) {
        return key == "password" || key.ends_with(".password");
    };
    auto add = [&](const std::string& key, const std::string* was, const std::string* now) {
        std::string line = key + ": ";
        if (secret(key))
            line += "(changed)";
        else
            line += (was ? *was : std::string("(default)")) + " -> " +
                    (now ? *now : std::string("(default)"));
        (reloadable(key) ? out.applied : out.sealed).push_back(std::move(line));
    };
    for (const auto& [key, value] : fresh.raw) {
        auto it = running.raw.find(key);
        if (it == running.raw.end())
            add(key, nullptr, &value);
        else if (it->second != value)
            add(key, &it->second, &value);
    }
    for (const auto& [key, value] : running.raw)
        if (!fresh.raw.contains(key)) add(key, &value, nullptr);
    return out;
}

reloader::reloader(boost::asio::io_context& io,
                   std::function<util::result<config, config_errors>()> build, config running,
                   self_service_door& door, actions::store_runner& runner, reload_counts& counts)
    : hup_(io, SIGHUP),
      build_(std::move(build)),
      running_(std::move(running)),
      door_(door),
      runner_(runner),
      counts_(counts) {
    wait();
}

void reloader::wait() {
    hup_.async_wait([this](boost::system::error_code ec, int) {
        if (ec) return;
        reload();
        wait();
    });
}

bool reloader::reload() {
    // Everything is built first; nothing is applied unless all of it is good.
    auto fresh = build_();
    if (!fresh) {
        for (const auto& e : fresh.error()) spdlog::error("reload: {}", e);
        spdlog::error("reload: {} problem(s) in the config; everything stays as it was",
                      fresh.error().size());
        ++counts_.failed;
        return false;
    }
    menu::load_options options;
    options.constants = actions::rule_constants(fresh->rules);
    auto doors = sms::load_front_doors(fresh->menus_dir, actions::builtin_registry(), options);
    if (!doors) {
        for (const auto& p : doors.error()) spdlog::error("reload: {}", p.to_string());
        spdlog::error("reload: {} problem(s) in {}; everything stays as it was",
                      doors.error().size(), fresh->menus_dir);
        ++counts_.failed;
        return false;
    }
    const auto changes = diff(running_, *fresh);
    for (const auto& line : changes.sealed)
        spdlog::warn("reload: {} (needs a restart: the running value stays)", line);
    for (const auto& line : changes.applied) spdlog::info("reload: {}", line);

    door_.reload(std::move(doors).value());
    self_service_options o;
    o.dialog_timeout = fresh->dialog_timeout;
    o.max_dialogs = fresh->max_dialogs;
    o.duplicate_window = fresh->duplicate_window;
    o.rate_per_subscriber = fresh->rate_per_subscriber;
    door_.reconfigure(o);
    runner_.set_rules(fresh->rules);
    spdlog::set_level(spdlog::level::from_str(fresh->log_level));
    if (auto format = parse_log_format(fresh->log_format))
        set_log_format(*spdlog::default_logger(), *format);
    // The sealed keys keep their running values in the snapshot too, so the
    // next reload reports them again rather than taking them for applied.
    config next = std::move(fresh).value();
    for (const auto& [key, value] : running_.raw)
        if (!reloadable(key)) next.raw[key] = value;
    for (auto it = next.raw.begin(); it != next.raw.end();)
        it = !reloadable(it->first) && !running_.raw.contains(it->first) ? next.raw.erase(it)
                                                                         : std::next(it);
    running_ = std::move(next);
    ++counts_.ok;
    ++counts_.version;
    spdlog::info("reload: config {} and menus {} in service ({} change(s))", running_.source,
                 running_.menus_dir, changes.applied.size());
    return true;
}

}  // namespace ussdgw::app
