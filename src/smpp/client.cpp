#include "ussdgw/smpp/client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ussdgw::smpp {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {
// ESME_RX_T_APPN: "temporary application error": the SMSC keeps the message
// and redelivers it later, which is what we want while shutting down.
constexpr std::uint32_t temporary_app_error = 0x64;
}  // namespace

client::client(asio::any_io_executor executor, client_options options)
    : executor_(executor),
      options_(std::move(options)),
      // "name key=value ...": the first word is the bind, the rest are fields
      // (what --log-format json turns into fields).
      context_(fmt::format("{} smsc={}:{} system_id={}", options_.name, options_.host,
                           options_.port, options_.system_id)),
      resolver_(executor),
      reconnect_timer_(executor),
      connect_timer_(executor),
      drain_timer_(executor),
      unbound_timer_(executor),
      rng_(std::random_device{}()) {}

void client::start(deliver_handler on_deliver, state_handler on_state) {
    if (started_) return;
    started_ = true;
    on_deliver_ = std::move(on_deliver);
    on_state_ = std::move(on_state);
    connect();
}

namespace {

// A few words a metric label can carry, from the reason a rebind was needed.
std::string reconnect_kind(const std::string& reason) {
    if (reason.rfind("cannot resolve", 0) == 0) return "resolve";
    if (reason.rfind("connect", 0) == 0) return "connect";
    if (reason.rfind("bind refused", 0) == 0) return "bind_refused";
    if (reason.rfind("bind failed", 0) == 0) return "bind_failed";
    return "lost";
}

}  // namespace

void client::connect() {
    if (stopping_) return;
    spdlog::debug("[{}] connecting", context_);
    auto self = shared_from_this();
    auto socket = std::make_shared<asio::ip::tcp::socket>(executor_);
    connect_timer_.expires_after(options_.connect_timeout);
    connect_timer_.async_wait([socket](boost::system::error_code ec) {
        if (!ec) socket->close(ec);  // the pending connect fails with operation_aborted
    });
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self, socket](boost::system::error_code ec, asio::ip::tcp::resolver::results_type eps) {
            if (ec) {
                self->connect_timer_.cancel();
                self->schedule_reconnect("cannot resolve host: " + ec.message());
                return;
            }
            asio::async_connect(
                *socket, eps, [self, socket](boost::system::error_code ec2, const auto&) {
                    self->connect_timer_.cancel();
                    if (ec2) {
                        self->schedule_reconnect(ec2 == asio::error::operation_aborted
                                                     ? "connect timed out"
                                                     : "connect failed: " + ec2.message());
                        return;
                    }
                    self->on_connected(std::move(*socket));
                });
        });
}

void client::notify_stopped() {
    if (!on_stopped_) return;
    auto done = std::move(on_stopped_);
    on_stopped_ = nullptr;
    asio::post(executor_, std::move(done));
}

void client::on_connected(asio::ip::tcp::socket socket) {
    if (stopping_) {
        notify_stopped();
        return;
    }
    auto s = std::make_shared<session>(std::move(socket), options_.session, context_);
    s->count_into(tally_);
    session_ = s;
    std::weak_ptr<client> weak = shared_from_this();
    s->start(
        [weak, raw = s.get()](pdu&& p) {
            auto self = weak.lock();
            if (!self || self->session_.get() != raw) return;
            auto resp_id = p.command_id == static_cast<std::uint32_t>(command::deliver_sm)
                               ? command::deliver_sm_resp
                               : command::data_sm_resp;
            pdu resp{static_cast<std::uint32_t>(resp_id),
                     self->refusing_ ? temporary_app_error : status::ok, p.sequence_number,
                     message_id_body{}};
            self->session_->respond(resp);
            if (!self->refusing_ && self->on_deliver_) self->on_deliver_(std::move(p));
        },
        [weak, raw = s.get()](const std::string& reason) {
            auto self = weak.lock();
            if (!self || self->session_.get() != raw) return;
            self->on_lost(reason);
        });

    bind_body b;
    b.system_id = options_.system_id;
    b.password = options_.password;
    b.system_type = options_.system_type;
    pdu bind{static_cast<std::uint32_t>(command::bind_transceiver), 0, 0, b};
    s->request(std::move(bind), [weak, s](response_result r) {
        auto self = weak.lock();
        if (!self || self->session_ != s) return;
        if (r && r->command_status == status::ok) {
            self->on_bound(s);
            return;
        }
        std::string why = r ? "bind refused: " + status_name(r->command_status)
                            : std::string("bind failed: ") + to_string(r.error());
        self->session_.reset();  // our close handler must not treat this as a second loss
        s->stop(why);
        self->schedule_reconnect(why);
    });
}

