#pragma once
// A throwaway PostgreSQL server for tests: a fresh cluster in a temporary
// directory, on a free port of 127.0.0.1, with durability off (the data dies
// with the test process). Tests that need PostgreSQL take pg_server::shared()
// and one create_database() per test case, so cases never see each other's
// tables. Without Debian's server binaries available() is false and tests
// skip visibly with why_unavailable().

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace ussdgw::test {

/// A PostgreSQL server started for this test process and stopped by the destructor.
class pg_server {
  public:
    /// Finds the server binaries and, when present, starts the server; throws
    /// std::runtime_error (with the server's output) when they are present but it fails to start.
    pg_server();
    ~pg_server();
    pg_server(const pg_server&) = delete;
    pg_server& operator=(const pg_server&) = delete;

    /// The one server of this test process, started on first use and stopped at exit; never null.
    /// Call it first from the main thread: the server is told to stop when the thread that
    /// started it ends (so a killed test process leaves no server behind).
    static pg_server* shared();

    /// True when the server is running.
    bool available() const { return running_ != nullptr; }
    /// Why available() is false, in one sentence; empty when it is true.
    const std::string& why_unavailable() const { return why_; }

    /// The TCP port on 127.0.0.1 the server listens on.
    std::uint16_t port() const { return port_; }
    /// A libpq connection URI for database `name` as the superuser "ussdgw".
    std::string uri(const std::string& name) const;
    /// Creates a fresh empty database with a name unique in this server; returns its URI.
    std::string create_database();

  private:
    bool find_binaries();
    void run_initdb();
    bool try_start(std::uint16_t port);
    std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
    void stop();

    std::string bin_dir_;  // /usr/lib/postgresql/<major>/bin
    std::string why_;
    std::string dir_;  // the temporary directory: data/ and the unix socket
    bool as_postgres_ = false;
    std::uint16_t port_ = 0;
    std::unique_ptr<child_process> running_;  // the postmaster
    std::thread drain_;                       // reads the server's log (see try_start)
    std::atomic<bool> stop_drain_{false};
    std::mutex db_mutex_;
    int next_db_ = 1;
};

}  // namespace ussdgw::test
