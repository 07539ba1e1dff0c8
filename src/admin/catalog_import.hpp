#pragma once
// `ussdgw-admin catalog import FILE`: tariffs and services from the
// operator's YAML file, validated whole before anything is written.

#include <string>
#include <vector>

#include "ussdgw/store/accounts.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::admin {

/// A service as read from the file, with its tariff rules.
struct service_entry {
    store::service svc;                          ///< catalogue row
    std::vector<std::string> incompatible_with;  ///< tariff names
    std::vector<std::string> included_in;        ///< tariff names
};

/// Everything a catalogue file declares.
struct catalog_file {
    std::vector<store::tariff> tariffs;   ///< in file order
    std::vector<service_entry> services;  ///< in file order
};

/// Reads and validates `path`; errors are "path:line: what is wrong", one per line.
util::result<catalog_file, std::string> read_catalog(const std::string& path);

/// Writes the catalogue (insert or update; rules of listed services replaced).
/// Tariff names used by rules must exist in the file or the store; the error
/// names the unknown one.
util::result<int, std::string> apply_catalog(store::accounts& a, const catalog_file& c,
                                             const std::string& path);

}  // namespace ussdgw::admin
