#include "ussdgw/menu/engine.hpp"

#include <algorithm>
#include <stdexcept>

#include "screens.hpp"
#include "ussdgw/ussd/code.hpp"
#include "ussdgw/util/translit.hpp"

namespace ussdgw::menu {
namespace {

std::string_view trim(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

const localized& ui_text(const tree& t, ui s) {
    return t.strings[static_cast<std::size_t>(s)];
}

// Shows the current page. A result ends the dialog on its last page when
// the whole string was dialled (no screen of ours came before it); in a
// dialog the subscriber navigates, a result keeps it open with "0 Back
// 00 Main menu", so those keys work on every screen.
step show(dialog_state& st) {
    step s;
    s.text = st.pages[st.page];
    s.end = st.final_screen && st.page + 1 == st.pages.size() && st.result_ends;
    st.ended = s.end;
    return s;
}

// "0 Back 00 Main menu" (without the main item when `home` is empty).
std::string result_footer(const tree& t, std::size_t lang, bool latin) {
    std::string footer = t.nav.back + " " + t.say(ui::back, lang, latin);
    const std::string& home = t.say(ui::home, lang, latin);
    if (!home.empty()) footer += " " + t.nav.main + " " + home;
    return footer;
}

// A result rendered now (action outcomes, text nodes, unknown codes).
step final_text(dialog_state& st, const std::string& text) {
    const tree& t = *st.menus;
    st.pages = detail::page_text(t, text, st.language, st.latin, ussd::break_at::words).pages;
    if (st.pages.empty()) st.pages.push_back(t.say(ui::failed, st.language, st.latin));
    st.result_ends = !st.interactive;
    if (st.interactive) {
        // The footer goes under the last page, or on a page of its own when
        // that page is full.
        const std::string footer = result_footer(t, st.language, st.latin);
        std::string& last = st.pages.back();
        if (ussd::fits(last + "\n" + footer, t.budget)) {
            last += "\n" + footer;
        } else {
            // Paged again with room for the "more" item on the last page too;
            // the footer gets a page of its own.
            const std::string shown = st.latin ? util::transliterate(text) : text;
            st.pages = ussd::paginate(shown, t.budget, t.more_item(st.language, st.latin),
                                      ussd::break_at::words, true)
                           .pages;
            st.pages.push_back(footer);
        }
    } else {
        st.history.clear();
    }
    st.page = 0;
    st.final_screen = true;
    return show(st);
}

// The pages of a node's screen: pre-paged when static, else rendered from the values.
void load_pages(dialog_state& st, const node& n) {
    const tree& t = *st.menus;
    const std::size_t l = st.language;
    if (!n.pages.empty() && !n.pages[l][st.latin].empty()) {
        st.pages = n.pages[l][st.latin];
        return;
    }
    if (n.kind == node_kind::menu) {
        // Options for some subscribers only: paged for this dialog, with the
        // back item when it adds no page (as the loader pages static menus).
        auto with = detail::page_text(t, detail::menu_text(t, n, l, true, &st.values), l, st.latin,
                                      ussd::break_at::lines);
        auto bare = detail::page_text(t, detail::menu_text(t, n, l, false, &st.values), l, st.latin,
                                      ussd::break_at::lines);
        st.pages = bare.pages.size() < with.pages.size() ? bare.pages : with.pages;
        return;
    }
    std::string text = n.text[l].render(st.values);
    if (n.kind == node_kind::confirm) text = detail::confirm_text(t, std::move(text), l);
    st.pages = detail::page_text(t, text, l, st.latin, ussd::break_at::words).pages;
    if (st.pages.empty()) st.pages.emplace_back();
}

// Arrives at a node: shows its screen, or asks for its action.
step enter(dialog_state& st, node_id id) {
    const tree& t = *st.menus;
    const node& n = t.nodes[id];
    st.node = id;
    st.page = 0;
    st.final_screen = false;
    if (n.kind == node_kind::text) return final_text(st, n.text[st.language].render(st.values));
    if (n.kind == node_kind::action) {
        step s;
        action_call call{n.action, {}};
        for (const auto& a : n.args) call.args[a.name] = a.value.render(st.values);
        s.call = std::move(call);
        s.dialled = !st.interactive;
        st.waiting = true;
        st.pages.clear();
        return s;
    }
    load_pages(st, n);
    return show(st);
}

// Repeats the current page with a one-line hint above it. When the two do not
// fit one screen, the page is split again with the hint in front (texts at
// words, menus at lines) and the pages after it follow unchanged.
step hint(dialog_state& st, const std::string& line) {
    const tree& t = *st.menus;
    const std::string& page = st.pages[st.page];
    std::string with = line + "\n" + page;
    if (ussd::fits(with, t.budget)) {
        step s;
        s.text = std::move(with);
        return s;
    }
    const std::string more_item = t.more_item(st.language, st.latin);
    const std::string more = "\n" + more_item;
    const bool had_more = page.size() >= more.size() &&
                          page.compare(page.size() - more.size(), more.size(), more) == 0;
    const std::string body = had_more ? page.substr(0, page.size() - more.size()) : page;
    const auto mode = st.final_screen || t.nodes[st.node].kind != node_kind::menu
                          ? ussd::break_at::words
                          : ussd::break_at::lines;
    auto sub = ussd::paginate(line + "\n" + body, t.budget, more_item, mode, had_more);
    step s;
    s.text = sub.pages.front();
    // Keep the new split without the hint, so a second bad answer shows one
    // hint, and 99 and 0 move through the same text.
    const std::string lead = line + "\n";
    if (sub.pages.front().compare(0, lead.size(), lead) == 0)
        sub.pages.front().erase(0, lead.size());
    st.pages.erase(st.pages.begin() + static_cast<std::ptrdiff_t>(st.page));
    st.pages.insert(st.pages.begin() + static_cast<std::ptrdiff_t>(st.page), sub.pages.begin(),
                    sub.pages.end());
    return s;
}

step invalid_choice(dialog_state& st) {
    step s = hint(st, st.menus->say(ui::invalid_choice, st.language, st.latin));
    s.refused = "invalid_choice";
    return s;
}

// One answer on the current screen; `accepted` tells a walk whether to go on.
step advance(dialog_state& st, std::string_view input, bool& accepted) {
    const tree& t = *st.menus;
    const navigation& nav = t.nav;
    accepted = true;
    if (input == nav.main) {
        st.history.clear();
        st.values.clear();
        return enter(st, t.root);
    }
    if (input == nav.next && st.page + 1 < st.pages.size()) {
        ++st.page;
        return show(st);
    }
    const node& n = t.nodes[st.node];
    if (input == nav.back) {
        if (st.page > 0) {
            --st.page;
            return show(st);
        }
        // From a result, back is the menu that led to it: never an input or
        // a confirmation that already ran.
        while (st.final_screen && !st.history.empty() &&
               t.nodes[st.history.back()].kind != node_kind::menu)
            st.history.pop_back();
        if (!st.history.empty()) {
            const node_id back = st.history.back();
            st.history.pop_back();
            return enter(st, back);
        }
        if (st.final_screen && st.interactive) return enter(st, t.root);
        accepted = false;
        return invalid_choice(st);
    }
    if (!st.final_screen) {
        switch (n.kind) {
            case node_kind::menu:
                for (const auto& o : n.options) {
                    if (o.key != input || !o.shown(st.values)) continue;
                    st.history.push_back(st.node);
                    for (const auto& [k, v] : o.set) st.values[k] = v;
                    return enter(st, o.next);
                }
                break;
            case node_kind::input:
                if (n.check.accepts(input)) {
                    st.values[n.var] = std::string(input);
                    st.history.push_back(st.node);
                    return enter(st, n.next);
                }
                accepted = false;
                {
                    std::string line = n.error.empty()
                                           ? t.say(ui::invalid_input, st.language, st.latin)
                                           : n.error[st.language].render(st.values);
                    if (!n.error.empty() && st.latin) line = util::transliterate(line);
                    step s = hint(st, line);
                    s.refused = "input_rejected";
                    return s;
                }
            case node_kind::confirm:
                if (input == nav.yes) {
                    st.history.push_back(st.node);
                    return enter(st, n.yes);
                }
                if (input == nav.no) {
                    if (n.no == no_node)
                        return final_text(st, ui_text(t, ui::cancelled)[st.language].render({}));
                    st.history.push_back(st.node);
                    return enter(st, n.no);
                }
                break;
            default:
                break;
        }
    }
    accepted = false;
    return invalid_choice(st);
}

// Feeds the dialled parts not used yet (st.pending) as answers, until one is
// refused, a result shows, or an action is asked for. An action with `next`
// keeps the rest for on_outcome(), so "*111*2*3*2*1#" confirms after the quote.
step walk(dialog_state& st, step s) {
    while (!st.pending.empty() && !s.call && !s.end && !st.final_screen) {
        bool accepted = false;
        const std::string part = std::move(st.pending.front());
        st.pending.erase(st.pending.begin());
        s = advance(st, part, accepted);
        if (!accepted) st.pending.clear();
    }
    const node& n = st.menus->nodes[st.node];
    if (!s.call || n.kind != node_kind::action || n.next == no_node) st.pending.clear();
    return s;
}

// The declared code that matches, and how many dialled segments it used (the
// rest are walked). Full matches win over walks; more literals win.
const code_route* match(const tree& t, const ussd::code& c, std::size_t& used) {
    auto it = t.codes_by_prefix.find(c.prefix);
    if (it == t.codes_by_prefix.end()) return nullptr;
    const code_route* walk = nullptr;
    for (std::size_t i : it->second) {
        const code_route& r = t.codes[i];
        if (r.segments.size() > c.segments.size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < r.segments.size() && same; ++k)
            same = r.segments[k].capture || r.segments[k].value == c.segments[k];
        if (!same) continue;
        if (r.segments.size() == c.segments.size()) {
            used = r.segments.size();
            return &r;
        }
        if (t.nodes[r.target].kind == node_kind::menu &&
            (!walk || r.segments.size() > walk->segments.size()))
            walk = &r;
    }
    if (walk) used = walk->segments.size();
    return walk;
}

// What a secret segment of a dialled string becomes in logs; not "***",
// which would blur into the '*' separators.
constexpr const char* secret_mask = "xxx";

// At most this much of a malformed string is echoed back on screen.
constexpr std::size_t echo_limit = 24;

// True when a code of this prefix can carry a secret: one of its routes
// captures a secret, or walks a tree that has secret inputs.
bool prefix_has_secrets(const tree& t, const std::string& prefix) {
    auto it = t.codes_by_prefix.find(prefix);
    if (it == t.codes_by_prefix.end()) return false;
    for (std::size_t i : it->second) {
        const code_route& r = t.codes[i];
        for (const auto& seg : r.segments)
            if (seg.capture && t.secret_vars.contains(seg.value)) return true;
        if (t.nodes[r.target].kind == node_kind::menu)
            for (const auto& n : t.nodes)
                if (n.kind == node_kind::input && n.secret) return true;
    }
    return false;
}

// `text` without control characters, at most `limit` bytes (never cutting a
// UTF-8 character), "..." when cut.
std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    for (char c : trim(text)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) continue;
        out += c;
    }
    if (out.size() <= limit) return out;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    return out.substr(0, cut) + "...";
}

// True when some code of `prefix` has the literal `value` as its part `k`.
bool literal_at(const tree& t, const std::string& prefix, std::size_t k, const std::string& value) {
    auto it = t.codes_by_prefix.find(prefix);
    if (it == t.codes_by_prefix.end()) return false;
    for (std::size_t i : it->second) {
        const auto& segs = t.codes[i].segments;
        if (k < segs.size() && !segs[k].capture && segs[k].value == value) return true;
    }
    return false;
}

}  // namespace

