#pragma once
// Text from outside (a subscriber's answer, an SMSC's address field) made
// safe for a log line: control bytes escaped, so a log stays text and one
// event stays one line, and long input cut, so a 60 KB payload cannot become
// a 60 KB line. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace ussdgw::util {

/// Longest piece of outside text a log line carries by default, in bytes.
inline constexpr std::size_t log_text_limit = 80;

/// `text` with '\\' as "\\\\", control bytes (and DEL) as "\\xNN", invalid UTF-8
/// bytes as "\\xNN", cut after `limit` bytes of input with "...(N bytes)".
std::string for_log(std::string_view text, std::size_t limit = log_text_limit);

}  // namespace ussdgw::util
