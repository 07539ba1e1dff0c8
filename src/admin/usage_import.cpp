// `ussdgw-admin usage import FILE`: the package usage feed from a CSV file
// (actions/usage.hpp). The good rows are applied in one transaction and
// each counts once however often the file is imported; every bad row is
// reported with its line, and then the exit code is 1.

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "session.hpp"
#include "ussdgw/actions/usage.hpp"

namespace ussdgw::admin {

int cmd_usage_import(const store_files& db, const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "error: " << file << ": cannot open\n";
        return exit_code::usage;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto s = open(db);
    if (!s) return exit_code::store;
    store::transaction t(*s->conn);
    auto r = actions::import_usage(*s->db, text.str(), actions::system_now());
    t.commit();
    for (const auto& p : r.problems)
        std::cerr << file << ":" << p.line << ": " << p.message << "\n";
    std::cout << file << ": " << r.applied << " records applied, " << r.duplicates
              << " already imported, " << r.past_periods << " of earlier package periods (kept, "
              << "not counted), " << r.problems.size() << " bad rows\n";
    return r.problems.empty() ? exit_code::ok : exit_code::refused;
}

}  // namespace ussdgw::admin