void client::on_bound(std::shared_ptr<session> s) {
    (void)s;
    bound_ = true;
    failures_in_row_ = 0;
    ++stats_.binds;
    spdlog::info("[{}] bound", context_);
    if (on_state_) on_state_(true);
    if (stopping_) {
        unbind_and_close();
        return;
    }
    flush_unbound();
}

void client::on_lost(const std::string& reason) {
    bool was_bound = bound_;
    bound_ = false;
    session_.reset();
    if (was_bound && on_state_) on_state_(false);
    if (stopping_) {
        maybe_finish_drain();
        notify_stopped();
        return;
    }
    spdlog::warn("[{}] link lost: {}", context_, reason);
    schedule_reconnect(reason);
}

void client::schedule_reconnect(const std::string& reason) {
    if (stopping_) {
        notify_stopped();
        return;
    }
    ++stats_.bind_failures;
    ++stats_.reconnects[reconnect_kind(reason)];
    // Exponential backoff with jitter: many gateways restarting together must
    // not hammer a recovering SMSC in lockstep.
    int n = std::min(failures_in_row_, 20);
    ++failures_in_row_;
    auto base =
        std::min<std::int64_t>(options_.backoff_max.count(), options_.backoff_min.count() << n);
    std::uniform_int_distribution<std::int64_t> jitter(base / 2, std::max<std::int64_t>(base, 1));
    milliseconds delay{jitter(rng_)};
    spdlog::warn("[{}] {}; retrying in {} ms", context_, reason, delay.count());
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->connect();
    });
}

void client::submit(pdu p, submit_handler done) {
    auto q = std::make_shared<queued_submit>(
        queued_submit{std::move(p), std::move(done), clock::now() + options_.submit_deadline, 0});
    attempt(std::move(q));
}

void client::attempt(std::shared_ptr<queued_submit> q) {
    if (stopping_ && !bound_) {
        finish(q, {false, 0, {}, "shutting down"});
        return;
    }
    if (!bound_ || !session_) {
        park(std::move(q));
        return;
    }
    ++in_flight_;
    std::weak_ptr<client> weak = shared_from_this();
    session_->request(q->p, [weak, q](response_result r) {
        auto self = weak.lock();
        if (!self) return;
        --self->in_flight_;
        if (r) {
            auto st = r->command_status;
            auto delay = self->options_.retry_delay * (1 << std::min(q->attempt, 10));
            if (is_temporary(st) && !self->stopping_ && clock::now() + delay < q->deadline) {
                ++self->stats_.retries;
                ++self->stats_.retries_by_status[st];
                ++q->attempt;
                spdlog::debug("[{}] submit refused with {}; retry {} in {} ms", self->context_,
                              status_name(st), q->attempt, delay.count());
                auto t = std::make_shared<asio::steady_timer>(self->executor_, delay);
                t->async_wait([self, q, t](boost::system::error_code) { self->attempt(q); });
                return;
            }
            std::string id;
            if (auto* b = std::get_if<message_id_body>(&r->body)) id = b->message_id;
            self->finish(q, {true, st, id, {}});
        } else if ((r.error() == request_failure::closed ||
                    r.error() == request_failure::refused) &&
                   clock::now() < q->deadline && !self->stopping_) {
            // The link dropped before an answer: send again once rebound.
            // Parked, never sent again from here: this callback can run
            // inside session::request (a stopped session refuses at once), and
            // trying again in place recursed until the stack overflowed.
            ++self->stats_.retries;
            ++self->stats_.retries_by_status[0];
            self->park(q);
        } else {
            self->finish(q, {false, 0, {}, to_string(r.error())});
        }
        self->maybe_finish_drain();
    });
}

