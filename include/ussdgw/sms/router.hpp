#pragma once
// SMS commands: a message to a short number is matched against that
// number's declared patterns and mapped to the same named actions the menus
// use. Pure and immutable once loaded (shared as std::shared_ptr<const router>).
//
// The daemon's calls for one SMS:
//   routed r = router.route(sms_in, profile);
//   if (r.call) { run it; if (auto out = router.reply(r, outcome)) send *out; }
//   else if (r.reply) send *r.reply;
//   log router.redact(sms_in), never sms_in.text.

#include <array>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/domain/messages.hpp"
#include "ussdgw/menu/profile.hpp"
#include "ussdgw/menu/tree.hpp"
#include "ussdgw/sms/pattern.hpp"

namespace ussdgw::sms {

/// One command of one short number.
struct command {
    pattern match;                        ///< what the text must look like
    std::string action;                   ///< registry name; empty: reply only
    std::vector<menu::arg_binding> args;  ///< arguments from the captures
    menu::localized help;                 ///< its line in the help reply (empty: not listed)
    menu::localized ok;            ///< reply on success (empty: none, the action's SMS answer)
    menu::localized refused;       ///< reply on refusal (empty: strings "refused")
    std::string from;              ///< reply from this number (empty: the one addressed)
    std::set<std::string> secret;  ///< captures redacted in logs
    bool secret_reply = false;     ///< the reply carries a secret: do not log its text
    std::string file;              ///< where declared
    int line = 0;                  ///< 1-based
};

/// The commands of one short number, in the order they are tried.
struct number_commands {
    std::string number;             ///< "111"
    std::vector<command> commands;  ///< first match wins
};

/// UI strings of the SMS door, one text per language.
enum class sms_ui : std::size_t {
    help,            ///< heading of the help reply; {number}
    unknown_number,  ///< reply from a number that has no commands
    refused,         ///< default refusal reply; {reason}
    failed,          ///< reply when a refusal has no reason
    repeated,        ///< line above a replayed outcome: "already carried out"
    count_,
};

/// The key of `s` in the `strings` section.
const char* to_string(sms_ui s);

/// What kind of answer route() found (for the metrics).
enum class routed_kind {
    command,         ///< a command with an action matched
    reply,           ///< a command with a fixed reply matched
    help,            ///< nothing matched: the number's help listing
    unknown_number,  ///< the number takes no commands
};

/// "command", "reply", "help" or "unknown_number".
const char* to_string(routed_kind k);

/// What route() decided for one message.
struct routed {
    routed_kind kind = routed_kind::unknown_number;  ///< which answer
    std::optional<menu::action_call> call;           ///< run this, then pass the outcome to reply()
    std::optional<domain::sms_out> reply;            ///< when no action runs: the reply to send now
    bool secret_reply = false;  ///< the reply carries a secret: log it redacted
    std::size_t number = 0;     ///< index of the number (for reply())
    std::size_t command = 0;    ///< index of the command (for reply())
    std::size_t language = 0;   ///< the subscriber's language index
    bool latin = false;         ///< transliterate replies
    std::string subscriber;     ///< who the reply goes to
    std::string from;           ///< the number the reply comes from
    menu::vars values;          ///< captures
};

/// The loaded SMS commands.
struct router {
    std::vector<std::string> languages;    ///< "en", "ru"; the first is the default
    std::vector<number_commands> numbers;  ///< every short number with commands
    std::unordered_map<std::string, std::size_t> by_number;  ///< number -> index
    std::array<menu::localized, static_cast<std::size_t>(sms_ui::count_)> strings;  ///< UI texts

    /// Matches `in` against the commands of the number it was sent to. A text
    /// that matches nothing gets the help listing of that number; a number
    /// without commands gets strings "unknown_number". Never silent.
    routed route(const domain::sms_in& in, const menu::profile& who) const;
    /// The reply after the action of `r` ran: ok or refused text, from the
    /// command's `from` (else the number addressed), in outcome.language when
    /// set. nullopt when the command declares no ok text (the action's SMS answers).
    std::optional<domain::sms_out> reply(const routed& r, const actions::outcome& out) const;
    /// The text of `in` safe for logs and the archive: secret captures become
    /// "***"; a near miss on a command with secrets keeps only its keyword.
    std::string redact(const domain::sms_in& in) const;
};

}  // namespace ussdgw::sms
