#pragma once
// Disk faults for a running daemon, through tests/support/io_fault_shim.c:
// the daemon is started with env() (the shim preloaded, watching the store's
// files), and set()/clear() turn a fault on and off while it runs.

#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "process.hpp"

namespace ussdgw::test {

/// A switch for the io_fault_shim: while set, every write to a watched file fails.
class io_fault {
  public:
    /// Watches every file whose path starts with `prefix` (the store's path
    /// covers its -wal and -shm); the control file lives in `dir`.
    io_fault(const temp_dir& dir, std::string prefix)
        : prefix_(std::move(prefix)), control_(dir.file("io-fault.control")) {}

    /// The environment that preloads the shim (start_daemon adds what ASan needs).
    std::map<std::string, std::string> env() const {
        return {{"LD_PRELOAD", binary_path("io_fault_shim.so")},
                {"USSDGW_FAULT_PREFIX", prefix_},
                {"USSDGW_FAULT_CONTROL", control_}};
    }

    /// From the next write on, writes fail with errno `name`: ENOSPC, EROFS or EIO.
    void set(const std::string& name) {
        // Written aside and renamed, so the shim never reads half a name.
        const auto tmp = control_ + ".tmp";
        std::ofstream(tmp) << name << "\n";
        if (std::rename(tmp.c_str(), control_.c_str()) != 0)
            throw std::runtime_error("cannot write " + control_);
    }

    /// Writes work again from the next one on.
    void clear() { std::remove(control_.c_str()); }

  private:
    std::string prefix_;
    std::string control_;
};

}  // namespace ussdgw::test
