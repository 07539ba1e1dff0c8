#include "ussdgw/actions/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common.hpp"
#include "ussdgw/actions/calendar.hpp"
#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/usage.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/util/translit.hpp"
#include "ussdgw/util/charset.hpp"

namespace ussdgw::actions {

namespace {

void put_field(std::string& out, std::string_view f) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
}

// Reads one "len:data" field at `pos`; false when the input is damaged.
bool get_field(const std::string& s, std::size_t& pos, std::string& f) {
    auto colon = s.find(':', pos);
    if (colon == std::string::npos || colon == pos || colon - pos > 9) return false;
    std::size_t n = 0;
    for (std::size_t i = pos; i < colon; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        n = n * 10 + static_cast<std::size_t>(s[i] - '0');
    }
    if (colon + 1 + n > s.size()) return false;
    f = s.substr(colon + 1, n);
    pos = colon + 1 + n;
    return true;
}

bool get_count(const std::string& s, std::size_t& pos, std::size_t& n) {
    std::string f;
    if (!get_field(s, pos, f)) return false;
    auto v = parse_count(f);
    if (!v || *v > 100000) return false;
    n = static_cast<std::size_t>(*v);
    return true;
}

bool is_secret(const entry* e, const std::string& name) {
    if (!e) return true;  // unknown action: we cannot tell, so hide every value
    const auto& s = e->facts.secret_params;
    return std::find(s.begin(), s.end(), name) != s.end();
}

// What the dedup table keeps: the outcome without anything secret, so a
// replayed password_set answers without its one-time password rather than
// storing a password in clear.
outcome for_replay(const entry* e, outcome o) {
    if (!e) return o;
    for (const auto& v : e->secret_vars) o.vars.erase(v);
    if (e->secret_sms) o.sms.clear();
    return o;
}

// A "monthly" fee covers 30 days rather than a calendar month, so every
// period has the same length; the v4 migration counts with the same length.
constexpr std::int64_t service_month_seconds = 30 * 86400;

std::int64_t period_seconds(const std::string& period) {
    return period == "daily" ? 86400 : service_month_seconds;
}

bool in_transaction(store::accounts& db) {
    return db.conn().in_transaction();
}

// The first `n` characters of UTF-8 `v` (never half a character).
std::string cut_utf8(const std::string& v, std::size_t n) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n && pos < v.size(); ++i) util::utf8_next(v, pos);
    return v.substr(0, pos);
}

}  // namespace

std::string encode_outcome(const outcome& o) {
    std::string out;
    put_field(out, o.ok ? "1" : "0");
    put_field(out, o.error);
    put_field(out, o.language);
    put_field(out, std::to_string(o.vars.size()));
    for (const auto& [k, v] : o.vars) {
        put_field(out, k);
        put_field(out, v);
    }
    put_field(out, std::to_string(o.sms.size()));
    for (const auto& m : o.sms) {
        put_field(out, m.from);
        put_field(out, m.to);
        put_field(out, m.text);
    }
    return out;
}

std::optional<outcome> decode_outcome(const std::string& s) {
    outcome o;
    std::size_t pos = 0;
    std::string f;
    if (!get_field(s, pos, f)) return std::nullopt;
    o.ok = f == "1";
    if (!get_field(s, pos, o.error) || !get_field(s, pos, o.language)) return std::nullopt;
    std::size_t n = 0;
    if (!get_count(s, pos, n)) return std::nullopt;
    for (std::size_t i = 0; i < n; ++i) {
        std::string k, v;
        if (!get_field(s, pos, k) || !get_field(s, pos, v)) return std::nullopt;
        o.vars[k] = v;
    }
    if (!get_count(s, pos, n)) return std::nullopt;
    for (std::size_t i = 0; i < n; ++i) {
        domain::sms_out m;
        if (!get_field(s, pos, m.from) || !get_field(s, pos, m.to) || !get_field(s, pos, m.text))
            return std::nullopt;
        o.sms.push_back(std::move(m));
    }
    if (pos != s.size()) return std::nullopt;
    return o;
}

std::string archive_arguments(const entry* e, const args& a) {
    std::string out;
    for (const auto& [k, v] : a) {
        if (!out.empty()) out += "; ";
        out += k;
        out += '=';
        if (is_secret(e, k))
            out += "***";
        else
            out += util::utf8_length(v) > 64 ? cut_utf8(v, 64) + "..." : v;
    }
    return out;
}

engine::engine(store::accounts& db, const registry& reg, const rules& cfg, const store::hasher& h,
               clock_fn clock)
    : db_(db), reg_(reg), cfg_(cfg), hasher_(h), clock_(std::move(clock)) {}

