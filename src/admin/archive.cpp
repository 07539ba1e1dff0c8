// `ussdgw-admin archive MSISDN [--limit N] [--json]`: the transaction
// archive, newest first, as aligned columns under a header or as one JSON
// array of objects.

#include <iostream>

#include "commands.hpp"
#include "session.hpp"
#include "table.hpp"
#include "ussdgw/actions/money.hpp"

namespace ussdgw::admin {

namespace {

std::string when(const store::archive_row& r, std::int64_t off) {
    // "DD.MM.YYYY HH:MM": the date, then the time part of the stamp.
    return actions::format_date(r.time, off) + " " + actions::format_stamp(r.time, off).substr(6);
}

void print_json(const std::vector<store::archive_row>& rows, std::int64_t off) {
    std::cout << "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        std::cout << (i ? "," : "") << "{" << q("id") << ":" << r.id << "," << q("time") << ":"
                  << r.time << "," << q("local_time") << ":" << q(when(r, off)) << ","
                  << q("channel") << ":" << q(r.channel) << "," << q("action") << ":" << q(r.action)
                  << "," << q("result") << ":" << q(r.result) << "," << q("amount") << ":"
                  << q(rub(r.amount)) << "," << q("amount_kopecks") << ":" << r.amount << ","
                  << q("arguments") << ":" << q(r.arguments) << "}";
    }
    std::cout << "]\n";
}

}  // namespace

int cmd_archive(const store_files& db, const std::string& typed, int limit, bool json) {
    if (limit < 1) {
        std::cerr << "error: --limit must be at least 1\n";
        return exit_code::usage;
    }
    auto number = msisdn_arg(typed);
    if (!number) return exit_code::usage;
    auto s = open(db);
    if (!s) return exit_code::store;
    const auto off = s->cfg.utc_offset_seconds;
    auto rows = s->db->last_archive(*number, limit);
    if (json) {
        print_json(rows, off);
        return exit_code::ok;
    }
    if (rows.empty()) {
        std::cout << "no archive entries for " << *number << "\n";
        return exit_code::ok;
    }
    text_table t({"TIME", "CHANNEL", "ACTION", "RESULT", "AMOUNT", "ARGUMENTS"});
    t.align_right(4);
    for (const auto& r : rows)
        t.add({when(r, off), r.channel, r.action, r.result, r.amount ? rub(r.amount) : "",
               r.arguments});
    t.print(std::cout);
    return exit_code::ok;
}

}  // namespace ussdgw::admin
