#pragma once
// The menu engine: pure functions from (tree, dialog state, what the
// subscriber sent) to the next screen or an action to run. No I/O, clocks or
// threads; the daemon owns the dialog table, runs actions and sends screens.
//
// The daemon's calls for one dialog:
//   step s = start(state, current_tree, profile, "*111*2#");   // begin
//   s = answer(state, "1");                                    // each answer
//   if (s.call) { run it; s = on_outcome(state, outcome); }    // after either
//   send s.text; close the dialog when s.end.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/menu/profile.hpp"
#include "ussdgw/menu/tree.hpp"

namespace ussdgw::menu {

/// What to do next.
struct step {
    /// The screen to send (one page, localized, transliterated if asked);
    /// empty when `call` is set.
    std::string text;
    /// True: a final screen (PSSR response, dialog ends); false: expects input.
    bool end = false;
    /// An action to run first; its outcome goes to on_outcome(), which
    /// returns the screen. Nothing is sent for this step itself.
    std::optional<action_call> call;
    /// The call comes straight from the dialled string, no screen of ours
    /// before it: a resent begin would run it again, so the caller makes it
    /// run once (a dedup key).
    bool dialled = false;
    /// Why the subscriber's input was not taken, when it was not:
    /// "invalid_choice", "input_rejected", "unknown_code" or "bad_request"
    /// (what the daemon logs; never the input, which may be a PIN).
    std::string refused;
};

/// Where one dialog is. Default-constructed by the dialog table, filled by start().
struct dialog_state {
    std::shared_ptr<const tree> menus;  ///< the tree the dialog started on (kept across reloads)
    std::size_t language = 0;           ///< index into menus->languages
    bool latin = false;                 ///< transliterate screens
    node_id node = no_node;             ///< node on screen, or the action running
    std::vector<node_id> history;       ///< nodes to go back to ("0")
    vars values;                        ///< inputs, captures and option settings
    std::vector<std::string> pages;     ///< pages of the screen shown
    std::size_t page = 0;               ///< page shown
    bool final_screen = false;          ///< the screen is a result (action outcome or text)
    /// A screen of ours was answered: results keep the dialog open with
    /// "0 Back 00 Main menu"; before that (a whole string dialled) they end it.
    bool interactive = false;
    bool result_ends = false;          ///< the result on screen ends the dialog on its last page
    std::vector<std::string> pending;  ///< dialled parts still to walk after an action with `next`
    bool waiting = false;              ///< an action call is out; expecting on_outcome()
    bool ended = false;                ///< the last screen was final
};

/// Starts a dialog from what was dialled: the root for the tree's main code,
/// a declared direct code (arguments bound from the string), or a walk
/// ("*111*N*M#" = choose N, then M). Unknown and malformed strings get a
/// final screen saying so.
step start(dialog_state& state, std::shared_ptr<const tree> menus, const profile& who,
           std::string_view dialled);

/// Feeds one answer: a choice, an input value, or navigation (back, main,
/// next page). An invalid answer repeats the screen with a one-line hint.
/// Throws std::logic_error when called while an action runs or after the end.
step answer(dialog_state& state, std::string_view input);

/// Feeds the outcome of the action start() or answer() asked for; returns its
/// ok or refused screen. The subscriber's language and alphabet follow the
/// outcome (outcome.language; vars "alphabet" = "latin" | "cyrillic").
/// Throws std::logic_error when no action was asked for.
step on_outcome(dialog_state& state, const actions::outcome& out);

/// The final "service busy, try later" screen for a dialog the table could not take.
step busy(const tree& menus, const profile& who);

/// The final "your session has ended" screen for an answer to a dialog that is gone.
step expired(const tree& menus, const profile& who);

/// `input` as safe to log: "***" when the screen shown asks for a secret.
std::string redact_input(const dialog_state& state, std::string_view input);

/// `dialled` as safe to log: captures and walked inputs that are secret
/// (PINs, PUKs, passwords) become "xxx"; a malformed string keeps only its
/// service code when the tree has secrets.
std::string redact_dialled(const tree& menus, std::string_view dialled);

}  // namespace ussdgw::menu