bool engine::read_only(const std::string& action) const {
    const auto* e = reg_.lookup(action);
    // Unknown actions change nothing either.
    return !e || e->read_only;
}

outcome storage_failure(const request& req, const rules& cfg) {
    outcome o;
    o.ok = false;
    o.error = "storage_error";
    o.language = req.language.empty() ? cfg.default_language : req.language;
    o.vars["reason"] = text(msg::storage_error, o.language);
    return o;
}

outcome engine::storage_failure(const request& req) const {
    return actions::storage_failure(req, cfg_);
}

outcome engine::invoke(const entry* e, const request& req, const prepared* prep,
                       store::unix_time now, bool* keep, store::kopecks* amount) {
    context ctx(db_, cfg_, hasher_, req, now, prep);
    ctx.lang = req.language.empty() ? cfg_.default_language : req.language;
    if (!e) return ctx.refuse("unknown_action", msg::unknown_action, {{"action", req.action}});
    ctx.sub = db_.find_subscriber(req.msisdn);
    if (ctx.sub && req.language.empty()) ctx.lang = ctx.sub->language;
    outcome o;
    if (e->needs_subscriber && !ctx.sub) {
        o = ctx.refuse("unknown_subscriber", msg::unknown_subscriber, {{"msisdn", req.msisdn}});
    } else {
        for (const auto& p : e->facts.params) {
            if (ctx.arg(p).empty()) {
                o = ctx.bad_argument(p);
                o.language = ctx.lang;
                return o;
            }
        }
        o = e->run(ctx);
        o.sms.insert(o.sms.end(), ctx.sms_.begin(), ctx.sms_.end());
        *keep = ctx.keep_on_refusal;
        *amount = ctx.amount;
    }
    if (o.language.empty()) o.language = ctx.lang;
    return o;
}

store::archive_row engine::make_row(const entry* e, const request& req, const outcome& o,
                                    store::unix_time now, store::kopecks amount) const {
    store::archive_row row;
    row.msisdn = req.msisdn;
    row.time = now;
    row.channel = to_string(req.via);
    row.action = req.action;
    row.arguments = archive_arguments(e, req.arguments);
    row.result = o.ok ? "ok" : o.error;
    row.amount = amount;
    return row;
}

outcome engine::execute(const request& req, const prepared* prep) {
    const auto now = clock_();
    const entry* e = reg_.lookup(req.action);
    if (!req.dedup_key.empty()) {
        // The SMSC resent a message whose response it lost: answer as before,
        // apply nothing. Checked inside the write transaction, so two copies
        // in one batch see each other.
        const auto window =
            req.dedup_window_seconds > 0 ? req.dedup_window_seconds : cfg_.dedup_window_seconds;
        expire_dedup(now, window);
        if (auto stored = db_.find_dedup(req.dedup_key, now - window)) {
            if (auto o = decode_outcome(*stored)) {
                spdlog::debug("action {} msisdn {} duplicate of an earlier request, not applied",
                              req.action, req.msisdn);
                o->replayed = true;
                o->sms.clear();  // they went out with the first outcome
                return *o;
            }
        }
    }
    bool keep = false;
    store::kopecks amount = 0;
    outcome o;
    bool failed = false;
    {
        store::savepoint sp(db_.conn());
        try {
            o = invoke(e, req, prep, now, &keep, &amount);
        } catch (const store::db_failure& ex) {
            if (!in_transaction(db_)) throw;  // SQLite rolled everything back: the batch is lost
            // PostgreSQL: another gateway's transaction got there first; the
            // whole batch runs again (store_runner), not just this action.
            if (ex.conflict()) throw;
            spdlog::error("action {} msisdn {} failed in the store: {}", req.action, req.msisdn,
                          ex.what());
            failed = true;
        } catch (const std::exception& ex) {
            if (!in_transaction(db_)) throw;
            spdlog::error("action {} msisdn {} failed in the store: {}", req.action, req.msisdn,
                          ex.what());
            failed = true;
        }
        if (failed || !(o.ok || keep)) {
            sp.rollback();
            amount = 0;
        } else {
            sp.release();
        }
    }
    if (failed) o = storage_failure(req);
    if (!e || e->archived) db_.add_archive(make_row(e, req, o, now, amount));
    // The SMS are part of what the action did: they commit with it or not at all.
    if (!failed) {
        cap_notices(req, o.sms, now);
        queue_sms(o.sms, now);
    }
    // Only what changed the account is remembered: running a refusal again
    // changes nothing, and a subscriber who tops up and dials again must not
    // get the old refusal. A storage failure is not remembered either: the
    // SMSC's resend may succeed.
    if (!req.dedup_key.empty() && !failed && (o.ok || keep))
        db_.put_dedup(req.dedup_key, now, encode_outcome(for_replay(e, o)));
    spdlog::debug("action {} msisdn {} via {}: {}", req.action, req.msisdn, to_string(req.via),
                  o.ok ? "ok" : o.error);
    return o;
}

