#pragma once
// Wires the daemon together: one SMPP client per SMSC link, the translation
// to domain messages, and the front doors that answer them.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/front_door.hpp"
#include "ussdgw/smpp/client.hpp"
#include "ussdgw/smpp/translate.hpp"

namespace ussdgw::app {

/// The running gateway. Lives on one io_context thread.
class daemon {
  public:
    /// Builds the daemon; nothing runs until start().
    daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door);

    /// Connects to the SMSC and starts answering.
    void start();

    /// Finishes in-flight work, unbinds, then calls `done`.
    void stop(std::function<void()> done);

  private:
    void on_deliver(smpp::pdu&& p);
    void send_ussd(const domain::ussd_reply& reply, const smpp::ussd_route& route);
    void send_sms(const domain::sms_out& sms);
    void sweep_routes();
    void finish_stop(std::function<void()> done);
    static std::string route_key(const std::string& msisdn, std::uint32_t session);

    struct open_route {
        smpp::ussd_route route;
        std::chrono::steady_clock::time_point touched;
    };

    boost::asio::io_context& io_;
    config cfg_;
    std::unique_ptr<front_door> door_;
    std::shared_ptr<smpp::client> client_;
    std::uint16_t concat_reference_ = 0;
    std::unordered_map<std::string, open_route> routes_;  // open dialogs' SMPP details
    boost::asio::steady_timer route_sweep_;               // also paces the drain on stop
    std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace ussdgw::app
