// Covers util/charset: GSM 03.38 septet counts (extension characters cost two),
// UTF-8 <-> unpacked GSM 7-bit round trips, refusal of non-GSM text, UCS-2
// (UTF-16BE) with Cyrillic and surrogate pairs, invalid UTF-8 (stray, truncated,
// overlong, surrogate and out-of-range sequences) becoming U+FFFD, and Latin-1.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ussdgw/util/charset.hpp"

using namespace ussdgw::util;
using namespace std::string_literals;

namespace {

// Decodes all of `s` with utf8_next into code points.
std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t pos = 0; pos < s.size();) out.push_back(utf8_next(s, pos));
    return out;
}

// True when `s` is well-formed UTF-8 (RFC 3629: shortest form, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        unsigned char c = at(i);
        std::size_t n = 0;
        if (c < 0x80)
            n = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 4;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((at(i + k) & 0xC0) != 0x80) return false;
        if (n == 3 && c == 0xE0 && at(i + 1) < 0xA0) return false;   // overlong
        if (n == 3 && c == 0xED && at(i + 1) >= 0xA0) return false;  // surrogate
        if (n == 4 && c == 0xF0 && at(i + 1) < 0x90) return false;   // overlong
        if (n == 4 && c == 0xF4 && at(i + 1) >= 0x90) return false;  // > U+10FFFF
        i += n;
    }
    return true;
}

// Deterministic byte generator (splitmix64) for the no-crash sweeps.
struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

const std::string replacement_utf8 = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

TEST_CASE("gsm7_septets counts one septet per basic character") {
    CHECK(gsm7_septets("") == 0u);
    CHECK(gsm7_septets("Hello") == 5u);
    CHECK(gsm7_septets("*111#") == 5u);
    CHECK(gsm7_septets("**04*1234*5678*5678#") == 20u);
    // Multi-octet UTF-8 characters of the basic table still cost one septet each.
    CHECK(gsm7_septets("@£$¥èéùìòÇ") == 10u);
    CHECK(gsm7_septets("ΔΦΓΛΩΠΨΣΘΞ") == 10u);
    CHECK(gsm7_septets("ÄÖÑÜ§¿äöñüà¤¡") == 13u);
    CHECK(gsm7_septets("\n\r") == 2u);
    CHECK(gsm7_encodable("Balance: 10.00"));
}

TEST_CASE("gsm7_septets: each extension character costs two septets") {
    for (std::string_view c : {"^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"}) {
        CAPTURE(c);
        CHECK(gsm7_septets(c) == 2u);
        CHECK(gsm7_encodable(c));
    }
    CHECK(gsm7_septets("^{}\\[~]|€") == 18u);
    CHECK(gsm7_septets("a€b") == 4u);
    CHECK(gsm7_septets("Price: 5€ [new]") == 18u);
    CHECK(gsm7_septets("form\ffeed") == 10u);
    // A full USSD screen: 182 septets either way.
    CHECK(gsm7_septets(std::string(182, '1')) == 182u);
    std::string euros;
    for (int i = 0; i < 91; ++i) euros += "€";
    CHECK(gsm7_septets(euros) == 182u);
}

TEST_CASE("non-GSM text is refused") {
    for (std::string_view s : {"Привет", "Баланс: 10", "a😀", "`", "\t", "ç", "\xC2\xA0" /*NBSP*/}) {
        CAPTURE(s);
        CHECK_FALSE(gsm7_septets(s).has_value());
        CHECK_FALSE(gsm7_encodable(s));
        CHECK_FALSE(utf8_to_gsm7(s).has_value());
    }
}

TEST_CASE("utf8_to_gsm7 produces unpacked septets - extensions as ESC + code") {
    CHECK(utf8_to_gsm7("@") == "\x00"s);
    CHECK(utf8_to_gsm7("Hi!") == "Hi!"s);
    CHECK(utf8_to_gsm7("£$¥") == "\x01\x02\x03"s);
    CHECK(utf8_to_gsm7("_") == "\x11"s);
    CHECK(utf8_to_gsm7("¤") == "\x24"s);
    CHECK(utf8_to_gsm7("¡") == "\x40"s);
    CHECK(utf8_to_gsm7("¿") == "\x60"s);
    CHECK(utf8_to_gsm7("ÄÖÑÜ§") == "\x5B\x5C\x5D\x5E\x5F"s);
    CHECK(utf8_to_gsm7("äöñüà") == "\x7B\x7C\x7D\x7E\x7F"s);
    CHECK(utf8_to_gsm7("€") == "\x1B\x65"s);
    CHECK(utf8_to_gsm7("{}") == "\x1B\x28\x1B\x29"s);
    CHECK(utf8_to_gsm7("[~]") == "\x1B\x3C\x1B\x3D\x1B\x3E"s);
    CHECK(utf8_to_gsm7("\\|^") == "\x1B\x2F\x1B\x40\x1B\x14"s);
    CHECK(utf8_to_gsm7("\f") == "\x1B\x0A"s);
    CHECK(utf8_to_gsm7("\n") == "\x0A"s);
    CHECK(utf8_to_gsm7("") == ""s);
}

