// Voluntary blocking: block_number / unblock_number. Fees past the free days
// are charged by the daily job (engine::daily), not here.

#include "common.hpp"

namespace ussdgw::actions {

namespace {

outcome block_number(context& ctx) {
    if (ctx.sub->status == "blocked") return ctx.refuse("already_blocked", msg::already_blocked);
    ctx.db.set_status(ctx.req.msisdn, "blocked");
    ctx.db.start_blocking(ctx.req.msisdn, ctx.now);
    auto free_until = ctx.now + ctx.cfg.blocking_free_days * 86400;
    return ctx.ok({{"status", "blocked"},
                   {"free_until", format_date(free_until, ctx.cfg.utc_offset_seconds)},
                   {"daily_fee", ctx.rub(ctx.cfg.blocking_daily_fee)}},
                  msg::ok_blocked);
}

outcome unblock_number(context& ctx) {
    if (ctx.sub->status != "blocked") return ctx.refuse("not_blocked", msg::not_blocked);
    ctx.db.set_status(ctx.req.msisdn, "active");
    ctx.db.end_blocking(ctx.req.msisdn, ctx.now);
    return ctx.ok({{"status", "active"}}, msg::ok_unblocked);
}

}  // namespace

void add_blocking_actions(registry& r) {
    entry b;
    b.facts = {"block_number", {}, {}, {}, {"status", "free_until", "daily_fee", "message"}};
    b.run = block_number;
    b.errors = {"already_blocked"};
    r.add(std::move(b));

    entry u;
    u.facts = {"unblock_number", {}, {}, {}, {"status", "message"}};
    u.run = unblock_number;
    u.errors = {"not_blocked"};
    r.add(std::move(u));
}

}  // namespace ussdgw::actions
