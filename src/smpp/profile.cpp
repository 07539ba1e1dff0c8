#include "ussdgw/smpp/profile.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace ussdgw::smpp {
namespace {

// The built-in profiles. They are parsed by the same reader as the operator's
// [profile NAME] sections, so what an operator can write and what ships are
// one format; docs/smsc-profiles.md explains each key.
constexpr std::string_view builtin_text = R"(
[profile default]
dialog_key = its_session_info
sequence = auto
begin_ops = 0 1
answer_ops = 18 19
release_ops = 32-255
begin_while_open = restart
screen_op = 2
final_op = 17
final_end_bit = no
service_type = USSD
ussd_gsm7_coding = 0x0F
ussd_ucs2_coding = 0x08
ussd_payload = no
sms_gsm7_coding = 0x00
sms_ucs2_coding = 0x08
sms_concat = udh
sms_resend_key = none

[profile umr]
based_on = default
dialog_key = user_message_reference
final_op = 2
final_end_bit = yes

[profile msisdn]
based_on = default
dialog_key = msisdn
)";

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

// "18", "0x81", "0X0F": one octet.
std::optional<std::uint8_t> parse_octet(std::string_view v) {
    int base = 10;
    if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        v.remove_prefix(2);
        base = 16;
    }
    unsigned n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
    if (ec != std::errc{} || p != v.data() + v.size() || v.empty() || n > 255) return std::nullopt;
    return static_cast<std::uint8_t>(n);
}

// "0 1", "32-255", "18, 0x81": a set of octets; an error message when malformed.
std::string parse_op_list(const std::string& value, std::vector<std::uint8_t>& out) {
    std::string text = value;
    for (auto& c : text)
        if (c == ',') c = ' ';
    std::istringstream words(text);
    std::string w;
    while (words >> w) {
        auto dash = w.find('-', 1);
        auto lo = parse_octet(std::string_view(w).substr(0, dash));
        auto hi =
            dash == std::string::npos ? lo : parse_octet(std::string_view(w).substr(dash + 1));
        if (!lo || !hi || *hi < *lo)
            return fmt::format(
                "'{}' is not an op value or range from 0 to 255 (e.g. 18, 0x81, 32-255)", w);
        for (unsigned op = *lo; op <= *hi; ++op) out.push_back(static_cast<std::uint8_t>(op));
    }
    return {};
}

std::string yes_no(const std::string& v, bool& out) {
    if (v == "yes" || v == "true" || v == "on") {
        out = true;
    } else if (v == "no" || v == "false" || v == "off") {
        out = false;
    } else {
        return fmt::format("expected yes or no, got '{}'", v);
    }
    return {};
}

std::string octet(const std::string& v, std::uint8_t& out) {
    auto n = parse_octet(v);
    if (!n) return fmt::format("expected a value from 0 to 255 (decimal or 0x..), got '{}'", v);
    out = *n;
    return {};
}

const char* role_key(op_role r) {
    switch (r) {
        case op_role::begin:
            return "begin_ops";
        case op_role::answer:
            return "answer_ops";
        case op_role::release:
            return "release_ops";
        default:
            return "?";
    }
}

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 32) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

}  // namespace

std::array<op_role, 256> smsc_profile::default_mo_ops() {
    std::array<op_role, 256> ops{};
    ops[0] = ops[1] = op_role::begin;
    ops[18] = ops[19] = op_role::answer;
    for (std::size_t op = 32; op < 256; ++op) ops[op] = op_role::release;
    return ops;
}

const char* to_string(dialog_key k) {
    switch (k) {
        case dialog_key::its_session_info:
            return "its_session_info";
        case dialog_key::user_message_reference:
            return "user_message_reference";
        case dialog_key::msisdn:
            return "msisdn";
    }
    return "?";
}

const char* to_string(sequence_style s) {
    switch (s) {
        case sequence_style::moves:
            return "moves";
        case sequence_style::fixed:
            return "fixed";
        case sequence_style::absent:
            return "absent";
        case sequence_style::learn:
            return "auto";
    }
    return "?";
}

std::optional<smsc_profile> profile_by_name(const std::string& name) {
    static const profile_reader builtins;
    auto it = builtins.profiles().find(name);
    if (it == builtins.profiles().end()) return std::nullopt;
    return it->second;
}

std::string_view builtin_profiles_text() {
    return builtin_text;
}

profile_reader::profile_reader() {
    std::istringstream in{std::string(builtin_text)};
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        std::string s = trim(line);
        std::string err;
        if (s.empty() || s[0] == '#') continue;
        if (s.front() == '[') {
            err = begin(trim(std::string_view(s).substr(9, s.size() - 10)), 0);
        } else {
            auto eq = s.find('=');
            err = key(trim(s.substr(0, eq)), trim(s.substr(eq + 1)), n);
        }
        if (!err.empty())
            throw std::logic_error(fmt::format("built-in SMSC profiles, line {}: {}", n, err));
    }
    current_ = nullptr;
}

