#include "ussdgw/store/db.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>

#include <utility>

#include "postgres.hpp"

namespace ussdgw::store {

namespace {

// The errno behind a failed file operation, for codes that come from one:
// SQLite's own text ("disk I/O error") does not say whether the disk is full,
// read-only or failing, and the operator's remedy differs. A failed COMMIT
// does not set sqlite3_system_errno, but the file that failed keeps its
// errno: the WAL (the journal) first, where commits write, then the store.
int file_errno(sqlite3* db, int rc) {
    switch (rc & 0xff) {
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
            break;
        default:
            return 0;
    }
    if (!db) return 0;
    int e = 0;
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
        // SQLite opens a store it may not write read-only without a word and
        // fails at the first write or at the WAL; the errno it keeps is then
        // another call's. Whether the file opens for writing says why.
        const char* file = sqlite3_db_filename(db, "main");
        if (file && *file) {
            const int fd = ::open(file, O_RDWR | O_CLOEXEC);
            if (fd < 0) return errno;
            ::close(fd);
        }
    }
    sqlite3_file* journal = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK &&
        journal && journal->pMethods)
        journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &e);
    if (e == 0) sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e);
    return e != 0 ? e : sqlite3_system_errno(db);
}

std::string with_errno(std::string msg, int sys_errno) {
    if (sys_errno != 0) msg += " (" + errno_text(sys_errno) + ")";
    return msg;
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int e = file_errno(db, rc);
    throw db_failure(rc, with_errno(std::move(msg), e), e);
}

}  // namespace

db_failure::db_failure(int code, const std::string& what, int sys_errno)
    : std::runtime_error(what),
      code_(code),
      sys_errno_(sys_errno),
      kind_(classify(code, sys_errno)) {}

db_failure::db_failure(std::string sqlstate, const std::string& what)
    : std::runtime_error(what), sqlstate_(std::move(sqlstate)), kind_(pg::kind_of(sqlstate_)) {}

fault_kind fault_of(const std::exception& ex) {
    if (const auto* f = dynamic_cast<const db_failure*>(&ex)) return f->kind();
    return fault_kind::other;
}

std::string explain(const std::exception& ex) {
    const auto kind = fault_of(ex);
    if (kind == fault_kind::other) return ex.what();
    return std::string(describe(kind)) + ": " + ex.what();
}

cursor::~cursor() {
    if (s_->pg_) {
        pg::reset(*s_->pg_);
        return;
    }
    sqlite3_reset(s_->stmt_);
    sqlite3_clear_bindings(s_->stmt_);
}

bool cursor::next() {
    if (s_->pg_) return pg::next(*s_->pg_);
    int rc = sqlite3_step(s_->stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(s_->stmt_);
    fail(db, sqlite3_extended_errcode(db), sqlite3_sql(s_->stmt_));
}

std::int64_t cursor::int64(int col) const {
    if (s_->pg_) {
        const char* v = pg::value(*s_->pg_, col);
        if (!v) return 0;
        // A boolean (EXISTS, a comparison) arrives as t/f.
        if (*v == 't') return 1;
        if (*v == 'f') return 0;
        return std::strtoll(v, nullptr, 10);
    }
    return sqlite3_column_int64(s_->stmt_, col);
}

std::string cursor::text(int col) const {
    if (s_->pg_) {
        const char* v = pg::value(*s_->pg_, col);
        return v ? std::string(v) : std::string();
    }
    auto* p = sqlite3_column_text(s_->stmt_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(s_->stmt_, col)));
}

bool cursor::is_null(int col) const {
    if (s_->pg_) return pg::value(*s_->pg_, col) == nullptr;
    return sqlite3_column_type(s_->stmt_, col) == SQLITE_NULL;
}

std::optional<std::int64_t> cursor::opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

statement::statement() = default;

statement::statement(connection& c, std::string_view sql) {
    if (c.pg_) {
        pg_ = pg::prepare(c.pg_, c.pg_alive_, ++c.pg_statements_, sql);
        return;
    }
    int rc = sqlite3_prepare_v3(c.db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(c.db_, rc, "prepare " + std::string(sql));
}

statement::~statement() {
    sqlite3_finalize(stmt_);
    if (pg_) pg::deallocate(*pg_);
}

statement::statement(statement&& o) noexcept
    : stmt_(std::exchange(o.stmt_, nullptr)), pg_(std::move(o.pg_)) {}

statement& statement::operator=(statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(stmt_);
        if (pg_) pg::deallocate(*pg_);
        stmt_ = std::exchange(o.stmt_, nullptr);
        pg_ = std::move(o.pg_);
    }
    return *this;
}

