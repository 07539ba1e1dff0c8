// libFuzzer target for the SMS command matcher (sms/pattern, sms/router): how
// a subscriber's text is matched against the shipped menus/sms.yaml (loaded
// once) or against a pattern the input itself declares.
//
// Input: octet 0 picks the mode (even: the shipped router, odd: a pattern of
// the input's own). Router mode: octet 1 picks the short number (one past
// the list: a number without commands), octet 2 the subscriber's language
// and alphabet, the rest is the SMS text. Pattern mode: the rest up to the
// first '\n' is the pattern, after it the text.
//
// Invariants, beyond "never throws":
//  - router: the kind and what is set agree (a command calls an action that
//    exists with arguments it takes; the others reply); the reply goes back
//    to the sender; every capture is the text at its span; reply() after an
//    outcome answers the sender; redact() does not depend on what it hides
//    (a command's secret captures; for a text no command took, all but its
//    first word);
//  - pattern: a match binds exactly the pattern's captures, each a non-empty
//    run of the text at its span, spans in order inside the text; blanks
//    around the text change nothing; a pattern of the same shape (the
//    alternatives reversed and in capitals) matches the same texts alike;
//    fold_case is idempotent.
//
// Run: scripts/fuzz fuzz_sms_command 300

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/sms/loader.hpp"
#include "ussdgw/sms/pattern.hpp"
#include "ussdgw/sms/router.hpp"

#include "utf8_check.hpp"

using namespace ussdgw;

