#include "process.hpp"

#include "transcript.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ussdgw::test {

using clock = std::chrono::steady_clock;

child_process::child_process(std::vector<std::string> argv, std::map<std::string, std::string> env)
    : argv_(argv) {
    int in_pipe[2];
    int out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(out_pipe[1], 2);
        for (auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    in_fd_ = in_pipe[1];
    out_fd_ = out_pipe[0];
    fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    // A child that exits while we write must not kill the test with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
}

child_process::~child_process() {
    if (!exit_code_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int st;
        waitpid(pid_, &st, 0);
    }
    if (!transcript_dir().empty()) {
        // What it wrote and nobody read yet belongs in the transcript too.
        auto drain_until = clock::now() + std::chrono::milliseconds(500);
        while (out_fd_ >= 0 && fill(drain_until)) {
        }
        save();
    }
    if (in_fd_ >= 0) close(in_fd_);
    if (out_fd_ >= 0) close(out_fd_);
}

bool child_process::fill(clock::time_point deadline) {
    if (out_fd_ < 0) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() < 0) return false;
    pollfd p{out_fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        close(out_fd_);
        out_fd_ = -1;
        return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    all_.append(buf, static_cast<size_t>(n));
    return true;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    for (;;) {
        auto nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        if (!fill(deadline)) {
            if (out_fd_ < 0 && !pending_.empty()) {
                std::string line;
                line.swap(pending_);
                return line;
            }
            return std::nullopt;
        }
    }
}

std::optional<std::string> child_process::wait_for(
    const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto line = read_line(left);
        if (!line) return std::nullopt;
        if (match(*line)) return line;
    }
}

std::optional<std::string> child_process::wait_for(const std::string& needle,
                                                   std::chrono::milliseconds timeout) {
    return wait_for([&](const std::string& l) { return l.find(needle) != std::string::npos; },
                    timeout);
}

void child_process::save() const {
    std::string t = "--- argv\n";
    for (const auto& a : argv_) t += a + "\n";
    t += "--- stdin\n" + stdin_ + "\n--- output\n" + all_;
    save_transcript(std::filesystem::path(argv_.empty() ? "child" : argv_[0]).filename(), t);
}

void child_process::write(const std::string& text) {
    if (!transcript_dir().empty()) stdin_ += text;
    size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(in_fd_, text.data() + off, text.size() - off);
        if (n <= 0) {
            if (errno == EINTR) continue;
            return;
        }
        off += static_cast<size_t>(n);
    }
}

void child_process::close_stdin() {
    if (in_fd_ >= 0) close(in_fd_);
    in_fd_ = -1;
}

void child_process::signal(int sig) {
    if (!exit_code_) ::kill(pid_, sig);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    auto deadline = clock::now() + timeout;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            // Collect what it wrote before exiting so output() is complete.
            // Its end of the pipe is closed, so this reaches EOF at once
            // unless a grandchild still holds it; the deadline covers that.
            auto drain_until = clock::now() + std::chrono::milliseconds(500);
            while (out_fd_ >= 0 && fill(drain_until)) {
            }
            return exit_code_;
        }
        if (clock::now() >= deadline) return std::nullopt;
        // Drain output while waiting so a chatty child cannot block on a full pipe;
        // fill() waits on poll with the deadline, so this is not a busy loop.
        auto step = std::min(deadline, clock::now() + std::chrono::milliseconds(20));
        if (!fill(step)) std::this_thread::yield();
    }
}

std::string binary_path(const std::string& name) {
#ifdef USSDGW_BIN_DIR
    return std::string(USSDGW_BIN_DIR) + "/" + name;
#else
    return name;
#endif
}

temp_dir::temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ussdgw-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    save_files(path_);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace ussdgw::test
