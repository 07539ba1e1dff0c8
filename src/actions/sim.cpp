// SIM codes: pin_change (**04*OLD*NEW*NEW#) and puk_unblock (**05*PUK*NEW*NEW#).

#include "common.hpp"

namespace ussdgw::actions {

namespace {

bool pin_ok(const std::string& pin, const rules& cfg) {
    return detail::all_digits(pin) && pin.size() >= cfg.pin_min && pin.size() <= cfg.pin_max;
}

// Format errors are told before any code is checked, and cost no attempt.
std::optional<outcome> check_new(context& ctx) {
    if (!pin_ok(ctx.arg("new"), ctx.cfg))
        return ctx.refuse(
            "bad_pin", msg::bad_pin,
            {{"min", std::to_string(ctx.cfg.pin_min)}, {"max", std::to_string(ctx.cfg.pin_max)}});
    if (ctx.arg("new") != ctx.arg("new2")) return ctx.refuse("pin_mismatch", msg::pin_mismatch);
    return std::nullopt;
}

outcome pin_change(context& ctx) {
    auto sim = ctx.db.find_sim(ctx.req.msisdn);
    if (!sim) return ctx.refuse("no_sim", msg::no_sim);
    if (sim->sim_blocked) return ctx.refuse("sim_blocked", msg::sim_blocked);
    if (sim->pin_blocked) return ctx.refuse("pin_blocked", msg::pin_blocked);
    if (auto bad = check_new(ctx)) return *bad;
    if (!ctx.verify(sim->pin_hash, ctx.arg("old"))) {
        ctx.keep_on_refusal = true;  // the attempt counts even though we refuse
        sim->pin_failed += 1;
        if (sim->pin_failed >= ctx.cfg.max_wrong_pins) sim->pin_blocked = true;
        ctx.db.put_sim(ctx.req.msisdn, *sim);
        if (sim->pin_blocked) return ctx.refuse("pin_blocked", msg::pin_blocked);
        return ctx.refuse(
            "wrong_pin", msg::wrong_pin,
            {{"attempts_left", std::to_string(ctx.cfg.max_wrong_pins - sim->pin_failed)}});
    }
    sim->pin_hash = ctx.hash(ctx.arg("new"));
    sim->pin_failed = 0;
    ctx.db.put_sim(ctx.req.msisdn, *sim);
    return ctx.ok({}, msg::ok_pin_changed);
}

outcome puk_unblock(context& ctx) {
    auto sim = ctx.db.find_sim(ctx.req.msisdn);
    if (!sim) return ctx.refuse("no_sim", msg::no_sim);
    if (sim->sim_blocked) return ctx.refuse("sim_blocked", msg::sim_blocked);
    if (auto bad = check_new(ctx)) return *bad;
    if (!ctx.verify(sim->puk_hash, ctx.arg("puk"))) {
        ctx.keep_on_refusal = true;
        sim->puk_failed += 1;
        if (sim->puk_failed >= ctx.cfg.max_wrong_puks) sim->sim_blocked = true;
        ctx.db.put_sim(ctx.req.msisdn, *sim);
        if (sim->sim_blocked) return ctx.refuse("sim_blocked", msg::sim_blocked);
        return ctx.refuse(
            "wrong_puk", msg::wrong_puk,
            {{"attempts_left", std::to_string(ctx.cfg.max_wrong_puks - sim->puk_failed)}});
    }
    sim->pin_hash = ctx.hash(ctx.arg("new"));
    if (auto fresh = ctx.rekey(sim->puk_hash, ctx.arg("puk"))) sim->puk_hash = *fresh;
    sim->pin_failed = 0;
    sim->puk_failed = 0;
    sim->pin_blocked = false;
    ctx.db.put_sim(ctx.req.msisdn, *sim);
    return ctx.ok({}, msg::ok_pin_unblocked);
}

// Verifies the old code and hashes the new PIN before the store step.
preparer prepare_for(const char* code_arg, bool puk) {
    return [code_arg, puk](prepare_context& p) {
        auto arg = [&](const char* n) {
            auto it = p.req.arguments.find(n);
            return it == p.req.arguments.end() ? std::string() : it->second;
        };
        if (!pin_ok(arg("new"), p.cfg) || arg("new") != arg("new2") || !p.reader) return;
        auto sim = p.reader->find_sim(p.req.msisdn);
        if (!sim || sim->sim_blocked || (!puk && sim->pin_blocked)) return;
        p.verify(puk ? sim->puk_hash : sim->pin_hash, arg(code_arg));
        p.hash(arg("new"));
    };
}

}  // namespace

void add_sim_actions(registry& r) {
    entry pin;
    pin.facts = {"pin_change", {"old", "new", "new2"}, {}, {"old", "new", "new2"}, {"message"}};
    pin.run = pin_change;
    pin.prepare = prepare_for("old", false);
    pin.errors = {"no_sim", "sim_blocked", "pin_blocked", "bad_pin", "pin_mismatch", "wrong_pin"};
    r.add(std::move(pin));

    entry puk;
    puk.facts = {"puk_unblock", {"puk", "new", "new2"}, {}, {"puk", "new", "new2"}, {"message"}};
    puk.run = puk_unblock;
    puk.prepare = prepare_for("puk", true);
    puk.errors = {"no_sim", "sim_blocked", "bad_pin", "pin_mismatch", "wrong_puk"};
    r.add(std::move(puk));
}

}  // namespace ussdgw::actions
