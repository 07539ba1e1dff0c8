#include "pg_server.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace ussdgw::test {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr const char* ready_line = "database system is ready to accept connections";
constexpr auto start_timeout = 60s;
constexpr int start_attempts = 5;
// Fast shutdown of an idle throwaway cluster takes well under a second; the
// rest is headroom for a loaded machine before falling back to SIGKILL.
constexpr auto stop_timeout = 30s;
// setpriv (util-linux, essential on Debian) execs the server in place, so the
// pid we hold is the postmaster's own. runuser would stay in between as a
// parent that ignores SIGINT, so a fast shutdown could not reach the server.
constexpr const char* setpriv = "/usr/bin/setpriv";

// A port on 127.0.0.1 that was free a moment ago: the kernel picks it for a
// socket bound to port 0, and we close that socket before the server binds.
// Another process may take it in between; try_start's caller retries.
std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        int e = errno;
        ::close(fd);
        throw std::system_error(e, std::generic_category(), "bind 127.0.0.1:0");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

// The highest /usr/lib/postgresql/<major>/bin that has both initdb and postgres.
std::string find_bin_dir() {
    std::string best;
    long best_major = -1;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = e.path().filename().string();
        char* end = nullptr;
        long major = std::strtol(name.c_str(), &end, 10);
        if (name.empty() || *end != '\0') continue;
        const std::string bin = e.path().string() + "/bin";
        if (::access((bin + "/initdb").c_str(), X_OK) != 0 ||
            ::access((bin + "/postgres").c_str(), X_OK) != 0)
            continue;
        if (major > best_major) {
            best_major = major;
            best = bin;
        }
    }
    return best;
}

struct pq_conn_deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct pq_result_deleter {
    void operator()(PGresult* r) const { PQclear(r); }
};

}  // namespace