// An SMS an action sends to a number other than its requester's (a bonus
// gift, a number link) is something a stranger can make us send: at most
// rules.notices_per_hour reach one number per hour, whoever triggers them,
// so one subscriber giving 1 point a thousand times cannot flood a phone.
// The action itself still runs; the operator's own tool is not limited.
void engine::cap_notices(const request& req, std::vector<domain::sms_out>& sms,
                         store::unix_time now) {
    // No cap, nothing to count: no store work per notice.
    if (req.via == channel::admin || cfg_.notices_per_hour == 0) return;
    std::erase_if(sms, [&](const domain::sms_out& m) {
        if (m.to == req.msisdn) return false;
        auto window = db_.find_notice_window(m.to);
        const bool send = detail::hourly_cap_allows(cfg_.notices_per_hour, window, now);
        db_.put_notice_window(m.to, window);
        if (!send)
            spdlog::info("[msisdn={}] notice from {} ({}) not sent: {} per hour reached", m.to,
                         req.msisdn, req.action, cfg_.notices_per_hour);
        return !send;
    });
}

// Called before each keyed request: the table only grows with them, so
// expiring here bounds it without a timer, and at most once a minute keeps
// the DELETE off the per-request path.
void engine::expire_dedup(store::unix_time now, std::int64_t window) {
    // The longest window requests asked for, not the rules' default: the
    // front doors ask for a minute, and their rows must not wait a day.
    longest_dedup_window_ = std::max(longest_dedup_window_, window);
    if (now < next_dedup_expiry_) return;
    next_dedup_expiry_ = now + 60;
    dedup_purged_ += static_cast<std::uint64_t>(db_.purge_dedup(now - longest_dedup_window_));
}

outcome engine::read(const request& req, std::optional<store::archive_row>* row) {
    const auto now = clock_();
    const entry* e = reg_.lookup(req.action);
    bool keep = false;
    store::kopecks amount = 0;
    outcome o = invoke(e, req, nullptr, now, &keep, &amount);
    if (row && (!e || e->archived)) *row = make_row(e, req, o, now, 0);
    if (!o.sms.empty()) {
        // A read has no transaction to put its SMS in: an action that sends
        // one must be registered as writing (tests check every action).
        spdlog::error("read-only action {} produced {} SMS; they are not sent", req.action,
                      o.sms.size());
        o.sms.clear();
    }
    return o;
}

void engine::queue_sms(const std::vector<domain::sms_out>& sms, store::unix_time now) {
    for (const auto& m : sms) {
        // One place decides how an SMS reads: the text is already in the
        // recipient's language (the action chose it); the alphabet is the
        // recipient's own choice, as on USSD screens.
        std::string text = m.text;
        if (auto to = db_.find_subscriber(m.to); to && to->alphabet == "latin")
            text = util::transliterate(text);
        const auto& key = hasher_.key();
        db_.add_outbox(now, m.from, m.to, key ? key->seal(text) : text, key.has_value(),
                       now + cfg_.outbox_max_age_seconds);
    }
}

