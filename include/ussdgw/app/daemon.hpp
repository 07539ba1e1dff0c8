#pragma once
// Wires the daemon together: one SMPP client per SMSC link, the translation
// to domain messages, and the front doors that answer them.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <functional>
#include <bitset>
#include <memory>
#include <string>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/front_door.hpp"
#include "ussdgw/app/outbox_sender.hpp"
#include "ussdgw/smpp/client.hpp"
#include "ussdgw/smpp/translate.hpp"
#include "ussdgw/smpp/ussd_routes.hpp"

namespace ussdgw::app {

/// The running gateway. Lives on one io_context thread.
class daemon {
  public:
    /// Builds the daemon; nothing runs until start(). With an `outbox`, the SMS
    /// actions commit there are sent from it (else there is nothing to send).
    daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door,
           std::shared_ptr<actions::outbox> outbox = nullptr);

    /// The outbox sender's counters (zero without an outbox).
    outbox_counts outbox_stats() const { return sender_ ? sender_->counts() : outbox_counts{}; }

    /// Connects to the SMSC and starts answering.
    void start();

    /// Finishes in-flight work, unbinds, then calls `done`.
    void stop(std::function<void()> done);

  private:
    void on_deliver(smpp::pdu&& p);
    void send_ussd(const domain::ussd_reply& reply, const smpp::ussd_route& route);
    void send_sms(const domain::sms_out& sms,
                  std::function<void(bool, const std::string&)> done = {});
    void sweep_routes();
    void finish_stop(std::function<void()> done);
    void on_bind_state(bool bound);

    boost::asio::io_context& io_;
    config cfg_;
    std::unique_ptr<front_door> door_;
    std::shared_ptr<smpp::client> client_;
    std::uint16_t concat_reference_ = 0;
    smpp::ussd_routes routes_;               // open dialogs' SMPP details and resend proof
    std::bitset<256> unknown_ops_logged_;    // ops without a role, logged once per bind
    boost::asio::steady_timer route_sweep_;  // also paces the drain on stop
    std::chrono::steady_clock::time_point drain_deadline_;
    std::shared_ptr<outbox_sender> sender_;  // null without an outbox
};

}  // namespace ussdgw::app
