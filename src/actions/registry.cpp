#include "ussdgw/actions/registry.hpp"

#include <algorithm>
#include <chrono>

#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/titles.hpp"

namespace ussdgw::actions {

const char* to_string(channel c) {
    switch (c) {
        case channel::ussd:
            return "ussd";
        case channel::sms:
            return "sms";
        case channel::admin:
            return "admin";
        case channel::web:
            return "web";
    }
    return "unknown";
}

std::int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void prepare_context::hash(const std::string& secret) {
    if (!out.hashes.count(secret)) out.hashes[secret] = hasher.hash(secret);
}

void prepare_context::verify(const std::string& h, const std::string& secret) {
    auto key = std::make_pair(h, secret);
    if (!out.verified.count(key)) out.verified[key] = hasher.verify(h, secret);
    if (out.verified[key] && hasher.stale(h)) hash(secret);
}

void prepare_context::generate(std::size_t length) {
    auto p = store::random_password(length, cfg.password_max_repeat);
    hash(p);
    out.generated.push_back(std::move(p));
}

context::context(store::accounts& d, const rules& c, const store::hasher& h, const request& r,
                 store::unix_time t, const prepared* p)
    : db(d), cfg(c), req(r), now(t), hasher_(h), prep_(p) {}

const std::string& context::arg(const std::string& name) const {
    static const std::string empty;
    auto it = req.arguments.find(name);
    return it == req.arguments.end() ? empty : it->second;
}

std::string context::hash(const std::string& secret) const {
    if (prep_) {
        auto it = prep_->hashes.find(secret);
        if (it != prep_->hashes.end()) return it->second;
    }
    return hasher_.hash(secret);
}

bool context::verify(const std::string& h, const std::string& secret) const {
    if (prep_) {
        auto it = prep_->verified.find(std::make_pair(h, secret));
        if (it != prep_->verified.end()) return it->second;
    }
    // The stored hash changed since prepare (a concurrent change): verify here.
    return hasher_.verify(h, secret);
}

std::optional<std::string> context::rekey(const std::string& h, const std::string& secret) const {
    if (!hasher_.stale(h)) return std::nullopt;
    return hash(secret);
}

std::string context::generated(std::size_t i, std::size_t length) {
    if (prep_ && i < prep_->generated.size()) return prep_->generated[i];
    while (extra_generated_.size() <= i)
        extra_generated_.push_back(store::random_password(length, cfg.password_max_repeat));
    return extra_generated_[i];
}

std::string context::say(msg id, const std::map<std::string, std::string>& vars) const {
    return text(id, lang, vars);
}

std::string context::rub(store::kopecks k) const {
    return format_rub(k, lang);
}

outcome context::ok(std::map<std::string, std::string> vars, msg id) {
    outcome o;
    o.ok = true;
    vars["message"] = say(id, vars);
    o.vars = std::move(vars);
    return o;
}

outcome context::refuse(std::string code, msg id, std::map<std::string, std::string> vars) {
    outcome o;
    o.ok = false;
    o.error = std::move(code);
    vars["reason"] = say(id, vars);
    o.vars = std::move(vars);
    return o;
}

outcome context::bad_argument(const std::string& param) {
    return refuse("bad_argument", msg::bad_argument,
                  {{"param", param}, {"what", param_word(param, lang)}});
}

void context::sms(const std::string& from, const std::string& t, const std::string& to) {
    sms_.push_back({from, to.empty() ? req.msisdn : to, t});
}

std::optional<outcome> context::need_funds(store::kopecks price) {
    store::kopecks available = sub->balance + sub->credit_limit;
    if (price <= 0 || available >= price) return std::nullopt;
    return refuse("insufficient_funds", msg::insufficient_funds,
                  {{"missing", rub(price - available)}, {"price", rub(price)}});
}

void context::move_money(store::kopecks delta) {
    db.add_balance(req.msisdn, delta);
    sub->balance += delta;
    amount += delta;
}

void registry::add(entry e) {
    // Every success carries a ready-made sentence in vars["message"].
    auto& p = e.facts.provides;
    if (std::find(p.begin(), p.end(), "message") == p.end()) p.push_back("message");
    auto name = e.facts.name;
    entries_[name] = std::move(e);
}

const info* registry::find(std::string_view name) const {
    auto* e = lookup(name);
    return e ? &e->facts : nullptr;
}

const entry* registry::lookup(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> registry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries_) out.push_back(name);
    return out;
}

const registry& builtin_registry() {
    static const registry r = [] {
        registry x;
        add_balance_actions(x);
        add_password_actions(x);
        add_tariff_actions(x);
        add_service_actions(x);
        add_payment_actions(x);
        add_blocking_actions(x);
        add_sim_actions(x);
        add_bonus_actions(x);
        add_details_actions(x);
        add_misc_actions(x);
        add_link_actions(x);
        return x;
    }();
    return r;
}

}  // namespace ussdgw::actions
