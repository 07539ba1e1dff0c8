// Number management links: number_link and number_unlink (the operator's
// tools), linked_balances (the owner's *111#: the balances of the numbers
// linked to the account).

#include "common.hpp"

namespace ussdgw::actions {

namespace {

// Links are made by the operator (the owner proves ownership at a shop or
// on the website), never by a subscriber's dial.
std::optional<outcome> operator_only(context& ctx, const char* action) {
    if (ctx.req.via == channel::admin) return std::nullopt;
    return ctx.refuse("not_allowed", msg::unknown_action, {{"action", action}});
}

outcome number_link(context& ctx) {
    if (auto no = operator_only(ctx, "number_link")) return *no;
    auto other = detail::recipient(ctx, "other");
    if (!other) return other.error();
    const auto& owner = ctx.req.msisdn;
    if (*other == owner) return ctx.refuse("same_number", msg::same_number);
    if (!ctx.sub->number_management)
        return ctx.refuse("number_management_off", msg::nm_needed, {{"owner", owner}});
    auto peer = ctx.db.find_subscriber(*other);
    if (!peer) return ctx.refuse("unknown_recipient", msg::unknown_recipient, {{"to", *other}});
    if (auto taken = ctx.db.owner_of(*other))
        return *taken == owner ? ctx.ok({{"owner", owner}, {"other", *other}}, msg::ok_linked)
                               : ctx.refuse("link_taken", msg::link_taken, {{"other", *other}});
    ctx.db.add_link(owner, *other, ctx.now);
    // The linked number hears of it: someone else can now see its balance.
    ctx.sms(ctx.cfg.notify_sender, text(msg::sms_linked, peer->language, {{"owner", owner}}),
            *other);
    return ctx.ok({{"owner", owner}, {"other", *other}}, msg::ok_linked);
}

outcome number_unlink(context& ctx) {
    if (auto no = operator_only(ctx, "number_unlink")) return *no;
    auto other = detail::recipient(ctx, "other");
    if (!other) return other.error();
    const auto& owner = ctx.req.msisdn;
    if (!ctx.db.remove_link(owner, *other))
        return ctx.refuse("not_linked", msg::not_linked, {{"other", *other}});
    return ctx.ok({{"owner", owner}, {"other", *other}}, msg::ok_unlinked);
}

outcome linked_balances(context& ctx) {
    auto links =
        ctx.sub->number_management ? ctx.db.links_of(ctx.req.msisdn) : std::vector<std::string>{};
    if (links.empty()) return ctx.refuse("no_links", msg::no_links);
    std::string lines;
    for (const auto& other : links) {
        auto peer = ctx.db.find_subscriber(other);
        if (!peer) continue;
        if (!lines.empty()) lines += '\n';
        lines += ctx.say(msg::line_linked_balance,
                         {{"msisdn", other}, {"balance", ctx.rub(peer->balance)}});
    }
    return ctx.ok({{"lines", lines}, {"count", std::to_string(links.size())}},
                  msg::ok_linked_balances);
}

}  // namespace

void add_link_actions(registry& r) {
    entry link;
    link.facts = {"number_link", {"other"}, {}, {}, {"owner", "other", "message"}};
    link.run = number_link;
    link.errors = {"not_allowed",           "bad_number",        "same_number",
                   "number_management_off", "unknown_recipient", "link_taken"};
    r.add(std::move(link));

    entry unlink;
    unlink.facts = {"number_unlink", {"other"}, {}, {}, {"owner", "other", "message"}};
    unlink.run = number_unlink;
    unlink.errors = {"not_allowed", "bad_number", "not_linked"};
    r.add(std::move(unlink));

    entry balances;
    balances.facts = {"linked_balances", {}, {}, {}, {"lines", "count", "message"}};
    balances.run = linked_balances;
    balances.read_only = true;
    balances.errors = {"no_links"};
    r.add(std::move(balances));
}

}  // namespace ussdgw::actions
