#pragma once
// Runs a real binary as a child process for tests: reads its merged
// stdout/stderr line by line with deadlines (never sleeps), writes its stdin,
// signals it, and reaps it. The destructor kills what is still running.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ussdgw::test {

/// A child process with piped stdin and merged stdout+stderr.
class child_process {
  public:
    /// Starts argv[0] (a path) with the given arguments and extra environment.
    explicit child_process(std::vector<std::string> argv,
                           std::map<std::string, std::string> env = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Next output line (without '\n') or nullopt when the deadline passes or output ends.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Reads lines until one satisfies `match`; returns it, or nullopt on deadline/EOF.
    std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                        std::chrono::milliseconds timeout);
    /// Reads lines until one contains `needle`.
    std::optional<std::string> wait_for(const std::string& needle,
                                        std::chrono::milliseconds timeout);
    /// Writes to the child's stdin.
    void write(const std::string& text);
    /// Closes the child's stdin.
    void close_stdin();
    /// Sends a signal.
    void signal(int sig);
    /// Waits for exit; returns the exit code (128+signal when killed) or nullopt on deadline.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    /// Everything read from the child so far.
    const std::string& output() const { return all_; }
    /// The child's pid.
    pid_t pid() const { return pid_; }
    /// True while not reaped.
    bool running() const { return !exit_code_; }

  private:
    bool fill(std::chrono::steady_clock::time_point deadline);
    void save() const;
    std::vector<std::string> argv_;  // for the transcript
    std::string stdin_;              // everything written to it, for the transcript
    pid_t pid_ = -1;
    int in_fd_ = -1;
    int out_fd_ = -1;
    std::string pending_;
    std::string all_;
    std::optional<int> exit_code_;
};

/// Path of a built binary ("ussdgw", "ussdgw-smsc-sim", "ussdgw-admin").
std::string binary_path(const std::string& name);

/// A fresh empty temporary directory, removed by the destructor.
class temp_dir {
  public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    /// The directory's path.
    const std::string& path() const { return path_; }
    /// path() + "/" + name.
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

}  // namespace ussdgw::test
