// ussdgw-admin console-user add|remove|list: the operator console's users file.

#include <iostream>

#include "commands.hpp"
#include "ussdgw/app/console_users.hpp"
#include "ussdgw/util/first_line.hpp"

namespace ussdgw::admin {

int cmd_console_user_add(const std::string& file, const std::string& name, const std::string& role,
                         std::istream& in) {
    const auto r = app::parse_console_role(role);
    if (!r) {
        std::cerr << "error: unknown role '" << role << "' (viewer or editor)\n";
        return exit_code::usage;
    }
    // From stdin only: a command line is visible to every user of the machine.
    std::string password = util::first_line(in);
    auto put = app::put_console_user(file, name, *r, password);
    std::fill(password.begin(), password.end(), '\0');
    if (!put) {
        std::cerr << "error: " << put.error() << "\n";
        return exit_code::usage;
    }
    std::cout << (put.value() ? "replaced " : "added ") << name << " (" << role << ") in " << file
              << "\n";
    return exit_code::ok;
}

int cmd_console_user_remove(const std::string& file, const std::string& name) {
    auto removed = app::remove_console_user(file, name);
    if (!removed) {
        std::cerr << "error: " << removed.error() << "\n";
        return exit_code::usage;
    }
    if (!removed.value()) {
        std::cerr << "error: " << file << " has no user '" << name << "'\n";
        return exit_code::refused;
    }
    std::cout << "removed " << name << " from " << file << "\n";
    return exit_code::ok;
}

int cmd_console_user_list(const std::string& file) {
    auto users = app::load_console_users(file);
    if (!users) {
        std::cerr << "error: " << users.error() << "\n";
        return exit_code::usage;
    }
    for (const auto& u : users.value()) std::cout << u.name << " " << to_string(u.role) << "\n";
    return exit_code::ok;
}

}  // namespace ussdgw::admin
