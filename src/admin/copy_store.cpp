// `ussdgw-admin export` and `import`: a whole store into another, SQLite to
// PostgreSQL (an operator outgrowing one box) or back, checked by counting.

#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "ussdgw/store/copy.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/schema.hpp"

namespace ussdgw::admin {

namespace {

std::int64_t balance_sum(store::connection& c) {
    auto st = c.prepare("SELECT COALESCE(sum(balance), 0) FROM subscribers");
    auto cur = st.query();
    return cur.next() ? cur.int64(0) : 0;
}

}  // namespace

int cmd_copy_store(const std::string& from, const std::string& to) {
    const auto src_name = store::printable_target(from);
    const auto dst_name = store::printable_target(to);
    try {
        if (store::engine_of(from) == store::engine::sqlite && from == to) {
            std::cerr << "error: " << src_name << " is both the source and the destination\n";
            return exit_code::usage;
        }
        store::connection src(from, store::open_mode::read_only);
        if (auto v = store::check_version(src); !v) {
            std::cerr << "error: " << v.error() << "\n";
            return exit_code::store;
        }
        store::connection dst(to);
        if (auto m = store::migrate(dst); !m) {
            std::cerr << "error: " << m.error() << "\n";
            return exit_code::store;
        }
        // Into an empty store only: merging two account stores is not a copy.
        for (const char* t : store::tables_in_order())
            if (const auto n = store::count_rows(dst, t); n > 0) {
                std::cerr << "error: " << dst_name << " is not empty (" << n << " rows in " << t
                          << "); copy into a new store\n";
                return exit_code::refused;
            }

        // One snapshot of the source, one transaction on the destination:
        // the copy lands whole or not at all.
        store::transaction read(src, false);
        store::transaction write(dst, true);
        for (const char* t : store::tables_in_order()) {
            store::copy_rows(src, dst, t);
            store::continue_ids(dst, t);
        }
        write.commit();

        bool same = true;
        std::cout << "copied " << src_name << " -> " << dst_name << "\n";
        for (const char* t : store::tables_in_order()) {
            const auto a = store::count_rows(src, t);
            const auto b = store::count_rows(dst, t);
            same = same && a == b;
            std::cout << "  " << std::left << std::setw(20) << t << std::right << std::setw(10) << a
                      << (a == b ? " = " : " != ") << b << "\n";
        }
        const auto sa = balance_sum(src);
        const auto sb = balance_sum(dst);
        same = same && sa == sb;
        std::cout << "  " << std::left << std::setw(20) << "sum of balances" << std::right
                  << std::setw(10) << sa << (sa == sb ? " = " : " != ") << sb << " kopecks\n";
        if (!same) {
            std::cerr << "error: the copy differs from " << src_name << "\n";
            return exit_code::refused;
        }
        std::cout << "every count matches; the source's server key file keys the copy too: "
                     "give each gateway on it a copy of that file\n";
        return exit_code::ok;
    } catch (const std::exception& e) {
        std::cerr << "error: " << store::explain(e) << "\n";
        return exit_code::store;
    }
}

}  // namespace ussdgw::admin
