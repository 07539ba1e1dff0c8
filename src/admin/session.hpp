#pragma once
// What every store command of the admin tool starts from: the opened,
// checked store with an engine on it, the subscriber number as typed turned
// into the stored form, and the text helpers for operator output.

#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "ussdgw/actions/engine.hpp"
#include "ussdgw/store/db.hpp"

namespace ussdgw::admin {

/// An opened, up-to-date store with an engine on it.
struct session {
    std::unique_ptr<store::connection> conn;  ///< the store
    std::unique_ptr<store::accounts> db;      ///< queries on it
    actions::rules cfg;                       ///< default rules
    std::unique_ptr<store::hasher> hasher;    ///< keyed with the store's server key
    std::unique_ptr<actions::engine> eng;     ///< runs actions on `db`
};

/// Opens the store (migrating it when `migrate`) and checks its schema
/// version, file modes and server key; prints why not and returns nullptr.
std::unique_ptr<session> open(const store_files& files, bool migrate = false);

/// Runs one action through the engine in its own transaction (admin channel).
actions::outcome run_action(session& s, const std::string& msisdn, const std::string& action,
                            actions::args a);

/// The canonical number of an MSISDN argument (actions::normalize_msisdn);
/// prints what is accepted and returns nullopt when it is not a number.
std::optional<std::string> msisdn_arg(const std::string& typed);

/// An amount for operator output: "-12.50" (a decimal point whatever the
/// subscriber's language, so scripts can read it).
std::string rub(store::kopecks k);

/// `s` as a JSON string literal, quotes included.
std::string q(const std::string& s);

}  // namespace ussdgw::admin