TEST_CASE("UTF-8 -> GSM7 -> UTF-8 round trips") {
    for (std::string_view s :
         {"Hello", "*111*25#", "Balance: 10.00 €", "1 Top up\n2 Tariff\n0 Back",
          "{json} [x] ~y~ ^z^ a|b c\\d\fe", "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./",
          "0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"}) {
        CAPTURE(s);
        auto g = utf8_to_gsm7(s);
        REQUIRE(g.has_value());
        CHECK(g->size() == gsm7_septets(s));
        CHECK(gsm7_to_utf8(*g) == s);
    }
}

TEST_CASE("every GSM7 septet (basic and extension) round trips through UTF-8") {
    for (int i = 0; i < 128; ++i) {
        if (i == 0x1B) continue;  // the escape has no character of its own
        std::string sept(1, static_cast<char>(i));
        CAPTURE(i);
        std::string u = gsm7_to_utf8(sept);
        CHECK(valid_utf8(u));
        CHECK(utf8_to_gsm7(u) == sept);
    }
    for (int code : {0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65}) {
        std::string sept = {'\x1B', static_cast<char>(code)};
        CAPTURE(code);
        CHECK(utf8_to_gsm7(gsm7_to_utf8(sept)) == sept);
    }
}

TEST_CASE("no code point outside the alphabet is taken for GSM7 - every BMP code point checked") {
    // The reference: what each septet decodes to (the encoder is table-driven
    // by code point; this walks the whole plane against the decoder instead).
    std::u32string basic, extended;
    for (int i = 0; i < 128; ++i)
        if (i != 0x1B) basic += code_points(gsm7_to_utf8(std::string(1, static_cast<char>(i))));
    for (int code : {0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65})
        extended += code_points(gsm7_to_utf8(std::string{'\x1B', static_cast<char>(code)}));
    int taken = 0;
    for (char32_t cp = 0; cp < 0x10000; ++cp) {
        if (cp >= 0xD800 && cp < 0xE000) continue;  // surrogates are not characters
        std::string u;
        utf8_append(u, cp);
        const auto n = gsm7_septets(u);
        const bool in_basic = basic.find(cp) != std::u32string::npos;
        const bool in_ext = extended.find(cp) != std::u32string::npos;
        if (n.has_value() != (in_basic || in_ext) || (n && *n != (in_ext ? 2u : 1u))) {
            CAPTURE(static_cast<std::uint32_t>(cp));
            FAIL("GSM7 table disagrees with the decoder");
        }
        taken += n.has_value();
    }
    CHECK(taken == 127 + 10);
}

TEST_CASE("gsm7_to_utf8: unknown escapes - lone escape - high bit") {
    // Unknown escape: the base table's character (3GPP TS 23.038 6.2.1.1).
    CHECK(gsm7_to_utf8("\x1B\x41") == "A");
    CHECK(gsm7_to_utf8("\x1B\x00"s) == "@");
    // A lone trailing escape shows as a space.
    CHECK(gsm7_to_utf8("ab\x1B") == "ab ");
    // The eighth bit of an unpacked septet is ignored.
    CHECK(gsm7_to_utf8("\xC1") == "A");
    CHECK(gsm7_to_utf8("\x1B\xE5") == "€");
}

TEST_CASE("gsm7_to_utf8 output can always be sent back as GSM7") {
    // Whatever a handset sends in GSM7 must be echoable in GSM7: no septet
    // sequence may decode to a character outside the alphabet.
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 128; ++b) {
            std::string sept = {static_cast<char>(a), static_cast<char>(b)};
            std::string u = gsm7_to_utf8(sept);
            CAPTURE(a);
            CAPTURE(b);
            CHECK(valid_utf8(u));
            REQUIRE(gsm7_encodable(u));
        }
    }
    // ESC ESC is reserved for another extension table: shown as a space.
    CHECK(gsm7_to_utf8("\x1B\x1B") == " ");
}

