#include "scenario.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ussdgw/util/charset.hpp"

namespace ussdgw::load {
namespace {

// Built-ins in the file format. The texts follow menus/ (en): *111# then 1
// is the balance, a screen that stays open ("0 Back 00 Main menu"), so the
// flow ends with a release; *152# lists services and ends the dialog; 0 to
// 8111 answers by SMS from 8111; *111*4*4*NUMBER*10*1# walks Payments,
// Transfer money, the number, 10 RUB and "1 Yes": one confirmed transfer.
struct builtin {
    std::string_view name;
    std::string_view text;
};
constexpr std::array<builtin, 4> builtin_flows{{
    {"menu-balance", "ussd *111#\nanswer 1\n"},
    {"direct-read", "ussd *152#\n"},
    {"sms", "sms 8111 0\n"},
    {"transfer", "ussd *111*4*4*{next}*10*1#\n"},
}};
// mixed: 70% menu-balance, 10% direct-read, 15% sms, 5% transfer (cumulative, per mill).
constexpr std::array<unsigned, 4> mixed_per_mill{700, 800, 950, 1000};
constexpr std::array<std::string_view, 5> names{"menu-balance", "direct-read", "sms", "transfer",
                                                "mixed"};

constexpr std::string_view placeholder = "{next}";
constexpr std::size_t max_short_message = 254;  // SMPP 3.4 sm_length
constexpr std::size_t max_address = 20;         // destination_addr, NUL excluded

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Splits off the first word; `rest` is what follows, trimmed.
std::string_view first_word(std::string_view s, std::string_view& rest) {
    auto end = s.find_first_of(" \t");
    if (end == std::string_view::npos) {
        rest = {};
        return s;
    }
    rest = trim(s.substr(end));
    return s.substr(0, end);
}

bool is_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// The service code a USSD string is addressed to, as the simulator takes it:
// "*111*25#" -> "111", "**04*1#" -> "04"; empty when no digits follow the stars.
std::string service_code(std::string_view ussd) {
    std::size_t i = 0;
    while (i < ussd.size() && (ussd[i] == '*' || ussd[i] == '#')) ++i;
    std::size_t start = i;
    while (i < ussd.size() && ussd[i] >= '0' && ussd[i] <= '9') ++i;
    return std::string(ussd.substr(start, i - start));
}

// Encodes `text` with its placeholders; a problem in words when it cannot be sent.
util::result<text_template, std::string> make_text(std::string_view text,
                                                   std::uint8_t gsm7_coding) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;  // where the current literal begins
    for (std::size_t pos = text.find('{'); pos != std::string_view::npos;
         pos = text.find('{', pos)) {
        if (text.substr(pos, placeholder.size()) == placeholder) {
            parts.push_back(text.substr(start, pos - start));
            pos += placeholder.size();
            start = pos;
            continue;
        }
        // "{nxt}" is a typo, not text a subscriber would type; other braces are text.
        auto close = text.find('}', pos);
        if (close != std::string_view::npos) {
            auto word = text.substr(pos + 1, close - pos - 1);
            if (!word.empty() &&
                word.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos) {
                return util::fail(fmt::format("unknown placeholder {{{}}}: only {{next}}", word));
            }
        }
        ++pos;
    }
    parts.push_back(text.substr(start));

