#pragma once
// Message texts on the wire: data_coding, UDH and the USSD service code.
// Pure functions; the character tables live in ussdgw_util.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ussdgw::sim {

/// A text encoded for a deliver_sm.
struct encoded_text {
    std::uint8_t data_coding;  ///< What the octets are.
    std::string octets;        ///< The encoded text.
};

/// Encodes an MO text: unpacked GSM 7-bit with `gsm7_coding` (0x0F for USSD,
/// 0 for SMS) when every character has a GSM form, else UCS-2 with data_coding 8.
encoded_text encode_mo_text(std::string_view utf8, std::uint8_t gsm7_coding);

/// Decodes MT octets to UTF-8 by data_coding: 0/1/0x0F and GSM groups with a
/// default alphabet = unpacked GSM 7-bit, 3 and 8-bit groups = Latin-1,
/// 8 and UCS-2 groups = UCS-2 big-endian; anything else is read as Latin-1.
std::string decode_mt_text(std::uint8_t data_coding, std::string_view octets);

/// The service code a USSD string is addressed to: "*111*25#" -> "111",
/// "**04*1#" -> "04"; nullopt when the string starts with no digits after its stars.
std::optional<std::string> ussd_service_code(std::string_view ussd);

/// Concatenation info from a UDH (IEI 0x00 or 0x08).
struct udh_concat {
    std::uint16_t reference = 0;  ///< Same for all parts of one message.
    std::uint8_t total = 1;       ///< Number of parts.
    std::uint8_t sequence = 1;    ///< This part, from 1.
};

/// Splits a short_message that starts with a UDH (esm_class 0x40): returns the
/// body after the UDH and, if the UDH carries one, its concatenation element.
/// A UDH longer than the message leaves the message untouched.
std::string_view strip_udh(std::string_view short_message, std::optional<udh_concat>& concat);

}  // namespace ussdgw::sim
