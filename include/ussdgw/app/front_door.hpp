#pragma once
// What answers subscribers: given a USSD or SMS message, produce replies.
// The daemon owns the SMPP side; a front door only sees domain messages.

#include <functional>
#include <string>

#include "ussdgw/domain/messages.hpp"

namespace ussdgw::app {

/// Sinks a front door uses to answer; valid for the daemon's lifetime.
struct reply_sinks {
    /// Sends one USSD screen in the dialog identified by (msisdn, session).
    std::function<void(const domain::ussd_reply&)> ussd;
    /// Sends one SMS (split into parts by the SMPP layer when long).
    std::function<void(const domain::sms_out&)> sms;
    /// An action committed SMS to the outbox: send them now.
    std::function<void()> outbox;
};

/// Answers subscribers. Called on the daemon's event-loop thread.
class front_door {
  public:
    virtual ~front_door() = default;
    /// Installs the reply sinks before any message arrives.
    virtual void attach(reply_sinks sinks) = 0;
    /// A USSD message arrived.
    virtual void on_ussd(const domain::ussd_in& in) = 0;
    /// An SMS arrived.
    virtual void on_sms(const domain::sms_in& in) = 0;
    /// Work still in flight (actions not yet answered); the daemon drains it on stop.
    virtual std::size_t in_flight() const { return 0; }
};

}  // namespace ussdgw::app