daily_report engine::daily() {
    const auto now = clock_();
    daily_report r;
    auto archive = [&](const std::string& msisdn, const std::string& action,
                       const std::string& arguments, store::kopecks amount) {
        store::archive_row row;
        row.msisdn = msisdn;
        row.time = now;
        row.channel = "system";
        row.action = action;
        row.arguments = arguments;
        row.result = "ok";
        row.amount = amount;
        db_.add_archive(row);
    };
    for (const auto& b : db_.all_open_blocking()) {
        std::int64_t days = (now - b.started) / 86400;
        std::int64_t paid = std::max<std::int64_t>(0, days - cfg_.blocking_free_days);
        std::int64_t due = paid - b.charged_days;
        if (due <= 0) continue;
        store::kopecks fee = due * cfg_.blocking_daily_fee;
        db_.add_balance(b.msisdn, -fee);
        db_.add_payment(b.msisdn, now, "blocking_fee", -fee, "");
        db_.set_charged_days(b.id, paid);
        archive(b.msisdn, "blocking_fee", "days=" + std::to_string(due), -fee);
        ++r.blocking_charged;
        r.blocking_total += fee;
    }
    // Service fees may take the balance below zero: like blocking, the fee is
    // owed whether or not it is covered; suspending for debt is done elsewhere.
    for (const auto& sub : db_.recurring_subscriptions()) {
        std::int64_t periods =
            std::max<std::int64_t>(0, (now - sub.since) / period_seconds(sub.period));
        std::int64_t due = periods - sub.charged_periods;
        if (due <= 0) continue;
        if (sub.part_of_tariff) {
            // The tariff pays for these periods: settle them without a charge
            // so a later tariff change does not bill them after the fact.
            db_.set_charged_periods(sub.msisdn, sub.service, periods);
            continue;
        }
        store::kopecks fee = due * sub.fee;
        db_.add_balance(sub.msisdn, -fee);
        db_.add_payment(sub.msisdn, now, "service_fee", -fee, sub.service);
        db_.set_charged_periods(sub.msisdn, sub.service, periods);
        archive(sub.msisdn, "service_fee",
                "service=" + sub.service + "; periods=" + std::to_string(due), -fee);
        ++r.services_charged;
        r.services_total += fee;
    }
    for (const auto& p : db_.due_promised(now)) {
        db_.add_balance(p.msisdn, -p.amount);
        db_.add_payment(p.msisdn, now, "promised_repayment", -p.amount, "");
        db_.mark_repaid(p.id, now);
        archive(p.msisdn, "promised_repayment", "amount=" + format_rub(p.amount, "en"), -p.amount);
        ++r.promised_repaid;
        r.promised_total += p.amount;
    }
    review_full_trust(now, r);
    // A package period that began: the used counters start afresh (usage.hpp).
    for (const auto& msisdn : db_.usage_periods_due(now, package_period_seconds))
        if (roll_package_period(db_, msisdn, now)) ++r.usage_periods_rolled;
    r.dedup_purged =
        db_.purge_dedup(now - std::max(cfg_.dedup_window_seconds, longest_dedup_window_));
    queue_sms(r.sms, now);
    // Sent and expired rows are kept a week for inquiries, then forgotten.
    r.outbox_purged = db_.purge_outbox(now - 7 * 86400);
    return r;
}

// docs/actions.md "Full trust review": on the first run in a new month (local
// time), every credit limit becomes full_trust_share_percent of the average
// monthly spend of the full_trust_review_months before it, whole roubles
// down, never below full_trust_start_limit. The month is stored per account,
// so a second run in the same month changes nothing.
void engine::review_full_trust(store::unix_time now, daily_report& r) {
    const auto off = cfg_.utc_offset_seconds;
    const auto month = local_month_index(now, off);
    const auto first = month - std::max<std::int64_t>(1, cfg_.full_trust_review_months);
    for (const auto& msisdn : db_.full_trust_msisdns()) {
        auto sub = db_.find_subscriber(msisdn);
        if (!sub || sub->trust_reviewed >= month) continue;
        db_.set_trust_reviewed(msisdn, month);
        // Months the account existed in (a month it was provisioned in
        // counts whole); none: nothing to average, the limit stays.
        std::int64_t months = 0;
        for (auto m = first; m < month; ++m)
            if (month_start(m + 1, off) > sub->created) ++months;
        if (months == 0) continue;
        ++r.trust_reviewed;
        const store::kopecks spend =
            db_.charges_between(msisdn, month_start(first, off), month_start(month, off));
        const store::kopecks share = spend * cfg_.full_trust_share_percent / (100 * months);
        const store::kopecks limit =
            std::max(cfg_.full_trust_start_limit, share / 100 * 100);  // whole roubles
        if (limit == sub->credit_limit) continue;
        db_.set_credit_limit(msisdn, limit);
        store::archive_row row;
        row.msisdn = msisdn;
        row.time = now;
        row.channel = "system";
        row.action = "trust_review";
        row.arguments = "credit_limit=" + format_rub(sub->credit_limit, "en") + "->" +
                        format_rub(limit, "en") + "; spend=" + format_rub(spend, "en") +
                        "; months=" + std::to_string(months);
        row.result = "ok";
        db_.add_archive(row);
        r.sms.push_back({cfg_.notify_sender, msisdn,
                         text(msg::sms_trust_limit, sub->language,
                              {{"credit_limit", format_rub(limit, sub->language)},
                               {"old_limit", format_rub(sub->credit_limit, sub->language)}})});
        ++r.trust_changed;
    }
}

}  // namespace ussdgw::actions
