#pragma once
// Tells systemd how the daemon is doing (sd_notify(3)): ready, a status line
// for `systemctl status`, stopping, and watchdog pings. Every call does
// nothing when the process was not started by systemd (no NOTIFY_SOCKET), so
// the daemon makes them unconditionally and runs the same from a shell.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace ussdgw::app {

/// READY=1: the store is open, the menus loaded; Type=notify's start is done.
/// Each notify_* returns true when the message was sent.
bool notify_ready();

/// STATUS=<line>, shown by `systemctl status`. Line ends become spaces: a
/// newline would start another assignment.
bool notify_status(const std::string& status);

/// STOPPING=1: a shutdown has begun (systemd then waits for the exit).
bool notify_stopping();

/// The watchdog interval systemd expects pings within (WATCHDOG_USEC), when
/// it watches this very process (WATCHDOG_PID unset or ours); else nullopt.
std::optional<std::chrono::microseconds> watchdog_interval();

/// WATCHDOG=1: one ping.
bool notify_watchdog();

/// Pings the watchdog from the event loop every half interval, so a loop that
/// is stuck stops the pings and systemd restarts the daemon. Does nothing
/// when the watchdog is off.
class watchdog_pinger {
  public:
    explicit watchdog_pinger(boost::asio::io_context& io);

  private:
    void ping();
    boost::asio::steady_timer timer_;
    std::chrono::microseconds every_{0};
};

}  // namespace ussdgw::app
