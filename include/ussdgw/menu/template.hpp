#pragma once
// Texts with named placeholders ("Balance: {balance} RUB"), compiled once when
// the files load so a dialog step only concatenates.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/util/result.hpp"

namespace ussdgw::menu {

/// Values for placeholders, by name.
using vars = std::map<std::string, std::string>;

/// A compiled text template: literal parts and {name} placeholders. "{{" and
/// "}}" stand for literal braces.
class text_template {
  public:
    /// An empty template.
    text_template() = default;
    /// Compiles `source`; the error says what is wrong ("unclosed '{'").
    static util::result<text_template, std::string> compile(std::string_view source);

    /// The text with every placeholder replaced; a missing value renders empty.
    std::string render(const vars& values) const;
    /// Like render(), and then `extra` values take precedence over `values`.
    std::string render(const vars& values, const vars& extra) const;
    /// Placeholder names in order of first use, without repeats.
    const std::vector<std::string>& placeholders() const { return names_; }
    /// True when the text has no placeholders.
    bool is_static() const { return names_.empty(); }
    /// True when the template is the single placeholder `{name}` and nothing else.
    bool is_single(std::string_view name) const;
    /// Replaces the placeholders `constants` has by their values, for good:
    /// "{rules.password_min_sms}" becomes "6" when the files are loaded.
    void bind(const vars& constants);
    /// The source text as written in the file.
    const std::string& source() const { return source_; }
    /// True when nothing was compiled (the file had no such text).
    bool empty() const { return parts_.empty(); }

  private:
    struct part {
        bool is_var = false;  // true: `value` is a placeholder name
        std::string value;
    };
    std::vector<part> parts_;
    std::vector<std::string> names_;
    std::string source_;
};

}  // namespace ussdgw::menu
