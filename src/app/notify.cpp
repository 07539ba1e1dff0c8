#include "ussdgw/app/notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>

namespace ussdgw::app {
namespace {

// unset_environment stays 0: the daemon notifies many times over its life,
// and sd_notify reads NOTIFY_SOCKET afresh each time.
bool send(const std::string& state) {
    return ::sd_notify(0, state.c_str()) > 0;
}

}  // namespace

bool notify_ready() {
    return send("READY=1");
}

bool notify_status(const std::string& status) {
    std::string line = status;
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return send("STATUS=" + line);
}

bool notify_stopping() {
    return send("STOPPING=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec);
}

bool notify_watchdog() {
    return send("WATCHDOG=1");
}

watchdog_pinger::watchdog_pinger(boost::asio::io_context& io) : timer_(io) {
    auto interval = watchdog_interval();
    if (!interval) return;
    // Half the interval, as sd_watchdog_enabled(3) advises: one late tick
    // of a busy loop must not cost a restart.
    every_ = std::max(*interval / 2, std::chrono::microseconds(1));
    ping();
}

void watchdog_pinger::ping() {
    notify_watchdog();
    timer_.expires_after(every_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) ping();
    });
}

}  // namespace ussdgw::app
