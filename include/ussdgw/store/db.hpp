#pragma once
// RAII over SQLite's C API: a connection, prepared statements, and
// transaction/savepoint guards. A statement that cannot run (broken schema,
// I/O error, disk full) throws db_failure: that is an environment failure, not
// an expected refusal, and the runner turns it into a "storage_error" outcome
// for the whole batch after rolling it back.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ussdgw/store/fault.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ussdgw::store {

/// A SQLite call that failed where failure is not an expected outcome.
class db_failure : public std::runtime_error {
  public:
    /// `code` is SQLite's extended result code; `sys_errno` the errno of the
    /// file operation that failed, when one did (0 otherwise).
    db_failure(int code, const std::string& what, int sys_errno = 0);
    /// SQLite's extended result code.
    int code() const noexcept { return code_; }
    /// The errno of the failed file operation (ENOSPC, EROFS, ...), or 0.
    int sys_errno() const noexcept { return sys_errno_; }
    /// What kind of failure it is (disk full, read-only, locked, ...).
    fault_kind kind() const noexcept { return classify(code_, sys_errno_); }

  private:
    int code_;
    int sys_errno_;
};

/// The fault kind of an exception from the store: a db_failure knows its
/// own; anything else (a refused migration, a bug) is `other`.
fault_kind fault_of(const std::exception& ex);

/// An exception from the store for a log line: its kind in the operator's
/// words first when known ("damaged file: database disk image is malformed").
std::string explain(const std::exception& ex);

class statement;

/// The rows of one execution of a statement; resets the statement when destroyed.
class cursor {
  public:
    /// Wraps a statement whose parameters are already bound.
    explicit cursor(statement& s) : s_(&s) {}
    ~cursor();
    cursor(const cursor&) = delete;
    cursor& operator=(const cursor&) = delete;
    /// Steps to the next row; false when there are no more.
    bool next();
    /// Column as an integer (0 for NULL).
    std::int64_t int64(int col) const;
    /// Column as text ("" for NULL).
    std::string text(int col) const;
    /// True when the column is NULL.
    bool is_null(int col) const;
    /// Column as an optional integer.
    std::optional<std::int64_t> opt_int64(int col) const;

  private:
    statement* s_;
};

/// One prepared statement, prepared once and reused.
class statement {
  public:
    statement() = default;
    /// Prepares `sql` on `db`; throws db_failure when it does not compile.
    statement(sqlite3* db, std::string_view sql);
    ~statement();
    statement(statement&& o) noexcept;
    statement& operator=(statement&& o) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    /// Binds the arguments by position (from 1) and returns the rows.
    template <class... A>
    cursor query(const A&... a) {
        bind_from(1, a...);
        return cursor(*this);
    }
    /// Binds the arguments and runs to completion; returns the number of changed rows.
    template <class... A>
    std::int64_t exec(const A&... a) {
        bind_from(1, a...);
        cursor c(*this);
        while (c.next()) {
        }
        return changes();
    }
    /// The raw handle (for cursor).
    sqlite3_stmt* handle() const noexcept { return stmt_; }

  private:
    void bind_from(int) {}
    template <class F, class... R>
    void bind_from(int i, const F& f, const R&... r) {
        bind(i, f);
        bind_from(i + 1, r...);
    }
    void bind(int i, std::int64_t v);
    void bind(int i, int v) { bind(i, static_cast<std::int64_t>(v)); }
    void bind(int i, bool v) { bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
    void bind(int i, std::string_view v);
    void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
    void bind(int i, const char* v) { bind(i, std::string_view(v)); }
    void bind(int i, std::nullptr_t);
    void bind(int i, const std::optional<std::int64_t>& v);
    std::int64_t changes() const;

    sqlite3_stmt* stmt_ = nullptr;
};

/// How a connection is opened.
enum class open_mode {
    read_write,  ///< creates the file when missing
    read_only,   ///< for readers beside the writer (WAL lets them run concurrently)
};

/// How long a statement waits for a lock another connection holds, unless
/// the caller says otherwise ([store] busy_timeout in the daemon).
inline constexpr std::chrono::milliseconds default_busy_timeout{5000};

/// One SQLite connection, configured for the gateway (WAL, synchronous=FULL,
/// foreign keys, busy timeout). Not shared between threads.
class connection {
  public:
    /// Opens `path`; throws db_failure when it cannot be opened. A statement
    /// that finds the store locked waits up to `busy_timeout` for the lock.
    connection(const std::string& path, open_mode mode = open_mode::read_write,
               std::chrono::milliseconds busy_timeout = default_busy_timeout);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Runs one or more SQL statements without results; throws on error.
    void exec(std::string_view sql);
    /// Prepares a statement on this connection.
    statement prepare(std::string_view sql) { return statement(db_, sql); }
    /// PRAGMA user_version: the schema version.
    int user_version();
    /// The raw handle.
    sqlite3* handle() const noexcept { return db_; }
    /// True while a transaction is open (SQLite may end one by itself on I/O errors).
    bool in_transaction() const noexcept;
    /// The file this connection opened.
    const std::string& path() const noexcept { return path_; }

    /// The transaction statements, each prepared once per connection (they
    /// run on every request; sqlite3_exec would parse them every time).
    enum class control { begin, begin_immediate, commit, savepoint, release, rollback_to };
    /// Runs one of them; throws db_failure on error.
    void run(control c);

  private:
    sqlite3* db_ = nullptr;
    std::string path_;
    std::array<statement, 6> control_;  // prepared on first use
};

/// BEGIN [IMMEDIATE] ... COMMIT; rolls back when destroyed uncommitted.
class transaction {
  public:
    /// immediate=true takes the write lock now (no upgrade deadlocks later).
    explicit transaction(connection& c, bool immediate = true);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    /// Commits; throws db_failure when the commit fails (then it is rolled back).
    void commit();

  private:
    connection& c_;
    bool open_ = true;
};

/// SAVEPOINT name ... RELEASE; rolls back to it when destroyed unreleased.
class savepoint {
  public:
    /// Opens a savepoint inside the current transaction.
    explicit savepoint(connection& c);
    ~savepoint();
    savepoint(const savepoint&) = delete;
    savepoint& operator=(const savepoint&) = delete;
    /// Keeps the changes made since the savepoint.
    void release();
    /// Undoes the changes made since the savepoint.
    void rollback();

  private:
    connection& c_;
    bool open_ = true;
};

}  // namespace ussdgw::store
