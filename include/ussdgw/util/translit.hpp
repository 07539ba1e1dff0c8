#pragma once
// Cyrillic to Latin transliteration for handsets that cannot show Cyrillic
// (the subscriber's "alphabet" setting, *111*6*2#). Pure.

#include <string>
#include <string_view>

namespace ussdgw::util {

/// Transliterates Russian Cyrillic to Latin after ICAO Doc 9303 (the
/// passport scheme, close to GOST R 52535.1): "Баланс" -> "Balans",
/// "Щука" -> "Shchuka", "ЖУК" -> "ZHUK". Typographic quotes, dashes, the
/// ellipsis, "№" and "₽" become GSM-friendly ASCII. Other text is unchanged.
std::string transliterate(std::string_view utf8);

/// True when `utf8` has a character transliterate() would change.
bool needs_transliteration(std::string_view utf8);

}  // namespace ussdgw::util
