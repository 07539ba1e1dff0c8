#pragma once
// SIGHUP: read the config file and the menus again, build everything on the
// side, and swap it in at once, or nothing when anything is wrong (each
// problem logged with file:line). What a running daemon cannot change (the
// SMSC binds, the store, the listeners) is reported when the file changed
// it, and keeps its running value until a restart.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <functional>
#include <string>

#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/app/config.hpp"
#include "ussdgw/app/metrics.hpp"
#include "ussdgw/app/self_service.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// True for a "section.key" a reload applies; false for the sealed ones.
bool reloadable(const std::string& key);

/// The changes between two configs, one line each ("rules.transfer_max: 15000 -> 10000";
/// secrets as "(changed)"), sealed ones marked.
struct config_changes {
    std::vector<std::string> applied;  ///< reloadable keys that changed
    std::vector<std::string> sealed;   ///< sealed keys the file changed
};

/// What changed from `running` to `fresh`.
config_changes diff(const config& running, const config& fresh);

/// Reloads on SIGHUP.
class reloader {
  public:
    /// `build` reads the config as at start (file, environment, flags).
    reloader(boost::asio::io_context& io,
             std::function<util::result<config, config_errors>()> build, config running,
             self_service_door& door, actions::store_runner& runner, reload_counts& counts);

    /// Reloads now, as SIGHUP does (the operator console's apply); false when
    /// the config or menus were refused and nothing changed.
    bool reload();

  private:
    void wait();

    boost::asio::signal_set hup_;
    std::function<util::result<config, config_errors>()> build_;
    config running_;
    self_service_door& door_;
    actions::store_runner& runner_;
    reload_counts& counts_;
};

}  // namespace ussdgw::app
