#pragma once
// Helpers shared by the action families (private to src/actions).

#include <optional>
#include <string>

#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/actions/registry.hpp"

namespace ussdgw::actions::detail {

/// The tariff's title in the language.
inline std::string title(const store::tariff& t, const std::string& lang) {
    return lang == "ru" ? t.title_ru : t.title_en;
}

/// The service's title in the language.
inline std::string title(const store::service& s, const std::string& lang) {
    return lang == "ru" ? s.title_ru : s.title_en;
}

/// "free", "2.50 RUB/day", "99.00 RUB/month", "10.00 RUB" (with a decimal comma in Russian).
inline std::string fee_text(const context& ctx, const store::service& s) {
    if (s.fee == 0) return ctx.say(msg::word_free);
    std::map<std::string, std::string> v{{"fee", ctx.rub(s.fee)}};
    if (s.period == "daily") return ctx.say(msg::word_per_day, v);
    if (s.period == "monthly") return ctx.say(msg::word_per_month, v);
    return ctx.say(msg::word_one_off, v);
}

/// Lower-cases ASCII letters (names typed on a handset come in any case).
inline std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// A tariff by name, case-insensitively.
inline std::optional<store::tariff> find_tariff(store::accounts& db, const std::string& name) {
    if (auto t = db.find_tariff(name)) return t;
    for (auto& t : db.all_tariffs())
        if (lower(t.name) == lower(name)) return t;
    return std::nullopt;
}

/// A service by code, case-insensitively.
inline std::optional<store::service> find_service(store::accounts& db, const std::string& code) {
    if (auto s = db.find_service(code)) return s;
    for (auto& s : db.all_services())
        if (lower(s.code) == lower(code)) return s;
    return std::nullopt;
}

/// The recipient of a transfer or a gift, canonical (msisdn.hpp), or the
/// refusal "bad_number" quoting what was typed.
inline util::result<std::string, outcome> recipient(context& ctx, const std::string& param) {
    auto to = normalize_msisdn(ctx.arg(param));
    if (!to) return util::fail(ctx.refuse("bad_number", msg::bad_number, {{"to", ctx.arg(param)}}));
    return std::move(to).value();
}

/// True when every character is a digit and there is at least one.
inline bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

/// What changing `sub` to tariff `to` costs now, and when a change is free
/// again. One function, so the screen that quotes the price and the action
/// that charges it cannot disagree.
struct tariff_price {
    store::kopecks fee = 0;          ///< charged if changed now (0: free)
    store::unix_time free_from = 0;  ///< a change is free from then (<= now: already)
};

/// The price of changing `sub` to `to` at `now` under `cfg`.
inline tariff_price change_price(const store::subscriber& sub, const store::tariff& to,
                                 store::unix_time now, const rules& cfg) {
    const std::int64_t interval = cfg.tariff_free_change_days * 86400;
    const auto& last = sub.tariff_changed;
    tariff_price p;
    p.free_from = last ? *last + interval : now;
    const bool free = !last || now >= p.free_from;
    if (free) p.free_from = now;
    p.fee = free || to.name == sub.tariff ? 0 : to.change_fee;
    return p;
}

/// Whether one more SMS of a capped kind may go to a number whose window is
/// `w` (login alerts, notices from others): at most `per_hour` in a window of
/// one hour from its first SMS (0: no cap). Counts it in `w` either way: sent,
/// or suppressed (with when the first suppressed one was due).
inline bool hourly_cap_allows(std::int64_t per_hour, store::alert_window& w, store::unix_time now) {
    if (now - w.started >= 3600 || now < w.started) {
        w.started = now;
        w.sent = 0;
    }
    if (per_hour > 0 && w.sent >= per_hour) {
        if (w.suppressed == 0) w.suppressed_since = now;
        ++w.suppressed;
        return false;
    }
    ++w.sent;
    return true;
}

}  // namespace ussdgw::actions::detail
