#include "ussdgw/sms/router.hpp"

#include <algorithm>

#include "ussdgw/util/translit.hpp"

namespace ussdgw::sms {
namespace {

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

std::string_view first_word(std::string_view s) {
    s = trim(s);
    std::size_t i = 0;
    while (i < s.size() && !blank(s[i])) ++i;
    return s.substr(0, i);
}

std::string finish(std::string text, bool latin) {
    return latin ? util::transliterate(text) : text;
}

}  // namespace

const char* to_string(sms_ui s) {
    switch (s) {
        case sms_ui::help:
            return "help";
        case sms_ui::unknown_number:
            return "unknown_number";
        case sms_ui::refused:
            return "refused";
        case sms_ui::failed:
            return "failed";
        case sms_ui::repeated:
            return "repeated";
        case sms_ui::count_:
            break;
    }
    return "?";
}

const char* to_string(routed_kind k) {
    switch (k) {
        case routed_kind::command:
            return "command";
        case routed_kind::reply:
            return "reply";
        case routed_kind::help:
            return "help";
        case routed_kind::unknown_number:
            return "unknown_number";
    }
    return "?";
}

routed router::route(const domain::sms_in& in, const menu::profile& who) const {
    routed r;
    r.subscriber = in.from;
    r.from = in.to;
    r.latin = who.latin;
    for (std::size_t i = 0; i < languages.size(); ++i)
        if (languages[i] == who.language) r.language = i;
    const auto& text_of = [&](sms_ui s) -> const menu::text_template& {
        return strings[static_cast<std::size_t>(s)][r.language];
    };

    auto it = by_number.find(in.to);
    if (it == by_number.end()) {
        r.reply = domain::sms_out{in.to, in.from,
                                  finish(text_of(sms_ui::unknown_number).render({}), r.latin)};
        return r;
    }
    r.number = it->second;
    const number_commands& nc = numbers[r.number];
    for (std::size_t k = 0; k < nc.commands.size(); ++k) {
        const command& c = nc.commands[k];
        auto m = c.match.match(in.text);
        if (!m) continue;
        r.command = k;
        r.values = std::move(m->values);
        if (!c.from.empty()) r.from = c.from;
        r.secret_reply = c.secret_reply;
        if (c.action.empty()) {
            r.kind = routed_kind::reply;
            r.reply = domain::sms_out{r.from, in.from,
                                      finish(c.ok[r.language].render(r.values), r.latin)};
            return r;
        }
        menu::action_call call{c.action, {}};
        for (const auto& a : c.args) call.args[a.name] = a.value.render(r.values);
        r.call = std::move(call);
        r.kind = routed_kind::command;
        return r;
    }
    // Nothing matched: list what this number understands.
    r.kind = routed_kind::help;
    std::string help = text_of(sms_ui::help).render({{"number", nc.number}});
    for (const auto& c : nc.commands)
        if (!c.help.empty()) help += "\n" + c.help[r.language].render({});
    r.reply = domain::sms_out{in.to, in.from, finish(std::move(help), r.latin)};
    return r;
}

std::optional<domain::sms_out> router::reply(const routed& r, const actions::outcome& out) const {
    const command& c = numbers.at(r.number).commands.at(r.command);
    std::size_t lang = r.language;
    for (std::size_t i = 0; i < languages.size(); ++i)
        if (!out.language.empty() && languages[i] == out.language) lang = i;
    const menu::localized* texts = &c.ok;
    if (!out.ok)
        texts =
            c.refused.empty() ? &strings[static_cast<std::size_t>(sms_ui::refused)] : &c.refused;
    const auto& say = [&](sms_ui s) {
        return strings[static_cast<std::size_t>(s)][lang].render({});
    };
    if (out.replayed) {
        // The same message came again (a proven SMSC resend): nothing was done
        // twice. Say so, with the earlier answer where it holds no secret.
        std::string text = say(sms_ui::repeated);
        if (!texts->empty()) {
            std::string earlier = (*texts)[lang].render(r.values, out.vars);
            if (!trim(earlier).empty()) text += "\n" + earlier;
        }
        return domain::sms_out{r.from, r.subscriber, finish(std::move(text), r.latin)};
    }
    if (texts->empty()) return std::nullopt;
    std::string text = (*texts)[lang].render(r.values, out.vars);
    auto reason = out.vars.find("reason");
    const auto& uses = (*texts)[lang].placeholders();
    const bool needs_reason = std::find(uses.begin(), uses.end(), "reason") != uses.end();
    if (trim(text).empty() ||
        (!out.ok && needs_reason && (reason == out.vars.end() || trim(reason->second).empty())))
        text = say(sms_ui::failed);
    return domain::sms_out{r.from, r.subscriber, finish(std::move(text), r.latin)};
}

std::string router::redact(const domain::sms_in& in) const {
    // A text a command (other than a catch-all) matched: its secret captures
    // become "***", the rest is what the subscriber typed.
    if (auto it = by_number.find(in.to); it != by_number.end()) {
        for (const auto& c : numbers[it->second].commands) {
            auto m = c.match.match(in.text);
            if (!m) continue;
            if (c.match.shape() == "*") break;
            // Replace secret spans from the back so earlier offsets stay valid.
            std::string out = in.text;
            for (auto s = m->spans.rbegin(); s != m->spans.rend(); ++s)
                if (c.secret.contains(s->name)) out.replace(s->begin, s->end - s->begin, "***");
            return out;
        }
    }
    // Anything else may hold a secret: a near miss ("25" and a password in the
    // wrong layout), the right command sent to the wrong number. Keep a keyword
    // of a command with secrets, else only the length.
    const auto word = first_word(in.text);
    for (const auto& nc : numbers)
        for (const auto& c : nc.commands)
            if (!c.secret.empty() && c.match.starts_with_keyword(word))
                return std::string(word) + " ***";
    std::size_t chars = 0;
    for (char ch : in.text) chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    return "(" + std::to_string(chars) + " characters)";
}

}  // namespace ussdgw::sms
