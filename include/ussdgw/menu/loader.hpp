#pragma once
// Loading the operator's menu files: every *.yaml of a directory except
// sms.yaml, validated as a whole before anything is used. A load either
// yields a complete tree or lists every problem with file:line.

#include <memory>
#include <string>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/menu/problem.hpp"
#include "ussdgw/menu/tree.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::menu {

/// Settings the files do not carry (they come from the daemon's config).
struct load_options {
    ussd::screen_budget budget;  ///< one screen's size
    /// The configured rules texts may name ({rules.password_min_sms}), so a
    /// text about a limit states the limit the check uses. Default: the
    /// built-in rules; the daemon passes its configured ones.
    vars constants = actions::rule_constants(actions::rules{});
};

/// A loaded tree, or every problem found (sorted by file and line).
using load_result = util::result<std::shared_ptr<const tree>, problems>;

/// Loads and validates the menu files in `dir`. Actions are checked against
/// `catalog` (names, arguments, placeholders they provide); the catalog is
/// not kept. Never throws for anything wrong in the files.
load_result load_dir(const std::string& dir, const actions::catalog& catalog,
                     const load_options& options = {});

/// The file in a menu directory holding the SMS commands; load_dir skips it.
inline constexpr const char* sms_file_name = "sms.yaml";

}  // namespace ussdgw::menu
