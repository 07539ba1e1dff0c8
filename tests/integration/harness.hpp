#pragma once
// Starts the real binaries for end-to-end tests: the SMSC simulator on a
// free loopback port (it reports the port) and the daemon bound to it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace ussdgw::test {

/// The bind password the harness gives the simulator and the daemon: not a
/// dictionary word, so the secrets audit can look for it in every log.
inline const std::string bind_password = "Bq7-xZ4k";

/// Generous deadline for anything that should take milliseconds (CI machines are shared).
inline constexpr std::chrono::milliseconds patience{20'000};

/// A running simulator and the port it listens on.
struct sim_process {
    std::unique_ptr<child_process> proc;  ///< the simulator
    std::uint16_t port = 0;               ///< its listening port
};

/// Starts ussdgw-smsc-sim on 127.0.0.1 (port 0 = any free port) with extra flags
/// (and --password bind_password unless they give one).
sim_process start_sim(const std::vector<std::string>& args, std::uint16_t port = 0);

/// Writes a simulator script into `dir` and returns its path.
std::string write_script(const temp_dir& dir, const std::string& name, const std::string& body);

/// Starts ussdgw against 127.0.0.1:port with extra flags (bind_password and the
/// shipped menus unless given) and extra environment (with LD_PRELOAD in it, ASan is told
/// to accept a library loaded before its runtime).
std::unique_ptr<child_process> start_daemon(std::uint16_t port,
                                            const std::vector<std::string>& args = {},
                                            std::map<std::string, std::string> env = {});

/// A demo store in `dir` created with ussdgw-admin (init + demo); returns its path.
std::string demo_store(const temp_dir& dir);

/// Path of the shipped menus directory.
std::string shipped_menus();

/// How a run of ussdgw-admin ended.
struct run_result {
    int code = -1;       ///< exit code
    std::string output;  ///< stdout and stderr
};

/// Runs ussdgw-admin with `args`, `stdin_text` on its stdin, to its exit.
run_result admin(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace ussdgw::test
