#include "screens.hpp"

#include <algorithm>

#include "build.hpp"
#include "ussdgw/util/translit.hpp"
#include "ussdgw/util/charset.hpp"

namespace ussdgw::menu::detail {
namespace {

const vars no_vars;

std::string label(const tree& t, ui s, std::size_t lang) {
    return t.strings[static_cast<std::size_t>(s)][lang].render(no_vars);
}

std::string units_name(const std::string& text) {
    return ussd::encoding_for(text) == ussd::encoding::gsm7 ? "GSM 7-bit septets"
                                                            : "UCS-2 characters";
}

std::size_t limit_for(const tree& t, const std::string& text) {
    return ussd::encoding_for(text) == ussd::encoding::gsm7 ? t.budget.gsm7_septets
                                                            : t.budget.ucs2_units;
}

// "node 'x' (ru)" or "node 'x' (ru, latin)".
std::string where(const tree& t, const node& n, std::size_t lang, bool latin) {
    return "node '" + n.id + "' (" + t.languages[lang] + (latin ? ", latin" : "") + ")";
}

// The first line of a menu that cannot share a page with the more item,
// shortened for the message.
std::string widest_line(const tree& t, const std::string& text, std::size_t lang, bool latin) {
    const std::string more = "\n" + t.more_item(lang, latin);
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (latin) line = util::transliterate(line);
        if (!ussd::fits(line + more, t.budget)) {
            std::size_t pos = 0;
            for (int i = 0; i < 24 && pos < line.size(); ++i) util::utf8_next(line, pos);
            return pos < line.size() ? line.substr(0, pos) + "..." : line;
        }
        start = end + 1;
    }
    return "?";
}

}  // namespace

std::string menu_text(const tree& t, const node& n, std::size_t lang, bool with_back,
                      const vars* values) {
    std::string s = n.text[lang].render(no_vars);
    for (const auto& o : n.options) {
        if (values && !o.shown(*values)) continue;
        s += '\n';
        s += o.key;
        s += ' ';
        s += o.label[lang].render(no_vars);
    }
    const std::string back = label(t, ui::back, lang);
    if (with_back && &n != &t.nodes[t.root] && !back.empty()) s += '\n' + t.nav.back + ' ' + back;
    return s;
}

std::string confirm_text(const tree& t, std::string prompt, std::size_t lang) {
    prompt += '\n' + t.nav.yes + ' ' + label(t, ui::yes, lang);
    prompt += '\n' + t.nav.no + ' ' + label(t, ui::no, lang);
    return prompt;
}

ussd::paged page_text(const tree& t, const std::string& text, std::size_t lang, bool latin,
                      ussd::break_at mode) {
    if (latin)
        return ussd::paginate(util::transliterate(text), t.budget, t.more_item(lang, true), mode);
    return ussd::paginate(text, t.budget, t.more_item(lang, false), mode);
}

void prepare_screens(builder& b) {
    tree& t = b.t;
    const std::size_t langs = t.languages.size();
    // UI strings first: screens use the more, back, yes and no labels.
    for (std::size_t s = 0; s < static_cast<std::size_t>(ui::count_); ++s) {
        t.rendered[s].resize(langs);
        for (std::size_t l = 0; l < langs; ++l) {
            const std::string text = t.strings[s][l].render(no_vars);
            t.rendered[s][l] = {text, util::transliterate(text)};
        }
    }
    // Final screens the daemon sends alone must fit one screen.
    for (ui s :
         {ui::unknown_code, ui::bad_request, ui::busy, ui::cancelled, ui::failed, ui::expired})
        for (std::size_t l = 0; l < langs; ++l)
            if (!ussd::fits(t.say(s, l, false), t.budget))
                b.report(b.strings_file, b.strings_line,
                         std::string("strings: ") + to_string(s) + " (" + t.languages[l] +
                             ") does not fit on one screen");
    if (t.root == no_node) return;  // menu_text needs the root; already reported

    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
        node& n = t.nodes[i];
        if (!b.reachable[i]) continue;
        const int line = b.sources[i].text_line ? b.sources[i].text_line : n.line;
        n.pages.resize(langs);
        bool reported = false;
        for (std::size_t l = 0; l < langs && !reported; ++l) {
            for (int latin = 0; latin < 2 && !reported; ++latin) {
                auto report = [&](const std::string& what) {
                    b.report(n.file, line, where(t, n, l, latin) + ": " + what);
                    reported = true;
                };
                if (n.kind == node_kind::menu) {
                    auto p =
                        page_text(t, menu_text(t, n, l, true), l, latin, ussd::break_at::lines);
                    // The back item is a courtesy: drop it when it alone would add a page.
                    auto bare =
                        page_text(t, menu_text(t, n, l, false), l, latin, ussd::break_at::lines);
                    if (bare.pages.size() < p.pages.size()) p = std::move(bare);
                    if (p.split_line)
                        report("line '" + widest_line(t, menu_text(t, n, l, true), l, latin) +
                               "' does not fit on one screen even after paging");
                    // A menu with options for some subscribers only is paged
                    // per dialog; the check above used every option.
                    const bool conditional =
                        std::any_of(n.options.begin(), n.options.end(),
                                    [](const option& o) { return !o.when.empty(); });
                    if (!conditional) n.pages[l][latin] = std::move(p.pages);
                } else if (n.kind == node_kind::input || n.kind == node_kind::confirm) {
                    // A prompt is one screen: paging would make "99" ambiguous.
                    std::string text = n.text[l].render(no_vars);
                    if (n.kind == node_kind::confirm) text = confirm_text(t, text, l);
                    if (latin) text = util::transliterate(text);
                    if (!ussd::fits(text, t.budget))
                        report("the prompt does not fit on one screen (" +
                               std::to_string(ussd::screen_units(text)) + " of " +
                               std::to_string(limit_for(t, text)) + " " + units_name(text) + ")");
                    else if (n.text[l].is_static())
                        n.pages[l][latin] = {text};
                } else if (n.kind == node_kind::text) {
                    auto p =
                        page_text(t, n.text[l].render(no_vars), l, latin, ussd::break_at::words);
                    if (p.split_word)
                        report(
                            "the text cannot fit even after paging (a word is longer than a "
                            "screen)");
                    if (n.text[l].is_static()) n.pages[l][latin] = std::move(p.pages);
                } else {
                    // Action texts depend on the outcome: check what is known.
                    for (const auto* texts : {&n.ok, &n.refused}) {
                        if (texts->empty() || reported) continue;
                        auto p = page_text(t, (*texts)[l].render(no_vars), l, latin,
                                           ussd::break_at::words);
                        if (p.split_word)
                            report(std::string(texts == &n.ok ? "the ok" : "the refused") +
                                   " text cannot fit even after paging (a word is longer than a "
                                   "screen)");
                    }
                }
            }
        }
        bool any = false;
        for (const auto& per_lang : n.pages)
            for (const auto& pages : per_lang) any = any || !pages.empty();
        if (!any) n.pages.clear();
    }
}

}  // namespace ussdgw::menu::detail
