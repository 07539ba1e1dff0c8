// Reading one node or one code declaration into the builder.

#include <algorithm>
#include <filesystem>

#include "build.hpp"
#include "ussdgw/ussd/code.hpp"

namespace ussdgw::menu::detail {
namespace {

bool var_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string short_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// The keys each node type accepts, beyond "type".
const std::vector<std::string_view>& keys_of(node_kind k) {
    static const std::vector<std::string_view> menu{"type", "title", "options"};
    static const std::vector<std::string_view> input{
        "type", "prompt", "var", "next", "digits", "length", "regex", "range", "error", "secret"};
    static const std::vector<std::string_view> confirm{"type", "prompt", "yes", "no"};
    static const std::vector<std::string_view> action{"type", "action",  "args",
                                                      "ok",   "refused", "next"};
    static const std::vector<std::string_view> text{"type", "text"};
    switch (k) {
        case node_kind::menu:
            return menu;
        case node_kind::input:
            return input;
        case node_kind::confirm:
            return confirm;
        case node_kind::action:
            return action;
        case node_kind::text:
            break;
    }
    return text;
}

std::optional<node_kind> kind_of(const std::string& s) {
    for (auto k : {node_kind::menu, node_kind::input, node_kind::confirm, node_kind::action,
                   node_kind::text})
        if (s == to_string(k)) return k;
    return std::nullopt;
}

// A reference field: a node name.
ref read_ref(yaml_file& f, const YAML::Node& v, const std::string& what) {
    if (!v) return {};
    auto s = f.scalar(v, what);
    return s ? ref{*s, yaml_file::line(v)} : ref{};
}

// `set: {name: value}` on options and codes.
std::vector<std::pair<std::string, std::string>> read_set(yaml_file& f, const YAML::Node& v,
                                                          const std::string& where) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!v) return out;
    if (!v.IsMap()) {
        f.report(v, where + ": set must map variable names to values");
        return out;
    }
    for (const auto& kv : v) {
        const auto name = kv.first.Scalar();
        if (!var_name(name)) {
            f.report(kv.first, where + ": bad variable name '" + name + "' (use a-z, 0-9, _)");
            continue;
        }
        if (auto val = f.scalar(kv.second, where + ": set " + name)) out.emplace_back(name, *val);
    }
    return out;
}

// A localized text that must be present.
// A localized text that must be present; a missing one is reported at
// `missing_at` (the node's line) or else where `body` starts.
localized required_text(builder& b, yaml_file& f, const YAML::Node& body, const char* key,
                        const std::string& where, int* line_out, int missing_at = 0) {
    const auto v = body[key];
    if (!v) {
        f.report(missing_at ? missing_at : yaml_file::line(body),
                 where + ": missing '" + key + "'");
        return localized(b.t.languages.size());
    }
    if (line_out) *line_out = yaml_file::line(v);
    auto t = f.localized(v, b.t.languages, where + ": " + key);
    return t ? std::move(*t) : localized(b.t.languages.size());
}

localized optional_text(builder& b, yaml_file& f, const YAML::Node& body, const char* key,
                        const std::string& where, int* line_out) {
    if (!body[key]) return {};
    return required_text(b, f, body, key, where, line_out, 0);
}

