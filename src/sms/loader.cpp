#include "ussdgw/sms/loader.hpp"

#include <algorithm>
#include <map>

#include "ussdgw/menu/yaml_read.hpp"

namespace ussdgw::sms {
namespace {

using menu::yaml_file;

bool digits(const std::string& s) {
    return !s.empty() && s.size() <= 15 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Placeholders each UI string may use.
std::vector<std::string> allowed_in(sms_ui s) {
    switch (s) {
        case sms_ui::help:
            return {"number"};
        case sms_ui::refused:
            return {"reason"};
        default:
            return {};
    }
}

void check_placeholders(yaml_file& f, const YAML::Node& at, const menu::localized& texts,
                        const std::set<std::string>& allowed, const std::string& what,
                        const std::string& why) {
    std::set<std::string> seen;
    for (const auto& t : texts)
        for (const auto& p : t.placeholders())
            // An unknown {rules.*} was reported when the text was read.
            if (!allowed.contains(p) && p.rfind("rules.", 0) != 0 && seen.insert(p).second)
                f.report(at, what + " uses {" + p + "}, " + why);
}

struct loader {
    yaml_file& f;
    const actions::catalog& catalog;
    router& r;

    menu::localized text(const YAML::Node& n, const std::string& what) {
        if (!n) return {};
        auto t = f.localized(n, r.languages, what);
        return t ? std::move(*t) : menu::localized(r.languages.size());
    }

    void read_strings(const YAML::Node& v, int line) {
        if (v && v.IsMap()) {
            for (const auto& kv : v) {
                const auto key = kv.first.Scalar();
                std::size_t i = 0;
                while (i < r.strings.size() && key != to_string(static_cast<sms_ui>(i))) ++i;
                if (i == r.strings.size()) {
                    f.report(kv.first, "unknown key '" + key + "' in strings");
                    continue;
                }
                r.strings[i] = text(kv.second, "strings: " + key);
                const auto allowed = allowed_in(static_cast<sms_ui>(i));
                check_placeholders(f, kv.second, r.strings[i],
                                   std::set<std::string>(allowed.begin(), allowed.end()),
                                   "strings: " + key, "which is not available there");
            }
        } else if (v) {
            f.report(v, "strings must be a mapping");
        }
        for (std::size_t i = 0; i < r.strings.size(); ++i) {
            if (!r.strings[i].empty()) continue;
            f.report(v ? yaml_file::line(v) : line,
                     std::string("strings: missing '") + to_string(static_cast<sms_ui>(i)) + "'");
            r.strings[i].resize(r.languages.size());
        }
    }

    void read_command(number_commands& nc, const YAML::Node& item, std::size_t index,
                      std::map<std::string, int>& shapes) {
        const std::string where = "number " + nc.number + ", command " + std::to_string(index);
        f.check_keys(item,
                     {"pattern", "action", "args", "help", "ok", "refused", "from", "secret",
                      "secret_reply"},
                     where);
        if (!item.IsMap()) return;
        command c;
        c.file = f.path();
        c.line = yaml_file::line(item);
        if (!item["pattern"]) {
            f.report(item, where + ": missing 'pattern'");
            return;
        }
        auto src = f.scalar(item["pattern"], where + ": pattern");
        if (!src) return;
        auto p = pattern::compile(*src);
        if (!p) {
            f.report(item["pattern"], where + ": bad pattern '" + *src + "': " + p.error());
            return;
        }
        c.match = std::move(*p);
        const int line = yaml_file::line(item["pattern"]);
        if (auto [it, fresh] = shapes.emplace(c.match.shape(), line); !fresh)
            f.report(item["pattern"], "duplicate pattern '" + *src + "' for " + nc.number +
                                          " (first at line " + std::to_string(it->second) + ")");
        else if (shapes.contains("*") && c.match.shape() != "*")
            f.report(item["pattern"],
                     where + ": can never match, an earlier \"*\" takes every text");

        const auto captures = c.match.captures();
        const std::set<std::string> known(captures.begin(), captures.end());
        const actions::info* info = nullptr;
        if (item["action"]) {
            if (auto a = f.scalar(item["action"], where + ": action")) {
                c.action = *a;
                info = catalog.find(c.action);
                if (!info) f.report(item["action"], where + ": unknown action '" + c.action + "'");
            }
        }
        if (const auto args = item["args"]) {
            auto add = [&](const std::string& name, const std::string& value,
                           const YAML::Node& at) {
                auto t = menu::text_template::compile(value);
                if (!t) {
                    f.report(at, where + ": argument '" + name + "': " + t.error());
                    return;
                }
                f.bind_constants(*t, at, where + ": argument '" + name + "'");
                for (const auto& ph : t->placeholders())
                    if (!known.contains(ph) && ph.rfind("rules.", 0) != 0)
                        f.report(at, where + ": argument '" + name + "' uses {" + ph +
                                         "}, which the pattern does not capture");
                if (info &&
                    std::find(info->params.begin(), info->params.end(), name) ==
                        info->params.end() &&
                    std::find(info->optional_params.begin(), info->optional_params.end(), name) ==
                        info->optional_params.end())
                    f.report(
                        at, where + ": action '" + c.action + "' takes no argument '" + name + "'");
                c.args.push_back({name, std::move(*t)});
            };
            if (args.IsMap()) {
                for (const auto& kv : args)
                    if (auto v = f.scalar(kv.second, where + ": argument"))
                        add(kv.first.Scalar(), *v, kv.first);
            } else if (args.IsSequence()) {
                for (const auto& a : args)
                    if (auto v = f.scalar(a, where + ": argument")) add(*v, "{" + *v + "}", a);
            } else {
                f.report(args, where + ": args must be a mapping or a list of names");
            }
        }
        if (info) {
            for (const auto& p : info->params)
                if (std::none_of(c.args.begin(), c.args.end(),
                                 [&](const menu::arg_binding& a) { return a.name == p; }))
                    f.report(item,
                             where + ": action '" + c.action + "' needs argument '" + p + "'");
            for (const auto& a : c.args)
                if (std::find(info->secret_params.begin(), info->secret_params.end(), a.name) !=
                    info->secret_params.end())
                    for (const auto& ph : a.value.placeholders()) c.secret.insert(ph);
        } else if (c.action.empty() && !c.args.empty()) {
            f.report(item["args"], where + ": args without an action");
        }

        c.help = text(item["help"], where + ": help");
        check_placeholders(f, item["help"], c.help, {}, where + ": help",
                           "but help lines cannot have placeholders");
        c.ok = text(item["ok"], where + ": ok");
        if (c.action.empty() && !item["ok"])
            f.report(item, where + ": a command without an action needs an 'ok' reply");
        std::set<std::string> ok = known;
        if (info) ok.insert(info->provides.begin(), info->provides.end());
        // With an unknown action (reported above) its placeholders are unknown too.
        if (c.action.empty() || info)
            check_placeholders(f, item["ok"], c.ok, ok, where + ": ok",
                               c.action.empty()
                                   ? "which the pattern does not capture"
                                   : "which action '" + c.action + "' does not provide");
        c.refused = text(item["refused"], where + ": refused");
        std::set<std::string> refused = known;
        refused.insert("reason");
        check_placeholders(f, item["refused"], c.refused, refused, where + ": refused",
                           "which a refusal does not provide (it has {reason})");
        if (item["from"]) {
            if (auto from = f.scalar(item["from"], where + ": from")) {
                if (!digits(*from))
                    f.report(item["from"],
                             where + ": from must be a short number, not '" + *from + "'");
                c.from = *from;
            }
        }
        if (item["secret"]) {
            if (auto names = f.scalars(item["secret"], where + ": secret")) {
                for (const auto& n : *names) {
                    if (!known.contains(n))
                        f.report(item["secret"], where + ": secret names {" + n +
                                                     "}, which the pattern does not capture");
                    c.secret.insert(n);
                }
            }
        }
        if (item["secret_reply"])
            if (auto b = f.boolean(item["secret_reply"], where + ": secret_reply"))
                c.secret_reply = *b;
        nc.commands.push_back(std::move(c));
    }
};

}  // namespace

load_result load_file(const std::string& path, const actions::catalog& catalog,
                      const menu::vars* constants) {
    menu::problems out;
    yaml_file f(path, out);
    f.use_constants(constants);
    auto r = std::make_shared<router>();
    auto doc = f.parse();
    if (doc) {
        loader l{f, catalog, *r};
        if (yaml_file::line(*doc) == 0)
            // An empty file (or only comments) has no node to point at: line 1
            // then, so the problem is file:line like every other (found by
            // fuzz_menu_loader).
            f.report(1, "the file must be a mapping (it is empty)");
        else
            f.check_keys(*doc, {"languages", "strings", "numbers"}, "the file");
        if (doc->IsMap()) {
            if (const auto langs = (*doc)["languages"]) {
                if (auto list = f.scalars(langs, "languages")) r->languages = *list;
                if (r->languages.empty())
                    f.report(langs, "languages must name at least one language");
            } else {
                f.report(1, "missing 'languages' (e.g. languages: [en, ru])");
            }
            if (r->languages.empty()) r->languages = {"en", "ru"};
            l.read_strings((*doc)["strings"], 1);
            const auto numbers = (*doc)["numbers"];
            if (!numbers) {
                f.report(1, "missing 'numbers'");
            } else if (!numbers.IsMap()) {
                f.report(numbers, "numbers must map short numbers to lists of commands");
            } else {
                for (const auto& kv : numbers) {
                    number_commands nc;
                    nc.number = kv.first.Scalar();
                    if (!digits(nc.number))
                        f.report(kv.first,
                                 "'" + nc.number + "' is not a short number (digits only)");
                    if (r->by_number.contains(nc.number)) {
                        f.report(kv.first, "number " + nc.number + " is declared twice");
                        continue;
                    }
                    if (!kv.second.IsSequence() || kv.second.size() == 0) {
                        f.report(kv.first, "number " + nc.number + " needs a list of commands");
                        continue;
                    }
                    std::map<std::string, int> shapes;
                    for (std::size_t i = 0; i < kv.second.size(); ++i)
                        l.read_command(nc, kv.second[i], i + 1, shapes);
                    r->by_number.emplace(nc.number, r->numbers.size());
                    r->numbers.push_back(std::move(nc));
                }
            }
        }
    }
    if (!out.empty()) {
        std::stable_sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return util::fail(std::move(out));
    }
    return std::shared_ptr<const router>(std::move(r));
}

}  // namespace ussdgw::sms
