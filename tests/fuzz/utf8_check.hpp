#pragma once
// The fuzz targets' oracle for UTF-8: written here independently of
// util/charset, so that a bug there cannot hide itself.

#include <cstddef>
#include <string_view>

namespace ussdgw::fuzz {

/// RFC 3629 well-formedness: shortest form, no surrogates, nothing past U+10FFFF.
inline bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        const unsigned char c = at(i);
        std::size_t n = c < 0x80                 ? 1
                        : c >= 0xC2 && c <= 0xDF ? 2
                        : c >= 0xE0 && c <= 0xEF ? 3
                        : c >= 0xF0 && c <= 0xF4 ? 4
                                                 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((at(i + k) & 0xC0) != 0x80) return false;
        if (n == 3 && c == 0xE0 && at(i + 1) < 0xA0) return false;
        if (n == 3 && c == 0xED && at(i + 1) >= 0xA0) return false;
        if (n == 4 && c == 0xF0 && at(i + 1) < 0x90) return false;
        if (n == 4 && c == 0xF4 && at(i + 1) >= 0x90) return false;
        i += n;
    }
    return true;
}

}  // namespace ussdgw::fuzz
