#include "ussdgw/util/log_text.hpp"

#include <fmt/format.h>

namespace ussdgw::util {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80           ? 1
                    : (b >> 5) == 0x6  ? 2
                    : (b >> 4) == 0xE  ? 3
                    : (b >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    return n;
}

}  // namespace

std::string for_log(std::string_view text, std::size_t limit) {
    std::string out;
    out.reserve(std::min(text.size(), limit) + 8);
    std::size_t i = 0;
    while (i < text.size() && i < limit) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b == '\\') {
            out += "\\\\";
            ++i;
        } else if (b < 0x20 || b == 0x7F) {
            out += fmt::format("\\x{:02X}", b);
            ++i;
        } else if (auto n = utf8_length(text, i); n > 0 && i + n <= limit) {
            out.append(text.substr(i, n));
            i += n;
        } else if (n > 0) {
            break;  // a character that does not fit the limit whole
        } else {
            out += fmt::format("\\x{:02X}", b);
            ++i;
        }
    }
    if (i < text.size()) out += fmt::format("...({} bytes)", text.size());
    return out;
}

}  // namespace ussdgw::util
