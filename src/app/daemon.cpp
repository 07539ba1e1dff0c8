#include "ussdgw/app/daemon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ussdgw/smpp/translate.hpp"

namespace ussdgw::app {

daemon::daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door,
               std::shared_ptr<actions::outbox> outbox)
    : io_(io),
      cfg_(std::move(cfg)),
      door_(std::move(door)),
      client_(std::make_shared<smpp::client>(io.get_executor(), cfg_.smsc)),
      // Routes outlive their dialog by one more timeout so a late resend of
      // the last answer is still recognised.
      routes_(cfg_.profile, 2 * cfg_.max_dialogs, 2 * cfg_.dialog_timeout),
      route_sweep_(io) {
    if (outbox)
        sender_ = std::make_shared<outbox_sender>(
            io.get_executor(), std::move(outbox),
            [this](const domain::sms_out& sms, std::function<void(bool, const std::string&)> done) {
                send_sms(sms, std::move(done));
            },
            cfg_.outbox);
}

void daemon::start() {
    door_->attach(reply_sinks{
        [this](const domain::ussd_reply& r) {
            const smpp::ussd_route* route = routes_.find(r.msisdn, r.session);
            if (!route) {
                spdlog::warn(
                    "[msisdn={} session={}] reply for a dialog the SMSC "
                    "never opened or that expired; dropped",
                    r.msisdn, r.session);
                return;
            }
            send_ussd(r, *route);
            routes_.on_screen(r.msisdn, r.session, r.end, std::chrono::steady_clock::now());
        },
        [this](const domain::sms_out& s) { send_sms(s); },
        sender_ ? std::function<void()>([this] { sender_->kick(); }) : std::function<void()>()});
    if (sender_) sender_->start();
    client_->start([this](smpp::pdu&& p) { on_deliver(std::move(p)); },
                   [this](bool bound) { on_bind_state(bound); });
    sweep_routes();
}

void daemon::on_bind_state(bool bound) {
    if (!bound) return;
    // Another bind may reach another SMSC node: learn its ways afresh.
    routes_.new_bind();
    unknown_ops_logged_.reset();
}

void daemon::sweep_routes() {
    routes_.sweep(std::chrono::steady_clock::now());
    route_sweep_.expires_after(cfg_.dialog_timeout);
    route_sweep_.async_wait([this](boost::system::error_code ec) {
        if (!ec) sweep_routes();
    });
}

void daemon::on_deliver(smpp::pdu&& p) {
    auto in = smpp::from_deliver(p, cfg_.profile);
    if (auto* u = std::get_if<smpp::ussd_message>(&in)) {
        const auto style = routes_.style();
        const bool settled = routes_.settled();
        if (routes_.on_mo(*u, std::chrono::steady_clock::now()) == smpp::mo_verdict::resend) {
            // The SMSC lost our deliver_sm_resp and delivered the answer again;
            // its sequence proves it (docs/smsc-profiles.md). Acting on it twice
            // could take the dialog a screen too far.
            spdlog::info("[{} msisdn={} session={}] resend of answer (sequence {}) ignored",
                         client_->context(), u->in.msisdn, u->in.session, u->route.its_sequence);
            return;
        }
        if (routes_.style() != style || routes_.settled() != settled)
            spdlog::info("[{}] its_session_info sequence learned: {}", client_->context(),
                         routes_.settled() ? "fixed (it never moves: no MO is taken for a resend)"
                                           : smpp::to_string(routes_.style()));
        door_->on_ussd(u->in);
    } else if (auto* s = std::get_if<domain::sms_in>(&in)) {
        door_->on_sms(*s);
    } else {
        const auto& why = std::get<smpp::not_for_us>(in);
        if (why.unknown_op) {
            // Once per op per bind: an SMSC sending it on every MO must not flood the log.
            if (!unknown_ops_logged_.test(*why.unknown_op)) {
                unknown_ops_logged_.set(*why.unknown_op);
                spdlog::warn("[{}] {}: such MOs are acknowledged and dropped (logged once)",
                             client_->context(), why.reason);
            }
            return;
        }
        spdlog::debug("[{}] deliver seq={} ignored: {}", client_->context(), p.sequence_number,
                      why.reason);
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

void daemon::send_sms(const domain::sms_out& sms,
                      std::function<void(bool, const std::string&)> done) {
    auto parts = smpp::sms_submits(sms, cfg_.profile, ++concat_reference_);
    // Accepted means every part accepted; the first part's id stands for all.
    struct tally {
        std::size_t left;
        bool accepted = true;
        std::string message_id;
        std::function<void(bool, const std::string&)> done;
    };
    auto t = std::make_shared<tally>(tally{parts.size(), true, {}, std::move(done)});
    for (std::size_t i = 0; i < parts.size(); ++i) {
        client_->submit(
            std::move(parts[i]), [t, i, to = sms.to, from = sms.from,
                                  ctx = client_->context()](const smpp::submit_outcome& o) {
                if (!o.ok()) {
                    t->accepted = false;
                    spdlog::warn("[{} msisdn={}] SMS from {} not delivered: {}", ctx, to, from,
                                 o.answered ? smpp::status_name(o.status) : o.failure);
                }
                if (i == 0) t->message_id = o.message_id;
                if (--t->left == 0 && t->done) t->done(t->accepted, t->message_id);
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
    if (!sender_) {
        client_->stop(std::move(done));
        return;
    }
    // Outbox sends in flight finish and are recorded (bounded by the drain
    // timeout: the client then fails what is left, which stays in the outbox).
    auto client = client_;
    auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
    auto once = std::make_shared<bool>(false);
    auto finish = [client, shared_done, once] {
        if (*once) return;
        *once = true;
        client->stop(std::move(*shared_done));
    };
    sender_->stop(finish);
    route_sweep_.expires_at(drain_deadline_);
    route_sweep_.async_wait([this, finish](boost::system::error_code ec) {
        if (ec) return;
        if (sender_->in_flight() > 0)
            spdlog::warn("stopping with {} outbox SMS in flight: they stay in the outbox",
                         sender_->in_flight());
        finish();
    });
}

}  // namespace ussdgw::app
