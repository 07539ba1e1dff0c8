#include "ussdgw/menu/tree.hpp"

#include <charconv>

namespace ussdgw::menu {

const char* to_string(node_kind k) {
    switch (k) {
        case node_kind::menu:
            return "menu";
        case node_kind::input:
            return "input";
        case node_kind::confirm:
            return "confirm";
        case node_kind::action:
            return "action";
        case node_kind::text:
            return "text";
    }
    return "?";
}

const char* to_string(ui s) {
    switch (s) {
        case ui::more:
            return "more";
        case ui::back:
            return "back";
        case ui::yes:
            return "yes";
        case ui::no:
            return "no";
        case ui::invalid_choice:
            return "invalid_choice";
        case ui::invalid_input:
            return "invalid_input";
        case ui::unknown_code:
            return "unknown_code";
        case ui::bad_request:
            return "bad_request";
        case ui::busy:
            return "busy";
        case ui::cancelled:
            return "cancelled";
        case ui::refused:
            return "refused";
        case ui::failed:
            return "failed";
        case ui::expired:
            return "expired";
        case ui::repeated:
            return "repeated";
        case ui::home:
            return "home";
        case ui::count_:
            break;
    }
    return "?";
}

bool option::shown(const std::map<std::string, std::string>& values) const {
    if (when.empty()) return true;
    auto it = values.find(when);
    return it != values.end() && !it->second.empty() && it->second != "0";
}

bool input_check::accepts(std::string_view answer) const {
    if (answer.size() < min_length || answer.size() > max_length) return false;
    if (digits)
        for (char c : answer)
            if (c < '0' || c > '9') return false;
    if (min || max) {
        long long v = 0;
        const char* end = answer.data() + answer.size();
        auto [p, ec] = std::from_chars(answer.data(), end, v);
        if (ec != std::errc() || p != end) return false;
        if (min && v < *min) return false;
        if (max && v > *max) return false;
    }
    if (pattern && !std::regex_match(answer.begin(), answer.end(), *pattern)) return false;
    return true;
}

std::optional<code_walk> walk_of(const tree& t, const code_route& c) {
    if (t.root == no_node || c.segments.empty()) return std::nullopt;
    std::string walk_prefix;
    for (const auto& main : t.codes)
        if (main.target == t.root && main.segments.empty()) walk_prefix = main.prefix;
    if (walk_prefix.empty() || c.prefix != walk_prefix) return std::nullopt;
    code_walk w;
    w.at = t.root;
    for (const auto& seg : c.segments) {
        const node& n = t.nodes[w.at];
        const option* o = nullptr;
        if (!seg.capture && n.kind == node_kind::menu)
            for (const auto& opt : n.options)
                if (opt.key == seg.value) o = &opt;
        if (!o || o->next == no_node) return std::nullopt;
        for (const auto& [k, v] : o->set) w.set[k] = v;
        w.path += (w.path.empty() ? "" : ", ") + seg.value;
        w.at = o->next;
    }
    return w;
}

std::size_t tree::language_index(std::string_view language) const {
    for (std::size_t i = 0; i < languages.size(); ++i)
        if (languages[i] == language) return i;
    return 0;
}

const node* tree::find(std::string_view id) const {
    for (const auto& n : nodes)
        if (n.id == id) return &n;
    return nullptr;
}

const std::string& tree::say(ui s, std::size_t language, bool latin) const {
    return rendered[static_cast<std::size_t>(s)][language][latin ? 1 : 0];
}

std::string tree::more_item(std::size_t language, bool latin) const {
    return nav.next + " " + say(ui::more, language, latin);
}

}  // namespace ussdgw::menu
