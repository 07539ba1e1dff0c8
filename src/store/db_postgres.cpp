#include <cstdlib>
#include <utility>

#include "postgres.hpp"

namespace ussdgw::store {

namespace {

// The SQLSTATE of a failed result and libpq's message, as a db_failure.
[[noreturn]] void fail(PGconn* conn, const PGresult* r, std::string_view what) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg(what);
    msg += ": ";
    const char* err = r ? PQresultErrorMessage(r) : nullptr;
    msg += err && *err ? err : PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw db_failure(state ? state : "", msg);
}

// A result that must have succeeded; cleared and thrown otherwise.
PGresult* checked(PGconn* conn, PGresult* r, std::string_view what) {
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    try {
        fail(conn, r, what);
    } catch (...) {
        PQclear(r);
        throw;
    }
}

// libpq prints server notices (an existing table skipped, ...) on stderr
// unless told otherwise; the daemon's log is the place for what matters.
void ignore_notice(void*, const char*) {}

}  // namespace

engine engine_of(std::string_view target) {
    return target.starts_with("postgresql://") || target.starts_with("postgres://")
               ? engine::postgres
               : engine::sqlite;
}

namespace {

// Where a URI's password would be: after "user:" in the authority, or a
// `password=` parameter after '?'. Empty when it carries none.
std::string_view password_in(std::string_view uri) {
    const auto scheme = uri.find("://") + 3;
    const auto path = uri.find_first_of("/?", scheme);
    const auto authority =
        uri.substr(scheme, path == std::string_view::npos ? std::string_view::npos : path - scheme);
    const auto at = authority.rfind('@');
    const auto colon = authority.find(':');
    if (at != std::string_view::npos && colon < at)
        return uri.substr(scheme + colon + 1, at - colon - 1);
    const auto query = uri.find('?');
    if (query == std::string_view::npos) return {};
    for (auto p = uri.find("password=", query); p != std::string_view::npos;
         p = uri.find("password=", p + 1)) {
        const char before = uri[p - 1];
        if (before != '?' && before != '&') continue;
        const auto end = uri.find('&', p);
        return uri.substr(p + 9,
                          end == std::string_view::npos ? std::string_view::npos : end - p - 9);
    }
    return {};
}

}  // namespace

std::string printable_target(std::string_view target) {
    if (engine_of(target) == engine::sqlite) return std::string(target);
    const auto pw = password_in(target);
    if (pw.empty()) return std::string(target);
    const auto at = static_cast<std::size_t>(pw.data() - target.data());
    return std::string(target.substr(0, at)) + "***" + std::string(target.substr(at + pw.size()));
}

std::string postgres_placeholders(std::string_view sql, int& params) {
    std::string out;
    out.reserve(sql.size() + 16);
    int sequential = 0;
    params = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char ch = sql[i];
        if (ch == '\'') quoted = !quoted;
        if (quoted || ch != '?') {
            out += ch;
            continue;
        }
        int n = 0;
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
        if (j == i + 1) n = ++sequential;
        i = j - 1;
        params = std::max(params, n);
        out += '$';
        out += std::to_string(n);
    }
    return out;
}

namespace pg {

fault_kind kind_of(const std::string& sqlstate) {
    if (sqlstate.empty() || sqlstate.starts_with("08") || sqlstate.starts_with("57P"))
        return fault_kind::io;  // the server is unreachable, went away, or is shutting down
    if (sqlstate == "53100") return fault_kind::disk_full;
    if (sqlstate == "25006" || sqlstate == "42501") return fault_kind::read_only;
    if (sqlstate == "55P03" || sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "57014")
        return fault_kind::locked;  // a lock (or a conflicting transaction) held too long
    if (sqlstate == "XX001" || sqlstate == "XX002") return fault_kind::corrupt;
    return fault_kind::other;
}

PGconn* connect(const std::string& uri, open_mode mode, std::chrono::milliseconds lock_timeout) {
    const auto where = printable_target(uri);
    if (!password_in(uri).empty())
        // In the URI it would be on the command line (ps) and in the config
        // file; libpq reads PGPASSWORD or the PGPASSFILE credentials file.
        throw db_failure("", "cannot open database " + where +
                                 ": the URI carries a password; give it in PGPASSWORD or a "
                                 "PGPASSFILE credentials file instead");
    PGconn* conn = PQconnectdb(uri.c_str());
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        std::string msg = "cannot open database " + where + ": " +
                          (conn ? PQerrorMessage(conn) : "out of memory");
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        PQfinish(conn);
        throw db_failure("", msg);
    }
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);
    try {
        std::string setup = "SET lock_timeout = " + std::to_string(lock_timeout.count()) +
                            "; SET client_min_messages = warning; SET TIME ZONE 'UTC'";
        if (mode == open_mode::read_only) setup += "; SET default_transaction_read_only = on";
        exec(conn, setup);
    } catch (...) {
        PQfinish(conn);
        throw;
    }
    return conn;
}

void exec(PGconn* conn, std::string_view sql) {
    const std::string s(sql);
    PQclear(checked(conn, PQexec(conn, s.c_str()), "in: " + s.substr(0, 80)));
}

std::unique_ptr<statement::pg_state> prepare(PGconn* conn, const std::shared_ptr<int>& alive,
                                             int number, std::string_view sql) {
    auto s = std::make_unique<statement::pg_state>();
    s->conn = conn;
    s->alive = alive;
    s->name = "s" + std::to_string(number);
    int params = 0;
    s->sql = postgres_placeholders(sql, params);
    s->values.resize(static_cast<std::size_t>(params));
    s->nulls.assign(static_cast<std::size_t>(params), true);
    PQclear(checked(conn, PQprepare(conn, s->name.c_str(), s->sql.c_str(), params, nullptr),
                    "prepare " + s->sql));
    return s;
}

void deallocate(statement::pg_state& s) {
    reset(s);
    if (!s.alive.expired() && PQstatus(s.conn) == CONNECTION_OK &&
        PQtransactionStatus(s.conn) != PQTRANS_INERROR)
        PQclear(PQexec(s.conn, ("DEALLOCATE " + s.name).c_str()));
}

bool next(statement::pg_state& s) {
    if (!s.result) {
        std::vector<const char*> values(s.values.size());
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = s.nulls[i] ? nullptr : s.values[i].c_str();
        s.result = checked(s.conn,
                           PQexecPrepared(s.conn, s.name.c_str(), static_cast<int>(values.size()),
                                          values.data(), nullptr, nullptr, 0),
                           s.sql);
        s.rows = PQntuples(s.result);
        const char* changed = PQcmdTuples(s.result);
        s.changed = changed && *changed ? std::strtoll(changed, nullptr, 10) : 0;
        s.row = -1;
    }
    return ++s.row < s.rows;
}

void reset(statement::pg_state& s) {
    PQclear(s.result);
    s.result = nullptr;
    s.row = -1;
    s.rows = 0;
    s.nulls.assign(s.nulls.size(), true);
}

const char* value(const statement::pg_state& s, int col) {
    if (!s.result || s.row < 0 || s.row >= s.rows || PQgetisnull(s.result, s.row, col))
        return nullptr;
    return PQgetvalue(s.result, s.row, col);
}

}  // namespace pg
}  // namespace ussdgw::store
