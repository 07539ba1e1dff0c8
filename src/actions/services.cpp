// services_list (*152#, *152*2#, "0" to 8111), service_connect, service_disconnect.

#include "common.hpp"

namespace ussdgw::actions {

namespace {

outcome services_list(context& ctx) {
    const auto& filter = ctx.arg("filter");
    if (!filter.empty() && filter != "paid" && filter != "all") return ctx.bad_argument("filter");
    bool paid_only = filter == "paid";
    std::string lines;
    int n = 0;
    for (const auto& cs : ctx.db.connected(ctx.req.msisdn)) {
        bool paid = cs.svc.fee > 0 && !cs.part_of_tariff;
        if (paid_only && !paid) continue;
        if (n++) lines += '\n';
        lines +=
            detail::title(cs.svc, ctx.lang) + " (" +
            (cs.part_of_tariff ? ctx.say(msg::word_in_tariff) : detail::fee_text(ctx, cs.svc)) +
            ")";
    }
    return ctx.ok({{"services", lines}, {"count", std::to_string(n)}},
                  n ? msg::ok_services_list : msg::ok_services_none);
}

outcome service_connect(context& ctx) {
    const auto& msisdn = ctx.req.msisdn;
    auto svc = detail::find_service(ctx.db, ctx.arg("service"));
    if (!svc)
        return ctx.refuse("unknown_service", msg::unknown_service,
                          {{"service", ctx.arg("service")}});
    auto t = ctx.db.find_tariff(ctx.sub->tariff);
    std::map<std::string, std::string> v{
        {"service", svc->code},
        {"service_name", detail::title(*svc, ctx.lang)},
        {"tariff_title", t ? detail::title(*t, ctx.lang) : ctx.sub->tariff}};
    auto rule = ctx.db.service_rule(svc->code, ctx.sub->tariff);
    if (rule == "included") return ctx.refuse("already_connected", msg::included_in_tariff, v);
    if (rule == "incompatible")
        return ctx.refuse("incompatible_tariff", msg::incompatible_tariff, v);
    if (ctx.db.subscribed(msisdn, svc->code))
        return ctx.refuse("already_connected", msg::already_connected, v);
    // The first period's fee is paid when connecting.
    if (auto refused = ctx.need_funds(svc->fee)) return *refused;
    if (svc->fee > 0) {
        ctx.move_money(-svc->fee);
        ctx.db.add_payment(msisdn, ctx.now, "service_fee", -svc->fee, svc->code);
    }
    ctx.db.subscribe(msisdn, svc->code, ctx.now);
    v["fee"] = ctx.rub(svc->fee);
    v["fee_text"] = detail::fee_text(ctx, *svc);
    v["balance"] = ctx.rub(ctx.sub->balance);
    ctx.sms(ctx.cfg.notify_sender, ctx.say(msg::sms_service_connected, v));
    return ctx.ok(std::move(v), msg::ok_service_connected);
}

outcome service_disconnect(context& ctx) {
    const auto& msisdn = ctx.req.msisdn;
    auto svc = detail::find_service(ctx.db, ctx.arg("service"));
    if (!svc)
        return ctx.refuse("unknown_service", msg::unknown_service,
                          {{"service", ctx.arg("service")}});
    std::map<std::string, std::string> v{{"service", svc->code},
                                         {"service_name", detail::title(*svc, ctx.lang)}};
    if (ctx.db.service_rule(svc->code, ctx.sub->tariff) == "included")
        return ctx.refuse("part_of_tariff", msg::part_of_tariff, v);
    if (!ctx.db.subscribed(msisdn, svc->code))
        return ctx.refuse("not_connected", msg::not_connected, v);
    ctx.db.unsubscribe(msisdn, svc->code);
    ctx.sms(ctx.cfg.notify_sender, ctx.say(msg::sms_service_disconnected, v));
    return ctx.ok(std::move(v), msg::ok_service_disconnected);
}

}  // namespace

void add_service_actions(registry& r) {
    entry list;
    list.facts = {"services_list", {}, {"filter"}, {}, {"services", "count", "message"}};
    list.run = services_list;
    list.read_only = true;
    list.errors = {"bad_argument"};
    r.add(std::move(list));

    entry con;
    con.facts = {"service_connect",
                 {"service"},
                 {},
                 {},
                 {"service", "service_name", "fee", "fee_text", "balance", "message"}};
    con.run = service_connect;
    con.errors = {"unknown_service", "already_connected", "incompatible_tariff",
                  "insufficient_funds"};
    r.add(std::move(con));

    entry dis;
    dis.facts = {"service_disconnect", {"service"}, {}, {}, {"service", "service_name", "message"}};
    dis.run = service_disconnect;
    dis.errors = {"unknown_service", "part_of_tariff", "not_connected"};
    r.add(std::move(dis));
}

}  // namespace ussdgw::actions
