#include "ussdgw/sms/front_doors.hpp"

#include <algorithm>
#include <filesystem>

#include "ussdgw/sms/loader.hpp"

namespace ussdgw::sms {

util::result<front_doors, menu::problems> load_front_doors(const std::string& dir,
                                                           const actions::catalog& catalog,
                                                           const menu::load_options& options) {
    auto menus = menu::load_dir(dir, catalog, options);
    auto commands = load_file((std::filesystem::path(dir) / menu::sms_file_name).string(), catalog,
                              &options.constants);
    if (menus && commands) return front_doors{*menus, *commands};
    menu::problems all;
    if (!menus) all = menus.error();
    if (!commands) all.insert(all.end(), commands.error().begin(), commands.error().end());
    std::stable_sort(all.begin(), all.end());
    return util::fail(std::move(all));
}

}  // namespace ussdgw::sms
