#include "ussdgw/sms/pattern.hpp"

#include <algorithm>

#include "ussdgw/util/charset.hpp"

namespace ussdgw::sms {
namespace {

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct word {
    std::size_t begin, end;
};

std::vector<word> split(std::string_view text) {
    std::vector<word> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && blank(text[i])) ++i;
        const std::size_t b = i;
        while (i < text.size() && !blank(text[i])) ++i;
        if (i > b) out.push_back({b, i});
    }
    return out;
}

bool name_ok(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace

std::string fold_case(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        char32_t cp = util::utf8_next(utf8, pos);
        if (cp >= 'A' && cp <= 'Z')
            cp += 0x20;
        else if (cp >= 0x0410 && cp <= 0x042F)
            cp += 0x20;  // А..Я
        else if (cp == 0x0401)
            cp = 0x0451;  // Ё
        util::utf8_append(out, cp);
    }
    return out;
}

util::result<pattern, std::string> pattern::compile(std::string_view source) {
    pattern p;
    p.source_ = std::string(source);
    const auto words = split(source);
    if (words.empty()) return util::fail(std::string("empty pattern (use \"*\" for any text)"));
    if (words.size() == 1 && source.substr(words[0].begin, 1) == "*" &&
        words[0].end - words[0].begin == 1) {
        p.any_ = true;
        return p;
    }
    for (const auto& w : words) {
        const std::string text(source.substr(w.begin, w.end - w.begin));
        token t;
        if (text.front() == '{') {
            if (text.back() != '}' || !name_ok(text.substr(1, text.size() - 2)))
                return util::fail("bad capture '" + text + "' (use {name} with a-z, 0-9, _)");
            t.capture = true;
            t.name = text.substr(1, text.size() - 2);
            for (const auto& other : p.tokens_)
                if (other.capture && other.name == t.name)
                    return util::fail("capture {" + t.name + "} is used twice");
        } else {
            if (text.find_first_of("{}") != std::string::npos)
                return util::fail("a capture must be a whole word: '" + text + "'");
            std::size_t start = 0;
            while (start <= text.size()) {
                auto bar = text.find('|', start);
                if (bar == std::string::npos) bar = text.size();
                if (bar == start) return util::fail("empty alternative in '" + text + "'");
                t.words.push_back(fold_case(text.substr(start, bar - start)));
                start = bar + 1;
            }
        }
        p.tokens_.push_back(std::move(t));
    }
    return p;
}

std::optional<pattern_match> pattern::match(std::string_view text) const {
    pattern_match m;
    if (any_) return m;
    const auto words = split(text);
    if (words.size() < tokens_.size()) return std::nullopt;
    const bool rest = !tokens_.empty() && tokens_.back().capture;
    if (!rest && words.size() != tokens_.size()) return std::nullopt;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        const token& t = tokens_[i];
        const word& w = words[i];
        if (t.capture) {
            // The last capture takes everything from its word to the last word.
            const std::size_t end = i + 1 == tokens_.size() ? words.back().end : w.end;
            m.values[t.name] = std::string(text.substr(w.begin, end - w.begin));
            m.spans.push_back({t.name, w.begin, end});
            continue;
        }
        const std::string folded = fold_case(text.substr(w.begin, w.end - w.begin));
        if (std::find(t.words.begin(), t.words.end(), folded) == t.words.end()) return std::nullopt;
    }
    return m;
}

std::vector<std::string> pattern::captures() const {
    std::vector<std::string> out;
    for (const auto& t : tokens_)
        if (t.capture) out.push_back(t.name);
    return out;
}

bool pattern::starts_with_keyword(std::string_view w) const {
    if (any_ || tokens_.empty() || tokens_[0].capture) return false;
    const auto folded = fold_case(w);
    return std::find(tokens_[0].words.begin(), tokens_[0].words.end(), folded) !=
           tokens_[0].words.end();
}

std::string pattern::shape() const {
    if (any_) return "*";
    std::string out;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        if (i) out += ' ';
        if (tokens_[i].capture) {
            out += i + 1 == tokens_.size() ? "{...}" : "{}";
            continue;
        }
        auto words = tokens_[i].words;
        std::sort(words.begin(), words.end());
        for (std::size_t k = 0; k < words.size(); ++k) out += (k ? "|" : "") + words[k];
    }
    return out;
}

}  // namespace ussdgw::sms
