// Money in and out: topup (admin channel), transfer, promised_payment, full_trust.

#include "common.hpp"
#include "ussdgw/actions/calendar.hpp"

namespace ussdgw::actions {

namespace {

outcome bad_amount(context& ctx) {
    return ctx.bad_argument("amount");
}

outcome topup(context& ctx) {
    // A top-up creates money: only the operator's tools may ask for it.
    if (ctx.req.via != channel::admin)
        return ctx.refuse("not_allowed", msg::unknown_action, {{"action", "topup"}});
    auto amount = parse_rub(ctx.arg("amount"));
    if (!amount) return bad_amount(ctx);
    if (*amount < ctx.cfg.topup_min || *amount > ctx.cfg.topup_max)
        return ctx.refuse(
            "amount_out_of_range", msg::topup_range,
            {{"min", ctx.rub(ctx.cfg.topup_min)}, {"max", ctx.rub(ctx.cfg.topup_max)}});
    ctx.move_money(*amount);
    ctx.db.add_payment(ctx.req.msisdn, ctx.now, "topup", *amount, ctx.arg("reference"));
    std::int64_t earned =
        ctx.cfg.bonus_kopecks_per_point > 0 ? *amount / ctx.cfg.bonus_kopecks_per_point : 0;
    if (earned > 0) ctx.db.add_bonus(ctx.req.msisdn, earned);
    return ctx.ok({{"amount", ctx.rub(*amount)},
                   {"balance", ctx.rub(ctx.sub->balance)},
                   {"bonus_earned", std::to_string(earned)},
                   {"bonus", std::to_string(ctx.sub->bonus + earned)}},
                  msg::ok_topup);
}

// The part of the balance that is lent, not owned: an unrepaid promised payment.
store::kopecks outstanding_loan(context& ctx) {
    auto open = ctx.db.open_promised(ctx.req.msisdn);
    return open ? open->amount : 0;
}

outcome transfer(context& ctx) {
    const auto& from = ctx.req.msisdn;
    auto checked = detail::recipient(ctx, "to");
    if (!checked) return checked.error();
    const auto& to = *checked;
    auto amount = parse_rub(ctx.arg("amount"));
    if (!amount) return bad_amount(ctx);
    if (*amount < ctx.cfg.transfer_min || *amount > ctx.cfg.transfer_max)
        return ctx.refuse(
            "amount_out_of_range", msg::transfer_range,
            {{"min", ctx.rub(ctx.cfg.transfer_min)}, {"max", ctx.rub(ctx.cfg.transfer_max)}});
    if (to == from) return ctx.refuse("same_number", msg::same_number);
    ctx.db.lock_pair(from, to);
    auto peer = ctx.db.find_subscriber(to);
    if (!peer) return ctx.refuse("unknown_recipient", msg::unknown_recipient, {{"to", to}});
    // Only the subscriber's own money may leave the account (docs/actions.md,
    // "Lent money stays"): not the full-trust credit limit, and not a promised
    // payment until it is repaid, else a loan could be cashed out.
    const store::kopecks lent = outstanding_loan(ctx);
    const store::kopecks own = std::max<store::kopecks>(0, ctx.sub->balance - lent);
    if (own < *amount) {
        if (lent > 0 && ctx.sub->balance >= *amount)
            return ctx.refuse("lent_money", msg::lent_money,
                              {{"available", ctx.rub(own)}, {"lent", ctx.rub(lent)}});
        return ctx.refuse("insufficient_funds", msg::insufficient_funds,
                          {{"missing", ctx.rub(*amount - (ctx.sub->balance - lent))}});
    }
    // Both sides, both payment rows and the recipient's archive row are in
    // this one savepoint: all of it commits or none of it.
    ctx.move_money(-*amount);
    ctx.db.add_balance(to, *amount);
    ctx.db.add_payment(from, ctx.now, "transfer_out", -*amount, to);
    ctx.db.add_payment(to, ctx.now, "transfer_in", *amount, from);
    ctx.db.add_archive(
        {0, to, ctx.now, to_string(ctx.req.via), "transfer_in", "from=" + from, "ok", *amount});
    ctx.sms(ctx.cfg.notify_sender,
            text(msg::sms_transfer_in, peer->language,
                 {{"amount", format_rub(*amount, peer->language)}, {"from", from}}),
            to);
    return ctx.ok(
        {{"to", to}, {"amount", ctx.rub(*amount)}, {"balance", ctx.rub(ctx.sub->balance)}},
        msg::ok_transfer);
}

outcome promised_payment(context& ctx) {
    const auto& msisdn = ctx.req.msisdn;
    const auto& cfg = ctx.cfg;
    if (auto open = ctx.db.open_promised(msisdn))
        return ctx.refuse("promised_outstanding", msg::promised_outstanding,
                          {{"amount", ctx.rub(open->amount)},
                           {"due", format_date(open->due, cfg.utc_offset_seconds)}});
    if (ctx.sub->balance < cfg.promised_min_balance)
        return ctx.refuse("balance_too_low", msg::promised_balance_too_low,
                          {{"min_balance", ctx.rub(cfg.promised_min_balance)},
                           {"balance", ctx.rub(ctx.sub->balance)}});
    auto amount = parse_rub(ctx.arg("amount"));
    if (!amount) return bad_amount(ctx);
    std::optional<store::kopecks> fee;
    for (const auto& step : cfg.promised_fees) {
        if (*amount <= step.up_to) {
            fee = step.fee;
            break;
        }
    }
    store::kopecks max = cfg.promised_fees.empty() ? 0 : cfg.promised_fees.back().up_to;
    if (!fee || *amount < cfg.promised_min_amount)
        return ctx.refuse("amount_out_of_range", msg::promised_amount,
                          {{"min", ctx.rub(cfg.promised_min_amount)}, {"max", ctx.rub(max)}});
    auto due = ctx.now + cfg.promised_days * 86400;
    ctx.move_money(*amount - *fee);
    ctx.db.add_payment(msisdn, ctx.now, "promised", *amount, "");
    ctx.db.add_payment(msisdn, ctx.now, "promised_fee", -*fee, "");
    ctx.db.add_promised({0, msisdn, *amount, *fee, ctx.now, due});
    return ctx.ok({{"amount", ctx.rub(*amount)},
                   {"fee", ctx.rub(*fee)},
                   {"due", format_date(due, cfg.utc_offset_seconds)},
                   {"balance", ctx.rub(ctx.sub->balance)}},
                  msg::ok_promised);
}

outcome full_trust(context& ctx) {
    auto state = ctx.arg("state").empty() ? std::string("on") : detail::lower(ctx.arg("state"));
    auto& s = *ctx.sub;
    if (state == "on") {
        if (s.credit_limit > 0) return ctx.refuse("already_on", msg::trust_already_on);
        ctx.db.set_credit_limit(s.msisdn, ctx.cfg.full_trust_start_limit);
        // The monthly review (engine::daily) starts with the next month: a
        // month just begun says nothing about the spend with full trust on.
        ctx.db.set_trust_reviewed(s.msisdn, local_month_index(ctx.now, ctx.cfg.utc_offset_seconds));
        return ctx.ok({{"credit_limit", ctx.rub(ctx.cfg.full_trust_start_limit)},
                       {"available", ctx.rub(s.balance + ctx.cfg.full_trust_start_limit)},
                       {"state", "on"}},
                      msg::ok_trust_on);
    }
    if (state != "off") return ctx.bad_argument("state");
    if (s.credit_limit == 0) return ctx.refuse("already_off", msg::trust_already_off);
    if (s.balance < 0)
        return ctx.refuse("debt_outstanding", msg::trust_debt, {{"balance", ctx.rub(s.balance)}});
    ctx.db.set_credit_limit(s.msisdn, 0);
    return ctx.ok(
        {{"credit_limit", ctx.rub(0)}, {"available", ctx.rub(s.balance)}, {"state", "off"}},
        msg::ok_trust_off);
}

}  // namespace

void add_payment_actions(registry& r) {
    entry t;
    t.facts = {"topup",
               {"amount"},
               {"reference"},
               {},
               {"amount", "balance", "bonus_earned", "bonus", "message"}};
    t.run = topup;
    t.errors = {"not_allowed", "bad_argument", "amount_out_of_range"};
    r.add(std::move(t));

    entry x;
    x.facts = {"transfer", {"to", "amount"}, {}, {}, {"to", "amount", "balance", "message"}};
    x.run = transfer;
    x.errors = {"bad_argument",      "bad_number",         "amount_out_of_range", "same_number",
                "unknown_recipient", "insufficient_funds", "lent_money"};
    r.add(std::move(x));

    entry p;
    p.facts = {
        "promised_payment", {"amount"}, {}, {}, {"amount", "fee", "due", "balance", "message"}};
    p.run = promised_payment;
    p.errors = {"promised_outstanding", "balance_too_low", "bad_argument", "amount_out_of_range"};
    r.add(std::move(p));

    entry f;
    f.facts = {"full_trust", {}, {"state"}, {}, {"credit_limit", "available", "state", "message"}};
    f.run = full_trust;
    f.errors = {"already_on", "already_off", "debt_outstanding", "bad_argument"};
    r.add(std::move(f));
}

}  // namespace ussdgw::actions