step start(dialog_state& st, std::shared_ptr<const tree> menus, const profile& who,
           std::string_view dialled) {
    st = dialog_state{};
    st.menus = std::move(menus);
    const tree& t = *st.menus;
    st.language = t.language_index(who.language);
    st.latin = who.latin;
    st.values = who.values;

    auto parsed = ussd::parse(dialled);
    // What the screen repeats of the string is what a log may show: a PIN in
    // a near miss ("**04*1234*5678#") is masked there too, as SMSCs log MTs.
    if (!parsed) {
        auto echo = redact_dialled(t, dialled);
        step s = final_text(st, ui_text(t, ui::bad_request)[st.language].render({{"code", echo}}));
        s.refused = "bad_request";
        return s;
    }
    std::size_t used = 0;
    const code_route* route = match(t, *parsed, used);
    if (!route) {
        step s = final_text(st, ui_text(t, ui::unknown_code)[st.language].render(
                                    {{"code", redact_dialled(t, dialled)}}));
        s.refused = "unknown_code";
        return s;
    }
    for (std::size_t k = 0; k < route->segments.size(); ++k)
        if (route->segments[k].capture) st.values[route->segments[k].value] = parsed->segments[k];
    for (const auto& [k, v] : route->set) st.values[k] = v;

    st.pending.assign(parsed->segments.begin() + static_cast<std::ptrdiff_t>(used),
                      parsed->segments.end());
    return walk(st, enter(st, route->target));
}

