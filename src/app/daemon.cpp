#include "ussdgw/app/daemon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ussdgw/smpp/translate.hpp"

namespace ussdgw::app {

daemon::daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door)
    : io_(io),
      cfg_(std::move(cfg)),
      door_(std::move(door)),
      client_(std::make_shared<smpp::client>(io.get_executor(), cfg_.smsc)),
      route_sweep_(io) {}

void daemon::start() {
    door_->attach(
        reply_sinks{[this](const domain::ussd_reply& r) {
                        auto it = routes_.find(route_key(r.msisdn, r.session));
                        if (it == routes_.end()) {
                            spdlog::warn(
                                "[msisdn={} session={}] reply for a dialog the SMSC never opened "
                                "or that expired; dropped",
                                r.msisdn, r.session);
                            return;
                        }
                        send_ussd(r, it->second.route);
                        // Kept after the final screen (until the sweep) so an
                        // SMSC resending the last answer is still seen as a resend.
                        it->second.touched = std::chrono::steady_clock::now();
                    },
                    [this](const domain::sms_out& s) { send_sms(s); }});
    client_->start([this](smpp::pdu&& p) { on_deliver(std::move(p)); });
    sweep_routes();
}

std::string daemon::route_key(const std::string& msisdn, std::uint32_t session) {
    return fmt::format("{}/{}", msisdn, session);
}

void daemon::sweep_routes() {
    // Routes of dialogs that ended without a final screen (timeout, lost reply)
    // are dropped after twice the dialog timeout, so the table stays bounded.
    auto now = std::chrono::steady_clock::now();
    auto limit = 2 * cfg_.dialog_timeout;
    std::erase_if(routes_, [&](const auto& kv) { return now - kv.second.touched > limit; });
    route_sweep_.expires_after(cfg_.dialog_timeout);
    route_sweep_.async_wait([this](boost::system::error_code ec) {
        if (!ec) sweep_routes();
    });
}

void daemon::on_deliver(smpp::pdu&& p) {
    auto in = smpp::from_deliver(p, cfg_.profile);
    if (auto* u = std::get_if<smpp::ussd_message>(&in)) {
        auto key = route_key(u->in.msisdn, u->in.session);
        auto it = routes_.find(key);
        if (it != routes_.end() && u->in.kind == domain::ussd_kind::answer &&
            u->route.its_session && it->second.route.its_sequence == u->route.its_sequence) {
            // The SMSC resent an answer whose deliver_sm_resp it lost: the
            // its_session_info sequence did not move. Acting on it twice could
            // confirm a payment twice.
            spdlog::info("[msisdn={} session={}] duplicate deliver_sm (sequence {}) ignored",
                         u->in.msisdn, u->in.session, u->route.its_sequence);
            return;
        }
        if (u->in.kind == domain::ussd_kind::release)
            routes_.erase(key);
        else
            routes_[key] = open_route{u->route, std::chrono::steady_clock::now()};
        door_->on_ussd(u->in);
    } else if (auto* s = std::get_if<domain::sms_in>(&in)) {
        door_->on_sms(*s);
    } else {
        spdlog::debug("[{}] deliver seq={} ignored: {}", client_->context(), p.sequence_number,
                      std::get<smpp::not_for_us>(in).reason);
    }
}

void daemon::send_ussd(const domain::ussd_reply& reply, const smpp::ussd_route& route) {
    auto pdu = smpp::ussd_submit(reply, route, cfg_.profile);
    client_->submit(std::move(pdu), [msisdn = reply.msisdn, session = reply.session,
                                     ctx = client_->context()](const smpp::submit_outcome& o) {
        if (!o.ok())
            spdlog::warn("[{} msisdn={} session={}] USSD screen not delivered: {}", ctx, msisdn,
                         session, o.answered ? smpp::status_name(o.status) : o.failure);
    });
}

void daemon::send_sms(const domain::sms_out& sms) {
    for (auto& part : smpp::sms_submits(sms, cfg_.profile, ++concat_reference_)) {
        client_->submit(std::move(part), [to = sms.to, from = sms.from,
                                          ctx = client_->context()](const smpp::submit_outcome& o) {
            if (!o.ok())
                spdlog::warn("[{} msisdn={}] SMS from {} not delivered: {}", ctx, to, from,
                             o.answered ? smpp::status_name(o.status) : o.failure);
        });
    }
}

void daemon::stop(std::function<void()> done) {
    route_sweep_.cancel();
    client_->refuse_deliveries();
    drain_deadline_ = std::chrono::steady_clock::now() + cfg_.smsc.drain_timeout;
    finish_stop(std::move(done));
}

void daemon::finish_stop(std::function<void()> done) {
    // Actions still running answer subscribers when they commit: wait for
    // them (bounded), then let the client flush their replies and unbind.
    if (door_->in_flight() > 0 && std::chrono::steady_clock::now() < drain_deadline_) {
        route_sweep_.expires_after(std::chrono::milliseconds(10));
        route_sweep_.async_wait([this, done = std::move(done)](boost::system::error_code) mutable {
            finish_stop(std::move(done));
        });
        return;
    }
    if (door_->in_flight() > 0)
        spdlog::warn("stopping with {} action(s) unanswered after the drain timeout",
                     door_->in_flight());
    client_->stop(std::move(done));
}

}  // namespace ussdgw::app
