#pragma once
// RAII over the store's SQL engines, SQLite's C API and PostgreSQL's libpq:
// a connection, prepared statements, and transaction/savepoint guards. The
// same classes serve both engines (docs/architecture.md, "The store behind
// one interface"): a connection opened on a `postgresql://` URI speaks to a
// PostgreSQL server, anything else is a SQLite file. A statement that cannot run (broken schema,
// I/O error, disk full) throws db_failure: that is an environment failure, not
// an expected refusal, and the runner turns it into a "storage_error" outcome
// for the whole batch after rolling it back.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/store/fault.hpp"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;

namespace ussdgw::store {

/// The SQL engine behind a connection.
enum class engine {
    sqlite,    ///< an embedded file (one box)
    postgres,  ///< a PostgreSQL server shared by several gateways
};

/// The engine a `--db` target names: PostgreSQL for a `postgresql://` or
/// `postgres://` connection URI (libpq syntax), SQLite for anything else.
engine engine_of(std::string_view target);

/// A store target fit for a log line: a URI without its user information
/// (`postgresql://host:5432/accounts`), a file path as it is.
std::string printable_target(std::string_view target);

/// A statement in SQLite's placeholder spelling (`?` numbered in order,
/// `?N` by number) in PostgreSQL's (`$N`); quoted text is left alone.
/// `params` gets the number of parameters the statement takes.
std::string postgres_placeholders(std::string_view sql, int& params);

/// A store call that failed where failure is not an expected outcome.
class db_failure : public std::runtime_error {
  public:
    /// A SQLite failure: `code` is SQLite's extended result code;
    /// `sys_errno` the errno of the file operation that failed, when one did
    /// (0 otherwise).
    db_failure(int code, const std::string& what, int sys_errno = 0);
    /// A PostgreSQL failure: `sqlstate` is the server's five-character
    /// SQLSTATE ("" when the connection itself failed).
    db_failure(std::string sqlstate, const std::string& what);
    /// SQLite's extended result code (0 for PostgreSQL).
    int code() const noexcept { return code_; }
    /// The errno of the failed file operation (ENOSPC, EROFS, ...), or 0.
    int sys_errno() const noexcept { return sys_errno_; }
    /// PostgreSQL's SQLSTATE ("" for SQLite).
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    /// What kind of failure it is (disk full, read-only, locked, ...).
    fault_kind kind() const noexcept { return kind_; }
    /// True when the transaction lost a race with another one (PostgreSQL's
    /// serialization failure or deadlock): running it again is correct.
    bool conflict() const noexcept { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

  private:
    int code_ = 0;
    int sys_errno_ = 0;
    std::string sqlstate_;
    fault_kind kind_;
};

/// The fault kind of an exception from the store: a db_failure knows its
/// own; anything else (a refused migration, a bug) is `other`.
fault_kind fault_of(const std::exception& ex);

/// An exception from the store for a log line: its kind in the operator's
/// words first when known ("damaged file: database disk image is malformed").
std::string explain(const std::exception& ex);

class statement;
class connection;

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
    statement();
    /// Prepares `sql` on `c`; throws db_failure when it does not compile.
    statement(connection& c, std::string_view sql);
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
    /// Binds a row of text values by position (`nulls[i]`: NULL instead),
    /// for statements whose arity is known only at run time, and runs to
    /// completion; returns the number of changed rows.
    std::int64_t exec_values(const std::vector<std::string>& values,
                             const std::vector<bool>& nulls);
    /// True once prepared (a default-constructed statement is not).
    bool prepared() const noexcept { return stmt_ != nullptr || pg_ != nullptr; }

    /// The PostgreSQL side of a statement (src/store/postgres.hpp).
    struct pg_state;

  private:
    friend class cursor;
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

    sqlite3_stmt* stmt_ = nullptr;  // SQLite
    std::unique_ptr<pg_state> pg_;  // PostgreSQL: the prepared name, parameters, result
};

/// How a connection is opened.
enum class open_mode {
    read_write,  ///< creates the file when missing
    read_only,   ///< for readers beside the writer (WAL lets them run concurrently)
};

/// How long a statement waits for a lock another connection holds, unless
/// the caller says otherwise ([store] busy_timeout in the daemon).
inline constexpr std::chrono::milliseconds default_busy_timeout{5000};

/// One connection to the store, configured for the gateway. Not shared
/// between threads. SQLite: WAL, synchronous=FULL, foreign keys, busy
/// timeout. PostgreSQL: one server session; writes run SERIALIZABLE.
class connection {
  public:
    /// Opens `path` (a SQLite file, or a PostgreSQL URI: engine_of); throws
    /// db_failure when it cannot be opened. A statement that finds the store
    /// locked waits up to `busy_timeout` for the lock.
    connection(const std::string& path, open_mode mode = open_mode::read_write,
               std::chrono::milliseconds busy_timeout = default_busy_timeout);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Runs one or more SQL statements without results; throws on error.
    void exec(std::string_view sql);
    /// Prepares a statement on this connection.
    statement prepare(std::string_view sql) { return statement(*this, sql); }
    /// The schema version (SQLite: PRAGMA user_version; PostgreSQL: the
    /// schema_version table, 0 without it).
    int user_version();
    /// Records the schema version, inside the migration step's transaction.
    void set_user_version(int v);
    /// True when the server ended the session (PostgreSQL restarted, the
    /// network dropped it): every statement would fail until reopened.
    bool lost() const noexcept;
    /// The engine this connection speaks to.
    store::engine engine() const noexcept { return pg_ ? engine::postgres : engine::sqlite; }
    /// The SQLite handle (null on PostgreSQL).
    sqlite3* handle() const noexcept { return db_; }
    /// The libpq handle (null on SQLite).
    pg_conn* pg_handle() const noexcept { return pg_; }
    /// True while a transaction is open (SQLite may end one by itself on I/O errors).
    bool in_transaction() const noexcept;
    /// The file this connection opened.
    const std::string& path() const noexcept { return path_; }

    /// The transaction statements, each prepared once per connection (they
    /// run on every request; sqlite3_exec would parse them every time).
    enum class control {
        begin,
        begin_immediate,
        begin_queue,
        commit,
        savepoint,
        release,
        rollback_to
    };
    /// Runs one of them; throws db_failure on error.
    void run(control c);

  private:
    friend class statement;
    void open_postgres(open_mode mode, std::chrono::milliseconds busy_timeout);
    sqlite3* db_ = nullptr;
    pg_conn* pg_ = nullptr;
    std::shared_ptr<int> pg_alive_;  // statements deallocate on the server only while it lives
    int pg_statements_ = 0;          // names prepared statements s1, s2, ... on the server
    std::string path_;
    std::array<statement, 7> control_;  // prepared on first use
};

/// BEGIN [IMMEDIATE] ... COMMIT; rolls back when destroyed uncommitted.
class transaction {
  public:
    /// What a transaction does, which sets how it is isolated.
    enum class kind {
        read,   ///< reads from one snapshot
        write,  ///< SQLite: the write lock now; PostgreSQL: SERIALIZABLE
        queue,  ///< work on a shared queue guarded by row locks and claims
                ///< (the outbox): SQLite as `write`; PostgreSQL: READ COMMITTED,
                ///< so one gateway's scan of the queue never fails another's
    };
    /// immediate=true takes the write lock now (no upgrade deadlocks later).
    explicit transaction(connection& c, bool immediate = true);
    /// A transaction of the given kind.
    transaction(connection& c, kind k);
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
