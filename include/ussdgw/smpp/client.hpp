#pragma once
// The ESME side of one SMSC link: connect, bind_transceiver, stay bound
// (rebind with exponential backoff and jitter after any loss), submit with
// retry of temporary refusals, and unbind politely on shutdown.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "ussdgw/smpp/session.hpp"

namespace ussdgw::smpp {

/// Where and how to bind (filled from config).
struct client_options {
    std::string name = "default";                       ///< the bind's name in logs and metrics
    std::string host = "127.0.0.1";                     ///< SMSC host name or address
    std::uint16_t port = 2775;                          ///< SMSC port
    std::string system_id = "ussdgw";                   ///< bind system_id
    std::string password;                               ///< bind password (a secret: never logged)
    std::string password_file;                          ///< where to read it ([smsc] password_file)
    std::string system_type;                            ///< bind system_type
    std::chrono::milliseconds backoff_min{500};         ///< first rebind delay
    std::chrono::milliseconds backoff_max{30'000};      ///< cap on the rebind delay
    std::chrono::milliseconds connect_timeout{5'000};   ///< TCP connect + bind_resp
    std::chrono::milliseconds submit_deadline{10'000};  ///< retry window for one submit
    std::chrono::milliseconds retry_delay{200};         ///< first delay after a throttled submit
    std::chrono::milliseconds drain_timeout{5'000};     ///< on stop: wait for in-flight responses
    session_options session;                            ///< per-connection tunables
};

/// Outcome of a submit: the SMSC's command_status, or why there was none.
struct submit_outcome {
    bool answered = false;     ///< a submit_sm_resp arrived
    std::uint32_t status = 0;  ///< its command_status when answered
    std::string message_id;    ///< its message_id when answered
    std::string failure;       ///< why not answered (deadline, shutdown, ...)
    /// True when the SMSC accepted the message.
    bool ok() const { return answered && status == status::ok; }
};

/// Counters for logs and tests.
struct client_stats {
    std::uint64_t binds = 0;           ///< successful binds
    std::uint64_t bind_failures = 0;   ///< refused or failed binds and connects
    std::uint64_t submits_ok = 0;      ///< submits the SMSC accepted
    std::uint64_t submits_failed = 0;  ///< submits that ended without acceptance
    std::uint64_t retries = 0;         ///< resends after a temporary refusal
    /// Rebinds scheduled, by why: resolve, connect, bind_refused, bind_failed, lost.
    std::map<std::string, std::uint64_t> reconnects;
    /// Resends by the status that caused them (0: the link was lost before an answer).
    std::map<std::uint32_t, std::uint64_t> retries_by_status;
};

/// One bind to one SMSC. Create with std::make_shared; lives on one strand/io_context.
class client : public std::enable_shared_from_this<client> {
  public:
    /// Called for every inbound deliver_sm/data_sm after its resp is queued.
    using deliver_handler = std::function<void(pdu&&)>;
    /// Called with the outcome of one submit, exactly once.
    using submit_handler = std::function<void(const submit_outcome&)>;
    /// Called on every bind state change (true = bound).
    using state_handler = std::function<void(bool bound)>;

    /// Builds an unstarted client on `executor`.
    client(boost::asio::any_io_executor executor, client_options options);

    /// Connects and binds; keeps doing so until stop().
    void start(deliver_handler on_deliver, state_handler on_state = {});

    /// Waits for in-flight submits (up to drain_timeout), unbinds, closes; then calls `done`.
    void stop(std::function<void()> done);

    /// Sends a submit_sm/data_sm, waiting for a bind if needed, retrying
    /// ESME_RTHROTTLED/ESME_RMSGQFUL and connection loss until submit_deadline.
    /// A request that times out unanswered is not resent (the SMSC may have it).
    void submit(pdu p, submit_handler done);

    /// From now on inbound deliver_sm/data_sm are answered with ESME_RX_T_APPN
    /// (the SMSC redelivers later) and not handed up: the first step of a shutdown.
    void refuse_deliveries() { refusing_ = true; }

    /// True while bound.
    bool bound() const { return bound_; }

    /// Counters so far.
    const client_stats& stats() const { return stats_; }
    /// PDUs seen on this bind's connections, by direction, command and status.
    const pdu_tally& pdus() const { return *tally_; }
    /// Requests sent on the current connection and not yet answered (the window in use).
    std::size_t window_in_use() const { return session_ ? session_->outstanding() : 0; }
    /// Submits waiting: for window space on this connection, or for a bind.
    std::size_t submits_waiting() const {
        return unbound_.size() + (session_ ? session_->queued() : 0);
    }

    /// "smsc HOST:PORT system_id=ID": the prefix of this client's log lines.
    const std::string& context() const { return context_; }

  private:
    struct queued_submit {
        pdu p;
        submit_handler done;
        std::chrono::steady_clock::time_point deadline;
        int attempt = 0;
    };

    void connect();
    void on_connected(boost::asio::ip::tcp::socket socket);
    void on_bound(std::shared_ptr<session> s);
    void on_lost(const std::string& reason);
    void schedule_reconnect(const std::string& reason);
    void attempt(std::shared_ptr<queued_submit> q);
    void finish(const std::shared_ptr<queued_submit>& q, submit_outcome o);
    void park(std::shared_ptr<queued_submit> q);
    void flush_unbound();
    void expire_unbound();
    void maybe_finish_drain();
    void unbind_and_close();
    void notify_stopped();

    boost::asio::any_io_executor executor_;
    client_options options_;
    std::string context_;
    deliver_handler on_deliver_;
    state_handler on_state_;
    std::shared_ptr<session> session_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer connect_timer_;
    boost::asio::steady_timer drain_timer_;
    boost::asio::steady_timer unbound_timer_;
    std::deque<std::shared_ptr<queued_submit>> unbound_;  // waiting for a bind
    std::size_t in_flight_ = 0;                           // submits sent and not finished
    int failures_in_row_ = 0;
    bool bound_ = false;
    bool started_ = false;
    bool stopping_ = false;
    bool unbinding_ = false;
    bool refusing_ = false;
    bool park_posted_ = false;  // a look at the parked submits is posted
    std::function<void()> on_stopped_;
    client_stats stats_;
    std::shared_ptr<pdu_tally> tally_ = std::make_shared<pdu_tally>();
    std::minstd_rand rng_;
};

}  // namespace ussdgw::smpp
