#pragma once
// A tiny HTTP/1.1 client for tests, on a plain POSIX socket: sends raw bytes
// (so tests can send malformed or oversized requests too) and reads one
// response at a time with a deadline (never sleeps). Header-only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "transcript.hpp"

namespace ussdgw::test {

/// One HTTP response as read.
struct http_reply {
    int status = 0;                              ///< status code
    std::map<std::string, std::string> headers;  ///< by lower-cased name
    std::string body;                            ///< the body (Content-Length bytes)
};

/// One connection to 127.0.0.1:port.
class http_client {
  public:
    /// Connects; throws std::runtime_error when it cannot.
    explicit http_client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    ~http_client() {
        if (fd_ >= 0) ::close(fd_);
        save_transcript("http", "--- sent\n" + sent_ + "\n--- received\n" + received_);
    }
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// Sends `raw` as is; false when the peer refused it (closed, reset).
    bool send(const std::string& raw) {
        if (!transcript_dir().empty()) sent_ += raw;
        std::size_t off = 0;
        while (off < raw.size()) {
            auto n = ::send(fd_, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// The next response, or nullopt when the deadline passes or the peer closes first.
    std::optional<http_reply> read_reply(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t head_end;
        while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(deadline)) return std::nullopt;
        http_reply r;
        const std::string head = pending_.substr(0, head_end);
        auto line_end = head.find("\r\n");
        const std::string status_line = head.substr(0, line_end);
        if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
        r.status = std::stoi(status_line.substr(9, 3));
        for (auto pos = line_end; pos != std::string::npos && pos < head.size();) {
            auto next = head.find("\r\n", pos + 2);
            auto line = head.substr(pos + 2,
                                    next == std::string::npos ? std::string::npos : next - pos - 2);
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                auto value = line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(' '));
                r.headers[name] = value;
            }
            pos = next;
        }
        std::size_t length = 0;
        if (auto it = r.headers.find("content-length"); it != r.headers.end())
            length = std::stoul(it->second);
        while (pending_.size() < head_end + 4 + length)
            if (!fill(deadline)) return std::nullopt;
        r.body = pending_.substr(head_end + 4, length);
        pending_.erase(0, head_end + 4 + length);
        // A "100 Continue" is not the answer: read on.
        if (r.status == 100) return read_reply(timeout);
        return r;
    }

    /// True when the peer closes the connection before the deadline.
    bool wait_closed(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) {
        }
        return eof_;
    }

  private:
    // Reads what is there (waiting up to the deadline); false at EOF, error or deadline.
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        pending_.append(buf, static_cast<std::size_t>(n));
        if (!transcript_dir().empty()) received_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string pending_;
    std::string sent_, received_;  // for the transcript
    bool eof_ = false;
};

/// A complete request: `method` `target` with `body`, and a bearer token when not empty.
inline std::string http_request_text(const std::string& method, const std::string& target,
                                     const std::string& body = "", const std::string& token = "",
                                     bool keep_alive = true) {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST")
        r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    if (!keep_alive) r += "Connection: close\r\n";
    return r + "\r\n" + body;
}

/// One request on a fresh connection; its response, or nullopt.
inline std::optional<http_reply> http_call(std::uint16_t port, const std::string& raw,
                                           std::chrono::milliseconds timeout) {
    http_client c(port);
    if (!c.send(raw)) return std::nullopt;
    return c.read_reply(timeout);
}

}  // namespace ussdgw::test
