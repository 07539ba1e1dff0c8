#include "ussdgw/app/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include "ussdgw/actions/money.hpp"
#include "ussdgw/app/listen_address.hpp"
#include "ussdgw/app/log_format.hpp"
#include "ussdgw/util/first_line.hpp"

namespace ussdgw::app {
namespace {

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

template <class T>
bool parse_number(const std::string& v, T& out) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc{} && p == v.data() + v.size();
}

// One key's parser: returns an error message, or empty when applied.
using setter = std::function<std::string(config&, const std::string&)>;

setter text(std::string config::*field) {
    return [field](config& c, const std::string& v) {
        c.*field = v;
        return std::string{};
    };
}

template <class F>
setter custom(F f) {
    return [f](config& c, const std::string& v) { return f(c, v); };
}

setter ms(std::chrono::milliseconds smpp::client_options::*field) {
    return [field](config& c, const std::string& v) {
        auto d = parse_duration(v);
        if (!d) return d.error();
        c.smsc.*field = *d;
        return std::string{};
    };
}

setter session_ms(std::chrono::milliseconds smpp::session_options::*field, bool allow_zero) {
    return [field, allow_zero](config& c, const std::string& v) {
        auto d = parse_duration(v);
        if (!d) return d.error();
        if (!allow_zero && d->count() == 0) return std::string("must be greater than 0");
        c.smsc.session.*field = *d;
        return std::string{};
    };
}

template <class T>
setter count(T* (*where)(config&), T min, T max) {
    return [where, min, max](config& c, const std::string& v) {
        T n{};
        if (!parse_number(v, n) || n < min || n > max)
            return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, v);
        *where(c) = n;
        return std::string{};
    };
}

template <class T>
setter rule_count(T actions::rules::*field, T min, T max) {
    return [field, min, max](config& c, const std::string& v) {
        T n{};
        if (!parse_number(v, n) || n < min || n > max)
            return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, v);
        c.rules.*field = n;
        return std::string{};
    };
}

setter rule_rub(store::kopecks actions::rules::*field) {
    return [field](config& c, const std::string& v) {
        bool negative = !v.empty() && v[0] == '-';
        auto k = actions::parse_rub(negative ? std::string_view(v).substr(1) : v);
        if (!k) return fmt::format("expected an amount in RUB like 300 or -30.50, got '{}'", v);
        c.rules.*field = negative ? -*k : *k;
        return std::string{};
    };
}

setter rule_seconds(std::int64_t actions::rules::*field) {
    return [field](config& c, const std::string& v) {
        auto d = parse_duration(v);
        if (!d) return d.error();
        c.rules.*field = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
        return std::string{};
    };
}

setter rule_text(std::string actions::rules::*field) {
    return [field](config& c, const std::string& v) {
        if (v.empty()) return std::string("must not be empty");
        c.rules.*field = v;
        return std::string{};
    };
}

