#pragma once
// The contract between the front doors (menu engine, SMS router) and the
// named actions. Front doors know actions only by name and by this metadata;
// the store behind them is invisible here.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/domain/messages.hpp"

namespace ussdgw::actions {

/// Through which door an action was asked for; written to the archive.
/// `web`: the operator's website, through the personal-account API (docs/api.md).
enum class channel { ussd, sms, admin, web };

/// "ussd", "sms", "admin" or "web".
const char* to_string(channel c);

/// Named arguments of an action ("amount" -> "150", "password" -> "...").
using args = std::map<std::string, std::string>;

/// One request to run a named action for a subscriber.
struct request {
    std::string msisdn;           ///< whose account
    channel via = channel::ussd;  ///< which door
    std::string action;           ///< registry name, e.g. "balance"
    args arguments;               ///< from menu inputs, the dialled string or the SMS capture
    std::string language;         ///< "en" or "ru"; empty means the subscriber's stored language
    /// Idempotency key from the SMSC (e.g. msisdn + session + message reference).
    /// A second request with the same non-empty key returns the first outcome
    /// without applying anything again. Empty: no deduplication.
    std::string dedup_key;
    /// How long `dedup_key` is remembered, in seconds; 0: rules::dedup_window_seconds.
    std::int64_t dedup_window_seconds = 0;
};

/// What an action did.
struct outcome {
    bool ok = true;     ///< false: refused or failed, nothing was changed
    std::string error;  ///< machine code when !ok ("insufficient_funds", "weak_password")
    /// Values for text placeholders ({balance}, {tariff}); when !ok includes
    /// "reason", a sentence in the subscriber's language saying what was wrong.
    std::map<std::string, std::string> vars;
    std::vector<domain::sms_out> sms;  ///< SMS to send after the action is durable
    std::string language;              ///< the subscriber's language as the action saw it
    /// True: the request repeated an earlier one (same dedup_key) and this is
    /// that one's outcome, replayed; nothing was applied again and no SMS is sent.
    bool replayed = false;
};

/// Static facts about an action, used by the menu loader to validate files.
struct info {
    std::string name;                          ///< registry name
    std::vector<std::string> params;           ///< argument names the action requires
    std::vector<std::string> optional_params;  ///< argument names it accepts
    std::vector<std::string> secret_params;    ///< arguments redacted in logs and archive
    std::vector<std::string> provides;  ///< placeholder names present in outcome.vars on success
};

/// Lists the actions that exist (for validation); implemented by the registry.
class catalog {
  public:
    virtual ~catalog() = default;
    /// The action's facts, or nullptr when no action has that name.
    virtual const info* find(std::string_view name) const = 0;
};

/// Runs actions. `done` is invoked exactly once, possibly on another thread
/// and possibly before run() returns; callers that need their own thread, or
/// hold a lock `done` takes, post from it.
class runner {
  public:
    virtual ~runner() = default;
    /// Queues the request; `done` receives the outcome after it is durable.
    virtual void run(request req, std::function<void(outcome)> done) = 0;
};

}  // namespace ussdgw::actions
