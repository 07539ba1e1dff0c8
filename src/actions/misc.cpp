// Settings and small things: number_management, login_alerts, language_set,
// alphabet_set, app_link.

#include "common.hpp"

namespace ussdgw::actions {

namespace {

outcome number_management(context& ctx) {
    auto state = detail::lower(ctx.arg("state"));
    if (state != "on" && state != "off") return ctx.bad_argument("state");
    bool on = state == "on";
    if (on == ctx.sub->number_management)
        return ctx.refuse(on ? "already_on" : "already_off",
                          on ? msg::nm_already_on : msg::nm_already_off);
    ctx.db.set_number_management(ctx.req.msisdn, on);
    return ctx.ok({{"state", state}}, on ? msg::ok_nm_on : msg::ok_nm_off);
}

// A settings switch, not a service: setting the state it already has is
// answered with that state rather than refused, so the menu item is safe to
// choose twice.
outcome login_alerts(context& ctx) {
    auto state = detail::lower(ctx.arg("state"));
    if (state != "on" && state != "off")
        return ctx.refuse("bad_argument", msg::alerts_bad_state, {{"param", "state"}});
    bool on = state == "on";
    if (on != ctx.sub->login_alerts) ctx.db.set_login_alerts(ctx.req.msisdn, on);
    return ctx.ok({{"state", state}}, on ? msg::ok_alerts_on : msg::ok_alerts_off);
}

outcome language_set(context& ctx) {
    auto lang = detail::lower(ctx.arg("language"));
    if (lang != "en" && lang != "ru") return ctx.bad_argument("language");
    ctx.db.set_language(ctx.req.msisdn, lang);
    ctx.lang = lang;  // the confirmation is already in the new language
    auto o = ctx.ok({{"language", lang}}, msg::ok_language);
    o.language = lang;
    return o;
}

outcome alphabet_set(context& ctx) {
    auto a = detail::lower(ctx.arg("alphabet"));
    if (a != "cyrillic" && a != "latin") return ctx.bad_argument("alphabet");
    ctx.db.set_alphabet(ctx.req.msisdn, a);
    return ctx.ok({{"alphabet", a}},
                  a == "latin" ? msg::ok_alphabet_latin : msg::ok_alphabet_cyrillic);
}

outcome app_link(context& ctx) {
    ctx.sms(ctx.cfg.notify_sender, ctx.say(msg::sms_app_link, {{"url", ctx.cfg.app_link_url}}));
    return ctx.ok({{"url", ctx.cfg.app_link_url}}, msg::ok_app_link);
}

}  // namespace

void add_misc_actions(registry& r) {
    entry nm;
    nm.facts = {"number_management", {"state"}, {}, {}, {"state", "message"}};
    nm.run = number_management;
    nm.errors = {"bad_argument", "already_on", "already_off"};
    r.add(std::move(nm));

    entry alerts;
    alerts.facts = {"login_alerts", {"state"}, {}, {}, {"state", "message"}};
    alerts.run = login_alerts;
    alerts.errors = {"bad_argument"};
    r.add(std::move(alerts));

    entry l;
    l.facts = {"language_set", {"language"}, {}, {}, {"language", "message"}};
    l.run = language_set;
    l.errors = {"bad_argument"};
    r.add(std::move(l));

    entry a;
    a.facts = {"alphabet_set", {"alphabet"}, {}, {}, {"alphabet", "message"}};
    a.run = alphabet_set;
    a.errors = {"bad_argument"};
    r.add(std::move(a));

    entry link;
    link.facts = {"app_link", {}, {}, {}, {"url", "message"}};
    link.run = app_link;
    // Writes: its SMS goes to the outbox in the action's own transaction.
    r.add(std::move(link));
}

}  // namespace ussdgw::actions