void read_menu(builder& b, yaml_file& f, const YAML::Node& body, node& n, node_source& src,
               const std::string& where) {
    n.text = required_text(b, f, body, "title", where, &src.text_line, n.line);
    const auto opts = body["options"];
    if (!opts) {
        f.report(n.line, where + ": missing 'options'");
        return;
    }
    if (!opts.IsSequence() || opts.size() == 0) {
        f.report(opts, where + ": options must be a non-empty list");
        return;
    }
    const auto& nav = b.t.nav;
    for (std::size_t i = 0; i < opts.size(); ++i) {
        const auto o = opts[i];
        const std::string what = where + ": option " + std::to_string(i + 1);
        f.check_keys(o, {"key", "label", "next", "set", "when"},
                     "option " + std::to_string(i + 1) + " of node '" + n.id + "'");
        if (!o.IsMap()) continue;
        option opt;
        opt.key = std::to_string(i + 1);
        if (o["key"]) {
            if (auto k = f.scalar(o["key"], what + " key")) opt.key = *k;
            if (opt.key.empty() || !std::all_of(opt.key.begin(), opt.key.end(),
                                                [](char c) { return c >= '0' && c <= '9'; }))
                f.report(o["key"], what + ": key must be digits, not '" + opt.key + "'");
        }
        if (opt.key == nav.back || opt.key == nav.main || opt.key == nav.next)
            f.report(o["key"] ? o["key"] : o,
                     what + ": key '" + opt.key + "' is reserved for navigation");
        for (const auto& other : n.options)
            if (other.key == opt.key) f.report(o, what + ": key '" + opt.key + "' is used twice");
        opt.label = required_text(b, f, o, "label", what, nullptr);
        if (!o["next"]) f.report(o, what + ": missing 'next'");
        src.option_next.push_back(read_ref(f, o["next"], what + " next"));
        opt.set = read_set(f, o["set"], what);
        if (o["when"])
            if (auto w = f.scalar(o["when"], what + " when")) {
                if (!var_name(*w))
                    f.report(o["when"],
                             what + ": bad variable name '" + *w + "' (use a-z, 0-9, _)");
                opt.when = *w;
            }
        n.options.push_back(std::move(opt));
    }
}

// A whole number, or a rule constant that is one ("{rules.transfer_max}"),
// so an input accepts exactly what the action behind it will.
std::optional<long long> bound_integer(builder& b, yaml_file& f, const YAML::Node& v,
                                       const std::string& what) {
    if (v.IsScalar() && !v.Scalar().empty() && v.Scalar().front() == '{') {
        const std::string& text = v.Scalar();
        const std::string name = text.substr(1, text.size() >= 2 ? text.size() - 2 : 0);
        const auto c = b.constants ? b.constants->find(name) : decltype(b.constants->end()){};
        if (text.back() != '}' || !b.constants || c == b.constants->end()) {
            f.report(v, what + ": " + text + " is not a rule (docs/menus.md lists them)");
            return std::nullopt;
        }
        try {
            std::size_t used = 0;
            long long n = std::stoll(c->second, &used);
            if (used == c->second.size()) return n;
        } catch (const std::exception&) {
        }
        f.report(v, what + ": " + text + " is " + c->second + ", not a whole number");
        return std::nullopt;
    }
    return f.integer(v, what);
}

void read_input(builder& b, yaml_file& f, const YAML::Node& body, node& n, node_source& src,
                const std::string& where) {
    n.text = required_text(b, f, body, "prompt", where, &src.text_line, n.line);
    n.error = optional_text(b, f, body, "error", where, &src.error_line);
    if (!body["var"]) {
        f.report(n.line, where + ": missing 'var'");
    } else if (auto v = f.scalar(body["var"], where + ": var")) {
        if (!var_name(*v))
            f.report(body["var"], where + ": bad variable name '" + *v + "' (use a-z, 0-9, _)");
        n.var = *v;
    }
    if (!body["next"]) f.report(n.line, where + ": missing 'next'");
    src.next = read_ref(f, body["next"], where + ": next");
    auto& c = n.check;
    if (body["digits"])
        if (auto d = f.boolean(body["digits"], where + ": digits")) c.digits = *d;
    if (body["secret"])
        if (auto s = f.boolean(body["secret"], where + ": secret")) n.secret = *s;
    if (const auto len = body["length"]) {
        // "length: 4" is exact; "length: [4, 8]" a range.
        if (len.IsSequence() && len.size() == 2) {
            auto lo = f.integer(len[0], where + ": length");
            auto hi = f.integer(len[1], where + ": length");
            if (lo && hi) {
                if (*lo < 0 || *lo > *hi)
                    f.report(len, where + ": length must be [min, max] with 0 <= min <= max");
                c.min_length = static_cast<std::size_t>(std::max(0LL, *lo));
                c.max_length = static_cast<std::size_t>(std::max(0LL, *hi));
            }
        } else if (len.IsScalar()) {
            if (auto l = f.integer(len, where + ": length")) {
                if (*l <= 0) f.report(len, where + ": length must be positive");
                c.min_length = c.max_length = static_cast<std::size_t>(std::max(0LL, *l));
            }
        } else {
            f.report(len, where + ": length must be a number or [min, max]");
        }
    }
    if (const auto range = body["range"]) {
        if (range.IsSequence() && range.size() == 2) {
            c.min = bound_integer(b, f, range[0], where + ": range");
            c.max = bound_integer(b, f, range[1], where + ": range");
            if (c.min && c.max && *c.min > *c.max)
                f.report(range, where + ": range minimum is above its maximum");
        } else {
            f.report(range, where + ": range must be [min, max]");
        }
    }
    if (const auto re = body["regex"]) {
        if (auto s = f.scalar(re, where + ": regex")) {
            try {
                c.pattern.emplace(*s, std::regex::ECMAScript | std::regex::optimize);
            } catch (const std::regex_error& e) {
                f.report(re, where + ": invalid regex '" + *s + "': " + e.what());
            }
        }
    }
}

