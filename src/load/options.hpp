#pragma once
// Command-line options of ussdgw-load (docs/load.md).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ussdgw::load {

/// Everything the flags set.
struct options {
    std::string listen_host = "127.0.0.1";     ///< --listen host part.
    std::uint16_t listen_port = 2775;          ///< --listen port part; 0 = any free port.
    unsigned binds = 1;                        ///< Binds to wait for before the run starts.
    std::string scenario;                      ///< --scenario: a built-in name or a file.
    unsigned window = 1;                       ///< Flows in flight per bind.
    std::uint64_t count = 0;                   ///< --count: steps to complete; 0 = by duration.
    double duration = 0;                       ///< --duration: seconds to keep starting flows.
    std::uint64_t first_msisdn = 79160000001;  ///< First handset of --subscribers.
    std::uint64_t subscribers = 1;             ///< Handsets in the range.
    std::optional<int> daemon_pid;             ///< --daemon-pid: whose CPU and memory to report.
    double timeout = 10;               ///< Seconds a step (and the wait for binds) may take.
    std::string system_id = "ussdgw";  ///< The only system_id a bind may carry.
    std::string password = "secret";   ///< The only password a bind may carry.
    std::string notice_from = "111";   ///< Sender of SMS notices no step waits for.
};

/// Exit status of a bad command line or scenario file (0 = run without
/// errors, 1 = errors or no bind in time).
inline constexpr int usage_exit = 2;

/// Parses the command line: the options, or the exit code when the program
/// should stop now (--help: 0; a usage error, already printed: usage_exit).
std::variant<options, int> parse_options(int argc, char** argv);

}  // namespace ussdgw::load
