#include "ussdgw/app/daemon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "ussdgw/smpp/translate.hpp"

namespace ussdgw::app {

daemon::daemon(boost::asio::io_context& io, config cfg, std::unique_ptr<front_door> door,
               std::shared_ptr<actions::outbox> outbox)
    : io_(io),
      cfg_(std::move(cfg)),
      door_(std::move(door)),
      route_sweep_(io),
      outbox_(std::move(outbox)) {
    for (auto& link : cfg_.links()) {
        link.smsc.name = link.name;
        // Every open dialog may have one screen waiting for the window: the
        // queue must hold them all, or a burst of begins beyond the default
        // 10,000 would be shed (each queued screen is a PDU, about 400 bytes).
        link.smsc.session.max_queued_requests =
            std::max(link.smsc.session.max_queued_requests, 2 * cfg_.max_dialogs);
        // Routes outlive their dialog by one more timeout so a late resend of
        // the last answer is still recognised.
        binds_.push_back(std::make_unique<bind>(
            bind{link.name,
                 link.profile,
                 std::make_shared<smpp::client>(io.get_executor(), link.smsc),
                 smpp::ussd_routes(link.profile, 2 * cfg_.max_dialogs, 2 * cfg_.dialog_timeout),
                 {}}));
    }
    if (outbox_)
        sender_ = std::make_shared<outbox_sender>(
            io.get_executor(), *outbox_,
            [this](const domain::sms_out& sms, std::function<void(bool, const std::string&)> done) {
                send_sms(sms, std::move(done));
            },
            cfg_.outbox);
}

bool daemon::any_bound() const {
    for (const auto& b : binds_)
        if (b->client->bound()) return true;
    return false;
}

void daemon::start() {
    door_->attach(reply_sinks{
        [this](const domain::ussd_reply& r) {
            bind* b = bind_for_reply(r.msisdn, r.session);
            const smpp::ussd_route* route = b ? b->routes.find(r.msisdn, r.session) : nullptr;
            if (!route) {
                spdlog::warn(
                    "[msisdn={} session={}] reply for a dialog the SMSC "
                    "never opened or that expired; dropped",
                    r.msisdn, r.session);
                return;
            }
            send_ussd(*b, r, *route);
            b->routes.on_screen(r.msisdn, r.session, r.end, std::chrono::steady_clock::now());
        },
        [this](const domain::sms_out& s) { send_sms(s); },
        sender_ ? std::function<void()>([this] { sender_->kick(); }) : std::function<void()>()});
    if (sender_) sender_->start();
    for (auto& bp : binds_) {
        bind& b = *bp;
        b.client->start([this, &b](smpp::pdu&& p) { on_deliver(b, std::move(p)); },
                        [this, &b](bool bound) { on_bind_state(b, bound); });
    }
    sweep_routes();
}

bind* daemon::bind_for_reply(const std::string& msisdn, std::uint32_t session) {
    // The bind that saw the dialog last: a handset's dialog may have moved
    // to another bind (a rebind to another SMSC node) since an older one.
    bind* best = nullptr;
    std::optional<smpp::ussd_routes::clock::time_point> latest;
    for (auto& b : binds_) {
        auto seen = b->routes.last_seen(msisdn, session);
        if (seen && (!latest || *seen > *latest)) {
            latest = seen;
            best = b.get();
        }
    }
    return best;
}

bind& daemon::bind_for_sms() {
    // Round robin over the bound binds; when none is bound, the first one
    // queues the SMS until it binds (or the submit deadline passes).
    for (std::size_t i = 0; i < binds_.size(); ++i) {
        bind& b = *binds_[(next_sms_bind_ + i) % binds_.size()];
        if (b.client->bound()) {
            next_sms_bind_ = (next_sms_bind_ + i + 1) % binds_.size();
            return b;
        }
    }
    return *binds_.front();
}

void daemon::on_bind_state(bind& b, bool bound) {
    if (bound) {
        // Another bind may reach another SMSC node: learn its ways afresh.
        b.routes.new_bind();
        b.unknown_ops_logged.reset();
    }
    if (on_status_) {
        std::size_t up = 0;
        for (const auto& x : binds_) up += x->client->bound() ? 1 : 0;
        on_status_(fmt::format("bound to {} of {} SMSC bind(s)", up, binds_.size()));
    }
}

void daemon::sweep_routes() {
    const auto now = std::chrono::steady_clock::now();
    for (auto& b : binds_) b->routes.sweep(now);
    route_sweep_.expires_after(cfg_.dialog_timeout);
    route_sweep_.async_wait([this](boost::system::error_code ec) {
        if (!ec) sweep_routes();
    });
}

void daemon::on_deliver(bind& b, smpp::pdu&& p) {
    auto in = smpp::from_deliver(p, b.profile);
    const auto& ctx = b.client->context();
    if (auto* u = std::get_if<smpp::ussd_message>(&in)) {
        const auto style = b.routes.style();
        const bool settled = b.routes.settled();
        if (b.routes.on_mo(*u, std::chrono::steady_clock::now()) == smpp::mo_verdict::resend) {
            // The SMSC lost our deliver_sm_resp and delivered the answer again;
            // its sequence proves it (docs/smsc-profiles.md). Acting on it twice
            // could take the dialog a screen too far.
            spdlog::info("[{} msisdn={} session={}] resend of answer (sequence {}) ignored", ctx,
                         u->in.msisdn, u->in.session, u->route.its_sequence);
            return;
        }
        if (b.routes.style() != style || b.routes.settled() != settled)
            spdlog::info("[{}] its_session_info sequence learned: {}", ctx,
                         b.routes.settled() ? "fixed (it never moves: no MO is taken for a resend)"
                                            : smpp::to_string(b.routes.style()));
        door_->on_ussd(u->in);
    } else if (auto* s = std::get_if<domain::sms_in>(&in)) {
        door_->on_sms(*s);
    } else {
        const auto& why = std::get<smpp::not_for_us>(in);
        if (why.unknown_op) {
            // Once per op per bind: an SMSC sending it on every MO must not flood the log.
            if (!b.unknown_ops_logged.test(*why.unknown_op)) {
                b.unknown_ops_logged.set(*why.unknown_op);
                spdlog::warn("[{}] {}: such MOs are acknowledged and dropped (logged once)", ctx,
                             why.reason);
            }
            return;
        }
        spdlog::debug("[{}] deliver seq={} ignored: {}", ctx, p.sequence_number, why.reason);
    }
}

void daemon::send_ussd(bind& b, const domain::ussd_reply& reply, const smpp::ussd_route& route) {
    auto pdu = smpp::ussd_submit(reply, route, b.profile);
    b.client->submit(std::move(pdu), [msisdn = reply.msisdn, session = reply.session,
                                      ctx = b.client->context()](const smpp::submit_outcome& o) {
        if (!o.ok())
            spdlog::warn("[{} msisdn={} session={}] USSD screen not delivered: {}", ctx, msisdn,
                         session, o.answered ? smpp::status_name(o.status) : o.failure);
    });
}

void daemon::send_sms(const domain::sms_out& sms,
                      std::function<void(bool, const std::string&)> done) {
    bind& b = bind_for_sms();
    auto parts = smpp::sms_submits(sms, b.profile, ++concat_reference_);
    // Accepted means every part accepted; the first part's id stands for all.
    struct tally {
        std::size_t left;
        bool accepted = true;
        std::string message_id;
        std::function<void(bool, const std::string&)> done;
    };
    auto t = std::make_shared<tally>(tally{parts.size(), true, {}, std::move(done)});
    for (std::size_t i = 0; i < parts.size(); ++i) {
        b.client->submit(
            std::move(parts[i]), [t, i, to = sms.to, from = sms.from,
                                  ctx = b.client->context()](const smpp::submit_outcome& o) {
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
    for (auto& b : binds_) b->client->refuse_deliveries();
    drain_deadline_ = std::chrono::steady_clock::now() + cfg_.smsc.drain_timeout;
    finish_stop(std::move(done));
}

void daemon::stop_clients(std::function<void()> done) {
    // Every bind unbinds; `done` once the last has.
    auto left = std::make_shared<std::size_t>(binds_.size());
    auto all = std::make_shared<std::function<void()>>(std::move(done));
    for (auto& b : binds_)
        b->client->stop([left, all] {
            if (--*left == 0) (*all)();
        });
}

void daemon::finish_stop(std::function<void()> done) {
    // Actions still running answer subscribers when they commit: wait for
    // them (bounded), then let the clients flush their replies and unbind.
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
        stop_clients(std::move(done));
        return;
    }
    // Outbox sends in flight finish and are recorded (bounded by the drain
    // timeout: the clients then fail what is left, which stays in the outbox).
    auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
    auto once = std::make_shared<bool>(false);
    auto finish = [this, shared_done, once] {
        if (*once) return;
        *once = true;
        stop_clients(std::move(*shared_done));
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
