#include "ussdgw/app/front_doors.hpp"

namespace ussdgw::app {
namespace {

// Bring-up door until the menu layer is wired: answers every USSD string with
// one final screen and every SMS with one reply, so the whole SMPP path
// (deliver_sm -> daemon -> submit_sm) can be exercised end to end.
class fixed_screen_door : public front_door {
  public:
    void attach(reply_sinks sinks) override { sinks_ = std::move(sinks); }
    void on_ussd(const domain::ussd_in& in) override {
        if (in.kind == domain::ussd_kind::release) return;
        sinks_.ussd({in.msisdn, in.session, "Welcome to ussdgw. You dialled " + in.text, true});
    }
    void on_sms(const domain::sms_in& in) override {
        sinks_.sms({in.to, in.from, "ussdgw received: " + in.text});
    }

  private:
    reply_sinks sinks_;
};

}  // namespace

util::result<std::unique_ptr<front_door>, config_errors> make_front_door(const config&) {
    return std::unique_ptr<front_door>(std::make_unique<fixed_screen_door>());
}

}  // namespace ussdgw::app
