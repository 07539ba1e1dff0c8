#include "ussdgw/ussd/text.hpp"

#include "ussdgw/util/charset.hpp"

namespace ussdgw::ussd {
namespace {

// Running size of a prefix in both encodings; `gsm` drops to false at the
// first character without a GSM form, and with it the GSM count stops mattering.
struct tally {
    std::size_t septets = 0;
    std::size_t units = 0;
    bool gsm = true;

    void add(char32_t cp, std::string_view utf8) {
        units += cp >= 0x10000 ? 2 : 1;
        if (!gsm) return;
        if (auto s = util::gsm7_septets(utf8))
            septets += *s;
        else
            gsm = false;
    }
    void add(const tally& o) {
        septets += o.septets;
        units += o.units;
        gsm = gsm && o.gsm;
    }
    bool fits(const screen_budget& b) const {
        return gsm ? septets <= b.gsm7_septets : units <= b.ucs2_units;
    }
};

tally measure(std::string_view utf8) {
    tally t;
    for (std::size_t pos = 0; pos < utf8.size();) {
        const std::size_t start = pos;
        const char32_t cp = util::utf8_next(utf8, pos);
        t.add(cp, utf8.substr(start, pos - start));
    }
    return t;
}

bool fits_with(const tally& page, const tally& suffix, const screen_budget& b) {
    tally t = page;
    t.add(suffix);
    return t.fits(b);
}

bool blank(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

encoding encoding_for(std::string_view utf8) {
    return util::gsm7_encodable(utf8) ? encoding::gsm7 : encoding::ucs2;
}

std::size_t screen_units(std::string_view utf8) {
    if (auto s = util::gsm7_septets(utf8)) return *s;
    return util::ucs2_units(utf8);
}

bool fits(std::string_view utf8, const screen_budget& budget) {
    if (auto s = util::gsm7_septets(utf8)) return *s <= budget.gsm7_septets;
    return util::ucs2_units(utf8) <= budget.ucs2_units;
}

paged paginate(std::string_view text, const screen_budget& budget, std::string_view more_item,
               break_at mode, bool more_after) {
    paged out;
    std::string_view rest = trim(text);
    // The common case: one screen, no scan.
    if (!more_after && fits(rest, budget)) {
        out.pages.emplace_back(rest);
        return out;
    }
    std::string suffix = "\n";
    suffix += more_item;
    const tally more = measure(suffix);

    while (!rest.empty()) {
        if (!more_after && fits(rest, budget)) {
            out.pages.emplace_back(rest);
            break;
        }
        if (more_after && fits_with(measure(rest), more, budget)) {
            out.pages.emplace_back(std::string(rest) + suffix);
            break;
        }
        // Scan forward while the prefix (plus the "more" line) fits; remember
        // the last line end and space where a page could break. Fitting is
        // monotone: once a prefix overflows, every longer one does too.
        tally t;
        std::size_t last_line = 0, last_space = 0, last_char = 0;
        for (std::size_t pos = 0; pos < rest.size();) {
            const std::size_t start = pos;
            const char32_t cp = util::utf8_next(rest, pos);
            if (cp == '\n' && start > 0) last_line = start;
            if (cp == ' ' && start > 0) last_space = start;
            t.add(cp, rest.substr(start, pos - start));
            if (!fits_with(t, more, budget)) break;
            last_char = pos;
        }
        std::size_t cut = 0;
        const bool prefer_line =
            last_line > 0 && (mode == break_at::lines || last_line * 2 >= last_space);
        if (prefer_line) {
            cut = last_line;
        } else if (last_space > 0) {
            cut = last_space;
            if (mode == break_at::lines) out.split_line = true;
        } else {
            // A single word wider than a page: the only mid-word split. At
            // least one character goes, so paging always ends.
            cut = last_char > 0 ? last_char : 1;
            while (cut < rest.size() && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80)
                ++cut;
            out.split_word = true;
            if (mode == break_at::lines) out.split_line = true;
        }
        std::string page(trim(rest.substr(0, cut)));
        page += suffix;
        out.pages.push_back(std::move(page));
        rest = trim(rest.substr(cut));
    }
    return out;
}

}  // namespace ussdgw::ussd
