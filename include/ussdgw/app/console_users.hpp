#pragma once
// The operator console's users: a text file named by `[console] users_file`,
// one user per line, "NAME ROLE HASH", where HASH is an Argon2id string
// (libsodium's crypto_pwhash_str); '#' starts a comment. Written by
// `ussdgw-admin console-user add`, read by the daemon at start. No password
// is ever in it, in a log or on a command line.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// What a console user may do.
enum class console_role {
    viewer,  ///< see the tree, try the phone, read the statistics
    editor,  ///< also upload, apply and roll back menus
};

/// "viewer" or "editor".
const char* to_string(console_role r);
/// The role named `s`, or nullopt.
std::optional<console_role> parse_console_role(std::string_view s);

/// One line of the users file.
struct console_user {
    std::string name;                          ///< letters, digits, '.', '_', '-'; 1-64
    console_role role = console_role::viewer;  ///< what the user may do
    std::string hash;                          ///< Argon2id string
};

/// Shortest console password accepted.
inline constexpr std::size_t console_password_min = 10;

/// True when `name` may name a user.
bool valid_console_name(std::string_view name);

/// Reads the file; a problem names the file and line ("FILE:3: unknown role 'admin'").
util::result<std::vector<console_user>, std::string> load_console_users(const std::string& path);

/// Adds `name` with `role` and `password` (hashed here), or replaces that
/// user's line; creates the file with mode 0600. The error says why not.
util::result<bool, std::string> put_console_user(const std::string& path, const std::string& name,
                                                 console_role role, const std::string& password);

/// Removes `name`; false when the file has no such user.
util::result<bool, std::string> remove_console_user(const std::string& path,
                                                    const std::string& name);

/// True when `password` matches `hash` (Argon2id; takes tens of milliseconds).
bool console_password_matches(const std::string& hash, const std::string& password);

}  // namespace ussdgw::app