void read_action(builder& b, yaml_file& f, const YAML::Node& body, node& n, node_source& src,
                 const std::string& where) {
    if (!body["action"]) {
        f.report(n.line, where + ": missing 'action'");
    } else if (auto a = f.scalar(body["action"], where + ": action")) {
        n.action = *a;
        src.action_line = yaml_file::line(body["action"]);
    }
    if (const auto args = body["args"]) {
        src.args_line = yaml_file::line(args);
        auto add = [&](const std::string& name, const std::string& value, const YAML::Node& at) {
            for (const auto& a : n.args)
                if (a.name == name) f.report(at, where + ": argument '" + name + "' given twice");
            auto t = text_template::compile(value);
            if (!t) {
                f.report(at, where + ": argument '" + name + "': " + t.error());
                return;
            }
            f.bind_constants(*t, at, where + ": argument '" + name + "'");
            n.args.push_back({name, std::move(*t)});
            src.arg_lines.push_back(yaml_file::line(at));
        };
        if (args.IsMap()) {
            // args: {amount: "{amount}", state: on}
            for (const auto& kv : args)
                if (auto v = f.scalar(kv.second, where + ": argument " + kv.first.Scalar()))
                    add(kv.first.Scalar(), *v, kv.first);
        } else if (args.IsSequence()) {
            // args: [old, new]: each from the variable of the same name.
            for (const auto& item : args)
                if (auto v = f.scalar(item, where + ": argument")) add(*v, "{" + *v + "}", item);
        } else {
            f.report(args, where + ": args must be a mapping or a list of names");
        }
    }
    // With `next`, success goes on to that node with the outcome's values
    // (a quote before a confirmation); without it, `ok` is the result.
    src.next = read_ref(f, body["next"], where + ": next");
    if (body["next"] && body["ok"])
        f.report(body["ok"], where +
                                 ": 'ok' and 'next' exclude each other (after 'next' the "
                                 "node it names is shown)");
    else if (!body["next"])
        n.ok = required_text(b, f, body, "ok", where, &src.ok_line, n.line);
    n.refused = optional_text(b, f, body, "refused", where, &src.refused_line);
}

}  // namespace