void statement::bind(int i, std::int64_t v) {
    if (pg_) {
        bind(i, std::string_view(std::to_string(v)));
        return;
    }
    sqlite3_bind_int64(stmt_, i, v);
}

void statement::bind(int i, std::string_view v) {
    if (pg_) {
        const auto at = static_cast<std::size_t>(i - 1);
        if (at >= pg_->values.size())
            throw db_failure("08P01",
                             "parameter " + std::to_string(i) + " out of range in " + pg_->sql);
        pg_->values[at].assign(v);
        pg_->nulls[at] = false;
        return;
    }
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void statement::bind(int i, std::nullptr_t) {
    if (pg_) {
        const auto at = static_cast<std::size_t>(i - 1);
        if (at < pg_->nulls.size()) pg_->nulls[at] = true;
        return;
    }
    sqlite3_bind_null(stmt_, i);
}

void statement::bind(int i, const std::optional<std::int64_t>& v) {
    if (v)
        bind(i, *v);
    else
        bind(i, nullptr);
}

std::int64_t statement::exec_values(const std::vector<std::string>& values,
                                    const std::vector<bool>& nulls) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        const int at = static_cast<int>(i) + 1;
        if (nulls[i])
            bind(at, nullptr);
        else
            bind(at, std::string_view(values[i]));
    }
    cursor c(*this);
    while (c.next()) {
    }
    return changes();
}

std::int64_t statement::changes() const {
    if (pg_) return pg_->changed;
    return sqlite3_changes64(sqlite3_db_handle(stmt_));
}

namespace {

// SQLite counts every allocation for sqlite3_status() under one process-wide
// mutex, so the event loop's reads and the writer thread took turns on it and
// woke each other (a tenth of the daemon's time in the profile). Nothing here
// reads those counters. sqlite3_config works only before SQLite starts; once
// per process, before the first connection.
void configure_sqlite_once() {
    static const bool done = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    (void)done;
}

}  // namespace

connection::connection(const std::string& path, open_mode mode,
                       std::chrono::milliseconds busy_timeout)
    : path_(path) {
    if (engine_of(path) == engine::postgres) {
        pg_ = pg::connect(path, mode, busy_timeout);
        pg_alive_ = std::make_shared<int>(0);
        return;
    }
    configure_sqlite_once();
    if (mode == open_mode::read_write && path != ":memory:") {
        // A new store is private from its first byte (it will hold secret
        // hashes); SQLite gives the -wal and -shm files the same mode.
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) ::close(fd);
    }
    int flags = mode == open_mode::read_only ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    // Each connection is used by one thread at a time: no SQLite mutexes needed.
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const int e = file_errno(db_, rc);
        std::string msg = "cannot open database " + path + ": " +
                          (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close(db_);
        db_ = nullptr;
        throw db_failure(rc, with_errno(std::move(msg), e), e);
    }
    sqlite3_extended_result_codes(db_, 1);
    // A reader or the admin tool may hold the lock briefly; wait rather than fail.
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
    try {
        if (mode == open_mode::read_write && sqlite3_db_readonly(db_, "main") == 1) {
            // SQLite fell back to reading a store it may not write: such a
            // connection would refuse every write until it is reopened, even
            // after the fault clears. Refuse it now instead.
            const int e = file_errno(db_, SQLITE_READONLY);
            throw db_failure(SQLITE_READONLY,
                             with_errno("cannot open database " + path + " for writing", e), e);
        }
        if (mode == open_mode::read_write) exec("PRAGMA journal_mode=WAL");
        // FULL: a commit is on disk (WAL fsynced) before COMMIT returns, so a
        // reply sent after it never promises something a power cut can undo.
        // Group commit in the runner pays the fsync once per batch.
        exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

connection::~connection() {
    for (auto& st : control_) st = statement();  // before the connection goes
    pg_alive_.reset();
    PQfinish(pg_);
    sqlite3_close_v2(db_);
}

void connection::exec(std::string_view sql) {
    if (pg_) {
        pg::exec(pg_, sql);
        return;
    }
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        const int code = sqlite3_extended_errcode(db_);
        const int e = file_errno(db_, code);
        throw db_failure(code, with_errno(msg + " (in: " + s.substr(0, 80) + ")", e), e);
    }
}