TEST_CASE("UCS-2 round trip with Cyrillic") {
    const std::string privet = "Привет";
    const std::string want = "\x04\x1F\x04\x40\x04\x38\x04\x32\x04\x35\x04\x42";
    CHECK(utf8_to_ucs2(privet) == want);
    CHECK(ucs2_to_utf8(want) == privet);
    CHECK(ucs2_units(privet) == 6u);
    CHECK(utf8_length(privet) == 6u);
    CHECK(utf8_to_ucs2("A") == "\x00\x41"s);
    CHECK(utf8_to_ucs2("") == "");
    for (std::string_view s :
         {"Баланс: 10,00 ₽", "Ваш пароль изменён", "Mixed текст @€ 123"}) {
        CAPTURE(s);
        CHECK(ucs2_to_utf8(utf8_to_ucs2(s)) == s);
        CHECK(utf8_to_ucs2(s).size() == 2 * ucs2_units(s));
    }
}

TEST_CASE("UCS-2 carries non-BMP characters as surrogate pairs") {
    const std::string grin = "😀";  // U+1F600
    CHECK(utf8_to_ucs2(grin) == "\xD8\x3D\xDE\x00"s);
    CHECK(ucs2_to_utf8("\xD8\x3D\xDE\x00"s) == grin);
    CHECK(ucs2_units(grin) == 2u);
    CHECK(utf8_length(grin) == 1u);
    const std::string mixed = "Спасибо 😀👍 ok";
    CHECK(ucs2_units(mixed) == 15u);
    CHECK(ucs2_to_utf8(utf8_to_ucs2(mixed)) == mixed);
    // U+10FFFF, the last code point.
    CHECK(utf8_to_ucs2("\xF4\x8F\xBF\xBF") == "\xDB\xFF\xDF\xFF");
    CHECK(ucs2_to_utf8("\xDB\xFF\xDF\xFF") == "\xF4\x8F\xBF\xBF");
}

