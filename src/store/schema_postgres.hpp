#pragma once
// The schema in PostgreSQL's dialect, step by step like SQLite's.

namespace ussdgw::store {

/// The SQL that takes a PostgreSQL store to `version` from the version
/// before it, or (for the first step there is) from an empty database;
/// nullptr for a version reached without a step of its own.
const char* postgres_step(int version);

}  // namespace ussdgw::store
