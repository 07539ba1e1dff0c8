#pragma once
// Loading menus/sms.yaml: the SMS commands of every short number, validated
// like the menu files (every problem with file:line) before anything is used.

#include <memory>
#include <string>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/menu/problem.hpp"
#include "ussdgw/sms/router.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::sms {

/// A loaded router, or every problem found (sorted by line).
using load_result = util::result<std::shared_ptr<const router>, menu::problems>;

/// Loads and validates the SMS command file at `path` (usually menus/sms.yaml)
/// against `catalog`. Never throws for anything wrong in the file.
load_result load_file(const std::string& path, const actions::catalog& catalog,
                      const menu::vars* constants = nullptr);

}  // namespace ussdgw::sms
