#include "stdin_lines.hpp"

#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <thread>

namespace ussdgw::sim {

// What the reader thread and the owner share; the owner's destructor clears
// io so a late line is dropped instead of posted to a dead io_context.
struct stdin_lines::shared {
    std::mutex mutex;
    boost::asio::io_context* io = nullptr;
    handler on_line;

    void post(std::optional<std::string> line) {
        std::lock_guard lock(mutex);
        if (!io) return;
        boost::asio::post(*io, [h = on_line, l = std::move(line)]() mutable { h(std::move(l)); });
    }
};

stdin_lines::stdin_lines(boost::asio::io_context& io, handler on_line)
    : shared_(std::make_shared<shared>()) {
    shared_->io = &io;
    shared_->on_line = std::move(on_line);
}

stdin_lines::~stdin_lines() {
    std::lock_guard lock(shared_->mutex);
    shared_->io = nullptr;
}

void stdin_lines::start() {
    // Detached: a read(2) on a terminal cannot be interrupted portably, and
    // process exit ends the thread. It touches nothing but `shared`.
    std::thread([s = shared_] {
        std::string pending;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            pending.append(buf, static_cast<std::size_t>(n));
            for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
                std::string line = pending.substr(0, nl);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                pending.erase(0, nl + 1);
                s->post(std::move(line));
            }
        }
        if (!pending.empty()) s->post(std::move(pending));
        s->post(std::nullopt);
    }).detach();
}

}  // namespace ussdgw::sim
