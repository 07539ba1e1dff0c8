// Read-only account views: profile, balance, tariff_info, tariffs_list, bonus_balance.

#include <algorithm>

#include "common.hpp"
#include "ussdgw/actions/titles.hpp"
#include "ussdgw/actions/usage.hpp"

namespace ussdgw::actions {

namespace {

using detail::title;

outcome profile(context& ctx) {
    const auto& s = *ctx.sub;
    // "linked": how many numbers the owner's *111# can show (number management).
    const auto linked = s.number_management ? ctx.db.links_of(s.msisdn).size() : 0;
    auto o = ctx.ok({{"language", s.language},
                     {"alphabet", s.alphabet},
                     {"status", s.status},
                     {"tariff", s.tariff},
                     {"linked", std::to_string(linked)}},
                    msg::ok_profile);
    // The vars are codes for the daemon; the sentence names the language.
    o.vars["message"] =
        ctx.say(msg::ok_profile, {{"language_name", language_name(s.language, ctx.lang)}});
    return o;
}

outcome balance(context& ctx) {
    const auto& s = *ctx.sub;
    auto t = ctx.db.find_tariff(s.tariff).value_or(store::tariff{s.tariff, s.tariff, s.tariff});
    // As of today's package period, even before the daily job rolled it.
    const auto left = left_of(s, t, ctx.now);
    return ctx.ok({{"balance", ctx.rub(s.balance)},
                   {"bonus", std::to_string(s.bonus)},
                   {"tariff", s.tariff},
                   {"tariff_title", title(t, ctx.lang)},
                   {"credit_limit", ctx.rub(s.credit_limit)},
                   {"available", ctx.rub(s.balance + s.credit_limit)},
                   {"minutes_left", std::to_string(left.minutes)},
                   {"sms_left", std::to_string(left.sms)},
                   {"mb_left", std::to_string(left.mb)},
                   {"status", s.status}},
                  msg::ok_balance);
}

outcome tariff_info(context& ctx) {
    const auto& s = *ctx.sub;
    auto name = ctx.arg("tariff").empty() ? s.tariff : ctx.arg("tariff");
    auto t = detail::find_tariff(ctx.db, name);
    if (!t) return ctx.refuse("unknown_tariff", msg::unknown_tariff, {{"tariff", name}});
    // The same price tariff_change will charge (detail::change_price).
    const auto price = detail::change_price(s, *t, ctx.now, ctx.cfg);
    const bool free_now = price.free_from <= ctx.now;
    return ctx.ok(
        {{"tariff", t->name},
         {"tariff_title", title(*t, ctx.lang)},
         {"monthly_fee", ctx.rub(t->monthly_fee)},
         {"change_fee", ctx.rub(t->change_fee)},
         {"change_fee_now", ctx.rub(price.fee)},
         {"next_free_change", free_now ? ctx.say(msg::word_now)
                                       : format_date(price.free_from, ctx.cfg.utc_offset_seconds)},
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
                 ctx.say(msg::word_per_month, {{"fee", ctx.rub(t.monthly_fee)}});
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
    auto p = read_entry(
        {"profile", {}, {}, {}, {"language", "alphabet", "status", "tariff", "linked"}}, profile);
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
