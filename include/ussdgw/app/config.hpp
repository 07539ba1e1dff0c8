#pragma once
// The daemon's configuration: defaults, then conf file, then environment,
// then command-line flags. Loading never half-succeeds: either a complete
// immutable snapshot or every problem found, each as "file:line: message".

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ussdgw/actions/rules.hpp"
#include "ussdgw/app/console_users.hpp"
#include "ussdgw/app/outbox_sender.hpp"
#include "ussdgw/smpp/client.hpp"
#include "ussdgw/smpp/translate.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// One SMSC bind: where, as whom, and how that SMSC carries USSD.
struct smsc_link {
    std::string name;            ///< "default" for [smsc], NAME for [smsc NAME]
    smpp::client_options smsc;   ///< address, identity, window, timers
    smpp::smsc_profile profile;  ///< its profile
};

/// [http]: the HTTP listener and the personal-account API's guards.
struct http_settings {
    std::string listen;                    ///< listen, IP:PORT (flag --http-listen); empty: off
    std::string token_file;                ///< token_file: the API's bearer token, its first line
    std::string token;                     ///< read from token_file at start; never logged
    std::size_t api_rate_per_number = 5;   ///< api_rate_per_number, per minute
    std::size_t api_rate_per_client = 60;  ///< api_rate_per_client, per minute; 0: no limit
};

/// One immutable configuration snapshot.
struct config {
    smpp::client_options smsc;   ///< [smsc] link settings
    smpp::smsc_profile profile;  ///< [smsc] profile: how USSD is carried
    /// More binds, [smsc NAME] sections: to the same SMSC or others. Each has
    /// its own state, window and backoff; [smsc] is the first bind.
    std::vector<smsc_link> extra_links;
    /// Every bind, [smsc] first.
    std::vector<smsc_link> links() const;
    std::string db_path = "ussdgw.db";        ///< [store] path
    std::string key_file;                     ///< [store] key_file; empty: db_path + ".key"
    std::size_t hash_threads = 0;             ///< [store] hash_threads; 0 = auto (the cores)
    std::size_t hash_queue = 256;             ///< [store] hash_queue
    std::size_t hash_queue_per_number = 2;    ///< [store] hash_queue_per_number
    std::string menus_dir = "menus";          ///< [menus] dir
    std::string log_level = "info";           ///< [log] level
    std::string log_format = "text";          ///< [log] format: text or json
    std::chrono::seconds dialog_timeout{60};  ///< [ussd] dialog_timeout
    std::size_t max_dialogs = 100'000;        ///< [ussd] max_dialogs
    /// [rules]: the self-service rules (defaults: actions::rules, as conf/ussdgw.conf lists them).
    actions::rules rules;
    /// [ussd] duplicate_window: an identical MO within this is an SMSC resend.
    std::chrono::seconds duplicate_window{60};
    /// [ussd] rate_per_subscriber: dialogs + SMS commands per subscriber per minute (0: off).
    std::size_t rate_per_subscriber = 60;
    /// [store] busy_timeout: how long a write waits for a lock another process holds.
    std::chrono::milliseconds busy_timeout{5000};
    /// [store] read_cache: rows the event loop's reads keep in memory (0: none).
    std::size_t read_cache_rows = 65'536;
    outbox_options outbox;  ///< [outbox] poll, batch (max_age is rules.outbox_max_age_seconds)
    /// [http]: the HTTP listener and the personal-account API (docs/api.md).
    http_settings http;
    /// [console] users_file: the operator console's users (docs/console.md); empty: no console.
    std::string console_users_file;
    /// [console] static_dir: the console page's files (index.html, console.js, console.css).
    std::string console_static_dir = "console";
    /// Read from console_users_file at start; never the passwords, only their hashes.
    std::vector<console_user> console_users;
    std::string source = "(defaults)";  ///< where it came from, for messages
    /// Every "section.key" the file set, with its value as written: what a
    /// reload compares to say what changed.
    std::map<std::string, std::string> raw;
};

/// Every problem found, each "file:line: message" (or "flag --x: message").
using config_errors = std::vector<std::string>;

/// Parses conf-file text (INI: [section], key = value, # comments). `name` is used in messages.
util::result<config, config_errors> parse_config(const std::string& text, const std::string& name,
                                                 config base = {});

/// Reads and parses a conf file.
util::result<config, config_errors> load_config_file(const std::string& path, config base = {});

/// Parses "10s", "500ms", "2m", "1h" or a bare number of seconds.
util::result<std::chrono::milliseconds, std::string> parse_duration(const std::string& text);

/// Splits "HOST:PORT" into c.smsc.host/port; an error message when malformed.
util::result<bool, std::string> apply_smsc_address(config& c, const std::string& host_port);

}  // namespace ussdgw::app
