#pragma once
// Plays systemd's side of sd_notify(3) for tests: a unix datagram socket at a
// path, to hand to a process as NOTIFY_SOCKET, and the messages that arrive,
// waited for with a deadline (poll, never sleep).

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ussdgw::test {

/// A bound AF_UNIX datagram socket collecting notifications.
class notify_socket {
  public:
    /// Binds at `path` (shorter than sun_path's 108 bytes).
    explicit notify_socket(std::string path) : path_(std::move(path)) {
        sockaddr_un addr{};
        if (path_.size() >= sizeof(addr.sun_path))
            throw std::runtime_error("notify socket path too long: " + path_);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::runtime_error("bind " + path_ + ": " + std::strerror(errno));
    }
    ~notify_socket() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    /// The value for NOTIFY_SOCKET.
    const std::string& path() const { return path_; }

    /// The next message, or nullopt when none arrives within `timeout`.
    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return std::nullopt;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
            if (n < 0) continue;
            received_.emplace_back(buf, static_cast<std::size_t>(n));
            return received_.back();
        }
    }

    /// Reads messages until one has a line (an assignment such as "READY=1")
    /// that satisfies `match`; returns that line, or nullopt on the deadline.
    std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                        std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (!m) return std::nullopt;
            std::size_t from = 0;
            while (from < m->size()) {
                auto to = std::min(m->find('\n', from), m->size());
                std::string line = m->substr(from, to - from);
                if (match(line)) return line;
                from = to + 1;
            }
        }
    }

    /// Reads messages until one has exactly `line`.
    std::optional<std::string> wait_for(const std::string& line,
                                        std::chrono::milliseconds timeout) {
        return wait_for([&](const std::string& l) { return l == line; }, timeout);
    }

    /// Every message received so far, oldest first.
    const std::vector<std::string>& received() const { return received_; }

  private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::string> received_;
};

}  // namespace ussdgw::test
