#include "ussdgw/menu/yaml_read.hpp"

#include <algorithm>
#include <tuple>

namespace ussdgw::menu {

std::string problem::to_string() const {
    if (line <= 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
}

bool problem::operator<(const problem& o) const {
    return std::tie(file, line, message) < std::tie(o.file, o.line, o.message);
}

std::optional<YAML::Node> yaml_file::parse() {
    try {
        return YAML::LoadFile(path_);
    } catch (const YAML::BadFile&) {
        report(0, "cannot read the file");
    } catch (const YAML::ParserException& e) {
        report(e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax error: " + e.msg);
    } catch (const YAML::Exception& e) {
        report(e.mark.is_null() ? 0 : e.mark.line + 1, "YAML error: " + e.msg);
    }
    return std::nullopt;
}

int yaml_file::line(const YAML::Node& at) {
    if (!at.IsDefined()) return 0;
    const auto m = at.Mark();
    return m.is_null() ? 0 : m.line + 1;
}

void yaml_file::report(const YAML::Node& at, std::string message) {
    report(line(at), std::move(message));
}

void yaml_file::report(int line, std::string message) {
    out_.push_back({path_, line, std::move(message)});
}

bool yaml_file::check_keys(const YAML::Node& m, const std::vector<std::string_view>& allowed,
                           std::string_view where) {
    if (!m.IsMap()) {
        report(m, std::string(where) + " must be a mapping");
        return false;
    }
    bool ok = true;
    for (const auto& kv : m) {
        const auto key = kv.first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            report(kv.first, "unknown key '" + key + "' in " + std::string(where));
            ok = false;
        }
    }
    return ok;
}

std::optional<std::string> yaml_file::scalar(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) {
        report(n, std::string(what) + " must be a single value");
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<long long> yaml_file::integer(const YAML::Node& n, std::string_view what) {
    try {
        if (n.IsScalar()) return n.as<long long>();
    } catch (const YAML::Exception&) {
    }
    report(n, std::string(what) + " must be a whole number");
    return std::nullopt;
}

std::optional<bool> yaml_file::boolean(const YAML::Node& n, std::string_view what) {
    try {
        if (n.IsScalar()) return n.as<bool>();
    } catch (const YAML::Exception&) {
    }
    report(n, std::string(what) + " must be true or false");
    return std::nullopt;
}

std::optional<std::vector<std::string>> yaml_file::scalars(const YAML::Node& n,
                                                           std::string_view what) {
    if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
    if (!n.IsSequence()) {
        report(n, std::string(what) + " must be a list");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : n) {
        auto s = scalar(item, what);
        if (!s) return std::nullopt;
        out.push_back(*s);
    }
    return out;
}

void yaml_file::bind_constants(text_template& t, const YAML::Node& at, std::string_view what) {
    if (constants_) t.bind(*constants_);
    for (const auto& name : t.placeholders())
        if (name.rfind("rules.", 0) == 0)
            report(at, std::string(what) + ": {" + name +
                           "} is not a rule (docs/menus.md lists the {rules.*} values)");
}

std::optional<std::vector<text_template>> yaml_file::localized(
    const YAML::Node& n, const std::vector<std::string>& languages, std::string_view what) {
    if (!n.IsMap()) {
        report(n, std::string(what) + " must map each language to a text (en: ..., ru: ...)");
        return std::nullopt;
    }
    std::vector<text_template> out(languages.size());
    std::vector<bool> seen(languages.size(), false);
    for (const auto& kv : n) {
        const auto lang = kv.first.Scalar();
        const auto it = std::find(languages.begin(), languages.end(), lang);
        if (it == languages.end()) {
            report(kv.first, std::string(what) + " has unknown language '" + lang + "'");
            continue;
        }
        auto text = scalar(kv.second, std::string(what) + " (" + lang + ")");
        if (!text) continue;
        auto compiled = text_template::compile(*text);
        if (!compiled) {
            report(kv.second, std::string(what) + " (" + lang + "): " + compiled.error());
            continue;
        }
        bind_constants(*compiled, kv.second, std::string(what) + " (" + lang + ")");
        const auto i = static_cast<std::size_t>(it - languages.begin());
        out[i] = std::move(*compiled);
        seen[i] = true;
    }
    for (std::size_t i = 0; i < languages.size(); ++i)
        if (!seen[i]) report(n, std::string(what) + " is missing language '" + languages[i] + "'");
    return out;
}

}  // namespace ussdgw::menu