namespace {

std::string_view current_input;

[[noreturn]] void violated(const std::string& what) {
    std::fprintf(stderr, "sms command invariant violated: %s\ninput (%zu bytes): ", what.c_str(),
                 current_input.size());
    for (unsigned char c : current_input) std::fprintf(stderr, "\\x%02x", c);
    std::fprintf(stderr, "\n");
    std::abort();
}

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

using ussdgw::fuzz::valid_utf8;

// Changes every ASCII letter and digit of text[begin, end) to another one.
void scrub(std::string& text, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
        char& c = text[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            c = c == 'x' ? 'y' : 'x';
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

const actions::registry& registry() {
    return actions::builtin_registry();
}

std::shared_ptr<const sms::router> shipped;

void load_shipped() {
    static const auto constants = actions::rule_constants(actions::rules{});
    auto r = sms::load_file(USSDGW_SOURCE_DIR "/menus/sms.yaml", registry(), &constants);
    if (!r) {
        for (const auto& p : r.error()) std::fprintf(stderr, "%s\n", p.to_string().c_str());
        std::fprintf(stderr, "fuzz_sms_command: the shipped menus/sms.yaml does not load\n");
        std::exit(1);
    }
    shipped = *r;
}

// The match's captures against the pattern's own promises.
void check_match(const sms::pattern& p, const sms::pattern_match& m, std::string_view text) {
    const auto names = p.captures();
    if (m.values.size() != names.size() || m.spans.size() != names.size())
        violated("a match does not bind exactly the pattern's captures");
    std::size_t after = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const sms::capture_span& s = m.spans[i];
        if (s.name != names[i]) violated("spans are not in the order of the captures");
        if (s.begin < after || s.begin >= s.end || s.end > text.size())
            violated("a span is empty, out of order or past the text");
        after = s.end;
        const auto v = m.values.find(s.name);
        if (v == m.values.end()) violated("a span has no value");
        if (v->second != text.substr(s.begin, s.end - s.begin))
            violated("a capture is not the text at its span");
        if (v->second.empty() || blank(v->second.front()) || blank(v->second.back()))
            violated("a capture is empty or starts or ends with a blank");
    }
}

// The same pattern written another way with the same shape: each keyword's
// alternatives reversed and ASCII letters in capitals.
std::string same_shape(std::string_view source) {
    std::string out;
    std::size_t i = 0;
    while (i < source.size()) {
        if (blank(source[i])) {
            out += source[i++];
            continue;
        }
        std::size_t end = i;
        while (end < source.size() && !blank(source[end])) ++end;
        std::string_view word = source.substr(i, end - i);
        i = end;
        if (word.front() == '{' || word == "*") {
            out += word;
            continue;
        }
        std::vector<std::string> alts;
        std::size_t start = 0;
        while (true) {
            const auto bar = word.find('|', start);
            alts.emplace_back(
                word.substr(start, bar == std::string_view::npos ? bar : bar - start));
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
        std::reverse(alts.begin(), alts.end());
        for (std::size_t k = 0; k < alts.size(); ++k) {
            if (k) out += '|';
            for (char c : alts[k]) out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
        }
    }
    return out;
}

void pattern_mode(std::string_view rest) {
    const auto nl = rest.find('\n');
    const std::string_view source = rest.substr(0, nl);
    const std::string_view text = nl == std::string_view::npos ? "" : rest.substr(nl + 1);

    const std::string folded = sms::fold_case(text);
    if (sms::fold_case(folded) != folded) violated("fold_case is not idempotent");

    auto p = sms::pattern::compile(source);
    if (!p) {
        if (p.error().empty()) violated("a refused pattern without a message");
        return;
    }
    const auto m = p->match(text);
    if (m) check_match(*p, *m, text);

    const std::string padded = " " + std::string(text) + "\t";
    const auto pm = p->match(padded);
    if (pm.has_value() != m.has_value()) violated("blanks around the text change the match");
    if (m && pm->values != m->values) violated("blanks around the text change the captures");

    auto q = sms::pattern::compile(same_shape(source));
    if (q && q->shape() == p->shape()) {
        const auto qm = q->match(text);
        if (qm.has_value() != m.has_value())
            violated("two patterns of the same shape disagree on a text");
        if (m && p->captures() == q->captures() && qm->values != m->values)
            violated("two patterns of the same shape capture differently");
    }
}

void router_mode(std::string_view rest) {
    if (rest.size() < 2) return;
    const sms::router& r = *shipped;
    const std::size_t pick = static_cast<unsigned char>(rest[0]) % (r.numbers.size() + 1);
    const auto who_octet = static_cast<unsigned char>(rest[1]);
    domain::sms_in in;
    in.from = "79160000001";
    in.to = pick < r.numbers.size() ? r.numbers[pick].number : "999";
    in.text = std::string(rest.substr(2));
    menu::profile who;
    who.language = (who_octet & 3) == 0 ? "en" : (who_octet & 3) == 1 ? "ru" : "de";
    who.latin = (who_octet & 4) != 0;

    const sms::routed out = r.route(in, who);
    if (out.subscriber != in.from) violated("the reply would not go to the sender");
    const bool known = pick < r.numbers.size();
    switch (out.kind) {
        case sms::routed_kind::command:
            if (!out.call || out.reply) violated("a command without a call, or with a reply");
            break;
        case sms::routed_kind::reply:
        case sms::routed_kind::help:
            if (out.call || !out.reply) violated("a reply without its text, or with a call");
            if (!known) violated("a number without commands matched a command");
            break;
        case sms::routed_kind::unknown_number:
            if (out.call || !out.reply) violated("unknown number without a reply");
            if (known) violated("a number with commands answered as unknown");
            break;
    }
    if (out.reply) {
        if (out.reply->to != in.from) violated("the reply goes to someone else");
        if (trim(out.reply->text).empty()) violated("an empty reply");
        if (valid_utf8(in.text) && !valid_utf8(out.reply->text))
            violated("a reply to UTF-8 text is not UTF-8");
    }

    const sms::command* matched = nullptr;
    if (out.kind == sms::routed_kind::command || out.kind == sms::routed_kind::reply) {
        matched = &r.numbers.at(out.number).commands.at(out.command);
        const auto m = matched->match.match(in.text);
        if (!m) violated("the command routed to does not match the text");
        check_match(matched->match, *m, in.text);
        if (m->values != out.values) violated("routed captures differ from the command's match");
    }
    if (out.call) {
        const actions::info* info = registry().find(out.call->name);
        if (!info) violated("a command calls an action that does not exist");
        for (const auto& [name, value] : out.call->args) {
            const bool takes =
                std::find(info->params.begin(), info->params.end(), name) != info->params.end() ||
                std::find(info->optional_params.begin(), info->optional_params.end(), name) !=
                    info->optional_params.end();
            if (!takes) violated("a call passes an argument the action does not take");
        }
        actions::outcome ok;
        ok.vars["message"] = "Done.";
        actions::outcome refused;
        refused.ok = false;
        refused.error = "refused";
        refused.vars["reason"] = "Not now.";
        actions::outcome replayed = ok;
        replayed.replayed = true;
        for (const auto* o : {&ok, &refused, &replayed})
            if (auto sms = r.reply(out, *o); sms && sms->to != in.from)
                violated("the reply after the action goes to someone else");
    }

    // redact() does not depend on what it hides: the same text with the
    // hidden part changed (its ASCII letters and digits, so that the words
    // and the character count stay) is redacted alike, as long as it is
    // routed alike.
    const std::string redacted = r.redact(in);
    domain::sms_in other = in;
    if (matched && matched->match.shape() != "*") {
        // A command's secret captures.
        const auto m = matched->match.match(in.text);
        for (const auto& s : m->spans)
            if (matched->secret.contains(s.name)) scrub(other.text, s.begin, s.end);
    } else {
        // A text no command took: everything after its first word.
        std::size_t w = 0;
        while (w < in.text.size() && blank(in.text[w])) ++w;
        while (w < in.text.size() && !blank(in.text[w])) ++w;
        scrub(other.text, w, other.text.size());
    }
    const sms::routed again = r.route(other, who);
    if (again.kind == out.kind && again.number == out.number && again.command == out.command &&
        r.redact(other) != redacted)
        violated("redact() shows what it should hide: " + redacted);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    load_shipped();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    current_input = std::string_view(reinterpret_cast<const char*>(data), size);
    const std::string_view rest = current_input.substr(1);
    try {
        if (data[0] & 1)
            pattern_mode(rest);
        else
            router_mode(rest);
    } catch (const std::exception& e) {
        violated(std::string("threw: ") + e.what());
    }
    return 0;
}
