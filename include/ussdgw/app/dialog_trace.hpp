#pragma once
// Live dialog trace for support staff ("the menu does not work for me"):
// the console names a number and sees its next dialogs step by step: what
// was dialled and answered (secrets masked as the logs mask them), each
// screen, each action and its result, how the dialog ended. Bounded: at most
// `max_numbers` numbers at once, `max_events` kept per number, and a trace
// ends by itself an hour after it began. Lives on the event loop.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace ussdgw::app {

/// One step of a traced number's dialogs.
struct trace_event {
    std::uint64_t id = 0;   ///< increasing per number, from 1
    std::int64_t time = 0;  ///< Unix seconds
    std::string
        kind;  ///< "dial", "answer", "screen", "final screen", "action", "released", "timeout"
    std::string text;  ///< what it was (masked inputs, the screen, "balance: ok")
};

/// The numbers being traced and what they did.
class dialog_trace {
  public:
    /// Limits: numbers traced at once, events kept per number, how long a trace lasts.
    explicit dialog_trace(std::size_t max_numbers = 20, std::size_t max_events = 200,
                          std::chrono::seconds lasts = std::chrono::hours(1))
        : max_numbers_(max_numbers), max_events_(max_events), lasts_(lasts) {}

    /// Starts (or restarts) tracing `msisdn`; false when max_numbers are traced already.
    bool start(const std::string& msisdn);
    /// Stops tracing `msisdn` and forgets its events.
    void stop(const std::string& msisdn);
    /// True when `msisdn` is traced (cheap when nothing is).
    bool traced(const std::string& msisdn) const;
    /// Records an event for a traced number (ignored otherwise).
    void note(const std::string& msisdn, std::string kind, std::string text);
    /// The events of `msisdn` after id `after`; false in `.second` when it is not traced.
    std::pair<std::vector<trace_event>, bool> since(const std::string& msisdn, std::uint64_t after);

  private:
    struct numbered {
        std::chrono::steady_clock::time_point began;
        std::uint64_t next = 1;
        std::deque<trace_event> events;
    };
    void expire();

    std::size_t max_numbers_;
    std::size_t max_events_;
    std::chrono::seconds lasts_;
    std::map<std::string, numbered> numbers_;
};

}  // namespace ussdgw::app
