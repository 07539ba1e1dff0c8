// Read-only account views: profile, balance, tariff_info, tariffs_list, bonus_balance.

#include <algorithm>

#include "common.hpp"

namespace ussdgw::actions {

namespace {

using detail::title;

outcome profile(context& ctx) {
    const auto& s = *ctx.sub;
    return ctx.ok({{"language", s.language},
                   {"alphabet", s.alphabet},
                   {"status", s.status},
                   {"tariff", s.tariff}},
                  msg::ok_profile);
}

outcome balance(context& ctx) {
    const auto& s = *ctx.sub;
    auto t = ctx.db.find_tariff(s.tariff).value_or(store::tariff{s.tariff, s.tariff, s.tariff});
    auto left = [](std::int64_t package, std::int64_t extra, std::int64_t used) {
        return std::to_string(std::max<std::int64_t>(0, package + extra - used));
    };
    return ctx.ok({{"balance", format_rub(s.balance)},
                   {"bonus", std::to_string(s.bonus)},
                   {"tariff", s.tariff},
                   {"tariff_title", title(t, ctx.lang)},
                   {"credit_limit", format_rub(s.credit_limit)},
                   {"available", format_rub(s.balance + s.credit_limit)},
                   {"minutes_left", left(t.minutes, s.extra_minutes, s.minutes_used)},
                   {"sms_left", left(t.sms, s.extra_sms, s.sms_used)},
                   {"mb_left", left(t.mb, s.extra_mb, s.mb_used)},
                   {"status", s.status}},
                  msg::ok_balance);
}

outcome tariff_info(context& ctx) {
    const auto& s = *ctx.sub;
    auto name = ctx.arg("tariff").empty() ? s.tariff : ctx.arg("tariff");
    auto t = detail::find_tariff(ctx.db, name);
    if (!t) return ctx.refuse("unknown_tariff", msg::unknown_tariff, {{"tariff", name}});
    const std::int64_t interval = ctx.cfg.tariff_free_change_days * 86400;
    bool free_now = !s.tariff_changed || ctx.now - *s.tariff_changed >= interval;
    auto next_free = free_now ? ctx.now : *s.tariff_changed + interval;
    bool same = t->name == s.tariff;
    return ctx.ok({{"tariff", t->name},
                   {"tariff_title", title(*t, ctx.lang)},
                   {"monthly_fee", format_rub(t->monthly_fee)},
                   {"change_fee", format_rub(t->change_fee)},
                   {"change_fee_now", format_rub(same || free_now ? 0 : t->change_fee)},
                   {"next_free_change", format_date(next_free, ctx.cfg.utc_offset_seconds)},
                   {"minutes", std::to_string(t->minutes)},
                   {"sms", std::to_string(t->sms)},
                   {"mb", std::to_string(t->mb)}},
                  msg::ok_tariff_info);
}

outcome tariffs_list(context& ctx) {
    std::string lines;
    int n = 0;
    for (const auto& t : ctx.db.all_tariffs()) {
        if (n++) lines += '\n';
        lines += title(t, ctx.lang) + " - " +
                 ctx.say(msg::word_per_month, {{"fee", format_rub(t.monthly_fee)}});
    }
    return ctx.ok({{"tariffs", lines}, {"count", std::to_string(n)}}, msg::ok_tariffs_list);
}

outcome bonus_balance(context& ctx) {
    return ctx.ok({{"bonus", std::to_string(ctx.sub->bonus)}}, msg::ok_bonus_balance);
}

entry read_entry(info facts, handler h) {
    entry e;
    e.facts = std::move(facts);
    e.run = std::move(h);
    e.read_only = true;
    return e;
}

}  // namespace

void add_balance_actions(registry& r) {
    auto p =
        read_entry({"profile", {}, {}, {}, {"language", "alphabet", "status", "tariff"}}, profile);
    p.archived = false;  // asked by the daemon at every dialog start, not by the subscriber
    r.add(std::move(p));
    r.add(read_entry({"balance",
                      {},
                      {},
                      {},
                      {"balance", "bonus", "tariff", "tariff_title", "credit_limit", "available",
                       "minutes_left", "sms_left", "mb_left", "status", "message"}},
                     balance));
    auto ti = read_entry({"tariff_info",
                          {},
                          {"tariff"},
                          {},
                          {"tariff", "tariff_title", "monthly_fee", "change_fee", "change_fee_now",
                           "next_free_change", "minutes", "sms", "mb", "message"}},
                         tariff_info);
    ti.errors = {"unknown_tariff"};
    r.add(std::move(ti));
    r.add(read_entry({"tariffs_list", {}, {}, {}, {"tariffs", "count", "message"}}, tariffs_list));
    r.add(read_entry({"bonus_balance", {}, {}, {}, {"bonus", "message"}}, bonus_balance));
}

}  // namespace ussdgw::actions
