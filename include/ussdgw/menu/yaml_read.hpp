#pragma once
// Reading operator YAML with every problem located by file and line. Shared
// by the menu loader and the SMS command loader so both report alike.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ussdgw/menu/problem.hpp"
#include "ussdgw/menu/template.hpp"

namespace ussdgw::menu {

/// Reads one YAML file, adding what is wrong to a shared problem list.
class yaml_file {
  public:
    /// Reports into `out`; `path` names the file in every message.
    yaml_file(std::string path, problems& out) : path_(std::move(path)), out_(out) {}

    /// Parses the file; nullopt (with a problem) when unreadable or not YAML.
    std::optional<YAML::Node> parse();
    /// The file's path.
    const std::string& path() const { return path_; }
    /// Values bound into every text as it is read ({rules.password_min_sms});
    /// a {rules.*} placeholder they lack is reported. Must outlive the reads.
    void use_constants(const vars* constants) { constants_ = constants; }
    /// Binds the constants into `t` and reports a {rules.*} name they lack at `at`.
    void bind_constants(text_template& t, const YAML::Node& at, std::string_view what);
    /// 1-based line of `at` (0 when it has no position).
    static int line(const YAML::Node& at);

    /// Adds "path:line(at): message".
    void report(const YAML::Node& at, std::string message);
    /// Adds "path:line: message".
    void report(int line, std::string message);

    /// Reports every key of map `m` not in `allowed` as "unknown key 'k' in <where>";
    /// false when some were unknown. Reports a non-map as "<where> must be a mapping".
    bool check_keys(const YAML::Node& m, const std::vector<std::string_view>& allowed,
                    std::string_view where);
    /// The scalar's text; reports "<what> must be a single value" otherwise.
    std::optional<std::string> scalar(const YAML::Node& n, std::string_view what);
    /// An integer; reports "<what> must be a whole number" otherwise.
    std::optional<long long> integer(const YAML::Node& n, std::string_view what);
    /// A boolean (true/false/yes/no); reports otherwise.
    std::optional<bool> boolean(const YAML::Node& n, std::string_view what);
    /// A list of scalars; a single scalar counts as a one-item list.
    std::optional<std::vector<std::string>> scalars(const YAML::Node& n, std::string_view what);

    /// A text per language from a map {en: "...", ru: "..."}, compiled as templates and
    /// ordered like `languages`. Reports "<what> is missing language 'ru'", "<what> has unknown
    /// language 'de'" and template errors; nullopt when it could not be read at all.
    std::optional<std::vector<text_template>> localized(const YAML::Node& n,
                                                        const std::vector<std::string>& languages,
                                                        std::string_view what);

  private:
    std::string path_;
    problems& out_;
    const vars* constants_ = nullptr;
};

}  // namespace ussdgw::menu
