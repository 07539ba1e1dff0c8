#include "ussdgw/menu/template.hpp"

#include <algorithm>

namespace ussdgw::menu {
namespace {

bool name_char(char c) {
    // '.' for the rule constants: {rules.password_min_sms}.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

}  // namespace

util::result<text_template, std::string> text_template::compile(std::string_view source) {
    text_template t;
    t.source_ = std::string(source);
    std::string literal;
    for (std::size_t i = 0; i < source.size(); ++i) {
        const char c = source[i];
        if (c == '{' && i + 1 < source.size() && source[i + 1] == '{') {
            literal += '{';
            ++i;
        } else if (c == '}' && i + 1 < source.size() && source[i + 1] == '}') {
            literal += '}';
            ++i;
        } else if (c == '}') {
            return util::fail(std::string("unmatched '}' (write '}}' for a brace)"));
        } else if (c == '{') {
            const auto close = source.find('}', i + 1);
            if (close == std::string_view::npos)
                return util::fail(std::string("unclosed '{' (write '{{' for a brace)"));
            const std::string name(source.substr(i + 1, close - i - 1));
            if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
                return util::fail("bad placeholder name '{" + name + "}'");
            if (!literal.empty()) t.parts_.push_back({false, std::move(literal)});
            literal.clear();
            t.parts_.push_back({true, name});
            if (std::find(t.names_.begin(), t.names_.end(), name) == t.names_.end())
                t.names_.push_back(name);
            i = close;
        } else {
            literal += c;
        }
    }
    if (!literal.empty() || t.parts_.empty()) t.parts_.push_back({false, std::move(literal)});
    return t;
}

std::string text_template::render(const vars& values) const {
    static const vars none;
    return render(values, none);
}

std::string text_template::render(const vars& values, const vars& extra) const {
    std::string out;
    for (const auto& p : parts_) {
        if (!p.is_var) {
            out += p.value;
        } else if (auto e = extra.find(p.value); e != extra.end()) {
            out += e->second;
        } else if (auto v = values.find(p.value); v != values.end()) {
            out += v->second;
        }
    }
    return out;
}

void text_template::bind(const vars& constants) {
    if (constants.empty() || names_.empty()) return;
    std::vector<part> parts;
    for (auto& p : parts_) {
        const auto c = p.is_var ? constants.find(p.value) : constants.end();
        part q = c == constants.end() ? std::move(p) : part{false, c->second};
        // Adjacent literals merge, so a bound text renders as one piece.
        if (!q.is_var && !parts.empty() && !parts.back().is_var)
            parts.back().value += q.value;
        else
            parts.push_back(std::move(q));
    }
    parts_ = std::move(parts);
    std::erase_if(names_, [&](const std::string& n) { return constants.contains(n); });
}

bool text_template::is_single(std::string_view name) const {
    return parts_.size() == 1 && parts_[0].is_var && parts_[0].value == name;
}

}  // namespace ussdgw::menu