std::string profile_reader::begin(const std::string& name, int line) {
    current_ = nullptr;
    if (!valid_name(name))
        return fmt::format("profile name '{}' must be 1 to 32 letters, digits, '_' or '-'", name);
    if (auto it = defined_at_.find(name); it != defined_at_.end()) {
        return it->second == 0
                   ? fmt::format(
                         "profile '{}' is built in; give yours another name "
                         "and start it with 'based_on = {}'",
                         name, name)
                   : fmt::format("profile '{}' already defined on line {}", name, it->second);
    }
    defined_at_[name] = line;
    current_ = &profiles_[name];
    *current_ = smsc_profile{};
    current_->name = name;
    current_name_ = name;
    any_key_ = false;
    op_line_.fill(0);
    return {};
}

std::string profile_reader::key(const std::string& k, const std::string& v, int line) {
    if (!current_) return "key outside a valid [profile NAME] section";
    smsc_profile& p = *current_;
    const bool first = !any_key_;
    any_key_ = true;
    if (k == "based_on") {
        if (!first) return "based_on must be the first key of its section";
        auto it = profiles_.find(v);
        if (it == profiles_.end() || it->first == current_name_)
            return fmt::format("based_on: no profile '{}' defined before this one", v);
        p = it->second;
        p.name = current_name_;
        return {};
    }
    if (k == "dialog_key") {
        if (v == "its_session_info")
            p.key = dialog_key::its_session_info;
        else if (v == "user_message_reference")
            p.key = dialog_key::user_message_reference;
        else if (v == "msisdn")
            p.key = dialog_key::msisdn;
        else
            return fmt::format(
                "expected its_session_info, user_message_reference or msisdn, got '{}'", v);
        return {};
    }
    if (k == "sequence") {
        if (v == "moves")
            p.sequence = sequence_style::moves;
        else if (v == "fixed")
            p.sequence = sequence_style::fixed;
        else if (v == "absent")
            p.sequence = sequence_style::absent;
        else if (v == "auto")
            p.sequence = sequence_style::learn;
        else
            return fmt::format("expected moves, fixed, absent or auto, got '{}'", v);
        return {};
    }
    if (k == "begin_ops" || k == "answer_ops" || k == "release_ops") {
        const op_role role = k == "begin_ops"    ? op_role::begin
                             : k == "answer_ops" ? op_role::answer
                                                 : op_role::release;
        std::vector<std::uint8_t> ops;
        if (auto err = parse_op_list(v, ops); !err.empty()) return err;
        // Two rules for one op would make its meaning depend on key order.
        for (auto op : ops)
            if (op_line_[op] != 0 && p.mo_ops[op] != role)
                return fmt::format("op {} is already in {} (line {})", op, role_key(p.mo_ops[op]),
                                   op_line_[op]);
        // The key replaces that role's set (inherited or built in).
        for (std::size_t op = 0; op < 256; ++op)
            if (p.mo_ops[op] == role) p.mo_ops[op] = op_role::unknown;
        for (auto op : ops) {
            p.mo_ops[op] = role;
            op_line_[op] = line;
        }
        return {};
    }
    if (k == "begin_while_open") {
        if (v == "restart")
            p.open_begin = begin_while_open::restart;
        else if (v == "answer")
            p.open_begin = begin_while_open::answer;
        else
            return fmt::format("expected restart or answer, got '{}'", v);
        return {};
    }
    if (k == "screen_op") return octet(v, p.screen_op);
    if (k == "final_op") return octet(v, p.final_op);
    if (k == "final_end_bit") return yes_no(v, p.final_end_bit);
    if (k == "service_type") {
        if (v.size() > 5) return "at most 5 characters (SMPP 3.4 service_type)";
        p.ussd_service_type = v;
        return {};
    }
    if (k == "ussd_gsm7_coding") return octet(v, p.ussd_gsm7_coding);
    if (k == "ussd_ucs2_coding") return octet(v, p.ussd_ucs2_coding);
    if (k == "ussd_payload") return yes_no(v, p.ussd_in_payload);
    if (k == "sms_gsm7_coding") return octet(v, p.sms_gsm7_coding);
    if (k == "sms_ucs2_coding") return octet(v, p.sms_ucs2_coding);
    if (k == "sms_concat") {
        if (v != "udh" && v != "sar") return fmt::format("expected udh or sar, got '{}'", v);
        p.sar_concat = v == "sar";
        return {};
    }
    if (k == "sms_resend_key") {
        if (v != "none" && v != "user_message_reference")
            return fmt::format("expected none or user_message_reference, got '{}'", v);
        p.sms_resend_by_umr = v == "user_message_reference";
        return {};
    }
    return fmt::format("unknown key '{}' in [profile {}]", k, current_name_);
}

}  // namespace ussdgw::smpp
