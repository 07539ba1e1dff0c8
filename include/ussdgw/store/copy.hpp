#pragma once
// Rows from one store into another, whichever engine each is on: the
// console's phone copies a subscriber's rows into a private in-memory store,
// and `ussdgw-admin export` moves a whole store from SQLite to PostgreSQL
// (or back). Columns are matched by name, so a column only one engine has
// (PostgreSQL's outbox claims) stays behind.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ussdgw/store/db.hpp"

namespace ussdgw::store {

/// Every table of the schema, each after the tables it references.
std::span<const char* const> tables_in_order();

/// How rows already in the destination are treated.
enum class on_existing {
    fail,  ///< a row with the same key is an error (a copy into a fresh store)
    keep,  ///< the destination's row stays (a dialog's peer copied twice)
};

/// Copies the rows of `table` for which `filter` (a WHERE clause on the
/// source with one `?`, bound to `arg`; empty for every row) holds, inside
/// whatever transaction the caller has open on `to`. Returns the number of
/// rows copied; throws db_failure.
std::int64_t copy_rows(connection& from, connection& to, std::string_view table,
                       std::string_view filter = {}, const std::string& arg = {},
                       on_existing existing = on_existing::fail);

/// Rows in `table`.
std::int64_t count_rows(connection& c, std::string_view table);

/// After rows came in with their own ids: a PostgreSQL table's id sequence
/// continues past the largest (SQLite needs nothing).
void continue_ids(connection& c, std::string_view table);

}  // namespace ussdgw::store
