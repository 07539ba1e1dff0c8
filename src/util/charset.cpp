#include "ussdgw/util/charset.hpp"

#include <array>
#include <cstdint>

namespace ussdgw::util {
namespace {

constexpr char32_t replacement = 0xFFFD;
constexpr char escape = 0x1B;

// GSM 03.38 default alphabet, indexed by septet. 0x1B is the escape to the
// extension table and has no character of its own.
constexpr std::array<char32_t, 128> basic_table = {
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,  //
    0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,  //
    0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,  //
    0x03A3, 0x0398, 0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9,  //
    0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,  //
    0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,  //
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,  //
    0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,  //
    0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,  //
    0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,  //
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,  //
    0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,  //
    0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,  //
    0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,  //
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,  //
    0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,  //
};

struct extension {
    char septet;
    char32_t cp;
};
// The extension table: each costs two septets (escape + code).
constexpr std::array<extension, 10> extension_table = {{
    {0x0A, 0x000C},
    {0x14, 0x005E},
    {0x28, 0x007B},
    {0x29, 0x007D},
    {0x2F, 0x005C},
    {0x3C, 0x005B},
    {0x3D, 0x007E},
    {0x3E, 0x005D},
    {0x40, 0x007C},
    {0x65, 0x20AC},
}};

// Every GSM code point but the euro sign is below U+0400: a reverse table
// indexed by code point answers each character with one load (a linear scan
// of the alphabet was a sixth of the daemon's time per screen). Entry: 0 not
// GSM, 1..128 a basic septet + 1, 0x100 | code an extension character.
constexpr std::size_t reverse_size = 0x400;
constexpr std::array<std::uint16_t, reverse_size> reverse_table = [] {
    std::array<std::uint16_t, reverse_size> t{};
    for (std::size_t i = 0; i < basic_table.size(); ++i)
        // 0x1B's slot holds NBSP as a placeholder; NBSP itself is not GSM.
        if (i != static_cast<std::size_t>(escape) && basic_table[i] < reverse_size)
            t[basic_table[i]] = static_cast<std::uint16_t>(i + 1);
    for (const auto& e : extension_table)
        if (e.cp < reverse_size)
            t[e.cp] = static_cast<std::uint16_t>(0x100 | static_cast<unsigned char>(e.septet));
    return t;
}();
constexpr char32_t euro = 0x20AC;
constexpr char euro_code = 0x65;

// Septet(s) for a code point: 1 for basic, 2 for extension, 0 if none.
int gsm7_lookup(char32_t cp, char& first, char& second) {
    if (cp == euro) {
        first = escape;
        second = euro_code;
        return 2;
    }
    if (cp >= reverse_size) return 0;
    const auto v = reverse_table[cp];
    if (v == 0) return 0;
    if (v < 0x100) {
        first = static_cast<char>(v - 1);
        return 1;
    }
    first = escape;
    second = static_cast<char>(v & 0x7F);
    return 2;
}

}  // namespace

char32_t utf8_next(std::string_view s, std::size_t& pos) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = byte(pos);
    if (c < 0x80) {
        ++pos;
        return c;
    }
    int extra = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || pos + static_cast<std::size_t>(extra) >= s.size()) {
        ++pos;
        return replacement;
    }
    char32_t cp = c & (0x3F >> extra);
    for (int i = 1; i <= extra; ++i) {
        unsigned char cc = byte(pos + static_cast<std::size_t>(i));
        if ((cc & 0xC0) != 0x80) {
            ++pos;
            return replacement;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    constexpr char32_t shortest[] = {0, 0x80, 0x800, 0x10000};
    if (cp < shortest[extra] || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF) {
        ++pos;
        return replacement;
    }
    pos += static_cast<std::size_t>(extra) + 1;
    return cp;
}

void utf8_append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::optional<std::size_t> gsm7_septets(std::string_view utf8) {
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < utf8.size();) {
        char a, b;
        int k = gsm7_lookup(utf8_next(utf8, pos), a, b);
        if (k == 0) return std::nullopt;
        n += static_cast<std::size_t>(k);
    }
    return n;
}

bool gsm7_encodable(std::string_view utf8) {
    return gsm7_septets(utf8).has_value();
}

std::optional<std::string> utf8_to_gsm7(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        char a = 0, b = 0;
        int k = gsm7_lookup(utf8_next(utf8, pos), a, b);
        if (k == 0) return std::nullopt;
        out.push_back(a);
        if (k == 2) out.push_back(b);
    }
    return out;
}

std::string gsm7_to_utf8(std::string_view septets) {
    std::string out;
    out.reserve(septets.size());
    for (std::size_t i = 0; i < septets.size(); ++i) {
        auto s = static_cast<unsigned char>(septets[i]) & 0x7F;
        if (s == static_cast<unsigned char>(escape) && i + 1 < septets.size()) {
            auto code = static_cast<char>(static_cast<unsigned char>(septets[++i]) & 0x7F);
            char32_t cp = 0;
            for (const auto& e : extension_table)
                if (e.septet == code) cp = e.cp;
            // ESC ESC is reserved for another extension table: shown as a space (TS 23.038).
            if (!cp) cp = code == escape ? U' ' : basic_table[static_cast<unsigned char>(code)];
            utf8_append(out, cp);
            continue;
        }
        // A lone trailing escape shows as a space, as handsets do.
        utf8_append(out, s == static_cast<unsigned char>(escape) ? U' ' : basic_table[s]);
    }
    return out;
}

std::string utf8_to_ucs2(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size() * 2);
    auto unit = [&](char32_t u) {
        out.push_back(static_cast<char>((u >> 8) & 0xFF));
        out.push_back(static_cast<char>(u & 0xFF));
    };
    for (std::size_t pos = 0; pos < utf8.size();) {
        char32_t cp = utf8_next(utf8, pos);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(0xD800 + (cp >> 10));
            unit(0xDC00 + (cp & 0x3FF));
        } else {
            unit(cp);
        }
    }
    return out;
}

std::string ucs2_to_utf8(std::string_view ucs2) {
    std::string out;
    out.reserve(ucs2.size());
    auto at = [&](std::size_t i) {
        return static_cast<char32_t>((static_cast<unsigned char>(ucs2[i]) << 8) |
                                     static_cast<unsigned char>(ucs2[i + 1]));
    };
    for (std::size_t i = 0; i + 1 < ucs2.size(); i += 2) {
        char32_t u = at(i);
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < ucs2.size()) {
            char32_t lo = at(i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                utf8_append(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        utf8_append(out, (u >= 0xD800 && u < 0xE000) ? replacement : u);
    }
    return out;
}

std::string latin1_to_utf8(std::string_view latin1) {
    std::string out;
    out.reserve(latin1.size());
    for (char c : latin1) utf8_append(out, static_cast<unsigned char>(c));
    return out;
}

std::size_t ucs2_units(std::string_view utf8) {
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < utf8.size();) n += utf8_next(utf8, pos) >= 0x10000 ? 2 : 1;
    return n;
}

std::size_t utf8_length(std::string_view utf8) {
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < utf8.size(); ++n) utf8_next(utf8, pos);
    return n;
}

}  // namespace ussdgw::util
