#include "ussdgw/ussd/code.hpp"

#include <string>

namespace ussdgw::ussd {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Whitespace and C0 controls, plus NBSP (U+00A0, "\xC2\xA0") which some
// handsets insert; skipped wherever they appear.
std::string strip_blanks(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto c = static_cast<unsigned char>(in[i]);
        if (c <= 0x20 || c == 0x7F) continue;
        if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xA0) {
            ++i;
            continue;
        }
        out.push_back(static_cast<char>(c));
    }
    return out;
}

util::failure<code_error> error(code_error::kind k, std::string message) {
    return util::fail(code_error{k, std::move(message)});
}

// Shows one offending character in a log-safe way.
std::string describe(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
    static const char* hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 0xF];
}

}  // namespace

std::string code::normalized() const {
    std::string out = prefix;
    for (const auto& s : segments) {
        out += '*';
        out += s;
    }
    out += '#';
    return out;
}

util::result<code, code_error> parse(std::string_view dialled) {
    if (dialled.size() > max_dialled_length * 4)  // 4 octets per character at most
        return error(code_error::kind::too_long, "request too long");
    const std::string s = strip_blanks(dialled);
    if (s.empty()) return error(code_error::kind::empty, "empty request");
    if (s.size() > max_dialled_length) return error(code_error::kind::too_long, "request too long");

    std::size_t i = 0;
    code out;
    // Procedure marks: "*", "#", "**", "*#", "##" (GSM 02.30 activation,
    // deactivation, interrogation, registration, erasure).
    while (i < s.size() && i < 2 && (s[i] == '*' || s[i] == '#')) out.prefix += s[i++];
    if (out.prefix.empty())
        return error(code_error::kind::not_a_code, "does not start with '*' or '#'");
    if (i < s.size() && (s[i] == '*' || s[i] == '#'))
        return error(code_error::kind::not_a_code, "too many '*' or '#' at the start");
    const std::size_t code_start = i;
    while (i < s.size() && is_digit(s[i])) out.prefix += s[i++];
    if (i == code_start) {
        if (i < s.size() && s[i] != '*' && s[i] != '#')
            return error(code_error::kind::bad_character,
                         "unexpected character " + describe(s[i]) + " at " + std::to_string(i + 1));
        return error(code_error::kind::not_a_code, "no service code after '" + out.prefix + "'");
    }

    while (i < s.size()) {
        const char c = s[i];
        if (c == '#') {
            // Repeated closing '#' is a stray keypress; anything else after it is not.
            while (i < s.size() && s[i] == '#') ++i;
            if (i < s.size())
                return error(code_error::kind::trailing_text, "text after the closing '#'");
            break;
        }
        if (c != '*')
            return error(code_error::kind::bad_character,
                         "unexpected character " + describe(c) + " at " + std::to_string(i + 1));
        ++i;                                      // the '*'
        if (i == s.size() || s[i] == '#') break;  // "*111*#" and "*111*": a stray final '*'
        if (s[i] == '*')
            return error(code_error::kind::empty_segment, "empty part at " + std::to_string(i + 1));
        std::string seg;
        if (s[i] == '+') seg += s[i++];
        while (i < s.size() && is_digit(s[i])) seg += s[i++];
        if (seg == "+")
            return error(code_error::kind::bad_character,
                         "'+' without digits at " + std::to_string(i));
        if (seg.empty())
            return error(code_error::kind::bad_character,
                         "unexpected character " + describe(s[i]) + " at " + std::to_string(i + 1));
        out.segments.push_back(std::move(seg));
    }
    // The canonical spelling must fit too: 182 characters without the closing
    // '#' (an SMSC may strip it) are 183 with it, more than any USSD string,
    // and normalized() would not parse back (found by fuzz_ussd_code).
    std::size_t canonical = out.prefix.size() + 1;
    for (const auto& seg : out.segments) canonical += 1 + seg.size();
    if (canonical > max_dialled_length)
        return error(code_error::kind::too_long, "request too long");
    return out;
}

}  // namespace ussdgw::ussd
