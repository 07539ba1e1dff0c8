#pragma once
// The suite's transcripts: when $USSDGW_TEST_TRANSCRIPTS names a directory,
// every child process, HTTP exchange and temporary directory of a test
// leaves a copy of what went in and came out there, and the secrets audit
// (tests/integration/secrets_audit.py, run by ctest after the integration
// tests) looks through all of it for a secret the tests used.

#include <string>

namespace ussdgw::test {

/// The directory transcripts go to; empty when they are off.
const std::string& transcript_dir();

/// Writes `text` to a new file in transcript_dir() named after `kind`
/// ("ussdgw", "http", ...); does nothing when transcripts are off.
void save_transcript(const std::string& kind, const std::string& text);

/// Copies the regular files under `dir` (each at most 16 MiB) into a new
/// directory in transcript_dir(); does nothing when transcripts are off.
void save_files(const std::string& dir);

}  // namespace ussdgw::test
