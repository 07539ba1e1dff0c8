#pragma once
// The console's phone on screen: one USSD dialog run by the real menu engine
// with the real paging and encoding, against a throwaway copy of one
// subscriber (or of a demo subscriber) in an in-memory SQLite database. The
// actions run for real there, so a transfer changes the copy's balance, and
// nothing reaches the store, the SMSC or the outbox. The copy has the
// catalogue and the subscriber's own rows (plus the account row of a number
// an action is given, such as a transfer's recipient), never a password, PIN
// or PUK hash: the phone cannot be used to guess them.
//
// Not thread safe: the console runs each phone on its hashing thread, one
// request at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ussdgw/actions/engine.hpp"
#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rules.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/secrets.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// The number of the demo subscriber a phone uses when none is chosen.
inline constexpr const char* demo_phone_msisdn = "70000000000";

/// An action the phone's step ran.
struct phone_action {
    std::string name;   ///< registry name
    bool ok = false;    ///< its outcome
    std::string error;  ///< the refusal's code when !ok
};

/// An SMS the step would have sent.
struct phone_sms {
    std::string from;  ///< short number
    std::string to;    ///< recipient
    std::string text;  ///< the text
};

/// What one step shows.
struct phone_screen {
    std::string text;                   ///< the page on screen
    bool end = false;                   ///< the dialog ended with it
    std::string encoding;               ///< "GSM 7-bit" or "UCS-2"
    std::size_t units = 0;              ///< septets (GSM 7-bit) or UTF-16 units (UCS-2) of the page
    std::size_t limit = 0;              ///< what one screen holds in that encoding
    std::size_t page = 1;               ///< the page shown (from 1)
    std::size_t pages = 1;              ///< pages of the screen: more than 1 means it was paged
    std::vector<phone_action> actions;  ///< actions this step ran
    std::vector<phone_sms> sms;         ///< SMS they would have sent
};

/// One phone: a dialog and the copy it runs on.
class console_phone {
  public:
    /// A phone whose actions follow `rules` and the actions of `registry`.
    console_phone(const actions::rules& rules, const actions::registry& registry);
    ~console_phone();

    /// Starts a dialog: copies `msisdn` (empty: the demo subscriber, in
    /// `language`) from the store at `db_path`, then dials `dialled` on `menus`.
    /// The error says why not (no such subscriber, store unreadable).
    util::result<phone_screen, std::string> dial(std::shared_ptr<const menu::tree> menus,
                                                 const std::string& db_path,
                                                 const std::string& msisdn,
                                                 const std::string& language,
                                                 const std::string& dialled);
    /// Answers the screen shown; an error when no dialog is open.
    util::result<phone_screen, std::string> answer(const std::string& input);

  private:
    phone_screen run(menu::step s);
    actions::outcome act(const menu::action_call& call);

    actions::rules rules_;
    const actions::registry& registry_;
    store::hasher hasher_{store::pwhash_limits::minimum()};
    std::unique_ptr<store::connection> db_;
    std::unique_ptr<store::accounts> accounts_;
    std::unique_ptr<actions::engine> engine_;
    std::string msisdn_;
    std::string db_path_;
    menu::dialog_state state_;
    bool open_ = false;
    std::int64_t outbox_seen_ = 0;
    std::vector<phone_action> ran_;
};

}  // namespace ussdgw::app
