#pragma once
// Where a test's account store lives. The store and action tests run on
// both engines: on SQLite files by default, and a second time with
// USSDGW_TEST_ENGINE=postgres on the test process's throwaway PostgreSQL
// server (pg_server), one fresh database per store. Cases that test SQLite
// itself (its files, journal, faults) are in the test suite "sqlite_only",
// which the PostgreSQL run leaves out.

#include <string>

#include "process.hpp"

namespace ussdgw::test {

/// True when this test process runs the store on PostgreSQL.
bool testing_postgres();

/// A new, empty store for one test: the file `dir/name` on SQLite, a fresh
/// database's URI on PostgreSQL.
std::string fresh_store(const temp_dir& dir, const std::string& name);

}  // namespace ussdgw::test