namespace {

// The statement of each transaction control, per engine (a switch, so a
// control added without its statements does not compile).
std::string_view control_sql(connection::control c, engine e) {
    const bool pg = e == engine::postgres;
    switch (c) {
        case connection::control::begin:
            // Reads see one snapshot, as in SQLite.
            return pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN";
        case connection::control::begin_immediate:
            // Writes run SERIALIZABLE: every action's read-modify-write (a
            // balance, a counter of wrong PINs, a dedup key) is then as if
            // alone, whatever runs on the other gateways; a lost race fails
            // with SQLSTATE 40001 and the caller runs the transaction again
            // (docs/architecture.md).
            return pg ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN IMMEDIATE";
        case connection::control::begin_queue:
            return pg ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN IMMEDIATE";
        case connection::control::commit:
            return "COMMIT";
        case connection::control::savepoint:
            return "SAVEPOINT action";
        case connection::control::release:
            return pg ? "RELEASE SAVEPOINT action" : "RELEASE action";
        case connection::control::rollback_to:
            return pg ? "ROLLBACK TO SAVEPOINT action" : "ROLLBACK TO action";
    }
    return "ROLLBACK";
}

}  // namespace

void connection::run(control c) {
    if (pg_) {
        // COMMIT of a transaction a failed statement aborted rolls it back
        // and reports success; a caller that commits must hear that it did not.
        if (c == control::commit && PQtransactionStatus(pg_) == PQTRANS_INERROR)
            throw db_failure("25P02", "commit of a transaction a failed statement aborted");
        pg::exec(pg_, control_sql(c, engine::postgres));
        return;
    }
    auto& st = control_[static_cast<std::size_t>(c)];
    if (!st.prepared()) st = prepare(control_sql(c, engine::sqlite));
    st.exec();
}

bool connection::lost() const noexcept {
    return pg_ && PQstatus(pg_) != CONNECTION_OK;
}

bool connection::in_transaction() const noexcept {
    if (pg_) return PQtransactionStatus(pg_) != PQTRANS_IDLE;
    return sqlite3_get_autocommit(db_) == 0;
}

int connection::user_version() {
    if (pg_) {
        auto exists = prepare("SELECT to_regclass('schema_version') IS NOT NULL");
        auto e = exists.query();
        if (!e.next() || e.int64(0) == 0) return 0;
        auto st = prepare("SELECT version FROM schema_version");
        auto c = st.query();
        return c.next() ? static_cast<int>(c.int64(0)) : 0;
    }
    auto st = prepare("PRAGMA user_version");
    auto c = st.query();
    return c.next() ? static_cast<int>(c.int64(0)) : 0;
}

void connection::set_user_version(int v) {
    if (pg_) {
        exec(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL); "
            "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
            std::to_string(v) + ")");
        return;
    }
    exec("PRAGMA user_version = " + std::to_string(v));
}

transaction::transaction(connection& c, bool immediate) : c_(c) {
    c_.run(immediate ? connection::control::begin_immediate : connection::control::begin);
}

transaction::transaction(connection& c, kind k) : c_(c) {
    switch (k) {
        case kind::read:
            c_.run(connection::control::begin);
            break;
        case kind::write:
            c_.run(connection::control::begin_immediate);
            break;
        case kind::queue:
            c_.run(connection::control::begin_queue);
            break;
    }
}

transaction::~transaction() {
    if (!open_) return;
    if (auto* pg = c_.pg_handle()) {
        if (PQtransactionStatus(pg) != PQTRANS_IDLE) PQclear(PQexec(pg, "ROLLBACK"));
        return;
    }
    if (sqlite3_get_autocommit(c_.handle()) == 0) {
        // Rollback failing here leaves nothing better to do; SQLite rolls back
        // a connection's open transaction when it is closed anyway.
        sqlite3_exec(c_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void transaction::commit() {
    open_ = true;
    c_.run(connection::control::commit);
    open_ = false;
}

savepoint::savepoint(connection& c) : c_(c) {
    c_.run(connection::control::savepoint);
}

savepoint::~savepoint() {
    if (!open_) return;
    if (auto* pg = c_.pg_handle()) {
        PQclear(PQexec(pg, "ROLLBACK TO SAVEPOINT action; RELEASE SAVEPOINT action"));
        return;
    }
    { sqlite3_exec(c_.handle(), "ROLLBACK TO action; RELEASE action", nullptr, nullptr, nullptr); }
}

void savepoint::release() {
    c_.run(connection::control::release);
    open_ = false;
}

void savepoint::rollback() {
    c_.run(connection::control::rollback_to);
    c_.run(connection::control::release);
    open_ = false;
}

}  // namespace ussdgw::store
