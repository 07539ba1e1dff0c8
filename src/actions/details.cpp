// details_order (statements for up to 6 months) and archive_list (last N actions).

#include <algorithm>

#include "common.hpp"

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
    if (!word) return ctx.refuse("bad_argument", msg::bad_argument, {{"param", "kind"}});
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

outcome archive_list(context& ctx) {
    std::int64_t limit = ctx.cfg.archive_list_default;
    if (!ctx.arg("limit").empty()) {
        auto n = parse_count(ctx.arg("limit"));
        if (!n || *n < 1)
            return ctx.refuse("bad_argument", msg::bad_argument, {{"param", "limit"}});
        limit = std::min(*n, ctx.cfg.archive_list_max);
    }
    std::string lines;
    int n = 0;
    for (const auto& row : ctx.db.last_archive(ctx.req.msisdn, limit)) {
        if (n++) lines += '\n';
        lines += format_stamp(row.time, ctx.cfg.utc_offset_seconds) + " " + row.action + " " +
                 row.result;
        if (row.amount != 0) lines += " " + format_rub(row.amount);
    }
    return ctx.ok({{"archive", lines}, {"count", std::to_string(n)}},
                  n ? msg::ok_archive : msg::ok_archive_empty);
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
}

}  // namespace ussdgw::actions