pg_server::pg_server() {
    if (!find_binaries()) return;
    std::string tmpl = (fs::temp_directory_path() / "ussdgw-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + tmpl);
    dir_ = tmpl;
    try {
        if (as_postgres_) {
            // initdb (running as postgres) creates data/ in here, and the server
            // puts its unix socket here; mkdtemp made it 0700 and root's.
            const passwd* pw = ::getpwnam("postgres");
            if (!pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
                throw std::system_error(errno, std::generic_category(), "chown " + dir_);
        }
        run_initdb();
        bool started = false;
        for (int i = 0; i < start_attempts && !started; ++i) started = try_start(free_port());
        if (!started)
            throw std::runtime_error("PostgreSQL: each of " + std::to_string(start_attempts) +
                                     " free ports was taken before the server could bind it");
    } catch (...) {
        stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw;
    }
}

pg_server::~pg_server() {
    stop();
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

pg_server* pg_server::shared() {
    // Started on first use, so test binaries that never ask pay nothing; the
    // static's destructor stops it when the test process exits normally.
    static pg_server server;
    return &server;
}

bool pg_server::find_binaries() {
    bin_dir_ = find_bin_dir();
    if (bin_dir_.empty()) {
        why_ =
            "PostgreSQL server binaries not found under /usr/lib/postgresql (Debian package "
            "postgresql; scripts/setup --test installs it)";
        return false;
    }
    // PostgreSQL refuses to run as root (a server bug would own the machine),
    // so as root it runs as the postgres system user the Debian package made.
    as_postgres_ = ::geteuid() == 0;
    if (as_postgres_ && !::getpwnam("postgres")) {
        why_ =
            "running as root and PostgreSQL refuses to run as root, but there is no postgres "
            "system user to run it as (Debian package postgresql creates it)";
        return false;
    }
    if (as_postgres_ && ::access(setpriv, X_OK) != 0) {
        why_ = std::string("running as root and ") + setpriv +
               " (Debian package util-linux) is missing to run PostgreSQL as user postgres";
        return false;
    }
    return true;
}

std::vector<std::string> pg_server::as_server_user(std::vector<std::string> argv) const {
    if (::access(setpriv, X_OK) != 0) return argv;  // not root (find_binaries): run as is
    // --pdeathsig: when the test process dies without running destructors
    // (a crash, ctest's timeout kill), the server gets SIGINT (fast shutdown)
    // instead of running on forever. It is set after the uid change, which
    // would otherwise clear it.
    std::vector<std::string> wrapped{setpriv};
    if (as_postgres_)
        wrapped.insert(wrapped.end(), {"--reuid=postgres", "--regid=postgres", "--init-groups"});
    wrapped.insert(wrapped.end(), {"--pdeathsig=INT", "--"});
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

void pg_server::run_initdb() {
    // trust: anyone on 127.0.0.1 may connect, which is fine for a throwaway
    // cluster; --no-sync: nothing here must survive a crash.
    child_process initdb(
        as_server_user({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "ussdgw",
                        "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"}));
    auto code = initdb.wait_exit(start_timeout);
    if (!code)
        throw std::runtime_error("PostgreSQL initdb did not finish within 60 s:\n" +
                                 initdb.output());
    if (*code != 0)
        throw std::runtime_error("PostgreSQL initdb failed (exit " + std::to_string(*code) +
                                 "):\n" + initdb.output());
}

bool pg_server::try_start(std::uint16_t port) {
    auto server = std::make_unique<child_process>(
        as_server_user({bin_dir_ + "/postgres", "-D", dir_ + "/data",
                        // TCP on loopback only, and the unix socket inside our directory:
                        // nothing outside this machine can reach it, and no socket lands in
                        // /var/run/postgresql where a system cluster may live.
                        "-c", "listen_addresses=127.0.0.1", "-c", "port=" + std::to_string(port),
                        "-c", "unix_socket_directories=" + dir_,
                        // Speed over durability: the data is thrown away with the directory.
                        "-c", "fsync=off", "-c", "full_page_writes=off", "-c",
                        "synchronous_commit=off", "-c", "max_connections=100",
                        // The log goes to our pipe, where the readiness line is read.
                        "-c", "log_destination=stderr", "-c", "logging_collector=off"}));
    auto ready = server->wait_for(ready_line, start_timeout);
    if (!ready) {
        auto code = server->wait_exit(5s);
        const std::string& out = server->output();
        // The port was free when free_port() looked; someone took it since.
        if (code && out.find("Address already in use") != std::string::npos) return false;
        throw std::runtime_error(std::string(code ? "PostgreSQL exited during startup (exit " +
                                                        std::to_string(*code) + ")"
                                                  : "PostgreSQL was not ready within 60 s") +
                                 ":\n" + out);
    }
    port_ = port;
    running_ = std::move(server);
    // The server logs to a pipe for its whole life; unread, a full pipe would
    // block every server process that logs (errors, checkpoints) and hang the
    // tests. This thread keeps reading, and on stop() shuts the server down:
    // it is the only one to touch running_ from here on, so it alone reaps.
    drain_ = std::thread([this] {
        child_process& pm = *running_;
        std::optional<clock::time_point> kill_at;
        bool killed = false;
        for (;;) {
            // wait_exit reads the output while it waits (a poll, not a sleep);
            // the short step bounds how late a stop request is noticed.
            if (pm.wait_exit(50ms)) return;
            if (stop_drain_ && !kill_at) {
                pm.signal(SIGINT);  // fast shutdown: disconnect clients, checkpoint, exit
                kill_at = clock::now() + stop_timeout;
            } else if (kill_at && !killed && clock::now() >= *kill_at) {
                pm.signal(SIGKILL);
                killed = true;
                kill_at = clock::now() + 10s;
            } else if (killed && clock::now() >= *kill_at) {
                return;  // unkillable (stuck in the kernel): child_process's destructor reaps
            }
        }
    });
    return true;
}

void pg_server::stop() {
    if (drain_.joinable()) {
        stop_drain_ = true;
        drain_.join();
    }
    running_.reset();
}

std::string pg_server::uri(const std::string& name) const {
    return "postgresql://ussdgw@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string pg_server::create_database() {
    if (!available()) throw std::logic_error("pg_server::create_database: " + why_);
    std::lock_guard lock(db_mutex_);
    const std::string name = "t" + std::to_string(next_db_++);
    // Through the maintenance database "postgres": CREATE DATABASE copies
    // template1, which must have no connections of its own.
    std::unique_ptr<PGconn, pq_conn_deleter> c(PQconnectdb(uri("postgres").c_str()));
    if (PQstatus(c.get()) != CONNECTION_OK)
        throw std::runtime_error("PostgreSQL: connect to " + uri("postgres") +
                                 " failed: " + PQerrorMessage(c.get()));
    const std::string sql = "CREATE DATABASE " + name;
    std::unique_ptr<PGresult, pq_result_deleter> r(PQexec(c.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error("PostgreSQL: CREATE DATABASE " + name +
                                 " failed: " + PQerrorMessage(c.get()));
    return uri(name);
}

}  // namespace ussdgw::test
