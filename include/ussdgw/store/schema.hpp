#pragma once
// The schema version lives in PRAGMA user_version (SQLite) or the
// schema_version table (PostgreSQL): one migration step per version,
// each in its own transaction, so an interrupted upgrade leaves the file at
// the last completed version and the next start resumes from there.

#include <string>

#include "ussdgw/store/db.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::store {

/// The schema version this binary writes and understands.
int latest_schema_version();

/// What a migration did.
struct migration {
    int from = 0;  ///< version found
    int to = 0;    ///< version reached
};

/// Brings the database up to latest_schema_version(). Refuses (as a value) a
/// database written by a newer binary, naming both versions.
util::result<migration, std::string> migrate(connection& c);

/// Checks that the database is exactly at latest_schema_version() without
/// changing it; the error says what to run when it is not.
util::result<int, std::string> check_version(connection& c);

}  // namespace ussdgw::store
