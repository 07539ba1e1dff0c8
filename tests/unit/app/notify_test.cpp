// The sd_notify wrapper: quiet without systemd, the exact assignments with a
// NOTIFY_SOCKET, and a watchdog interval only for the process systemd watches.

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "notify_socket.hpp"
#include "process.hpp"
#include "ussdgw/app/notify.hpp"

using namespace ussdgw::app;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds patience{5'000};

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class scoped_env {
  public:
    scoped_env(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~scoped_env() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("notify: without NOTIFY_SOCKET every call is a quiet no-op") {
    scoped_env no_socket("NOTIFY_SOCKET", std::nullopt);
    CHECK_FALSE(notify_ready());
    CHECK_FALSE(notify_status("bound"));
    CHECK_FALSE(notify_watchdog());
    CHECK_FALSE(notify_stopping());
}

TEST_CASE("notify: each call sends its one assignment to NOTIFY_SOCKET") {
    ussdgw::test::temp_dir dir;
    ussdgw::test::notify_socket sock(dir.file("notify"));
    scoped_env socket("NOTIFY_SOCKET", sock.path());
    CHECK(notify_ready());
    CHECK(sock.next(patience) == "READY=1");
    // A line end in a status must not smuggle in another assignment.
    CHECK(notify_status("bound to 1 of 1\nREADY=1"));
    CHECK(sock.next(patience) == "STATUS=bound to 1 of 1 READY=1");
    CHECK(notify_watchdog());
    CHECK(sock.next(patience) == "WATCHDOG=1");
    CHECK(notify_stopping());
    CHECK(sock.next(patience) == "STOPPING=1");
}

TEST_CASE("notify: the watchdog interval is for the process systemd watches") {
    scoped_env usec("WATCHDOG_USEC", "30000000");
    {
        scoped_env pid("WATCHDOG_PID", std::to_string(::getpid()));
        CHECK(watchdog_interval() == std::optional<std::chrono::microseconds>(30s));
    }
    {
        // systemd set it for our parent (a shell that ran us without exec).
        scoped_env pid("WATCHDOG_PID", std::to_string(::getppid()));
        CHECK_FALSE(watchdog_interval());
    }
    {
        scoped_env pid("WATCHDOG_PID", std::nullopt);
        CHECK(watchdog_interval() == std::optional<std::chrono::microseconds>(30s));
    }
    scoped_env off("WATCHDOG_USEC", std::nullopt);
    CHECK_FALSE(watchdog_interval());
}
