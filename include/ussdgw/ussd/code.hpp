#pragma once
// Parsing what a handset dialled ("*111*25#", "**04*1234*5678*5678#") into a
// service code and its segments. Pure: no state, no allocation beyond the result.

#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/util/result.hpp"

namespace ussdgw::ussd {

/// A dialled USSD string split into its parts.
struct code {
    /// Procedure marks plus the service code: "*111", "**04", "#100", "*#06".
    std::string prefix;
    /// The "*"-separated parts after the service code: {"25"} for "*111*25#".
    std::vector<std::string> segments;

    /// The canonical spelling: prefix, "*segment" for each segment, then "#".
    std::string normalized() const;
    /// Equal when prefix and segments are equal.
    bool operator==(const code&) const = default;
};

/// Why a dialled string is not a USSD code.
struct code_error {
    /// The broad reason, for callers that pick a reply by it.
    enum class kind {
        empty,          ///< nothing but whitespace
        not_a_code,     ///< does not start with '*' or '#' and a service code
        bad_character,  ///< a character a handset cannot dial inside the code
        empty_segment,  ///< "**" inside the code ("*111**25#")
        trailing_text,  ///< something after the closing '#'
        too_long,       ///< longer than any USSD string can be
    };
    kind what = kind::not_a_code;  ///< the reason
    std::string message;           ///< English, for logs ("unexpected character 'x' at 5")
};

/// Longest dialled string accepted (a USSD string is at most 182 septets).
inline constexpr std::size_t max_dialled_length = 182;

/// Parses a dialled string. Whitespace and control characters anywhere are
/// ignored (handsets and SMSCs pad); a missing final '#' is accepted (some
/// SMSCs strip it), as are a '*' just before the final '#' and repeated final
/// '#'. Segments hold digits, optionally after one leading '+'.
util::result<code, code_error> parse(std::string_view dialled);

}  // namespace ussdgw::ussd