void read_node(builder& b, yaml_file& f, const YAML::Node& key, const YAML::Node& body) {
    const std::string id = key.Scalar();
    const int line = yaml_file::line(key);
    const std::string where = "node '" + id + "'";
    if (!var_name(id)) {
        f.report(key, "bad node name '" + id + "' (use a-z, 0-9, _)");
        return;
    }
    if (auto it = b.ids.find(id); it != b.ids.end()) {
        const auto& first = b.t.nodes[it->second];
        f.report(key, "duplicate node '" + id + "' (first at " + short_name(first.file) + ":" +
                          std::to_string(first.line) + ")");
        return;
    }
    node n;
    n.id = id;
    n.file = f.path();
    n.line = line;
    node_source src;
    if (!body.IsMap()) {
        f.report(key, where + " must be a mapping");
    } else if (!body["type"]) {
        f.report(key, where + ": missing 'type' (menu, input, confirm, action or text)");
    } else if (auto t = f.scalar(body["type"], where + ": type")) {
        auto kind = kind_of(*t);
        if (!kind) {
            f.report(body["type"],
                     where + ": unknown type '" + *t + "' (menu, input, confirm, action or text)");
        } else {
            n.kind = *kind;
            f.check_keys(body, keys_of(n.kind), where);
            switch (n.kind) {
                case node_kind::menu:
                    read_menu(b, f, body, n, src, where);
                    break;
                case node_kind::input:
                    read_input(b, f, body, n, src, where);
                    break;
                case node_kind::confirm:
                    n.text = required_text(b, f, body, "prompt", where, &src.text_line, n.line);
                    if (!body["yes"]) f.report(n.line, where + ": missing 'yes'");
                    src.yes = read_ref(f, body["yes"], where + ": yes");
                    src.no = read_ref(f, body["no"], where + ": no");
                    break;
                case node_kind::action:
                    read_action(b, f, body, n, src, where);
                    break;
                case node_kind::text:
                    n.text = required_text(b, f, body, "text", where, &src.text_line, n.line);
                    break;
            }
        }
    }
    // A node whose type could not be read is kept as an empty text node, so
    // later passes can index its texts; it was reported already.
    if (n.text.size() != b.t.languages.size()) n.text.resize(b.t.languages.size());
    // Registered even when broken, so references to it are not also reported.
    b.ids.emplace(id, static_cast<node_id>(b.t.nodes.size()));
    b.t.nodes.push_back(std::move(n));
    b.sources.push_back(std::move(src));
}

void read_code(builder& b, yaml_file& f, const YAML::Node& item) {
    if (!f.check_keys(item, {"code", "goto", "set", "override"}, "code")) {
        if (!item.IsMap()) return;
    }
    if (!item["code"]) {
        f.report(item, "code: missing 'code'");
        return;
    }
    auto source = f.scalar(item["code"], "code");
    if (!source) return;
    const std::string where = "code '" + *source + "'";
    code_route r;
    r.source = *source;
    r.file = f.path();
    r.line = yaml_file::line(item["code"]);

    // Captures are whole segments "{name}"; parse with a digit in their place,
    // then find which segment each one was by parsing the text before it.
    std::string digits;
    std::vector<std::pair<std::size_t, std::string>> captures;  // segment index, name
    for (std::size_t i = 0; i < source->size(); ++i) {
        if ((*source)[i] != '{') {
            digits += (*source)[i];
            continue;
        }
        const auto close = source->find('}', i);
        const std::string name =
            close == std::string::npos ? "" : source->substr(i + 1, close - i - 1);
        const bool whole = i > 0 && (*source)[i - 1] == '*' && close != std::string::npos &&
                           (close + 1 == source->size() || (*source)[close + 1] == '*' ||
                            (*source)[close + 1] == '#');
        if (!var_name(name) || !whole) {
            f.report(item["code"], where + ": a capture must be a whole part like *{name}*");
            return;
        }
        auto before = ussd::parse(digits + "0#");
        if (!before || before->segments.empty()) {
            f.report(item["code"], where + ": a capture must follow the service code");
            return;
        }
        captures.emplace_back(before->segments.size() - 1, name);
        digits += '0';
        i = close;
    }
    auto parsed = ussd::parse(digits);
    if (!parsed) {
        f.report(item["code"], where + ": " + parsed.error().message);
        return;
    }
    r.prefix = parsed->prefix;
    for (const auto& s : parsed->segments) r.segments.push_back({false, s});
    for (const auto& [index, name] : captures) {
        for (const auto& s : r.segments)
            if (s.capture && s.value == name)
                f.report(item["code"], where + ": capture {" + name + "} is used twice");
        r.segments[index] = {true, name};
    }
    r.literals = static_cast<std::size_t>(std::count_if(
        r.segments.begin(), r.segments.end(), [](const code_segment& s) { return !s.capture; }));
    r.set = read_set(f, item["set"], where);
    if (item["override"])
        if (auto o = f.boolean(item["override"], where + ": override")) r.override_walk = *o;
    if (!item["goto"]) {
        f.report(item, where + ": missing 'goto'");
    }
    b.code_targets.push_back(read_ref(f, item["goto"], where + ": goto"));
    b.t.codes.push_back(std::move(r));
}

}  // namespace ussdgw::menu::detail
