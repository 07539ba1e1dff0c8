// The checks that need the whole tree: references, reachability, duplicate
// codes, actions and their arguments, and placeholders.

#include <algorithm>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>

#include "build.hpp"

namespace ussdgw::menu::detail {
namespace {

using var_set = std::set<std::string>;

std::string short_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// Resolves one reference; reports a dangling one.
node_id resolve(builder& b, const node& from, const ref& r, const std::string& what) {
    if (r.name.empty()) return no_node;
    auto it = b.ids.find(r.name);
    if (it == b.ids.end()) {
        b.report(from.file, r.line,
                 "node '" + from.id + "': " + what + " goes to unknown node '" + r.name + "'");
        return no_node;
    }
    return it->second;
}

void resolve_all(builder& b) {
    for (std::size_t i = 0; i < b.t.nodes.size(); ++i) {
        node& n = b.t.nodes[i];
        const node_source& s = b.sources[i];
        for (std::size_t k = 0; k < n.options.size() && k < s.option_next.size(); ++k)
            n.options[k].next = resolve(b, n, s.option_next[k], "option " + std::to_string(k + 1));
        n.next = resolve(b, n, s.next, "next");
        n.yes = resolve(b, n, s.yes, "yes");
        n.no = resolve(b, n, s.no, "no");
    }
    for (std::size_t i = 0; i < b.t.codes.size(); ++i) {
        auto& c = b.t.codes[i];
        const ref& r = b.code_targets[i];
        if (r.name.empty()) continue;
        auto it = b.ids.find(r.name);
        if (it == b.ids.end())
            b.report(c.file, r.line,
                     "code '" + c.source + "' goes to unknown node '" + r.name + "'");
        else
            c.target = it->second;
    }
    if (!b.root.name.empty()) {
        auto it = b.ids.find(b.root.name);
        if (it == b.ids.end()) {
            b.report(b.root_file, b.root.line, "root '" + b.root.name + "' is not a node");
        } else if (b.t.nodes[it->second].kind != node_kind::menu) {
            b.report(b.root_file, b.root.line, "root '" + b.root.name + "' must be a menu");
        } else {
            b.t.root = it->second;
        }
    }
}

// Two codes with the same prefix and the same literals and captures in the
// same places would both match every string either matches.
void check_codes(builder& b) {
    std::map<std::string, std::size_t> shapes;
    for (std::size_t i = 0; i < b.t.codes.size(); ++i) {
        auto& c = b.t.codes[i];
        std::string shape = c.prefix;
        for (const auto& s : c.segments) shape += s.capture ? "*{}" : "*" + s.value;
        auto [it, fresh] = shapes.emplace(shape, i);
        if (!fresh) {
            const auto& first = b.t.codes[it->second];
            b.report(c.file, c.line,
                     "duplicate code '" + c.source + "' (first at " + short_name(first.file) + ":" +
                         std::to_string(first.line) + ")");
            c.target = no_node;  // left out of reachability and variable checks
            continue;
        }
        b.t.codes_by_prefix[c.prefix].push_back(i);
    }
    // Most literal segments first, so "*111*828*1#" beats "*111*{x}*1#".
    for (auto& [prefix, list] : b.t.codes_by_prefix)
        std::stable_sort(list.begin(), list.end(), [&](std::size_t x, std::size_t y) {
            return b.t.codes[x].literals > b.t.codes[y].literals;
        });
}

// A code that spells a walk of the menu ("*111*6*1#": main menu, 6, then 1)
// must lead where that walk leads, with the same settings, else dialling it
// and walking it do different things. `override: true` says it is meant.
void check_shadowing(builder& b) {
    const auto& t = b.t;
    for (const auto& c : t.codes) {
        if (c.override_walk || c.target == no_node) continue;
        const auto w = walk_of(t, c);
        if (!w) continue;
        bool same = w->at == c.target;
        for (const auto& [k, v] : c.set) same = same && w->set.count(k) && w->set.at(k) == v;
        if (same) continue;
        b.report(c.file, c.line,
                 "code '" + c.source + "' shadows the menu walk " + c.prefix + "# then " + w->path +
                     " (node '" + t.nodes[w->at].id +
                     "'): dialling it would do something "
                     "else than choosing those items; lead it to the same node, or mark it "
                     "'override: true' when that is meant");
    }
}

// Where a node leads, with the variables each edge sets.
template <class F>
void for_each_edge(const node& n, F&& f) {
    static const std::vector<std::pair<std::string, std::string>> none;
    switch (n.kind) {
        case node_kind::menu:
            for (const auto& o : n.options) f(o.next, o.set, std::string());
            break;
        case node_kind::input:
            f(n.next, none, n.var);
            break;
        case node_kind::confirm:
            f(n.yes, none, std::string());
            f(n.no, none, std::string());
            break;
        case node_kind::action:
            f(n.next, none, std::string());
            break;
        default:
            break;
    }
}

// Variables set on every path from an entry (root or a code) to each node:
// a forward "must" data-flow, intersecting over incoming edges.
std::vector<std::optional<var_set>> available_vars(builder& b) {
    const auto& t = b.t;
    std::vector<std::optional<var_set>> avail(t.nodes.size());
    std::deque<node_id> work;
    auto merge = [&](node_id n, const var_set& in) {
        if (n == no_node) return;
        auto& cur = avail[n];
        if (!cur) {
            cur = in;
        } else {
            var_set both;
            std::set_intersection(cur->begin(), cur->end(), in.begin(), in.end(),
                                  std::inserter(both, both.begin()));
            if (both == *cur) return;
            cur = std::move(both);
        }
        work.push_back(n);
    };
    if (t.root != no_node) merge(t.root, {});
    for (const auto& c : t.codes) {
        var_set in;
        for (const auto& s : c.segments)
            if (s.capture) in.insert(s.value);
        for (const auto& [k, v] : c.set) in.insert(k);
        merge(c.target, in);
    }
    while (!work.empty()) {
        const node_id id = work.front();
        work.pop_front();
        const var_set here = *avail[id];
        const node& n = t.nodes[id];
        if (n.kind == node_kind::action && n.next != no_node) {
            // What the action provides is set for the node after it.
            var_set out = here;
            if (const auto* info = b.catalog.find(n.action))
                out.insert(info->provides.begin(), info->provides.end());
            merge(n.next, out);
            continue;
        }
        for_each_edge(n, [&](node_id to, const auto& set, const std::string& var) {
            var_set out = here;
            for (const auto& [k, v] : set) out.insert(k);
            if (!var.empty()) out.insert(var);
            merge(to, out);
        });
    }
    return avail;
}

// Reports each placeholder of `texts` not in `allowed`.
void check_placeholders(builder& b, const node& n, int line, const localized& texts,
                        const var_set& allowed, const std::string& what, const std::string& why) {
    std::set<std::string> seen;
    for (const auto& t : texts)
        for (const auto& p : t.placeholders())
            if (!allowed.contains(p) && p.rfind("rules.", 0) != 0 && seen.insert(p).second)
                b.report(n.file, line ? line : n.line,
                         "node '" + n.id + "': " + what + " uses {" + p + "}, " + why);
}

// `avail` is null for an unreachable node: then only names are checked.
void check_action(builder& b, node& n, const node_source& s, const var_set* avail) {
    const actions::info* info = n.action.empty() ? nullptr : b.catalog.find(n.action);
    if (!n.action.empty() && !info)
        b.report(n.file, s.action_line, "node '" + n.id + "': unknown action '" + n.action + "'");
    for (std::size_t i = 0; i < n.args.size(); ++i) {
        const auto& a = n.args[i];
        const int line = i < s.arg_lines.size() ? s.arg_lines[i] : s.args_line;
        if (info &&
            std::find(info->params.begin(), info->params.end(), a.name) == info->params.end() &&
            std::find(info->optional_params.begin(), info->optional_params.end(), a.name) ==
                info->optional_params.end())
            b.report(n.file, line,
                     "node '" + n.id + "': action '" + n.action + "' takes no argument '" + a.name +
                         "'");
        for (const auto& p : a.value.placeholders())
            if (avail && !avail->contains(p) && p.rfind("rules.", 0) != 0)
                b.report(n.file, line,
                         "node '" + n.id + "': argument '" + a.name + "' uses {" + p +
                             "}, which is not set on every path to this node");
    }
    if (info) {
        for (const auto& p : info->params)
            if (std::none_of(n.args.begin(), n.args.end(),
                             [&](const arg_binding& a) { return a.name == p; }))
                b.report(
                    n.file, s.args_line ? s.args_line : s.action_line,
                    "node '" + n.id + "': action '" + n.action + "' needs argument '" + p + "'");
        if (avail) {
            var_set ok = *avail;
            ok.insert(info->provides.begin(), info->provides.end());
            check_placeholders(b, n, s.ok_line, n.ok, ok, "ok text",
                               "which action '" + n.action + "' does not provide");
            var_set refused = *avail;
            refused.insert("reason");
            check_placeholders(b, n, s.refused_line, n.refused, refused, "refused text",
                               "which a refusal does not provide (it has {reason})");
        }
        // Secrets: an argument the action keeps secret makes its variable secret.
        for (const auto& a : n.args)
            if (std::find(info->secret_params.begin(), info->secret_params.end(), a.name) !=
                info->secret_params.end())
                for (const auto& p : a.value.placeholders()) b.t.secret_vars.insert(p);
    }
}

}  // namespace

void link(builder& b) {
    auto& t = b.t;
    resolve_all(b);
    check_codes(b);
    check_shadowing(b);

    // Reachability from the root and every code target.
    b.reachable.assign(t.nodes.size(), false);
    std::deque<node_id> work;
    auto visit = [&](node_id n) {
        if (n != no_node && !b.reachable[n]) {
            b.reachable[n] = true;
            work.push_back(n);
        }
    };
    visit(t.root);
    for (const auto& c : t.codes) visit(c.target);
    while (!work.empty()) {
        const node_id n = work.front();
        work.pop_front();
        for_each_edge(t.nodes[n], [&](node_id to, const auto&, const std::string&) { visit(to); });
    }
    if (t.root != no_node)
        for (std::size_t i = 0; i < t.nodes.size(); ++i)
            if (!b.reachable[i])
                b.report(t.nodes[i].file, t.nodes[i].line,
                         "node '" + t.nodes[i].id +
                             "' is unreachable (no menu, node or code leads to it)");

    const auto avail = available_vars(b);
    const std::string unset = "which is not set on every path to this node";
    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
        node& n = t.nodes[i];
        const node_source& s = b.sources[i];
        if (n.kind == node_kind::action) check_action(b, n, s, avail[i] ? &*avail[i] : nullptr);
        if (!avail[i]) continue;  // unreachable: reported above
        switch (n.kind) {
            case node_kind::menu:
                check_placeholders(b, n, s.text_line, n.text, {}, "title",
                                   "but menu texts cannot have placeholders");
                for (std::size_t k = 0; k < n.options.size(); ++k)
                    check_placeholders(b, n, n.line, n.options[k].label, {},
                                       "option " + std::to_string(k + 1) + " label",
                                       "but menu texts cannot have placeholders");
                break;
            case node_kind::input:
                check_placeholders(b, n, s.text_line, n.text, *avail[i], "prompt", unset);
                check_placeholders(b, n, s.error_line, n.error, *avail[i], "error", unset);
                break;
            case node_kind::confirm:
                check_placeholders(b, n, s.text_line, n.text, *avail[i], "prompt", unset);
                break;
            case node_kind::text:
                check_placeholders(b, n, s.text_line, n.text, *avail[i], "text", unset);
                break;
            case node_kind::action:
                break;
        }
    }
    for (auto& n : t.nodes)
        if (n.kind == node_kind::input && n.secret) t.secret_vars.insert(n.var);
    for (auto& n : t.nodes)
        if (n.kind == node_kind::input && t.secret_vars.contains(n.var)) n.secret = true;
}

}  // namespace ussdgw::menu::detail
