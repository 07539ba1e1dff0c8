// Store failures by kind: what the log line and the metrics call them.

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cerrno>

#include "process.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/fault.hpp"

// SQLite itself: its files, migration steps and faults (test_store.hpp).
TEST_SUITE_BEGIN("sqlite_only");

using namespace ussdgw;
using store::fault_kind;

TEST_CASE("store failures are classified by what the operator must do") {
    CHECK(store::classify(SQLITE_FULL, 0) == fault_kind::disk_full);
    // SQLite says "disk I/O error" for most failed writes: the errno decides.
    CHECK(store::classify(SQLITE_IOERR_WRITE, ENOSPC) == fault_kind::disk_full);
    CHECK(store::classify(SQLITE_IOERR_WRITE, EDQUOT) == fault_kind::disk_full);
    CHECK(store::classify(SQLITE_IOERR_WRITE, EROFS) == fault_kind::read_only);
    CHECK(store::classify(SQLITE_IOERR_FSYNC, EIO) == fault_kind::io);
    CHECK(store::classify(SQLITE_IOERR_WRITE, 0) == fault_kind::io);
    CHECK(store::classify(SQLITE_CANTOPEN, EACCES) == fault_kind::read_only);
    CHECK(store::classify(SQLITE_READONLY_DBMOVED, 0) == fault_kind::read_only);
    CHECK(store::classify(SQLITE_BUSY, 0) == fault_kind::locked);
    // A stale errno from an earlier failure does not turn a lock into a full disk.
    CHECK(store::classify(SQLITE_BUSY_SNAPSHOT, ENOSPC) == fault_kind::locked);
    CHECK(store::classify(SQLITE_CORRUPT, 0) == fault_kind::corrupt);
    CHECK(store::classify(SQLITE_NOTADB, 0) == fault_kind::corrupt);
    CHECK(store::classify(SQLITE_ERROR, ENOSPC) == fault_kind::other);
    for (auto k : store::all_fault_kinds) {
        CHECK(!store::to_string(k).empty());
        CHECK(!store::describe(k).empty());
    }
    CHECK(store::errno_text(ENOSPC) == "No space left on device");
    CHECK(store::errno_text(0).empty());
}

TEST_CASE("a db_failure knows its kind and says the errno behind it") {
    test::temp_dir dir;
    const auto path = dir.file("x.db");
    {
        // Not a database: SQLite finds out at the first statement.
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f);
        for (int i = 0; i < 8192; ++i) std::fputc((i * 7919) & 0xff, f);
        std::fclose(f);
    }
    try {
        store::connection c(path);
        FAIL("opened a file of garbage");
    } catch (const store::db_failure& e) {
        CHECK(e.kind() == fault_kind::corrupt);
        CHECK(e.sys_errno() == 0);
        CHECK(std::string(e.what()).find("not a database") != std::string::npos);
    }
    try {
        store::connection c(dir.file("missing/x.db"), store::open_mode::read_only);
        FAIL("opened a file in a missing directory");
    } catch (const store::db_failure& e) {
        CHECK(e.kind() == fault_kind::io);
        CHECK(e.sys_errno() == ENOENT);
        CHECK(std::string(e.what()).find("No such file or directory") != std::string::npos);
    }
}

TEST_SUITE_END();