// Every key the daemon understands, by "section.key". Unknown keys are refused
// by name (Kannel's habit), so a typo never silently falls back to a default.
const std::map<std::string, setter>& keys() {
    static const std::map<std::string, setter> table = {
        {"smsc.host", custom([](config& c, const std::string& v) {
             if (v.empty()) return std::string("must not be empty");
             c.smsc.host = v;
             return std::string{};
         })},
        {"smsc.port", count<std::uint16_t>([](config& c) { return &c.smsc.port; }, 1, 65535)},
        {"smsc.system_id", custom([](config& c, const std::string& v) {
             if (v.empty() || v.size() > 15) return std::string("must be 1 to 15 characters");
             c.smsc.system_id = v;
             return std::string{};
         })},
        {"smsc.password", custom([](config& c, const std::string& v) {
             if (v.size() > 8) return std::string("must be at most 8 characters (SMPP 3.4)");
             c.smsc.password = v;
             return std::string{};
         })},
        {"smsc.password_file", custom([](config& c, const std::string& v) {
             c.smsc.password_file = v;
             return std::string{};
         })},
        {"smsc.system_type", custom([](config& c, const std::string& v) {
             if (v.size() > 12) return std::string("must be at most 12 characters");
             c.smsc.system_type = v;
             return std::string{};
         })},
        {"smsc.profile", custom([](config& c, const std::string& v) {
             // Resolved once the whole file is read: [profile NAME] may come later.
             c.profile.name = v;
             return std::string{};
         })},
        {"smsc.window",
         count<std::size_t>([](config& c) { return &c.smsc.session.window; }, 1, 1000)},
        {"smsc.max_pdu",
         count<std::size_t>([](config& c) { return &c.smsc.session.max_pdu; }, 256, 1 << 20)},
        {"smsc.response_timeout", session_ms(&smpp::session_options::response_timeout, false)},
        {"smsc.enquire_link_interval",
         session_ms(&smpp::session_options::enquire_link_interval, true)},
        {"smsc.reconnect_min", ms(&smpp::client_options::backoff_min)},
        {"smsc.reconnect_max", ms(&smpp::client_options::backoff_max)},
        {"smsc.connect_timeout", ms(&smpp::client_options::connect_timeout)},
        {"smsc.submit_deadline", ms(&smpp::client_options::submit_deadline)},
        {"smsc.drain_timeout", ms(&smpp::client_options::drain_timeout)},
        {"store.path", text(&config::db_path)},
        {"store.key_file", text(&config::key_file)},
        {"store.hash_threads", custom([](config& c, const std::string& v) {
             std::size_t n = 0;
             if (v == "auto")
                 c.hash_threads = 0;
             else if (parse_number(v, n) && n >= 1 && n <= 64)
                 c.hash_threads = n;
             else
                 return fmt::format("expected auto or a whole number from 1 to 64, got '{}'", v);
             return std::string{};
         })},
        {"store.hash_queue",
         count<std::size_t>([](config& c) { return &c.hash_queue; }, 1, 100'000)},
        {"store.hash_queue_per_number",
         count<std::size_t>([](config& c) { return &c.hash_queue_per_number; }, 1, 100)},
        {"store.busy_timeout", custom([](config& c, const std::string& v) {
             auto d = parse_duration(v);
             if (!d) return d.error();
             if (*d < std::chrono::milliseconds(10) || *d > std::chrono::minutes(1))
                 return std::string("must be from 10ms to 1m");
             c.busy_timeout = *d;
             return std::string{};
         })},
        {"store.read_cache",
         count<std::size_t>([](config& c) { return &c.read_cache_rows; }, 0, 10'000'000)},
        {"menus.dir", text(&config::menus_dir)},
        {"log.level", custom([](config& c, const std::string& v) {
             static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
             for (auto* l : levels)
                 if (v == l) {
                     c.log_level = v;
                     return std::string{};
                 }
             return fmt::format("unknown level '{}' (trace, debug, info, warn, error, off)", v);
         })},
        {"log.format", custom([](config& c, const std::string& v) {
             if (!parse_log_format(v)) return fmt::format("unknown format '{}' (text or json)", v);
             c.log_format = v;
             return std::string{};
         })},
        {"ussd.dialog_timeout", custom([](config& c, const std::string& v) {
             auto d = parse_duration(v);
             if (!d) return d.error();
             if (*d < std::chrono::seconds(1)) return std::string("must be at least 1s");
             c.dialog_timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
             return std::string{};
         })},
        {"ussd.duplicate_window", custom([](config& c, const std::string& v) {
             auto d = parse_duration(v);
             if (!d) return d.error();
             // It guards money (a resent direct code must not pay twice): never off.
             if (*d < std::chrono::seconds(1)) return std::string("must be at least 1s");
             c.duplicate_window = std::chrono::duration_cast<std::chrono::seconds>(*d);
             return std::string{};
         })},
        {"rules.password_min_ussd",
         rule_count<std::size_t>(&actions::rules::password_min_ussd, 8, 64)},
        {"rules.password_max_ussd",
         rule_count<std::size_t>(&actions::rules::password_max_ussd, 8, 64)},
        {"rules.password_min_sms",
         rule_count<std::size_t>(&actions::rules::password_min_sms, 4, 64)},
        {"rules.password_max_sms",
         rule_count<std::size_t>(&actions::rules::password_max_sms, 4, 64)},
        {"rules.password_max_repeat",
         rule_count<std::size_t>(&actions::rules::password_max_repeat, 1, 64)},
        {"rules.issued_password_length",
         rule_count<std::size_t>(&actions::rules::issued_password_length, 8, 32)},
        {"rules.password_valid", rule_seconds(&actions::rules::password_valid_seconds)},
        {"rules.max_failed_logins", rule_count<int>(&actions::rules::max_failed_logins, 1, 100)},
        {"rules.password_sender", rule_text(&actions::rules::password_sender)},
        {"rules.notify_sender", rule_text(&actions::rules::notify_sender)},
        {"rules.pwhash", custom([](config& c, const std::string& v) {
             if (v == "interactive")
                 c.rules.pwhash = store::pwhash_limits::interactive();
             else if (v == "minimum")
                 c.rules.pwhash = store::pwhash_limits::minimum();
             else
                 return std::string("expected interactive or minimum");
             return std::string{};
         })},
        {"rules.tariff_free_change_days",
         rule_count<std::int64_t>(&actions::rules::tariff_free_change_days, 0, 3650)},
        {"rules.promised_min_balance", rule_rub(&actions::rules::promised_min_balance)},
        {"rules.promised_min_amount", rule_rub(&actions::rules::promised_min_amount)},
        {"rules.promised_days", rule_count<std::int64_t>(&actions::rules::promised_days, 1, 365)},
        {"rules.full_trust_start_limit", rule_rub(&actions::rules::full_trust_start_limit)},
        {"rules.blocking_free_days",
         rule_count<std::int64_t>(&actions::rules::blocking_free_days, 0, 3650)},
        {"rules.blocking_daily_fee", rule_rub(&actions::rules::blocking_daily_fee)},
        {"rules.topup_min", rule_rub(&actions::rules::topup_min)},
        {"rules.topup_max", rule_rub(&actions::rules::topup_max)},
        {"rules.transfer_min", rule_rub(&actions::rules::transfer_min)},
        {"rules.transfer_max", rule_rub(&actions::rules::transfer_max)},
        {"rules.details_max_months",
         rule_count<std::int64_t>(&actions::rules::details_max_months, 1, 120)},
        {"rules.archive_list_default",
         rule_count<std::int64_t>(&actions::rules::archive_list_default, 1, 1000)},
        {"rules.archive_list_max",
         rule_count<std::int64_t>(&actions::rules::archive_list_max, 1, 1000)},
        {"rules.app_link_url", rule_text(&actions::rules::app_link_url)},
        {"rules.pin_min", rule_count<std::size_t>(&actions::rules::pin_min, 4, 8)},
        {"rules.pin_max", rule_count<std::size_t>(&actions::rules::pin_max, 4, 8)},
        {"rules.max_wrong_pins", rule_count<int>(&actions::rules::max_wrong_pins, 1, 100)},
        {"rules.max_wrong_puks", rule_count<int>(&actions::rules::max_wrong_puks, 1, 100)},
        {"rules.default_language", custom([](config& c, const std::string& v) {
             if (v != "en" && v != "ru") return std::string("expected en or ru");
             c.rules.default_language = v;
             return std::string{};
         })},
        {"rules.utc_offset", custom([](config& c, const std::string& v) {
             bool neg = !v.empty() && v[0] == '-';
             auto d = parse_duration(neg ? v.substr(1) : v);
             if (!d) return d.error();
             auto secs = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
             c.rules.utc_offset_seconds = neg ? -secs : secs;
             return std::string{};
         })},
        {"rules.login_alerts_per_hour",
         rule_count<std::int64_t>(&actions::rules::login_alerts_per_hour, 0, 1000)},
        {"rules.notices_per_hour",
         rule_count<std::int64_t>(&actions::rules::notices_per_hour, 0, 1000)},
        {"rules.full_trust_share_percent",
         rule_count<std::int64_t>(&actions::rules::full_trust_share_percent, 1, 100)},
        {"rules.full_trust_review_months",
         rule_count<std::int64_t>(&actions::rules::full_trust_review_months, 1, 24)},
        {"outbox.poll", custom([](config& c, const std::string& v) {
             auto d = parse_duration(v);
             if (!d) return d.error();
             if (d->count() < 10) return std::string("must be at least 10ms");
             c.outbox.poll = *d;
             return std::string{};
         })},
        {"outbox.batch", count<std::size_t>([](config& c) { return &c.outbox.batch; }, 1, 10'000)},
        {"outbox.max_age", rule_seconds(&actions::rules::outbox_max_age_seconds)},
        {"http.listen", custom([](config& c, const std::string& v) {
             if (v.empty()) {
                 c.http.listen.clear();
                 return std::string{};
             }
             auto a = parse_listen_address(v);
             if (!a) return a.error();
             c.http.listen = v;
             return std::string{};
         })},
        {"http.token_file", custom([](config& c, const std::string& v) {
             c.http.token_file = v;
             return std::string{};
         })},
        {"http.api_rate_per_number",
         count<std::size_t>([](config& c) { return &c.http.api_rate_per_number; }, 1, 10'000)},
        {"http.api_rate_per_client",
         count<std::size_t>([](config& c) { return &c.http.api_rate_per_client; }, 0, 1'000'000)},
        {"console.users_file", text(&config::console_users_file)},
        {"console.static_dir", text(&config::console_static_dir)},
        {"ussd.max_dialogs",
         count<std::size_t>([](config& c) { return &c.max_dialogs; }, 1, 10'000'000)},
        {"ussd.rate_per_subscriber",
         count<std::size_t>([](config& c) { return &c.rate_per_subscriber; }, 0, 1'000'000)},
    };
    return table;
}

}  // namespace

util::result<std::chrono::milliseconds, std::string> parse_duration(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    std::int64_t n = 0;
    if (i == 0 || !parse_number(text.substr(0, i), n))
        return util::fail(fmt::format("expected a duration like 10s or 500ms, got '{}'", text));
    std::string unit = text.substr(i);
    std::int64_t factor = unit == "ms"                  ? 1
                          : unit == "s" || unit.empty() ? 1000
                          : unit == "m"                 ? 60'000
                          : unit == "h"                 ? 3'600'000
                                                        : -1;
    if (factor < 0)
        return util::fail(fmt::format("unknown unit '{}' in '{}' (ms, s, m, h)", unit, text));
    // Ten years is more than any timer here needs and far from overflowing
    // the millisecond count (or the seconds the callers convert to).
    constexpr std::int64_t max_ms = 10LL * 366 * 24 * 3'600'000;
    if (n > max_ms / factor)
        return util::fail(fmt::format("'{}' is too long (at most 10 years)", text));
    return std::chrono::milliseconds(n * factor);
}

util::result<bool, std::string> apply_smsc_address(config& c, const std::string& host_port) {
    auto colon = host_port.rfind(':');
    std::uint16_t port = 0;
    if (colon == std::string::npos || colon == 0 ||
        !parse_number(host_port.substr(colon + 1), port) || port == 0)
        return util::fail(fmt::format("expected HOST:PORT, got '{}'", host_port));
    c.smsc.host = host_port.substr(0, colon);
    c.smsc.port = port;
    return true;
}

util::result<config, config_errors> parse_config(const std::string& text, const std::string& name,
                                                 config base) {
    config c = std::move(base);
    c.source = name;
    config_errors errors;
    std::istringstream in(text);
    std::string line, section;
    std::map<std::string, int> seen;
    smpp::profile_reader profiles;
    bool in_profile = false;  // inside a [profile NAME] section
    int profile_line = 0;     // where [smsc] profile was set
    // [smsc NAME] sections: more binds. Each is read with the [smsc] keys into
    // its own scratch config (built-in defaults for what it does not set).
    struct extra {
        config scratch;
        int header_line = 0;
        int profile_line = 0;
        std::map<std::string, int> seen;
    };
    std::map<std::string, extra> extras;
    std::vector<std::string> extra_order;
    std::string link_name;  // inside [smsc NAME]: NAME
    for (int lineno = 1; std::getline(in, line); ++lineno) {
        auto where = fmt::format("{}:{}", name, lineno);
        auto hash = line.find('#');
        // '#' starts a comment only at the start or after whitespace, so "#" can be a value.
        while (hash != std::string::npos && hash > 0 && line[hash - 1] != ' ' &&
               line[hash - 1] != '\t')
            hash = line.find('#', hash + 1);
        std::string s = trim(hash == std::string::npos ? line : line.substr(0, hash));
        if (s.empty()) continue;
        if (s.front() == '[') {
            if (s.back() != ']') {
                errors.push_back(where + ": section header must end with ']'");
                continue;
            }
            section = trim(s.substr(1, s.size() - 2));
            in_profile = section.rfind("profile ", 0) == 0 || section == "profile";
            link_name.clear();
            if (section.rfind("smsc ", 0) == 0) {
                link_name = trim(section.substr(5));
                if (link_name.empty() || link_name == "default" ||
                    link_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") !=
                        std::string::npos) {
                    errors.push_back(fmt::format(
                        "{}: [{}]: a bind's name is a-z, 0-9, '_' or '-' (and not 'default')",
                        where, section));
                } else if (auto [it, fresh] = extras.try_emplace(link_name); !fresh) {
                    errors.push_back(fmt::format("{}: [{}]: bind '{}' already defined on line {}",
                                                 where, section, link_name,
                                                 it->second.header_line));
                } else {
                    it->second.header_line = lineno;
                    extra_order.push_back(link_name);
                }
                continue;
            }
            if (in_profile) {
                if (auto err = profiles.begin(trim(section.substr(7)), lineno); !err.empty())
                    errors.push_back(fmt::format("{}: [{}]: {}", where, section, err));
            }
            continue;
        }
        auto eq = s.find('=');
        if (eq == std::string::npos) {
            errors.push_back(where + ": expected 'key = value'");
            continue;
        }
        std::string key = trim(s.substr(0, eq));
        std::string value = trim(s.substr(eq + 1));
        c.raw[section.empty() ? key : section + "." + key] = value;
        if (in_profile) {
            if (auto err = profiles.key(key, value, lineno); !err.empty())
                errors.push_back(fmt::format("{}: [{}] {}: {}", where, section, key, err));
            continue;
        }
        if (!link_name.empty()) {
            // The [smsc] keys, applied to this bind's own scratch config.
            auto& x = extras[link_name];
            const std::string full = "smsc." + key;
            auto it = keys().find(full);
            if (it == keys().end()) {
                errors.push_back(
                    fmt::format("{}: unknown key '{}' in [{}] (a bind takes the [smsc] keys)",
                                where, key, section));
            } else if (auto [prev, fresh] = x.seen.emplace(full, lineno); !fresh) {
                errors.push_back(
                    fmt::format("{}: '{}' already set on line {}", where, key, prev->second));
            } else if (auto err = it->second(x.scratch, value); !err.empty()) {
                errors.push_back(fmt::format("{}: [{}] {}: {}", where, section, key, err));
            } else if (key == "profile") {
                x.profile_line = lineno;
            }
            continue;
        }
        std::string full = section.empty() ? key : section + "." + key;
        if (full == "smsc.profile") profile_line = lineno;
        auto it = keys().find(full);
        if (it == keys().end()) {
            errors.push_back(
                fmt::format("{}: unknown key '{}'{}", where, key,
                            section.empty() ? " outside any [section]" : " in [" + section + "]"));
            continue;
        }
        if (auto [prev, fresh] = seen.emplace(full, lineno); !fresh) {
            errors.push_back(
                fmt::format("{}: '{}' already set on line {}", where, full, prev->second));
            continue;
        }
        if (auto err = it->second(c, value); !err.empty())
            errors.push_back(fmt::format("{}: {}: {}", where, full, err));
    }
    if (profile_line == 0) {
        // Not chosen in this text: the base's profile stands (built-in default).
    } else if (auto it = profiles.profiles().find(c.profile.name);
               it != profiles.profiles().end()) {
        c.profile = it->second;
    } else {
        std::string known;
        for (const auto& [n, p] : profiles.profiles()) known += (known.empty() ? "" : ", ") + n;
        errors.push_back(fmt::format("{}:{}: smsc.profile: unknown profile '{}' (defined: {})",
                                     name, profile_line, c.profile.name, known));
    }
    for (const auto& n : extra_order) {
        auto& x = extras[n];
        smsc_link link{n, x.scratch.smsc, x.scratch.profile};
        if (auto it = profiles.profiles().find(x.scratch.profile.name);
            it != profiles.profiles().end()) {
            link.profile = it->second;
        } else {
            errors.push_back(fmt::format("{}:{}: [smsc {}] profile: unknown profile '{}'", name,
                                         x.profile_line, n, x.scratch.profile.name));
        }
        if (!x.scratch.smsc.password_file.empty()) {
            if (auto pw = util::first_line_of_file(x.scratch.smsc.password_file); !pw)
                errors.push_back(fmt::format("{}:{}: [smsc {}] password_file {}: {}", name,
                                             x.header_line, n, x.scratch.smsc.password_file,
                                             pw.error()));
            else
                link.smsc.password = *pw;
        }
        if (x.scratch.smsc.backoff_min > x.scratch.smsc.backoff_max) {
            int at = x.header_line;
            for (const char* k : {"smsc.reconnect_min", "smsc.reconnect_max"})
                if (auto it = x.seen.find(k); it != x.seen.end()) at = std::max(at, it->second);
            errors.push_back(fmt::format(
                "{}:{}: [smsc {}] reconnect_min must not exceed reconnect_max", name, at, n));
        }
        c.extra_links.push_back(std::move(link));
    }
    // A rule between two keys is reported at the later of the lines that set
    // them: every problem is file:line (a file-wide problem had none; found by
    // fuzz_config). Only a base config could break one without either line.
    const auto exceeds = [&](const char* low, const char* high) {
        int at = 0;
        for (const char* k : {low, high})
            if (auto it = seen.find(k); it != seen.end()) at = std::max(at, it->second);
        errors.push_back(at > 0 ? fmt::format("{}:{}: {} must not exceed {}", name, at, low, high)
                                : fmt::format("{}: {} must not exceed {}", name, low, high));
    };
    const auto& r = c.rules;
    if (r.password_min_ussd > r.password_max_ussd)
        exceeds("rules.password_min_ussd", "rules.password_max_ussd");
    if (r.password_min_sms > r.password_max_sms)
        exceeds("rules.password_min_sms", "rules.password_max_sms");
    if (r.pin_min > r.pin_max) exceeds("rules.pin_min", "rules.pin_max");
    if (r.topup_min > r.topup_max) exceeds("rules.topup_min", "rules.topup_max");
    if (r.transfer_min > r.transfer_max) exceeds("rules.transfer_min", "rules.transfer_max");
    if (c.smsc.backoff_min > c.smsc.backoff_max)
        exceeds("smsc.reconnect_min", "smsc.reconnect_max");
    if (!errors.empty()) return util::fail(std::move(errors));
    return c;
}

std::vector<smsc_link> config::links() const {
    std::vector<smsc_link> all{{"default", smsc, profile}};
    all.insert(all.end(), extra_links.begin(), extra_links.end());
    return all;
}

util::result<config, config_errors> load_config_file(const std::string& path, config base) {
    std::ifstream f(path);
    if (!f) return util::fail(config_errors{path + ": cannot open the config file"});
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_config(ss.str(), path, std::move(base));
}

}  // namespace ussdgw::app
