#include "ussdgw/store/copy.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace ussdgw::store {

namespace {

// The schema's tables, referenced before referencing (both engines have the
// same tables; schema.cpp and schema_postgres.cpp).
constexpr std::array<const char*, 22> tables = {
    "tariffs",       "services",      "service_rules",
    "subscribers",   "passwords",     "logins",
    "sim",           "subscriptions", "payments",
    "promised",      "blocking",      "linked_numbers",
    "detail_orders", "archive",       "dedup",
    "sms_archive",   "server_key",    "login_alert_window",
    "usage_records", "outbox",        "number_links",
    "notice_window"};

std::vector<std::string> columns_of(connection& c, std::string_view table) {
    auto st = c.prepare(c.engine() == engine::postgres
                            ? "SELECT column_name FROM information_schema.columns WHERE "
                              "table_schema = current_schema() AND table_name = ? "
                              "ORDER BY ordinal_position"
                            : "SELECT name FROM pragma_table_info(?) ORDER BY cid");
    std::vector<std::string> out;
    auto cur = st.query(std::string(table));
    while (cur.next()) out.push_back(cur.text(0));
    return out;
}

bool has_id(connection& c, std::string_view table) {
    const auto cols = columns_of(c, table);
    return std::find(cols.begin(), cols.end(), "id") != cols.end();
}

}  // namespace

std::span<const char* const> tables_in_order() {
    return tables;
}

std::int64_t copy_rows(connection& from, connection& to, std::string_view table,
                       std::string_view filter, const std::string& arg, on_existing existing) {
    const auto source = columns_of(from, table);
    std::vector<std::string> cols;
    for (const auto& c : columns_of(to, table))
        if (std::find(source.begin(), source.end(), c) != source.end()) cols.push_back(c);
    if (cols.empty()) throw db_failure(0, "copy " + std::string(table) + ": no such table");
    std::string list, marks;
    for (const auto& c : cols) {
        list += (list.empty() ? "" : ", ") + c;
        marks += marks.empty() ? "?" : ", ?";
    }
    std::string select = "SELECT " + list + " FROM " + std::string(table);
    if (!filter.empty()) select += " WHERE " + std::string(filter);
    std::string insert =
        "INSERT INTO " + std::string(table) + " (" + list + ") VALUES (" + marks + ")";
    if (existing == on_existing::keep) insert += " ON CONFLICT DO NOTHING";
    auto read = from.prepare(select);
    auto write = to.prepare(insert);
    // Values travel as text (or NULL): each engine reads its column's type
    // out of it, as it does for every statement of ours.
    std::vector<std::string> values(cols.size());
    std::vector<bool> nulls(cols.size());
    std::int64_t copied = 0;
    auto rows = filter.empty() ? read.query() : read.query(arg);
    while (rows.next()) {
        for (std::size_t i = 0; i < cols.size(); ++i) {
            nulls[i] = rows.is_null(static_cast<int>(i));
            values[i] = nulls[i] ? std::string() : rows.text(static_cast<int>(i));
        }
        copied += write.exec_values(values, nulls);
    }
    return copied;
}

std::int64_t count_rows(connection& c, std::string_view table) {
    auto st = c.prepare("SELECT count(*) FROM " + std::string(table));
    auto cur = st.query();
    return cur.next() ? cur.int64(0) : 0;
}

void continue_ids(connection& c, std::string_view table) {
    if (c.engine() != engine::postgres || !has_id(c, table)) return;
    const std::string t(table);
    c.exec("SELECT setval(pg_get_serial_sequence('" + t +
           "', 'id'), COALESCE((SELECT max(id) FROM " + t + "), 0) + 1, false)");
}

}  // namespace ussdgw::store
