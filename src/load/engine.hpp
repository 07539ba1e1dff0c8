#pragma once
// The closed loop: waits for the binds, keeps --window flows in flight on
// each, runs each flow's steps on one handset at a time, matches every MT
// to the step waiting for it, times steps out, and ends with the bench line.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>

#include "fifo.hpp"
#include "link.hpp"
#include "options.hpp"
#include "scenario.hpp"
#include "stats.hpp"

namespace ussdgw::load {

/// Runs one load test over the links a server accepts.
class engine : public link_events {
  public:
    /// The clock steps are timed on.
    using clock = std::chrono::steady_clock;

    /// A run of `sc` as `opts` says; `on_link_closed` tells the server.
    engine(boost::asio::io_context& io, const options& opts, const scenario& sc,
           std::function<void()> on_link_closed);

    /// Starts waiting for the binds (up to --timeout); `finish(code)` is
    /// called once: 0 after a run without errors, 1 otherwise.
    void start(std::function<void(int)> finish);
    /// SIGINT/SIGTERM: reports what was measured so far and finishes with 1.
    void interrupt();

    /// Takes the first --binds binds; the run starts with the last of them.
    void on_bound(link& l) override;
    /// An MT answers the step of its handset; a deliver_sm_resp is counted.
    void on_pdu(link& l, const smpp::pdu& p, clock::time_point now) override;
    /// Counts what went wrong on a link as an error (until the run is over).
    void on_problem(link& l, const std::string& what) override;
    /// A bind lost during the run: an error, and its flows end.
    void on_closed(link& l) override;

  private:
    static constexpr std::uint32_t none = UINT32_MAX;

    enum class phase { binding, running, draining, done };
    enum class wait : std::uint8_t { none, ussd, sms };

    // One subscriber's handset: its USSD dialog and the flow it runs.
    struct handset {
        std::string msisdn;
        std::string_view service_code;    // destination of the open dialog's MOs
        std::uint64_t dialogs_clock = 0;  // its_session_info session of the last dialog, unwrapped
        std::uint8_t session = 0;         // the open dialog's
        std::uint8_t sequence = 0;        // octet 2 bits 7..1 of the next MO (count style)
        bool dialog_open = false;
        bool busy = false;   // runs a flow
        bool stale = false;  // a step timed out: its late MT must not meet a new flow
        wait waiting = wait::none;
        std::uint8_t parts = 0;  // SMS parts of the answer received so far
        const flow* current = nullptr;
        std::uint16_t step = 0;   // index of the step in flight
        std::uint16_t steps = 0;  // steps this flow runs (the last flows may be cut)
        std::uint32_t slot = none;
        clock::time_point sent;      // the step's MO queued
        clock::time_point deadline;  // the step's MT due
    };
    // W per bind; a slot runs one flow at a time.
    struct slot {
        std::size_t bind = 0;
        std::uint32_t handset = none;
    };

    void begin_run();
    bool budget_left(clock::time_point now) const;
    void dispatch();
    void begin_flow(std::uint32_t slot_index, std::uint32_t h);
    void send_step(std::uint32_t h);
    void send_ussd(std::uint32_t h, link& l, std::uint8_t op, const text_template* text);
    void complete_step(std::uint32_t h, clock::time_point now);
    void end_flow(std::uint32_t h, bool stale);
    void on_mt(const smpp::pdu& p, clock::time_point now);
    void on_resp(link& l, const smpp::pdu& p);
    std::uint32_t handset_of(std::string_view msisdn) const;
    std::string describe_step(std::uint32_t h) const;
    const std::string& next_msisdn(std::uint32_t h) const;
    std::uint8_t next_session(handset& hs, clock::time_point now) const;
    void arm_sweep();
    void sweep();
    void check_done();
    void try_report();
    void report();

    const options& opts_;
    const scenario& scenario_;
    std::function<void()> on_link_closed_;
    std::function<void(int)> finish_;
    boost::asio::steady_timer bind_timer_;
    boost::asio::steady_timer sweep_timer_;
    phase phase_ = phase::binding;
    bool dispatching_ = false;  // dispatch() is on the stack

    std::vector<std::shared_ptr<link>> binds_;  // the first --binds bound links, in bind order
    std::vector<handset> handsets_;
    std::vector<slot> slots_;
    fifo<std::uint32_t> free_handsets_;
    fifo<std::uint32_t> idle_slots_;
    std::uint64_t rng_ = 0x9E3779B97F4A7C15ULL;  // fixed seed: the same mix every run

    clock::duration step_timeout_;
    clock::time_point wall_base_;      // steady time when wall_quarters_ was read
    std::uint64_t wall_quarters_ = 0;  // wall clock then, in quarter seconds since 1970
    clock::time_point started_;
    clock::time_point last_done_;
    clock::time_point run_end_;  // --duration: no flow starts after this
    clock::time_point drain_deadline_;
    std::uint64_t reserved_ = 0;   // steps promised to flows started
    std::uint64_t in_flight_ = 0;  // flows running
    std::uint64_t steps_done_ = 0;
    std::uint64_t notices_ = 0;  // SMS from --notice-from no step waited for
    std::optional<std::uint64_t> daemon_cpu_start_;
    std::optional<std::uint64_t> daemon_cpu_end_;
    std::uint64_t own_cpu_start_ = 0;
    std::uint64_t own_cpu_end_ = 0;
    latency_log latencies_;
    error_log errors_;
};

}  // namespace ussdgw::load
