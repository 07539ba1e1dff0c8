#include "ussdgw/store/fault.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <system_error>

namespace ussdgw::store {

std::string_view to_string(fault_kind k) {
    switch (k) {
        case fault_kind::disk_full:
            return "disk_full";
        case fault_kind::read_only:
            return "read_only";
        case fault_kind::locked:
            return "locked";
        case fault_kind::io:
            return "io";
        case fault_kind::corrupt:
            return "corrupt";
        case fault_kind::other:
            break;
    }
    return "other";
}

std::string_view describe(fault_kind k) {
    switch (k) {
        case fault_kind::disk_full:
            return "disk full";
        case fault_kind::read_only:
            return "read-only file or directory";
        case fault_kind::locked:
            return "locked by another process";
        case fault_kind::io:
            return "I/O error";
        case fault_kind::corrupt:
            return "damaged file";
        case fault_kind::other:
            break;
    }
    return "store error";
}

fault_kind classify(int sqlite_code, int sys_errno) {
    switch (sqlite_code & 0xff) {
        case SQLITE_FULL:
            return fault_kind::disk_full;
        case SQLITE_READONLY:
            return fault_kind::read_only;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return fault_kind::locked;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return fault_kind::corrupt;
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
            // SQLite reports most failed writes as IOERR whatever the cause
            // (a read-only mount is SQLITE_IOERR_WRITE): the errno tells.
            switch (sys_errno) {
                case ENOSPC:
                case EDQUOT:
                    return fault_kind::disk_full;
                case EROFS:
                case EACCES:
                case EPERM:
                    return fault_kind::read_only;
                default:
                    break;
            }
            return fault_kind::io;
        default:
            break;
    }
    return fault_kind::other;
}

std::string errno_text(int sys_errno) {
    if (sys_errno == 0) return {};
    return std::error_code(sys_errno, std::generic_category()).message();
}

}  // namespace ussdgw::store
