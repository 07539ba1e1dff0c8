#pragma once
// What kind of failure a store error is. The operator's remedy differs by
// kind (free disk space, remount, find the process holding the lock,
// restore a backup), so the log line names it and the metrics count by it.

#include <array>
#include <string>
#include <string_view>

namespace ussdgw::store {

/// The kinds of store failure an operator acts on differently.
enum class fault_kind {
    disk_full,  ///< SQLITE_FULL, ENOSPC, EDQUOT
    read_only,  ///< SQLITE_READONLY, EROFS, EACCES, EPERM: the file or its directory takes no
                ///< writes
    locked,     ///< SQLITE_BUSY or SQLITE_LOCKED past the busy timeout: another process writes
    io,         ///< any other I/O error (EIO: a failing disk)
    corrupt,    ///< SQLITE_CORRUPT, SQLITE_NOTADB: the file is damaged or not a store
    other,      ///< anything else (a bug, out of memory, a broken schema)
};

/// Every kind, in a fixed order (the metrics list each, failed or not).
inline constexpr std::array<fault_kind, 6> all_fault_kinds{
    fault_kind::disk_full, fault_kind::read_only, fault_kind::locked,
    fault_kind::io,        fault_kind::corrupt,   fault_kind::other};

/// The metric label: "disk_full", "read_only", "locked", "io", "corrupt", "other".
std::string_view to_string(fault_kind k);

/// The operator's words for it: "disk full", "read-only file or directory", ...
std::string_view describe(fault_kind k);

/// The kind of a SQLite extended result code. `sys_errno` is the errno of
/// the file operation that failed (sqlite3_system_errno), 0 when unknown; it
/// is consulted only for codes that come from a failed file operation.
fault_kind classify(int sqlite_code, int sys_errno);

/// The errno's text for a log line ("No space left on device"), "" for 0.
std::string errno_text(int sys_errno);

}  // namespace ussdgw::store