    text_template t;
    t.written = std::string(text);
    t.data_coding = gsm7_coding;
    std::vector<std::string> gsm;
    for (auto p : parts) {
        auto g = util::utf8_to_gsm7(p);
        if (!g) {
            t.ucs2 = true;
            break;
        }
        gsm.push_back(std::move(*g));
    }
    if (t.ucs2) {
        t.data_coding = 0x08;
        for (auto p : parts) t.literals.push_back(util::utf8_to_ucs2(p));
    } else {
        t.literals = std::move(gsm);
    }
    std::size_t octets = (t.literals.size() - 1) * max_msisdn_digits * (t.ucs2 ? 2 : 1);
    for (const auto& l : t.literals) octets += l.size();
    if (octets > max_short_message) {
        return util::fail(
            fmt::format("text too long: up to {} octets with {{next}} expanded, "
                        "short_message holds {}",
                        octets, max_short_message));
    }
    return t;
}

util::result<step, std::string> parse_step(std::string_view line, bool dialog_before) {
    std::string_view rest;
    auto keyword = first_word(line, rest);
    step s;
    if (keyword == "ussd") {
        if (rest.empty()) return util::fail(std::string("ussd needs a TEXT such as *111#"));
        s.kind = step_kind::ussd;
        auto code_text = rest.substr(0, rest.find('{'));
        s.address = service_code(code_text);
        if (s.address.empty() || (rest.front() != '*' && rest.front() != '#')) {
            return util::fail(fmt::format("'{}' is not a USSD string like *111#", rest));
        }
        auto t = make_text(rest, 0x0F);
        if (!t) return util::fail(t.error());
        s.text = std::move(t.value());
        return s;
    }
    if (keyword == "answer") {
        if (rest.empty()) return util::fail(std::string("answer needs a TEXT such as 1"));
        if (!dialog_before) {
            return util::fail(
                std::string("answer with no ussd line before it: there is no dialog to answer"));
        }
        s.kind = step_kind::answer;
        auto t = make_text(rest, 0x0F);
        if (!t) return util::fail(t.error());
        s.text = std::move(t.value());
        return s;
    }
    if (keyword == "sms") {
        std::string_view text;
        auto to = first_word(rest, text);
        if (!is_digits(to) || to.size() > max_address) {
            return util::fail(
                fmt::format("sms needs TO, a number of 1 to {} digits, got '{}'", max_address, to));
        }
        if (text.empty()) return util::fail(std::string("sms needs a TEXT after TO"));
        s.kind = step_kind::sms;
        s.address = std::string(to);
        auto t = make_text(text, 0x00);
        if (!t) return util::fail(t.error());
        s.text = std::move(t.value());
        return s;
    }
    return util::fail(
        fmt::format("unknown step '{}': expected ussd TEXT, answer TEXT or sms TO "
                    "TEXT",
                    keyword));
}

}  // namespace

void text_template::render(std::string& out, std::string_view next_msisdn) const {
    out.clear();
    for (std::size_t i = 0; i < literals.size(); ++i) {
        if (i != 0) {
            // Digits are the same octets in GSM 7-bit as in ASCII; UCS-2 adds a zero octet.
            for (char c : next_msisdn) {
                if (ucs2) out.push_back('\0');
                out.push_back(c);
            }
        }
        out.append(literals[i]);
    }
}

bool scenario::uses_next() const {
    for (const auto& f : flows)
        for (const auto& s : f.steps)
            if (s.text.uses_next()) return true;
    return false;
}

util::result<flow, scenario_problem> parse_flow(std::string_view text, const std::string& name,
                                                const std::string& file) {
    flow f;
    f.name = name;
    bool dialog_before = false;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        auto eol = text.find('\n');
        auto line = trim(text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (line.empty() || line.front() == '#') continue;
        auto s = parse_step(line, dialog_before);
        if (!s) return util::fail(scenario_problem{fmt::format("{}:{}", file, number), s.error()});
        dialog_before = dialog_before || s->kind == step_kind::ussd;
        f.steps.push_back(std::move(s.value()));
    }
    if (f.steps.empty()) {
        return util::fail(scenario_problem{fmt::format("{}:0", file), "no steps in the file"});
    }
    return f;
}

std::span<const std::string_view> builtin_names() {
    return names;
}

util::result<scenario, scenario_problem> load_scenario(const std::string& name_or_file) {
    scenario sc;
    sc.name = name_or_file;
    auto add = [&](const builtin& b) -> std::optional<scenario_problem> {
        auto f = parse_flow(b.text, std::string(b.name), fmt::format("<{}>", b.name));
        if (!f) return f.error();
        sc.flows.push_back(std::move(f.value()));
        return std::nullopt;
    };
    if (name_or_file == "mixed") {
        for (const auto& b : builtin_flows)
            if (auto p = add(b)) return util::fail(*p);
        sc.per_mill.assign(mixed_per_mill.begin(), mixed_per_mill.end());
        return sc;
    }
    for (const auto& b : builtin_flows) {
        if (b.name != name_or_file) continue;
        if (auto p = add(b)) return util::fail(*p);
        sc.per_mill = {1000};
        return sc;
    }
    std::ifstream in(name_or_file, std::ios::binary);
    if (!in) {
        return util::fail(scenario_problem{
            fmt::format("{}:0", name_or_file),
            fmt::format("not a built-in scenario (menu-balance, direct-read, sms, transfer, "
                        "mixed) and not a readable file: {}",
                        std::strerror(errno))});
    }
    std::ostringstream text;
    text << in.rdbuf();
    // The bench line names a file by its last path component.
    auto slash = name_or_file.rfind('/');
    sc.name = slash == std::string::npos ? name_or_file : name_or_file.substr(slash + 1);
    auto f = parse_flow(text.str(), sc.name, name_or_file);
    if (!f) return util::fail(f.error());
    sc.flows.push_back(std::move(f.value()));
    sc.per_mill = {1000};
    return sc;
}

}  // namespace ussdgw::load
