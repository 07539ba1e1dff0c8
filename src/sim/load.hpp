#pragma once
// Load mode: N USSD round trips from distinct handsets with C in flight,
// then one summary line with the rate and latency percentiles.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>

#include "smsc.hpp"

namespace ussdgw::sim {

/// Runs --load N round trips with --concurrency C.
class load_runner : public smsc_observer {
  public:
    /// Takes N, C, the text and the timeout from `opts`.
    load_runner(boost::asio::io_context& io, smsc& sim, const options& opts);

    /// Waits for a bind, runs, prints the summary; `finish(code)`: 0 all
    /// succeeded, 1 when any failed or no ESME bound in time.
    void start(std::function<void(int)> finish);

    /// Wakes the round trips waiting for a bind.
    void on_bound() override;
    /// Completes the round trip of the handset the MT is for.
    void on_mt(const mt_message& m) override;

  private:
    // One round trip in flight: its wake-up timer and what happened.
    struct trip {
        boost::asio::steady_timer* timer = nullptr;
        bool replied = false;
        bool ends = true;
        std::optional<std::uint32_t> refused;  // non-zero deliver_sm_resp status
        bool link_lost = false;
    };

    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> worker();
    boost::asio::awaitable<void> one(std::uint64_t index, boost::asio::steady_timer& timer);
    void fail(const std::string& msisdn, const std::string& why);
    void report();

    boost::asio::io_context& io_;
    smsc& sim_;
    const options& opts_;
    std::function<void(int)> finish_;
    boost::asio::steady_timer bind_timer_;
    std::uint64_t next_ = 0;     // next round trip index to start
    std::uint64_t workers_ = 0;  // workers still running
    std::uint64_t failed_ = 0;
    std::vector<std::uint32_t> latencies_us_;
    std::unordered_map<std::string, trip*> trips_;              // by handset
    std::vector<boost::asio::steady_timer*> waiting_for_bind_;  // workers paused by a lost link
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_done_;
};

}  // namespace ussdgw::sim
