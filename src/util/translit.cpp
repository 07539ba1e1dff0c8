#include "ussdgw/util/translit.hpp"

#include <array>

#include "ussdgw/util/charset.hpp"

namespace ussdgw::util {
namespace {

// а..я (U+0430..U+044F) in ICAO Doc 9303 spelling; ь has no Latin form.
constexpr std::array<const char*, 32> lower = {
    "a", "b", "v", "g", "d", "e",  "zh", "z",  "i",  "i",    "k",  "l", "m", "n", "o",  "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "",  "e", "iu", "ia"};

// The Latin spelling of one code point, or nullptr when it stays as is.
const char* latin_of(char32_t cp) {
    if (cp >= 0x0410 && cp <= 0x042F) return lower[cp - 0x0410];
    if (cp >= 0x0430 && cp <= 0x044F) return lower[cp - 0x0430];
    switch (cp) {
        case 0x0401:
        case 0x0451:
            return "e";  // Ё ё
        case 0x0406:
        case 0x0456:
            return "i";  // І і
        case 0x00AB:
        case 0x00BB:
        case 0x201C:
        case 0x201D:
        case 0x201E:
            return "\"";
        case 0x2018:
        case 0x2019:
            return "'";
        case 0x2013:
        case 0x2014:
        case 0x2212:
            return "-";
        case 0x2026:
            return "...";
        case 0x2116:
            return "No";  // №
        case 0x20BD:
            return "RUB";  // ₽
        case 0x00A0:
            return " ";
        default:
            return nullptr;
    }
}

bool is_upper(char32_t cp) {
    return (cp >= 'A' && cp <= 'Z') || (cp >= 0x0410 && cp <= 0x042F) || cp == 0x0401 ||
           cp == 0x0406;
}

bool is_letter(char32_t cp) {
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0x0400 && cp <= 0x04FF);
}

}  // namespace

bool needs_transliteration(std::string_view utf8) {
    for (std::size_t pos = 0; pos < utf8.size();)
        if (latin_of(util::utf8_next(utf8, pos))) return true;
    return false;
}

std::string transliterate(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    char32_t prev = 0;
    for (std::size_t pos = 0; pos < utf8.size();) {
        const std::size_t start = pos;
        const char32_t cp = util::utf8_next(utf8, pos);
        const char* latin = latin_of(cp);
        if (!latin) {
            out.append(utf8.substr(start, pos - start));
            prev = cp;
            continue;
        }
        std::string piece = latin;
        if (is_upper(cp) && !piece.empty()) {
            // "Жук" -> "Zhuk" but "ЖУК" -> "ZHUK": a digraph is all capitals when
            // the word around it is.
            std::size_t peek = pos;
            const char32_t next = pos < utf8.size() ? util::utf8_next(utf8, peek) : 0;
            const bool shouting = is_upper(next) || (!is_letter(next) && is_upper(prev));
            for (std::size_t i = 0; i < piece.size(); ++i)
                if ((i == 0 || shouting) && piece[i] >= 'a' && piece[i] <= 'z')
                    piece[i] = static_cast<char>(piece[i] - 'a' + 'A');
        }
        out += piece;
        prev = cp;
    }
    return out;
}

}  // namespace ussdgw::util
