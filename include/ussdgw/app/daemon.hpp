#pragma once
// Wires the daemon together: one SMPP client per SMSC bind, the translation
// to domain messages, and the front doors that answer them. A USSD reply
// leaves on the bind its dialog came in on; SMS leave on any bound one.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <bitset>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/front_door.hpp"
#include "ussdgw/app/outbox_sender.hpp"
#include "ussdgw/smpp/client.hpp"
#include "ussdgw/smpp/translate.hpp"
#include "ussdgw/smpp/ussd_routes.hpp"

namespace ussdgw::app {

/// One bind as the daemon runs it.
struct bind {
    std::string name;                       ///< config name ("default", [smsc NAME])
    smpp::smsc_profile profile;             ///< how this SMSC carries USSD
    std::shared_ptr<smpp::client> client;   ///< the connection
    smpp::ussd_routes routes;               ///< its dialogs' SMPP details and resend proof
    std::bitset<256> unknown_ops_logged{};  ///< ops without a role, logged once per bind
};

/// The running gateway. Lives on one io_context thread.
class daemon {
  public:
    /// Builds the daemon; nothing runs until start(). With an `outbox`, the SMS
    /// actions commit there are sent from it (else there is nothing to send).
    daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door,
           std::shared_ptr<actions::outbox> outbox = nullptr);

    /// The outbox sender's counters (zero without an outbox).
    outbox_counts outbox_stats() const { return sender_ ? sender_->counts() : outbox_counts{}; }
    /// The binds, [smsc] first (for metrics and health).
    const std::vector<std::unique_ptr<bind>>& binds() const { return binds_; }
    /// True when at least one bind is up.
    bool any_bound() const;
    /// Something committed SMS to the outbox: send them now.
    void kick_outbox() {
        if (sender_) sender_->kick();
    }
    /// Called with "bound to 2 of 2 SMSC binds" style text on every bind change.
    void on_status(std::function<void(const std::string&)> f) { on_status_ = std::move(f); }

    /// Connects to the SMSC(s) and starts answering.
    void start();

    /// Finishes in-flight work, unbinds, then calls `done`.
    void stop(std::function<void()> done);

  private:
    void on_deliver(bind& b, smpp::pdu&& p);
    void on_bind_state(bind& b, bool bound);
    void send_ussd(bind& b, const domain::ussd_reply& reply, const smpp::ussd_route& route);
    void send_sms(const domain::sms_out& sms,
                  std::function<void(bool, const std::string&)> done = {});
    bind* bind_for_reply(const std::string& msisdn, std::uint32_t session);
    bind& bind_for_sms();
    void sweep_routes();
    void finish_stop(std::function<void()> done);
    void stop_clients(std::function<void()> done);

    boost::asio::io_context& io_;
    config cfg_;
    std::unique_ptr<front_door> door_;
    std::vector<std::unique_ptr<bind>> binds_;
    std::size_t next_sms_bind_ = 0;  // round robin over bound binds
    std::uint16_t concat_reference_ = 0;
    boost::asio::steady_timer route_sweep_;  // also paces the drain on stop
    std::chrono::steady_clock::time_point drain_deadline_;
    std::shared_ptr<actions::outbox> outbox_;  // owned here, on this thread, never by a callback
    std::shared_ptr<outbox_sender> sender_;    // null without an outbox
    std::function<void(const std::string&)> on_status_;
};

}  // namespace ussdgw::app
