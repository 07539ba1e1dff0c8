#include "ussdgw/app/outbox_sender.hpp"

#include <spdlog/spdlog.h>

namespace ussdgw::app {

namespace asio = boost::asio;

outbox_sender::outbox_sender(asio::any_io_executor executor, actions::outbox& box, send_fn send,
                             outbox_options options)
    : executor_(executor), box_(box), send_(std::move(send)), options_(options), timer_(executor) {}

void outbox_sender::start() {
    look();
    arm();
}

void outbox_sender::arm() {
    timer_.expires_after(options_.poll);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopping_) return;
        self->look();
        self->arm();
    });
}

void outbox_sender::kick() {
    if (!stopping_) look();
}

void outbox_sender::look() {
    if (looking_) {
        again_ = true;  // rows committed while reading: read again right after
        return;
    }
    looking_ = true;
    again_ = false;
    std::vector<std::int64_t> busy(busy_.begin(), busy_.end());
    box_.due(options_.batch, std::move(busy), [self = shared_from_this()](actions::outbox_due d) {
        asio::post(self->executor_,
                   [self, d = std::move(d)]() mutable { self->on_due(std::move(d)); });
    });
}

void outbox_sender::on_due(actions::outbox_due due) {
    looking_ = false;
    counts_.pending = due.pending;
    if (due.expired > 0) {
        counts_.expired += due.expired;
        spdlog::warn("outbox: {} SMS given up after their maximum age (never accepted by the SMSC)",
                     due.expired);
    }
    const bool full = due.items.size() >= options_.batch;
    for (auto& item : due.items) {
        if (stopping_ || !busy_.insert(item.id).second) continue;
        send_(item.sms, [self = shared_from_this(), id = item.id](bool accepted,
                                                                  const std::string& message_id) {
            self->on_sent(id, accepted, message_id);
        });
    }
    if ((again_ || full) && !stopping_) look();
    maybe_stopped();
}

void outbox_sender::on_sent(std::int64_t id, bool accepted, const std::string& message_id) {
    if (accepted) {
        ++counts_.sent;
        sent_.emplace_back(id, message_id);
    } else {
        ++counts_.failed;
        failed_.push_back(id);
    }
    flush();
}

void outbox_sender::flush() {
    // One store write records every answer that came meanwhile.
    if (flushing_ || (sent_.empty() && failed_.empty())) return;
    flushing_ = true;
    auto sent = std::exchange(sent_, {});
    auto failed = std::exchange(failed_, {});
    std::vector<std::int64_t> done_ids;
    for (const auto& [id, m] : sent) done_ids.push_back(id);
    done_ids.insert(done_ids.end(), failed.begin(), failed.end());
    box_.settle(std::move(sent), std::move(failed),
                [self = shared_from_this(), done_ids = std::move(done_ids)] {
                    asio::post(self->executor_, [self, done_ids] {
                        // Released only once recorded, so a look meanwhile cannot
                        // pick a row whose send is already answered.
                        for (auto id : done_ids) self->busy_.erase(id);
                        self->flushing_ = false;
                        self->flush();
                        self->maybe_stopped();
                    });
                });
}

void outbox_sender::stop(std::function<void()> done) {
    stopping_ = true;
    timer_.cancel();
    on_stopped_ = std::move(done);
    maybe_stopped();
}

void outbox_sender::maybe_stopped() {
    if (!stopping_ || !on_stopped_ || looking_ || flushing_ || !busy_.empty()) return;
    auto done = std::exchange(on_stopped_, {});
    done();
}

}  // namespace ussdgw::app
