#pragma once
// Screen budgets and paging: a USSD screen is 160 octets, counted in the
// encoding actually sent (GSM 7-bit when every character has a GSM form,
// else UCS-2). Longer texts are split into pages that end in a "more" item.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ussdgw::ussd {

/// The data coding a screen will be sent in.
enum class encoding {
    gsm7,  ///< GSM 03.38 default alphabet; extension characters cost two septets
    ucs2,  ///< UCS-2 / UTF-16; anything outside GSM 7-bit (Cyrillic)
};

/// How much one screen holds in each encoding.
struct screen_budget {
    std::size_t gsm7_septets = 182;  ///< 160 octets of packed septets
    std::size_t ucs2_units = 80;     ///< 160 octets of UTF-16 code units
};

/// GSM 7-bit when every character is encodable, else UCS-2: what the encoder sends.
encoding encoding_for(std::string_view utf8);

/// Size of `utf8` in its own encoding: septets for GSM 7-bit, code units for UCS-2.
std::size_t screen_units(std::string_view utf8);

/// True when `utf8` fits one screen in the encoding it would be sent in.
bool fits(std::string_view utf8, const screen_budget& budget);

/// Where pages may break.
enum class break_at {
    words,  ///< prose: prefer line ends, else spaces
    lines,  ///< menus: only line ends, so an option never straddles two pages
};

/// The pages of one screen text.
struct paged {
    /// Every page but the last ends in "\n" + the "more" item.
    std::vector<std::string> pages;
    /// True when some line had to be broken although break_at::lines asked not to.
    bool split_line = false;
    /// True when a word longer than a page had to be split mid-word.
    bool split_word = false;
};

/// Splits `text` into pages that each fit `budget`, counting each page in its own
/// encoding and including its "\n" + `more_item` line. Breaks at line ends (and
/// spaces for break_at::words); a word is split only when it alone exceeds a page.
/// Leading and trailing blanks of each page are dropped. With `more_after` the
/// text is a slice of a longer screen: its last page gets the "more" item too.
paged paginate(std::string_view text, const screen_budget& budget, std::string_view more_item,
               break_at mode = break_at::words, bool more_after = false);

}  // namespace ussdgw::ussd
