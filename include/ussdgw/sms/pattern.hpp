#pragma once
// SMS command patterns: "25 {password}", "password", "on|per", "*".
// Compiled once at load; matching is a word split and a few comparisons.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::sms {

/// Where one capture was found in the text (byte offsets), for redaction.
struct capture_span {
    std::string name;       ///< the capture's name
    std::size_t begin = 0;  ///< first byte
    std::size_t end = 0;    ///< one past the last byte
};

/// What a matching text bound.
struct pattern_match {
    actions::args values;             ///< capture name -> text
    std::vector<capture_span> spans;  ///< where each capture was
};

/// A compiled pattern. Words are separated by blanks. A word is a keyword
/// with '|' alternatives, matched case-insensitively (Latin and Cyrillic),
/// or a capture {name} that takes one word; a capture in last place takes
/// the rest of the text. "*" alone matches any text, even empty.
class pattern {
  public:
    /// Compiles `source`; the error says what is wrong.
    static util::result<pattern, std::string> compile(std::string_view source);

    /// The bindings when `text` matches, else nullopt. Extra blanks anywhere are fine.
    std::optional<pattern_match> match(std::string_view text) const;
    /// Capture names in order.
    std::vector<std::string> captures() const;
    /// True when the first word is a keyword that `word` matches (for redacting near misses).
    bool starts_with_keyword(std::string_view word) const;
    /// A canonical form: two patterns with equal shapes match the same texts.
    std::string shape() const;
    /// The pattern as written.
    const std::string& source() const { return source_; }

  private:
    struct token {
        bool capture = false;
        std::string name;                // capture name
        std::vector<std::string> words;  // keyword alternatives, case-folded
    };
    std::vector<token> tokens_;
    bool any_ = false;
    std::string source_;
};

/// Lower-cases Latin and Cyrillic letters (Ё too); other text is unchanged.
std::string fold_case(std::string_view utf8);

}  // namespace ussdgw::sms
