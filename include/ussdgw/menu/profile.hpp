#pragma once
// Small types both front doors (menu engine, SMS router) share with the daemon.

#include <map>
#include <string>

#include "ussdgw/actions/action.hpp"

namespace ussdgw::menu {

/// What the engine needs to know about the subscriber (from the `profile` action).
struct profile {
    std::string language;  ///< "en", "ru"; unknown or empty: the files' first language
    bool latin = false;    ///< true: transliterate Cyrillic screens (alphabet "latin")
    /// Facts about the subscriber menus may use ("linked": numbers linked to
    /// the account, for options shown only with `when: linked`).
    std::map<std::string, std::string> values{};
};

/// A named action the daemon must run through actions::runner.
struct action_call {
    std::string name;    ///< registry name ("balance", "transfer")
    actions::args args;  ///< arguments bound from inputs, the dialled string or the SMS
    /// Same name and arguments.
    bool operator==(const action_call&) const = default;
};

}  // namespace ussdgw::menu