step answer(dialog_state& st, std::string_view input) {
    if (!st.menus) throw std::logic_error("menu::answer before start");
    if (st.waiting) throw std::logic_error("menu::answer while an action runs");
    if (st.ended) throw std::logic_error("menu::answer after the dialog ended");
    // An answer means a screen of ours was on the handset: from now on results
    // keep the dialog open, with the navigation keys.
    st.interactive = true;
    bool accepted = false;
    return advance(st, trim(input), accepted);
}

step on_outcome(dialog_state& st, const actions::outcome& out) {
    if (!st.waiting) throw std::logic_error("menu::on_outcome without an action call");
    st.waiting = false;
    const tree& t = *st.menus;
    if (!out.language.empty())
        for (std::size_t i = 0; i < t.languages.size(); ++i)
            if (t.languages[i] == out.language) st.language = i;
    if (auto a = out.vars.find("alphabet"); a != out.vars.end() && out.ok)
        st.latin = a->second == "latin";
    const node& n = t.nodes[st.node];
    if (out.ok && n.next != no_node) {
        // A step inside a flow (a quote before a confirmation): its values
        // feed the next screen, which shows what the last step will do.
        for (const auto& [k, v] : out.vars) st.values[k] = v;
        return walk(st, enter(st, n.next));
    }
    const localized& texts =
        out.ok ? n.ok : (n.refused.empty() ? ui_text(t, ui::refused) : n.refused);
    std::string text = texts[st.language].render(st.values, out.vars);
    // A refusal without a reason would show a dangling "Refused:".
    auto reason = out.vars.find("reason");
    const auto& uses = texts[st.language].placeholders();
    const bool no_reason = !out.ok && std::find(uses.begin(), uses.end(), "reason") != uses.end() &&
                           (reason == out.vars.end() || trim(reason->second).empty());
    if (no_reason || trim(text).empty()) text = t.say(ui::failed, st.language, false);
    // A replay (the same request came again and changed nothing this time)
    // says so, so a subscriber who dialled twice is not told it happened twice.
    if (out.replayed) text = t.say(ui::repeated, st.language, false) + "\n" + text;
    return final_text(st, text);
}

