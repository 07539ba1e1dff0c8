// Bonus points: bonus_spend (buy a package), bonus_give (to another subscriber).

#include "common.hpp"
#include "ussdgw/actions/titles.hpp"

namespace ussdgw::actions {

namespace {

outcome bonus_spend(context& ctx) {
    auto name = detail::lower(ctx.arg("package"));
    const bonus_package* pkg = nullptr;
    for (const auto& p : ctx.cfg.bonus_packages)
        if (detail::lower(p.name) == name) pkg = &p;
    if (!pkg) return ctx.refuse("unknown_package", msg::unknown_package);
    if (ctx.sub->bonus < pkg->points)
        return ctx.refuse("insufficient_bonus", msg::insufficient_bonus,
                          {{"missing", std::to_string(pkg->points - ctx.sub->bonus)}});
    ctx.db.add_bonus(ctx.req.msisdn, -pkg->points);
    ctx.db.add_extras(ctx.req.msisdn, pkg->minutes, pkg->sms, pkg->mb);
    return ctx.ok({{"package", pkg->name},
                   {"package_title", package_title(*pkg, ctx.lang)},
                   {"points", std::to_string(pkg->points)},
                   {"bonus", std::to_string(ctx.sub->bonus - pkg->points)}},
                  msg::ok_bonus_spent);
}

outcome bonus_give(context& ctx) {
    auto points = parse_count(ctx.arg("points"));
    if (!points || *points <= 0) return ctx.refuse("bad_points", msg::bad_points);
    auto checked = detail::recipient(ctx, "to");
    if (!checked) return checked.error();
    const auto& to = *checked;
    if (to == ctx.req.msisdn) return ctx.refuse("same_number", msg::same_number);
    auto peer = ctx.db.find_subscriber(to);
    if (!peer) return ctx.refuse("unknown_recipient", msg::unknown_recipient, {{"to", to}});
    if (ctx.sub->bonus < *points)
        return ctx.refuse("insufficient_bonus", msg::insufficient_bonus,
                          {{"missing", std::to_string(*points - ctx.sub->bonus)}});
    ctx.db.add_bonus(ctx.req.msisdn, -*points);
    ctx.db.add_bonus(to, *points);
    ctx.sms(ctx.cfg.notify_sender,
            text(msg::sms_bonus_in, peer->language,
                 {{"points", std::to_string(*points)}, {"from", ctx.req.msisdn}}),
            to);
    return ctx.ok({{"to", to},
                   {"points", std::to_string(*points)},
                   {"bonus", std::to_string(ctx.sub->bonus - *points)}},
                  msg::ok_bonus_given);
}

}  // namespace

void add_bonus_actions(registry& r) {
    entry s;
    s.facts = {"bonus_spend",
               {"package"},
               {},
               {},
               {"package", "package_title", "points", "bonus", "message"}};
    s.run = bonus_spend;
    s.errors = {"unknown_package", "insufficient_bonus"};
    r.add(std::move(s));

    entry g;
    g.facts = {"bonus_give", {"to", "points"}, {}, {}, {"to", "points", "bonus", "message"}};
    g.run = bonus_give;
    g.errors = {"bad_points", "bad_number", "same_number", "unknown_recipient",
                "insufficient_bonus"};
    r.add(std::move(g));
}

}  // namespace ussdgw::actions
