#pragma once
// The PostgreSQL side of store/db.hpp: libpq behind the same connection,
// statement and cursor classes the SQLite side implements. Internal to the
// store library.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/store/db.hpp"

namespace ussdgw::store {

/// A prepared statement on the server, its parameters as text, and the
/// result of its last execution.
struct statement::pg_state {
    PGconn* conn = nullptr;
    std::weak_ptr<int> alive;  // expires with the connection: no DEALLOCATE after it
    std::string name;          // "s1", "s2", ... on the server
    std::string sql;           // for error messages
    std::vector<std::string> values;
    std::vector<bool> nulls;
    PGresult* result = nullptr;  // of the execution in progress, null before it runs
    int row = -1;
    int rows = 0;
    std::int64_t changed = 0;
};

namespace pg {

/// The fault kind of a SQLSTATE ("" for a failed connection: io).
fault_kind kind_of(const std::string& sqlstate);

/// Connects to `uri` and configures the session; throws db_failure.
PGconn* connect(const std::string& uri, open_mode mode, std::chrono::milliseconds lock_timeout);

/// Runs SQL without parameters or results (several statements allowed).
void exec(PGconn* conn, std::string_view sql);

/// Prepares `sql` (SQLite placeholders) as statement number `number`.
std::unique_ptr<statement::pg_state> prepare(PGconn* conn, const std::shared_ptr<int>& alive,
                                             int number, std::string_view sql);

/// Forgets the prepared statement on the server while its connection lives.
void deallocate(statement::pg_state& s);

/// Steps to the next row, executing the statement on the first call.
bool next(statement::pg_state& s);

/// Drops the last result and the bound parameters.
void reset(statement::pg_state& s);

/// A column of the current row as text (nullptr for NULL).
const char* value(const statement::pg_state& s, int col);

}  // namespace pg
}  // namespace ussdgw::store