step busy(const tree& menus, const profile& who) {
    step s;
    s.text = menus.say(ui::busy, menus.language_index(who.language), who.latin);
    s.end = true;
    return s;
}

step expired(const tree& menus, const profile& who) {
    step s;
    s.text = menus.say(ui::expired, menus.language_index(who.language), who.latin);
    s.end = true;
    return s;
}

std::string redact_input(const dialog_state& st, std::string_view input) {
    if (!st.menus || st.waiting || st.final_screen || st.node == no_node) return std::string(input);
    const node& n = st.menus->nodes[st.node];
    return n.kind == node_kind::input && n.secret ? "***" : std::string(input);
}

std::string redact_dialled(const tree& t, std::string_view dialled) {
    auto parsed = ussd::parse(dialled);
    if (!parsed) {
        // Not a code. Where it starts like a code that carries secrets
        // ("**04*12a4*5678#"), nothing says which part is secret: keep that
        // start only. Anything else is shown printable and short.
        std::size_t end = 0;
        while (end < dialled.size() && (dialled[end] == '*' || dialled[end] == '#')) ++end;
        const std::size_t marks = end;
        while (end < dialled.size() && dialled[end] >= '0' && dialled[end] <= '9') ++end;
        if (end > marks && prefix_has_secrets(t, std::string(dialled.substr(0, end))))
            return std::string(dialled.substr(0, end)) + "*...";
        return printable(dialled, echo_limit);
    }
    std::size_t used = 0;
    const code_route* route = match(t, *parsed, used);
    const bool secrets = prefix_has_secrets(t, parsed->prefix);
    auto segs = parsed->segments;
    if (!route) {
        // A near miss of a code with secrets ("**04*1234*5678#", one part
        // short): mask every part that is not a literal some code has there.
        if (secrets)
            for (std::size_t k = 0; k < segs.size(); ++k)
                if (!literal_at(t, parsed->prefix, k, segs[k])) segs[k] = secret_mask;
        return ussd::code{parsed->prefix, std::move(segs)}.normalized();
    }
    for (std::size_t k = 0; k < route->segments.size(); ++k)
        if (route->segments[k].capture && t.secret_vars.contains(route->segments[k].value))
            segs[k] = secret_mask;
    // Walk the rest like the engine would, masking answers to secret inputs;
    // where the walk leaves the tree, nothing tells what the rest is.
    node_id at = route->target;
    for (std::size_t k = used; k < segs.size(); ++k) {
        if (at == no_node) {
            if (secrets) segs[k] = secret_mask;
            continue;
        }
        const node& n = t.nodes[at];
        node_id next = no_node;
        if (n.kind == node_kind::menu) {
            for (const auto& o : n.options)
                if (o.key == segs[k]) next = o.next;
        } else if (n.kind == node_kind::input) {
            if (n.secret) segs[k] = secret_mask;
            next = n.next;
        } else if (n.kind == node_kind::confirm) {
            next = segs[k] == t.nav.yes ? n.yes : segs[k] == t.nav.no ? n.no : no_node;
        }
        if (next == no_node && secrets) segs[k] = secret_mask;
        at = next;
    }
    return ussd::code{parsed->prefix, std::move(segs)}.normalized();
}

}  // namespace ussdgw::menu
