#pragma once
// Character sets of the air interface: GSM 03.38 default alphabet (7-bit,
// with the escape-extension table) and UCS-2, to and from UTF-8. Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ussdgw::util {

/// True when every character of `utf8` is in the GSM 7-bit alphabet (basic or extension).
bool gsm7_encodable(std::string_view utf8);

/// Septets `utf8` takes in GSM 7-bit (extension characters cost two); nullopt if not encodable.
std::optional<std::size_t> gsm7_septets(std::string_view utf8);

/// UTF-8 to unpacked GSM 7-bit (one septet per octet, extensions as 0x1B + code);
/// nullopt when a character has no GSM 7-bit form.
std::optional<std::string> utf8_to_gsm7(std::string_view utf8);

/// Unpacked GSM 7-bit to UTF-8; unknown escapes become the base table's character.
std::string gsm7_to_utf8(std::string_view septets);

/// UTF-8 to UCS-2 big-endian (UTF-16BE; non-BMP as surrogate pairs). Invalid UTF-8 becomes U+FFFD.
std::string utf8_to_ucs2(std::string_view utf8);

/// UCS-2/UTF-16 big-endian to UTF-8. An odd trailing octet is dropped.
std::string ucs2_to_utf8(std::string_view ucs2);

/// ISO-8859-1 to UTF-8.
std::string latin1_to_utf8(std::string_view latin1);

/// Number of UTF-16 code units `utf8` takes in UCS-2.
std::size_t ucs2_units(std::string_view utf8);

/// Number of code points in valid UTF-8 (invalid octets count one each).
std::size_t utf8_length(std::string_view utf8);

/// Decodes one code point starting at `pos`, advancing it; invalid input yields U+FFFD.
char32_t utf8_next(std::string_view utf8, std::size_t& pos);

/// Appends the UTF-8 encoding of `cp`.
void utf8_append(std::string& out, char32_t cp);

}  // namespace ussdgw::util