TEST_CASE("ucs2_to_utf8: broken surrogates become U+FFFD - odd octet dropped") {
    CHECK(ucs2_to_utf8("\xD8\x3D") == replacement_utf8);                 // lone high at end
    CHECK(ucs2_to_utf8("\xDE\x00\x00\x41"s) == replacement_utf8 + "A");  // lone low
    CHECK(ucs2_to_utf8("\xD8\x3D\x00\x41"s) == replacement_utf8 + "A");  // high then BMP
    CHECK(ucs2_to_utf8("\xD8\x3D\xD8\x3D") == replacement_utf8 + replacement_utf8);
    CHECK(ucs2_to_utf8("\x00\x41\x00"s) == "A");  // odd trailing octet
    CHECK(ucs2_to_utf8("\x00"s) == "");
    CHECK(ucs2_to_utf8("") == "");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD - one per offending octet") {
    struct tc {
        std::string in;
        std::u32string want;
    };
    const tc cases[] = {
        {"\x80", U"\uFFFD"},                                          // stray continuation
        {"a\xBFz", U"a\uFFFDz"},                                      // stray continuation mid-text
        {"\xFF", U"\uFFFD"},                                          // never valid
        {"\xFE\xFF", U"\uFFFD\uFFFD"},                                // never valid
        {"\xC3", U"\uFFFD"},                                          // truncated at end
        {"\xE2\x82", U"\uFFFD\uFFFD"},                                // truncated at end
        {"\xF0\x9F\x98", U"\uFFFD\uFFFD\uFFFD"},                      // truncated at end
        {"\xC3(", U"\uFFFD("},                                        // bad continuation
        {"\xE2\x28\xA1", U"\uFFFD(\uFFFD"},                           // bad continuation
        {"\xC0\xAF", U"\uFFFD\uFFFD"},                                // overlong '/'
        {"\xC1\xBF", U"\uFFFD\uFFFD"},                                // overlong DEL
        {"\xC0\x80", U"\uFFFD\uFFFD"},                                // overlong NUL
        {"\xE0\x80\xAF", U"\uFFFD\uFFFD\uFFFD"},                      // overlong '/'
        {"\xF0\x80\x80\xAF", U"\uFFFD\uFFFD\uFFFD\uFFFD"},            // overlong '/'
        {"\xED\xA0\x80", U"\uFFFD\uFFFD\uFFFD"},                      // UTF-16 surrogate D800
        {"\xED\xBF\xBF", U"\uFFFD\uFFFD\uFFFD"},                      // UTF-16 surrogate DFFF
        {"\xF4\x90\x80\x80", U"\uFFFD\uFFFD\uFFFD\uFFFD"},            // U+110000
        {"\xF7\xBF\xBF\xBF", U"\uFFFD\uFFFD\uFFFD\uFFFD"},            // U+1FFFFF
        {"\xF8\x88\x80\x80\x80", U"\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},  // 5-octet form
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        CHECK(code_points(c.in) == c.want);
        CHECK(utf8_length(c.in) == c.want.size());
        // Nothing invalid may sneak into GSM7 (an overlong '/' is not a '/').
        CHECK_FALSE(utf8_to_gsm7(c.in).has_value());
        std::string ucs2 = utf8_to_ucs2(c.in);
        CHECK(ucs2.size() == 2 * ucs2_units(c.in));
        std::string back = ucs2_to_utf8(ucs2);
        CHECK(valid_utf8(back));
        CHECK(utf8_length(back) == c.want.size());
    }
    // Valid boundaries still decode.
    CHECK(code_points("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80") ==
          U"\u0080\u07FF\u0800\uD7FF\uE000\U00010000");
}

TEST_CASE("arbitrary bytes never crash the converters and come out as valid UTF-8") {
    rng r{42};
    for (int n = 0; n < 4000; ++n) {
        std::string s(r.next() % 24, '\0');
        for (auto& c : s) {
            // Bias towards lead and continuation octets so multi-octet paths are hit.
            auto v = r.next();
            if ((v & 3) == 0)
                c = static_cast<char>(0x80 | ((v >> 8) & 0x3F));
            else if ((v & 3) == 1)
                c = static_cast<char>(0xC0 | ((v >> 8) & 0x3F));
            else
                c = static_cast<char>(v >> 8);
        }
        CAPTURE(s);
        std::size_t cps = utf8_length(s);
        CHECK(cps <= s.size());
        CHECK(code_points(s).size() == cps);
        std::string ucs2 = utf8_to_ucs2(s);
        CHECK(ucs2.size() == 2 * ucs2_units(s));
        std::string clean = ucs2_to_utf8(ucs2);
        CHECK(valid_utf8(clean));
        CHECK(utf8_length(clean) == cps);
        CHECK(ucs2_to_utf8(utf8_to_ucs2(clean)) == clean);
        if (auto g = utf8_to_gsm7(s)) {
            CHECK(g->size() == gsm7_septets(s));
            CHECK(gsm7_to_utf8(*g) == s);
        }
        CHECK(valid_utf8(gsm7_to_utf8(s)));
        CHECK(valid_utf8(latin1_to_utf8(s)));
    }
}

TEST_CASE("utf8_append encodes each length boundary") {
    struct tc {
        char32_t cp;
        std::string want;
    };
    const tc cases[] = {
        {0x00, "\x00"s},
        {0x7F, "\x7F"},
        {0x80, "\xC2\x80"},
        {0x7FF, "\xDF\xBF"},
        {0x800, "\xE0\xA0\x80"},
        {0x20AC, "\xE2\x82\xAC"},
        {0xFFFF, "\xEF\xBF\xBF"},
        {0x10000, "\xF0\x90\x80\x80"},
        {0x10FFFF, "\xF4\x8F\xBF\xBF"},
    };
    for (const auto& c : cases) {
        std::string out = "x";
        utf8_append(out, c.cp);
        CAPTURE(static_cast<std::uint32_t>(c.cp));
        CHECK(out == "x" + c.want);
        std::size_t pos = 1;
        CHECK(utf8_next(out, pos) == c.cp);
        CHECK(pos == out.size());
    }
}

TEST_CASE("latin1_to_utf8") {
    CHECK(latin1_to_utf8("caf\xE9") == "café");
    CHECK(latin1_to_utf8("\xA3\xA4\xFF") == "£¤ÿ");
    CHECK(latin1_to_utf8("\x80") == "\xC2\x80");
    CHECK(latin1_to_utf8("") == "");
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    std::string u = latin1_to_utf8(all);
    CHECK(valid_utf8(u));
    CHECK(utf8_length(u) == 256u);
    std::u32string cps = code_points(u);
    REQUIRE(cps.size() == 256u);
    for (int i = 0; i < 256; ++i) CHECK(cps[static_cast<std::size_t>(i)] == char32_t(i));
}

#include "ussdgw/util/log_text.hpp"

TEST_CASE("outside text is escaped and cut before it reaches a log line") {
    using ussdgw::util::for_log;
    CHECK(for_log("1") == "1");
    CHECK(for_log("Привет") == "Привет");
    CHECK(for_log("a\nb\r\x1b[2J\x7f") == "a\\x0Ab\\x0D\\x1B[2J\\x7F");
    CHECK(for_log("back\\slash") == "back\\\\slash");
    CHECK(for_log(std::string("\xff\xfe"
                              "ok",
                              4)) == "\\xFF\\xFEok");
    CHECK(for_log(std::string(60000, 'A')) == std::string(80, 'A') + "...(60000 bytes)");
    // A character is never cut in half at the limit.
    CHECK(for_log("ЖЖ", 3) == "Ж...(4 bytes)");
}
