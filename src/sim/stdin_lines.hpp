#pragma once
// Lines typed on stdin, delivered on the io_context thread. A plain thread
// blocks in read(2): stdin may be a file, which epoll cannot watch.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio.hpp>

namespace ussdgw::sim {

/// Reads stdin on its own thread and posts each line to the io_context.
class stdin_lines {
  public:
    /// `on_line` runs on the io_context thread; nullopt means end of input.
    using handler = std::function<void(std::optional<std::string>)>;

    /// Nothing is read until start().
    stdin_lines(boost::asio::io_context& io, handler on_line);
    /// Stops posting; the reader thread may stay blocked in read(2) until exit.
    ~stdin_lines();
    stdin_lines(const stdin_lines&) = delete;
    stdin_lines& operator=(const stdin_lines&) = delete;

    /// Starts the reader thread.
    void start();

  private:
    struct shared;
    std::shared_ptr<shared> shared_;
};

}  // namespace ussdgw::sim
