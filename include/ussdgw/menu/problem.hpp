#pragma once
// A problem found while loading operator files, located by file and line so
// the operator can fix it: "menus/balance.yaml:12: unknown action 'balanse'".

#include <string>
#include <vector>

namespace ussdgw::menu {

/// One thing wrong in an operator file.
struct problem {
    std::string file;     ///< path as opened ("menus/main.yaml"), or the directory
    int line = 0;         ///< 1-based; 0 when the problem has no line
    std::string message;  ///< what is wrong, in English

    /// "file:line: message" (or "file: message" without a line).
    std::string to_string() const;
    /// Orders by file, then line, then message.
    bool operator<(const problem& o) const;
    /// Same file, line and message.
    bool operator==(const problem&) const = default;
};

/// Every problem of a load, in file and line order.
using problems = std::vector<problem>;

}  // namespace ussdgw::menu
