#include "texts.hpp"

#include "ussdgw/util/charset.hpp"

namespace ussdgw::sim {

encoded_text encode_mo_text(std::string_view utf8, std::uint8_t gsm7_coding) {
    if (auto gsm = util::utf8_to_gsm7(utf8)) return {gsm7_coding, std::move(*gsm)};
    return {8, util::utf8_to_ucs2(utf8)};
}

std::string decode_mt_text(std::uint8_t dc, std::string_view octets) {
    enum class alphabet { gsm7, latin1, ucs2 };
    alphabet a = alphabet::latin1;
    if (dc == 0x00 || dc == 0x01 || dc == 0x0F) {
        a = alphabet::gsm7;
    } else if (dc == 0x08) {
        a = alphabet::ucs2;
    } else if (dc < 0x10) {
        a = alphabet::latin1;  // 3 = Latin-1; the binary and national codings as octets
    } else if (dc < 0x80) {
        // GSM 03.38 general coding groups (0x10-0x7F): bits 3..2 name the alphabet.
        const int bits = (dc >> 2) & 0x03;
        a = bits == 0 ? alphabet::gsm7 : bits == 2 ? alphabet::ucs2 : alphabet::latin1;
    } else if (dc >= 0xF0) {
        // Data coding / message class group: bit 2 = 8-bit data, else default alphabet.
        a = (dc & 0x04) ? alphabet::latin1 : alphabet::gsm7;
    } else if (dc >= 0xE0) {
        a = alphabet::ucs2;  // message waiting group, UCS-2
    } else if (dc >= 0xC0) {
        a = alphabet::gsm7;  // message waiting groups, default alphabet
    }
    switch (a) {
        case alphabet::gsm7:
            return util::gsm7_to_utf8(octets);
        case alphabet::ucs2:
            return util::ucs2_to_utf8(octets);
        case alphabet::latin1:
            break;
    }
    return util::latin1_to_utf8(octets);
}

std::optional<std::string> ussd_service_code(std::string_view ussd) {
    std::size_t i = 0;
    while (i < ussd.size() && (ussd[i] == '*' || ussd[i] == '#')) ++i;
    std::size_t start = i;
    while (i < ussd.size() && ussd[i] >= '0' && ussd[i] <= '9') ++i;
    if (i == start) return std::nullopt;
    return std::string(ussd.substr(start, i - start));
}

std::string_view strip_udh(std::string_view sm, std::optional<udh_concat>& concat) {
    concat.reset();
    if (sm.empty()) return sm;
    const std::size_t udhl = static_cast<unsigned char>(sm[0]);
    if (1 + udhl > sm.size()) return sm;
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(sm[i]); };
    for (std::size_t i = 1; i + 1 < 1 + udhl;) {
        const auto iei = at(i);
        const std::size_t len = at(i + 1);
        if (i + 2 + len > 1 + udhl) break;
        if (iei == 0x00 && len == 3) {
            concat = udh_concat{at(i + 2), static_cast<std::uint8_t>(at(i + 3)),
                                static_cast<std::uint8_t>(at(i + 4))};
        } else if (iei == 0x08 && len == 4) {
            concat = udh_concat{static_cast<std::uint16_t>((at(i + 2) << 8) | at(i + 3)),
                                static_cast<std::uint8_t>(at(i + 4)),
                                static_cast<std::uint8_t>(at(i + 5))};
        }
        i += 2 + len;
    }
    return sm.substr(1 + udhl);
}

}  // namespace ussdgw::sim
