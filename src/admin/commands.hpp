#pragma once
// The admin tool's commands; each returns the process exit code (see
// exit_code) and prints what it did, or what was wrong, naming it.

#include <iosfwd>
#include <optional>
#include <string>

#include "ussdgw/actions/rules.hpp"

namespace ussdgw::admin {

/// Exit codes, listed in --help.
enum exit_code : int {
    ok = 0,       ///< done / accepted
    refused = 1,  ///< the action was refused, or problems were found
    usage = 2,    ///< bad command line or input value
    store = 3,    ///< database cannot be opened, is newer, or not initialised
};

/// The store the command works on: the database and its server key file.
struct store_files {
    std::string db = "ussdgw.db";  ///< SQLite file or postgresql:// URI
    std::string key;               ///< server key file; empty: "<db>.key"
    actions::rules rules;          ///< from --config, else the built-in rules
    /// The key file in force.
    std::string key_file() const;
};

/// Options of `subscriber add`.
struct add_options {
    std::string msisdn;              ///< digits
    std::string balance = "0";       ///< RUB
    std::string tariff = "Basic";    ///< tariff name
    std::string language = "en";     ///< en or ru
    std::optional<std::string> pin;  ///< SIM PIN (hashed)
    std::optional<std::string> puk;  ///< SIM PUK (hashed)
    /// A file ("-": stdin) holding the PIN on its first line and the PUK on its
    /// second, so the codes never appear in the process list; an empty line
    /// leaves that code as --pin/--puk (or unset) says.
    std::string codes_file;
    /// Numbers to provision from msisdn on (a block, in one transaction); SIM
    /// codes only for a single number (each is an Argon2id hash).
    std::uint64_t count = 1;
};

/// `export --to TARGET` and `import --from SOURCE`: every row of the store
/// `from` into the empty store `to` (either engine), in one transaction on
/// `to`, then the row counts of every table and the sum of balances compared.
int cmd_copy_store(const std::string& from, const std::string& to);
/// `init`: create or migrate.
int cmd_init(const store_files& db);
/// `demo`: init, then load the demo catalogue and subscribers.
int cmd_demo(const store_files& db);
/// `subscriber add`.
int cmd_subscriber_add(const store_files& db, const add_options& o);
/// `subscriber show` (human-readable or JSON).
int cmd_subscriber_show(const store_files& db, const std::string& msisdn, bool json);
/// `topup MSISDN RUB` through the topup action (archived, admin channel).
int cmd_topup(const store_files& db, const std::string& msisdn, const std::string& rub);
/// `archive MSISDN [--limit N] [--json]`: aligned columns under a header, or
/// one JSON array of objects.
int cmd_archive(const store_files& db, const std::string& msisdn, int limit, bool json);
/// `password check MSISDN`: password on `in`; lockout rules apply.
int cmd_password_check(const store_files& db, const std::string& msisdn, std::istream& in);
/// `password set MSISDN`: new permanent password on `in` (USSD rules).
int cmd_password_set(const store_files& db, const std::string& msisdn, std::istream& in);
/// `catalog import FILE`.
int cmd_catalog_import(const store_files& db, const std::string& file);
/// `daily`: blocking fees, service fees, promised repayments, the full-trust
/// review, package periods, old dedup keys; lists the SMS it cannot send.
int cmd_daily(const store_files& db);
/// `usage import FILE`: package usage from CSV (actions/usage.hpp). Bad rows
/// are reported as FILE:LINE and the good ones applied: exit 0 when every row
/// was good, 1 when some were bad, 2 when the file cannot be read.
int cmd_usage_import(const store_files& db, const std::string& file);
/// `link OWNER OTHER` / `unlink OWNER OTHER`: number management links.
int cmd_link(const store_files& db, const std::string& owner, const std::string& other, bool link);
/// `outbox`: the SMS waiting to be sent (who, when, attempts; never the text).
int cmd_outbox(const store_files& db);
/// `fix-permissions`: chmod 0600 the store, its -wal/-shm and the key file.
int cmd_fix_permissions(const store_files& db);
/// `check-menus DIR`: validates the operator's menu files against the actions.
int cmd_check_menus(const std::string& dir);

/// console-user add: adds or replaces NAME with ROLE in FILE, the password
/// read from the first line of `in`.
int cmd_console_user_add(const std::string& file, const std::string& name, const std::string& role,
                         std::istream& in);
/// console-user remove: removes NAME from FILE.
int cmd_console_user_remove(const std::string& file, const std::string& name);
/// console-user list: NAME ROLE per line.
int cmd_console_user_list(const std::string& file);

}  // namespace ussdgw::admin
