// details_order (statements for up to 6 months), archive_list (last N
// actions) and payment_history (last N payments). The lists show titles in
// the subscriber's language, never the names the store keeps.

#include <algorithm>

#include "common.hpp"
#include "ussdgw/actions/titles.hpp"

namespace ussdgw::actions {

namespace {

// Statement kinds and their names; "calls" when none is given.
std::optional<msg> kind_word(const std::string& kind) {
    if (kind == "calls") return msg::word_details_calls;
    if (kind == "statement") return msg::word_details_statement;
    if (kind == "cost_control") return msg::word_details_cost_control;
    if (kind == "bill") return msg::word_details_bill;
    return std::nullopt;
}

outcome details_order(context& ctx) {
    auto months = parse_count(ctx.arg("months"));
    if (!months || *months < 1 || *months > ctx.cfg.details_max_months)
        return ctx.refuse("bad_period", msg::bad_period,
                          {{"max", std::to_string(ctx.cfg.details_max_months)}});
    auto kind = ctx.arg("kind").empty() ? std::string("calls") : detail::lower(ctx.arg("kind"));
    auto word = kind_word(kind);
    if (!word) return ctx.bad_argument("kind");
    // A month is 30 days here: the statement is cut by days, not calendar months.
    auto from = ctx.now - *months * 30 * 86400;
    ctx.db.add_detail_order(ctx.req.msisdn, ctx.now, kind, from, ctx.now);
    std::map<std::string, std::string> v{{"kind", ctx.say(*word)},
                                         {"months", std::to_string(*months)},
                                         {"from", format_date(from, ctx.cfg.utc_offset_seconds)},
                                         {"to", format_date(ctx.now, ctx.cfg.utc_offset_seconds)}};
    ctx.sms(ctx.cfg.notify_sender, ctx.say(msg::sms_details, v));
    return ctx.ok(std::move(v), msg::ok_details);
}

// The `limit` argument of the lists: the default when absent, at most the maximum.
std::optional<std::int64_t> list_limit(context& ctx) {
    if (ctx.arg("limit").empty()) return ctx.cfg.archive_list_default;
    auto n = parse_count(ctx.arg("limit"));
    if (!n || *n < 1) return std::nullopt;
    return std::min(*n, ctx.cfg.archive_list_max);
}

// "+150.00" for money in, "-2.50" for money out: the sign says which way.
std::string signed_rub(const context& ctx, store::kopecks k) {
    return (k > 0 ? "+" : "") + ctx.rub(k);
}

outcome archive_list(context& ctx) {
    auto limit = list_limit(ctx);
    if (!limit) return ctx.bad_argument("limit");
    std::string lines;
    int n = 0;
    for (const auto& row : ctx.db.last_archive(ctx.req.msisdn, *limit)) {
        if (n++) lines += '\n';
        std::map<std::string, std::string> v{
            {"time", format_stamp(row.time, ctx.cfg.utc_offset_seconds)},
            {"title", action_title_text(row.action, ctx.lang)},
            {"result",
             ctx.say(row.result == "ok" ? msg::word_result_ok : msg::word_result_refused)}};
        if (row.amount != 0) v["amount"] = signed_rub(ctx, row.amount);
        lines += ctx.say(row.amount != 0 ? msg::line_archive_amount : msg::line_archive, v);
    }
    return ctx.ok({{"archive", lines}, {"count", std::to_string(n)}},
                  n ? msg::ok_archive : msg::ok_archive_empty);
}

// What a payment was with or from: the other number of a transfer, the
// service's or the tariff's title; nothing for the rest (a top-up's
// reference is the operator's, not the subscriber's).
std::string payment_peer(context& ctx, const store::payment_row& p) {
    if (p.peer.empty()) return {};
    if (p.kind == "transfer_in" || p.kind == "transfer_out") return p.peer;
    if (p.kind == "service_fee")
        if (auto svc = ctx.db.find_service(p.peer)) return detail::title(*svc, ctx.lang);
    if (p.kind == "tariff_change_fee")
        if (auto t = ctx.db.find_tariff(p.peer)) return detail::title(*t, ctx.lang);
    return {};
}

outcome payment_history(context& ctx) {
    auto limit = list_limit(ctx);
    if (!limit) return ctx.bad_argument("limit");
    std::string lines;
    int n = 0;
    for (const auto& p : ctx.db.last_payments(ctx.req.msisdn, *limit)) {
        if (n++) lines += '\n';
        std::map<std::string, std::string> v{
            {"time", format_stamp(p.time, ctx.cfg.utc_offset_seconds)},
            {"title", payment_title_text(p.kind, ctx.lang)},
            {"amount", signed_rub(ctx, p.amount)}};
        auto peer = payment_peer(ctx, p);
        if (!peer.empty()) v["peer"] = peer;
        lines += ctx.say(peer.empty() ? msg::line_payment : msg::line_payment_peer, v);
    }
    return ctx.ok({{"payments", lines}, {"count", std::to_string(n)}},
                  n ? msg::ok_payments : msg::ok_payments_empty);
}

}  // namespace

void add_details_actions(registry& r) {
    entry d;
    d.facts = {
        "details_order", {"months"}, {"kind"}, {}, {"kind", "months", "from", "to", "message"}};
    d.run = details_order;
    d.errors = {"bad_period", "bad_argument"};
    r.add(std::move(d));

    entry a;
    a.facts = {"archive_list", {}, {"limit"}, {}, {"archive", "count", "message"}};
    a.run = archive_list;
    a.read_only = true;
    a.errors = {"bad_argument"};
    r.add(std::move(a));

    entry p;
    p.facts = {"payment_history", {}, {"limit"}, {}, {"payments", "count", "message"}};
    p.run = payment_history;
    p.read_only = true;
    p.errors = {"bad_argument"};
    r.add(std::move(p));
}

}  // namespace ussdgw::actions
