#include "ussdgw/menu/loader.hpp"

#include <algorithm>
#include <filesystem>

#include "build.hpp"

namespace ussdgw::menu {
namespace {

namespace fs = std::filesystem;
using detail::builder;

// Every *.yaml but sms.yaml, sorted so "first declared at" and the order of
// problems do not depend on the directory's order.
std::vector<std::string> menu_files(builder& b) {
    std::vector<std::string> files;
    std::error_code ec;
    fs::directory_iterator it(b.dir, ec);
    if (ec) {
        b.report(b.dir, 0, "cannot read the directory: " + ec.message());
        return files;
    }
    for (const auto& e : it) {
        const auto name = e.path().filename().string();
        if (e.path().extension() == ".yaml" && name != sms_file_name && e.is_regular_file())
            files.push_back((fs::path(b.dir) / name).string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) b.report(b.dir, 0, "no menu files (*.yaml) in the directory");
    return files;
}

bool valid_key(const std::string& k) {
    return !k.empty() && k.size() <= 4 && std::all_of(k.begin(), k.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '*' || c == '#';
    });
}

// A setting allowed in one file only ("languages", "root", ...): reports a
// second one and tells whether this is the first.
bool first_of(builder& b, yaml_file& f, const YAML::Node& key, std::string& seen_file,
              int& seen_line) {
    if (!seen_file.empty()) {
        f.report(key, "'" + key.Scalar() + "' is declared again (first at " + seen_file + ":" +
                          std::to_string(seen_line) + ")");
        return false;
    }
    seen_file = fs::path(f.path()).filename().string();
    seen_line = yaml_file::line(key);
    (void)b;
    return true;
}

void read_languages(builder& b, yaml_file& f, const YAML::Node& v) {
    auto langs = f.scalars(v, "languages");
    if (!langs) return;
    if (langs->empty()) f.report(v, "languages must name at least one language");
    for (const auto& l : *langs) {
        if (std::count(langs->begin(), langs->end(), l) > 1) {
            f.report(v, "language '" + l + "' is listed twice");
            return;
        }
    }
    b.t.languages = *langs;
}

void read_navigation(builder& b, yaml_file& f, const YAML::Node& v) {
    if (!f.check_keys(v, {"back", "main", "next", "yes", "no"}, "navigation")) return;
    auto& nav = b.t.nav;
    for (auto [name, slot] :
         {std::pair{"back", &nav.back}, std::pair{"main", &nav.main}, std::pair{"next", &nav.next},
          std::pair{"yes", &nav.yes}, std::pair{"no", &nav.no}}) {
        if (!v[name]) continue;
        auto s = f.scalar(v[name], std::string("navigation ") + name);
        if (!s) continue;
        if (!valid_key(*s)) {
            f.report(v[name], std::string("navigation ") + name +
                                  " must be 1 to 4 digits, '*' or '#', not '" + *s + "'");
            continue;
        }
        *slot = *s;
    }
    if (nav.back == nav.main || nav.back == nav.next || nav.main == nav.next)
        f.report(v, "navigation: back, main and next must be different keys");
    if (nav.yes == nav.no) f.report(v, "navigation: yes and no must be different keys");
}

// Placeholders each UI string may use.
std::vector<std::string> allowed_in(ui s) {
    switch (s) {
        case ui::unknown_code:
        case ui::bad_request:
            return {"code"};
        case ui::refused:
            return {"reason"};
        default:
            return {};
    }
}

void read_strings(builder& b, yaml_file& f, const YAML::Node& v) {
    b.strings_file = f.path();
    b.strings_line = yaml_file::line(v);
    if (!v.IsMap()) {
        f.report(v, "strings must be a mapping");
        return;
    }
    for (const auto& kv : v) {
        const auto key = kv.first.Scalar();
        std::size_t i = 0;
        while (i < static_cast<std::size_t>(ui::count_) && key != to_string(static_cast<ui>(i)))
            ++i;
        if (i == static_cast<std::size_t>(ui::count_)) {
            f.report(kv.first, "unknown key '" + key + "' in strings");
            continue;
        }
        auto texts = f.localized(kv.second, b.t.languages, "strings: " + key);
        if (!texts) continue;
        const auto allowed = allowed_in(static_cast<ui>(i));
        for (const auto& t : *texts)
            for (const auto& p : t.placeholders())
                if (std::find(allowed.begin(), allowed.end(), p) == allowed.end())
                    f.report(kv.second,
                             "strings: " + key + " uses {" + p + "}, which is not available there");
        b.t.strings[i] = std::move(*texts);
    }
}

}  // namespace

load_result load_dir(const std::string& dir, const actions::catalog& catalog,
                     const load_options& options) {
    builder b(dir, catalog);
    b.t.budget = options.budget;
    b.constants = &options.constants;

    struct parsed {
        yaml_file file;
        YAML::Node doc;
    };
    std::vector<parsed> docs;
    std::string lang_file, root_file, nav_file, strings_file;
    int lang_line = 0, root_line = 0, nav_line = 0, strings_line = 0;
    YAML::Node nav, strings;
    std::string nav_path, strings_path;

    // Pass 1: syntax, top-level keys and the settings texts depend on.
    for (const auto& path : menu_files(b)) {
        yaml_file f(path, b.out);
        f.use_constants(&options.constants);
        auto doc = f.parse();
        if (!doc) continue;
        if (doc->IsNull()) continue;  // an empty file declares nothing
        if (!f.check_keys(*doc, {"languages", "root", "navigation", "strings", "nodes", "codes"},
                          "the file"))
            if (!doc->IsMap()) continue;
        for (const auto& kv : *doc) {
            const auto key = kv.first.Scalar();
            if (key == "languages" && first_of(b, f, kv.first, lang_file, lang_line))
                read_languages(b, f, kv.second);
            if (key == "root" && first_of(b, f, kv.first, root_file, root_line)) {
                if (auto s = f.scalar(kv.second, "root")) {
                    b.root = {*s, yaml_file::line(kv.second)};
                    b.root_file = path;
                }
            }
            if (key == "navigation" && first_of(b, f, kv.first, nav_file, nav_line)) {
                nav = kv.second;
                nav_path = path;
            }
            if (key == "strings" && first_of(b, f, kv.first, strings_file, strings_line)) {
                strings = kv.second;
                strings_path = path;
            }
        }
        docs.push_back({std::move(f), *doc});
    }
    if (lang_file.empty()) {
        if (!docs.empty())
            b.report(dir, 0, "no file declares 'languages' (e.g. languages: [en, ru])");
        b.t.languages = {"en", "ru"};  // keep checking the rest against the usual pair
    }
    if (!nav_path.empty()) {
        yaml_file f(nav_path, b.out);
        f.use_constants(&options.constants);
        read_navigation(b, f, nav);
    }
    if (!strings_path.empty()) {
        yaml_file f(strings_path, b.out);
        f.use_constants(&options.constants);
        read_strings(b, f, strings);
    }
    if (!docs.empty()) {
        for (std::size_t i = 0; i < static_cast<std::size_t>(ui::count_); ++i) {
            // `home` is optional: without it results offer only "0 Back".
            if (!b.t.strings[i].empty() || static_cast<ui>(i) == ui::home) continue;
            if (strings_path.empty()) {
                b.report(dir, 0, "no file declares 'strings'");
                break;
            }
            b.report(strings_path, b.strings_line,
                     std::string("strings: missing '") + to_string(static_cast<ui>(i)) + "'");
            b.t.strings[i].resize(b.t.languages.size());
        }
        for (auto& s : b.t.strings) s.resize(b.t.languages.size());
        if (root_file.empty()) b.report(dir, 0, "no file declares 'root' (the main menu)");
    }

    // Pass 2: nodes and codes.
    for (auto& [f, doc] : docs) {
        if (!doc.IsMap()) continue;
        if (const auto nodes = doc["nodes"]) {
            if (!nodes.IsMap()) {
                f.report(nodes, "nodes must map node names to nodes");
            } else {
                for (const auto& kv : nodes) detail::read_node(b, f, kv.first, kv.second);
            }
        }
        if (const auto codes = doc["codes"]) {
            if (!codes.IsSequence()) {
                f.report(codes, "codes must be a list");
            } else {
                for (const auto& item : codes) detail::read_code(b, f, item);
            }
        }
    }

    if (!docs.empty()) {
        detail::link(b);
        detail::prepare_screens(b);
    }
    if (!b.out.empty()) {
        std::stable_sort(b.out.begin(), b.out.end());
        b.out.erase(std::unique(b.out.begin(), b.out.end()), b.out.end());
        return util::fail(std::move(b.out));
    }
    return std::shared_ptr<const tree>(std::make_shared<tree>(std::move(b.t)));
}

}  // namespace ussdgw::menu
