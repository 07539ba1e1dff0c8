#pragma once
// Both front doors' operator files loaded together: the menu tree from a
// menus/ directory and the SMS commands from its sms.yaml. What
// `ussdgw --check-config`, `ussdgw-admin check-menus DIR` and a SIGHUP reload
// call: build on the side, then swap both pointers in at once.

#include <memory>
#include <string>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/menu/loader.hpp"
#include "ussdgw/sms/router.hpp"

namespace ussdgw::sms {

/// The menu tree and the SMS commands of one menus/ directory.
struct front_doors {
    std::shared_ptr<const menu::tree> menus;  ///< for menu::start()
    std::shared_ptr<const router> commands;   ///< for router::route()
};

/// Loads `dir`/*.yaml (menus) and `dir`/sms.yaml (SMS commands); either both
/// or every problem of both, in file and line order.
util::result<front_doors, menu::problems> load_front_doors(const std::string& dir,
                                                           const actions::catalog& catalog,
                                                           const menu::load_options& options = {});

}  // namespace ussdgw::sms
