#pragma once
// /metrics in the Prometheus text format. Nothing here counts: every value is
// read at scrape time from the object that does the work (the SMPP clients,
// the door, the store runner, the outbox sender, the menu reloader), so a
// number on the page cannot drift from what happened.

#include <atomic>
#include <cstdint>
#include <string>

#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/app/daemon.hpp"
#include "ussdgw/app/self_service.hpp"

namespace ussdgw::app {

class console_api;

/// Menu reloads (SIGHUP), counted by the reloader.
struct reload_counts {
    std::atomic<std::uint64_t> ok{0};       ///< reloads swapped in
    std::atomic<std::uint64_t> failed{0};   ///< reloads refused (the old menus stayed)
    std::atomic<std::uint64_t> version{1};  ///< the menus in service: 1 at start, +1 per reload
};

/// Where the values come from; all must outlive the scrape.
struct metrics_sources {
    const daemon* gateway = nullptr;                ///< binds, outbox sender
    const self_service_door* door = nullptr;        ///< dialogs, SMS in, actions
    const actions::store_runner* runner = nullptr;  ///< commits, Argon2id queue
    const reload_counts* reloads = nullptr;         ///< menu reloads
    const console_api* console = nullptr;           ///< the operator console's changes
};

/// The page.
std::string render_metrics(const metrics_sources& s);

/// "label=\"value\"" escaped as the text format wants (\\, \", \n).
std::string label(const std::string& name, const std::string& value);

}  // namespace ussdgw::app
