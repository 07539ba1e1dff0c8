// tariff_change: free once per 30 days, otherwise the target tariff's fee.

#include "common.hpp"

namespace ussdgw::actions {

namespace {

outcome tariff_change(context& ctx) {
    const auto& msisdn = ctx.req.msisdn;
    auto t = detail::find_tariff(ctx.db, ctx.arg("tariff"));
    if (!t)
        return ctx.refuse("unknown_tariff", msg::unknown_tariff, {{"tariff", ctx.arg("tariff")}});
    std::map<std::string, std::string> v{{"tariff", t->name},
                                         {"tariff_title", detail::title(*t, ctx.lang)}};
    if (t->name == ctx.sub->tariff) return ctx.refuse("same_tariff", msg::same_tariff, v);
    const store::kopecks fee = detail::change_price(*ctx.sub, *t, ctx.now, ctx.cfg).fee;
    if (auto refused = ctx.need_funds(fee)) return *refused;
    if (fee > 0) {
        ctx.move_money(-fee);
        ctx.db.add_payment(msisdn, ctx.now, "tariff_change_fee", -fee, t->name);
    }
    // Options that the new tariff does not allow go with the old tariff.
    std::string dropped;
    for (const auto& cs : ctx.db.connected(msisdn)) {
        if (cs.part_of_tariff) continue;
        if (ctx.db.service_rule(cs.svc.code, t->name) == "incompatible") {
            ctx.db.unsubscribe(msisdn, cs.svc.code);
            if (!dropped.empty()) dropped += ", ";
            dropped += detail::title(cs.svc, ctx.lang);
        }
    }
    ctx.db.set_tariff(msisdn, t->name, ctx.now);
    v["fee"] = ctx.rub(fee);
    v["balance"] = ctx.rub(ctx.sub->balance);
    v["disconnected"] = dropped;
    return ctx.ok(std::move(v), msg::ok_tariff_changed);
}

}  // namespace

void add_tariff_actions(registry& r) {
    entry e;
    e.facts = {"tariff_change",
               {"tariff"},
               {},
               {},
               {"tariff", "tariff_title", "fee", "balance", "disconnected", "message"}};
    e.run = tariff_change;
    e.errors = {"unknown_tariff", "same_tariff", "insufficient_funds"};
    r.add(std::move(e));
}

}  // namespace ussdgw::actions