void client::finish(const std::shared_ptr<queued_submit>& q, submit_outcome o) {
    if (o.ok()) {
        ++stats_.submits_ok;
    } else {
        ++stats_.submits_failed;
        auto* b = std::get_if<sm_body>(&q->p.body);
        spdlog::warn("[{}] {} to {} not accepted: {}", context_, command_name(q->p.command_id),
                     b ? b->destination_addr : std::string("?"),
                     o.answered ? status_name(o.status) : o.failure);
    }
    if (q->done) q->done(o);
}

void client::park(std::shared_ptr<queued_submit> q) {
    // Once per turn of the event loop, whatever was parked in it: a link
    // dropping with thousands of submits in flight parks each one, and
    // looking at the whole queue for each would be quadratic.
    unbound_.push_back(std::move(q));
    if (park_posted_) return;
    park_posted_ = true;
    asio::post(executor_, [self = shared_from_this()] {
        self->park_posted_ = false;
        // Rebound meanwhile (a late failure of the old session): send now.
        if (self->bound_ && self->session_ && self->session_->open())
            self->flush_unbound();
        else
            self->expire_unbound();
    });
}

void client::flush_unbound() {
    auto waiting = std::move(unbound_);
    unbound_.clear();
    for (auto& q : waiting) attempt(std::move(q));
}

void client::expire_unbound() {
    auto now = clock::now();
    std::deque<std::shared_ptr<queued_submit>> keep;
    for (auto& q : unbound_) {
        if (q->deadline <= now)
            finish(q, {false, 0, {}, "not bound to the SMSC before the deadline"});
        else
            keep.push_back(std::move(q));
    }
    unbound_ = std::move(keep);
    if (unbound_.empty()) return;
    auto earliest = unbound_.front()->deadline;
    for (auto& q : unbound_) earliest = std::min(earliest, q->deadline);
    unbound_timer_.expires_at(earliest);
    unbound_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->expire_unbound();
    });
}

void client::stop(std::function<void()> done) {
    if (stopping_) return;
    stopping_ = true;
    refusing_ = true;
    on_stopped_ = std::move(done);
    reconnect_timer_.cancel();
    unbound_timer_.cancel();
    for (auto& q : unbound_) finish(q, {false, 0, {}, "shutting down"});
    unbound_.clear();
    if (!bound_ || !session_) {
        resolver_.cancel();
        if (session_) {
            // A bind is in flight: its answer comes in milliseconds, and then
            // on_bound() unbinds politely. Bounded, as a drain is.
            drain_timer_.expires_after(options_.drain_timeout);
            drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
                if (!ec && self->session_) self->session_->stop("shutting down");
            });
        } else {
            connect_timer_.cancel();
            notify_stopped();
        }
        return;
    }
    drain_timer_.expires_after(options_.drain_timeout);
    drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->unbind_and_close();
    });
    maybe_finish_drain();
}

void client::maybe_finish_drain() {
    if (stopping_ && bound_ && in_flight_ == 0) unbind_and_close();
}

void client::unbind_and_close() {
    if (unbinding_ || !session_) return;
    unbinding_ = true;
    drain_timer_.cancel();
    auto s = session_;
    spdlog::info("[{}] unbinding", context_);
    s->request(make_empty(command::unbind, 0), [s](response_result) { s->stop("unbound"); });
}

}  // namespace ussdgw::smpp
