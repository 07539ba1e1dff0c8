#pragma once
// /healthz: healthy when at least one SMSC bind is up and the store takes a
// write (a write transaction commits) within a deadline.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/app/daemon.hpp"

namespace ussdgw::app {

/// Checks health; `done(healthy, reason)` on `executor`, within `deadline`
/// (a store that does not answer in time is unhealthy). The reason is one
/// line: "ok", "no SMSC bind is up", "the store did not take a write ...".
void check_health(boost::asio::any_io_executor executor, const daemon& gateway,
                  actions::store_runner& runner, std::chrono::milliseconds deadline,
                  std::function<void(bool, std::string)> done);

}  // namespace ussdgw::app
