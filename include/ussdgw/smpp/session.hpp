#pragma once
// One SMPP connection: owns the socket, frames the byte stream, keeps the
// window of outstanding requests with their deadlines, keeps the link alive
// with enquire_link, answers what the protocol requires (enquire_link_resp,
// unbind_resp, generic_nack), and hands deliver_sm/data_sm to its owner.
// Knows nothing about binds or USSD: the client drives those.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/pdu.hpp"

namespace ussdgw::smpp {

/// Tunables of one session (filled from config).
struct session_options {
    std::size_t max_pdu = default_max_pdu;               ///< largest command_length accepted
    std::size_t window = 10;                             ///< outstanding requests before queueing
    std::chrono::milliseconds response_timeout{10'000};  ///< per request
    std::chrono::milliseconds enquire_link_interval{30'000};  ///< after this idle, probe the link
    std::size_t max_queued_requests = 10'000;                 ///< requests waiting for window space
};

/// Why a request got no response.
enum class request_failure {
    timeout,  ///< no response within response_timeout
    closed,   ///< the connection ended first
    refused,  ///< the session is stopped
    full,     ///< max_queued_requests are already waiting for the window
    encode,   ///< the PDU could not be encoded
};

/// A response or the reason there is none.
using response_result = util::result<pdu, request_failure>;

/// Short text for a request_failure.
const char* to_string(request_failure f);

/// One SMPP connection. Create with std::make_shared; every async step holds `self`.
/// PDUs a bind saw, by direction, command and status: what the metrics
/// report, counted where the PDUs pass. Shared by a client's sessions.
struct pdu_tally {
    /// (sent, command_id, command_status) -> PDUs.
    std::map<std::tuple<bool, std::uint32_t, std::uint32_t>, std::uint64_t> counts;
    /// Counts one PDU.
    void count(bool sent, const pdu& p) { ++counts[{sent, p.command_id, p.command_status}]; }
};

class session : public std::enable_shared_from_this<session> {
  public:
    /// Called for each response (or its absence), exactly once per request.
    using response_handler = std::function<void(response_result)>;
    /// Called for each inbound deliver_sm/data_sm; the owner must answer with respond().
    using request_handler = std::function<void(pdu&&)>;
    /// Called once when the session ends, with a human-readable reason.
    using close_handler = std::function<void(const std::string& reason)>;

    /// Takes a connected socket; `context` prefixes every log line (e.g. "smsc 127.0.0.1:2775").
    session(boost::asio::ip::tcp::socket socket, session_options options, std::string context);

    /// Starts reading and the link-keeping timers.
    void start(request_handler on_request, close_handler on_close);

    /// Counts every PDU read or written into `tally` (may be null).
    void count_into(std::shared_ptr<pdu_tally> tally) { tally_ = std::move(tally); }

    /// Sends a request with the next sequence_number (assigned here); `done` gets the response.
    void request(pdu p, response_handler done);

    /// Queues a response to an inbound request; written with the next burst.
    void respond(const pdu& p);

    /// Closes the socket and fails every outstanding request with `closed`. Idempotent.
    void stop(const std::string& reason);

    /// Writes what is queued (e.g. an unbind_resp), then stops with `reason`.
    void close_after_write(const std::string& reason);

    /// True until stop() ran or the connection failed.
    bool open() const { return !stopped_; }

    /// Requests sent and not yet answered.
    std::size_t outstanding() const { return outstanding_.size(); }

    /// Requests waiting for window space (at most max_queued_requests).
    std::size_t queued() const { return waiting_.size(); }

    /// The log prefix.
    const std::string& context() const { return context_; }

  private:
    struct pending {
        std::chrono::steady_clock::time_point deadline;
        response_handler done;
    };

    void read_more();
    void on_read(std::size_t n);
    void dispatch(pdu&& p);
    void send_now(pdu& p, response_handler done);
    void pump_waiting();
    void queue_bytes(const pdu& p);
    void schedule_flush();
    void flush();
    void arm_response_timer();
    void on_response_timer();
    void arm_idle_timer();
    void on_idle();
    std::uint32_t next_sequence();

    boost::asio::ip::tcp::socket socket_;
    session_options options_;
    std::shared_ptr<pdu_tally> tally_;
    std::string context_;
    request_handler on_request_;
    close_handler on_close_;

    std::vector<std::uint8_t> in_;  // received, not yet framed
    std::size_t in_used_ = 0;
    std::vector<std::uint8_t> out_;      // encoded, waiting for the next write
    std::vector<std::uint8_t> writing_;  // the write in flight
    bool write_in_flight_ = false;
    bool flush_posted_ = false;

    std::unordered_map<std::uint32_t, pending> outstanding_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint32_t>> deadlines_;
    std::deque<std::pair<pdu, response_handler>> waiting_;  // over the window
    boost::asio::steady_timer response_timer_;
    bool response_timer_armed_ = false;
    boost::asio::steady_timer idle_timer_;
    bool enquire_in_flight_ = false;
    std::uint32_t sequence_ = 0;
    bool stopped_ = false;
    std::optional<std::string> close_reason_;  // set: stop once the writes drain
};

}  // namespace ussdgw::smpp
