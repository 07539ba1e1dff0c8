#pragma once
// Sends the outbox: reads due rows through actions::outbox, sends each as an
// SMS, and records it sent once the SMSC accepted every part. Runs on the
// daemon's event loop; the store work runs on the store's thread.
//
// The window SMPP leaves open: an SMS the SMSC accepted but whose row was not
// yet marked when the process died is sent again after the restart (a
// duplicate, never a loss). The window is one submit_sm_resp plus one store
// commit, a few milliseconds.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ussdgw/actions/outbox.hpp"
#include "ussdgw/domain/messages.hpp"

namespace ussdgw::app {

/// Tunables ([outbox] in config).
struct outbox_options {
    std::chrono::milliseconds poll{1000};  ///< look for rows other writers committed this often
    std::size_t batch = 100;               ///< rows read at once
};

/// Counters, read where the work happens.
struct outbox_counts {
    std::uint64_t sent = 0;     ///< rows the SMSC accepted
    std::uint64_t failed = 0;   ///< send attempts not accepted (the row stays)
    std::uint64_t expired = 0;  ///< rows given up after their age
    std::size_t pending = 0;    ///< rows pending at the last look
};

/// The outbox's sender.
class outbox_sender : public std::enable_shared_from_this<outbox_sender> {
  public:
    /// Sends one SMS; `done(accepted, message_id)` once every part is answered.
    using send_fn =
        std::function<void(const domain::sms_out&, std::function<void(bool, const std::string&)>)>;

    /// Builds an unstarted sender. Create with std::make_shared. `box` must
    /// outlive the sender's use: the sender borrows it, never owns it, because
    /// the store's completions run on its own thread and the last owner of the
    /// store must not be let go there (its destructor joins that thread).
    outbox_sender(boost::asio::any_io_executor executor, actions::outbox& box, send_fn send,
                  outbox_options options);

    /// Looks at once, then every `poll`.
    void start();
    /// Something was committed: look now (coalesced with a look in progress).
    void kick();
    /// Stops looking; sends in flight still settle. `done` when nothing is in flight.
    void stop(std::function<void()> done);
    /// Sends in flight or being recorded.
    std::size_t in_flight() const { return busy_.size(); }
    /// Counters so far.
    const outbox_counts& counts() const { return counts_; }

  private:
    void look();
    void on_due(actions::outbox_due due);
    void on_sent(std::int64_t id, bool accepted, const std::string& message_id);
    void flush();
    void arm();
    void maybe_stopped();

    boost::asio::any_io_executor executor_;
    actions::outbox& box_;
    send_fn send_;
    outbox_options options_;
    boost::asio::steady_timer timer_;
    std::set<std::int64_t> busy_;                             // ids sent or being recorded
    std::vector<std::pair<std::int64_t, std::string>> sent_;  // to record
    std::vector<std::int64_t> failed_;                        // to record
    bool looking_ = false;
    bool again_ = false;
    bool flushing_ = false;
    bool stopping_ = false;
    std::function<void()> on_stopped_;
    outbox_counts counts_;
};

}  // namespace ussdgw::app
