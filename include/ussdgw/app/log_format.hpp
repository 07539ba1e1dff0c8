#pragma once
// How the daemon's log lines look: plain text for a person at a terminal or
// journald, or one JSON object per line for a log shipper (Loki, Elastic,
// journald's JSON export) that wants fields rather than text to grep. Both
// come from the same messages: the "[bind msisdn=… session=…]" prefix the
// code writes becomes fields in JSON.

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ussdgw::app {

/// The two log line formats ([log] format, --log-format).
enum class log_format { text, json };

/// "text" or "json"; nullopt for anything else.
std::optional<log_format> parse_log_format(std::string_view name);

/// A message split into its context fields and the rest: "[smsc msisdn=7 session=3] x"
/// gives {bind: smsc, msisdn: 7, session: 3} and "x". A message without a
/// leading "[...]" (or with one that is not "word" / "key=value" tokens) is all text.
struct log_fields {
    std::map<std::string, std::string> fields;  ///< from the "[...]" prefix
    std::string message;                        ///< the rest
};

/// Splits `message` as log_fields says.
log_fields split_log_message(std::string_view message);

/// One JSON log line (no newline): {"time":…, "level":…, <fields>, "msg":…}.
/// Bytes that are not UTF-8 become U+FFFD, so every line is valid JSON.
std::string json_log_line(std::string_view time, std::string_view level, std::string_view message);

/// The daemon's logger on stderr, safe to call from every thread (the event
/// loop, the store writer, the hashing threads), in `format`, at `level`.
std::shared_ptr<spdlog::logger> make_stderr_logger(log_format format, const std::string& level);

/// Switches `logger` to `format` (a reload may change it).
void set_log_format(spdlog::logger& logger, log_format format);

}  // namespace ussdgw::app
