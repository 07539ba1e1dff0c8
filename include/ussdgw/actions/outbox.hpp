#pragma once
// The outbox: every SMS an action produces (notices, one-time passwords,
// alerts) is a row written in the action's own transaction, so it exists
// exactly when the action does. The daemon's sender reads due rows, sends
// them, and records each as sent once the SMSC accepted it; what is not
// accepted stays and is tried again, across rebinds and restarts, until it
// expires. The admin tool (or any writer) produces SMS simply by committing.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ussdgw/domain/messages.hpp"

namespace ussdgw::actions {

/// One SMS waiting in the outbox.
struct outbox_item {
    std::int64_t id = 0;        ///< row id, increasing: oldest first
    domain::sms_out sms;        ///< what to send
    std::int64_t attempts = 0;  ///< sends tried and not accepted so far
};

/// What a look at the outbox found.
struct outbox_due {
    std::vector<outbox_item> items;  ///< due rows, oldest first
    std::size_t expired = 0;         ///< rows that passed their age and were given up now
    std::size_t pending = 0;         ///< rows still pending (due ones included)
};

/// The outbox as its sender sees it. Callbacks may come on another thread.
class outbox {
  public:
    virtual ~outbox() = default;
    /// Gives up rows older than their expiry (logged, counted), then returns up
    /// to `limit` pending rows whose id is not in `busy` (being sent now).
    virtual void due(std::size_t limit, std::vector<std::int64_t> busy,
                     std::function<void(outbox_due)> done) = 0;
    /// Records rows the SMSC accepted (with its message id) and rows whose
    /// send failed (one more attempt counted; they stay pending).
    virtual void settle(std::vector<std::pair<std::int64_t, std::string>> sent,
                        std::vector<std::int64_t> failed, std::function<void()> done) = 0;
};

}  // namespace ussdgw::actions
