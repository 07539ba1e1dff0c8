#include "link.hpp"

#include <cstring>

#include <fmt/format.h>

#include "ussdgw/smpp/codec.hpp"

namespace ussdgw::load {

namespace asio = boost::asio;
using smpp::command;

namespace {

// A read takes whatever the socket has, up to this much: a burst of PDUs
// costs one read, not two per PDU. Four of the largest PDUs fit.
constexpr std::size_t read_buffer_size = 256 * 1024;
constexpr std::size_t write_buffer_reserve = 64 * 1024;

// The status a generic_nack gives for a PDU our codec refused.
std::uint32_t nack_status(smpp::decode_error e) {
    switch (e) {
        case smpp::decode_error::unknown_command:
            return smpp::status::invalid_cmd_id;
        case smpp::decode_error::bad_tlv:
            return smpp::status::invalid_optional;
        default:
            return smpp::status::invalid_msg_len;
    }
}

std::size_t ring_size(unsigned window) {
    // Per flow: its step's MO and maybe a release in flight; room to spare.
    std::size_t n = 256;
    while (n < std::size_t{window} * 8) n *= 2;
    return n;
}

}  // namespace

link::link(asio::ip::tcp::socket socket, link_events& events, const options& opts, std::size_t id)
    : socket_(std::move(socket)),
      events_(events),
      opts_(opts),
      id_(id),
      in_(read_buffer_size),
      awaited_(ring_size(opts.window)) {
    // Small PDUs must not wait for delayed ACKs (40 ms each; docs/architecture.md).
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    pending_.reserve(write_buffer_reserve);
    writing_.reserve(write_buffer_reserve);
}

void link::start() {
    read();
}

std::uint32_t link::next_sequence() {
    sequence_ = sequence_ >= 0x7FFFFFFF ? 1 : sequence_ + 1;
    return sequence_;
}

void link::expect_resp(std::uint32_t sequence, std::uint32_t tag) {
    auto* slot = &awaited_[sequence & (awaited_.size() - 1)];
    if (slot->sequence != 0) {
        // More requests unanswered than the ring holds (a daemon that stopped
        // answering): grow it rather than forget one.
        std::vector<awaited> bigger(awaited_.size() * 2);
        for (const auto& a : awaited_)
            if (a.sequence != 0) bigger[a.sequence & (bigger.size() - 1)] = a;
        awaited_ = std::move(bigger);
        slot = &awaited_[sequence & (awaited_.size() - 1)];
    }
    *slot = {sequence, tag};
    ++outstanding_;
}

std::optional<std::uint32_t> link::take_resp(std::uint32_t sequence) {
    auto& slot = awaited_[sequence & (awaited_.size() - 1)];
    if (sequence == 0 || slot.sequence != sequence) return std::nullopt;
    slot.sequence = 0;
    --outstanding_;
    return slot.tag;
}

void link::queued() {
    if (closed_ || in_read_burst_ || write_in_flight_ || write_posted_) return;
    write_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        self->write_posted_ = false;
        self->write();
    });
}

void link::read() {
    socket_.async_read_some(
        asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->closed_) return;
            if (ec) {
                self->close();
                return;
            }
            const auto now = std::chrono::steady_clock::now();
            self->in_used_ += n;
            // Answers to every PDU of this read (and the MOs they start) leave in one write.
            self->in_read_burst_ = true;
            std::size_t at = 0;
            while (!self->closed_) {
                std::span<const std::uint8_t> rest(self->in_.data() + at, self->in_used_ - at);
                auto f = smpp::check_frame(rest);
                if (f.state == smpp::frame_check::need_more) break;
                if (f.state == smpp::frame_check::invalid) {
                    // The stream cannot be resynchronised after a bad length.
                    self->events_.on_problem(
                        *self, fmt::format("command_length {} is out of bounds ({}); closing",
                                           f.length, smpp::to_string(f.error)));
                    self->in_read_burst_ = false;
                    self->close();
                    return;
                }
                self->handle(rest.first(f.length), now);
                at += f.length;
            }
            self->in_read_burst_ = false;
            if (self->closed_) return;
            // A part-PDU stays, moved to the front for the next read.
            if (at != 0) {
                std::memmove(self->in_.data(), self->in_.data() + at, self->in_used_ - at);
                self->in_used_ -= at;
            }
            self->write();
            self->read();
        });
}

void link::handle(std::span<const std::uint8_t> frame, std::chrono::steady_clock::time_point now) {
    auto decoded = smpp::decode(frame);
    if (!decoded) {
        const auto& f = decoded.error();
        events_.on_problem(
            *this, fmt::format("{} refused by the codec: {}", smpp::command_name(f.command_id),
                               smpp::to_string(f.error)));
        // A bad response gets no answer, so two peers cannot nack each other forever.
        if (!smpp::is_response(f.command_id)) {
            encoder_.plain(pending_, command::generic_nack, f.sequence_number,
                           nack_status(f.error));
        }
        return;
    }
    const smpp::pdu& p = decoded.value();
    switch (static_cast<command>(p.command_id)) {
        case command::bind_transceiver: {
            const auto& b = std::get<smpp::bind_body>(p.body);
            std::uint32_t st = smpp::status::ok;
            if (bound_) {
                st = smpp::status::already_bound;
            } else if (b.system_id != opts_.system_id) {
                st = smpp::status::invalid_system_id;
            } else if (b.password != opts_.password) {
                st = smpp::status::invalid_password;
            }
            encoder_.bind_resp(pending_, p.sequence_number, st);
            if (st == smpp::status::ok) {
                bound_ = true;
                events_.on_bound(*this);
            } else {
                events_.on_problem(*this, fmt::format("bind refused: {} (system_id '{}')",
                                                      smpp::status_name(st), b.system_id));
            }
            return;
        }
        case command::enquire_link:
            encoder_.plain(pending_, command::enquire_link_resp, p.sequence_number);
            return;
        case command::enquire_link_resp:
            return;
        case command::unbind:
            encoder_.plain(pending_, command::unbind_resp, p.sequence_number);
            bound_ = false;
            events_.on_problem(*this, "the daemon unbound");
            return;
        case command::unbind_resp:
            if (unbinding_) close();
            return;
        case command::submit_sm:
        case command::data_sm:
            if (!bound_) {
                encoder_.submit_resp(pending_, p.command_id | 0x80000000u, p.sequence_number, 0,
                                     smpp::status::invalid_bind_status);
                events_.on_problem(*this, "an MT before a bind");
                return;
            }
            // Answered at once, before anyone looks at it.
            encoder_.submit_resp(pending_, p.command_id | 0x80000000u, p.sequence_number,
                                 ++message_id_);
            events_.on_pdu(*this, p, now);
            return;
        case command::deliver_sm_resp:
        case command::generic_nack:
            events_.on_pdu(*this, p, now);
            return;
        default:
            if (!smpp::is_response(p.command_id)) {
                encoder_.plain(pending_, command::generic_nack, p.sequence_number,
                               smpp::status::invalid_cmd_id);
            }
            events_.on_problem(*this, fmt::format("unexpected {} from the daemon",
                                                  smpp::command_name(p.command_id)));
            return;
    }
}

void link::write() {
    if (closed_ || write_in_flight_ || pending_.empty()) return;
    std::swap(writing_, pending_);
    pending_.clear();
    write_in_flight_ = true;
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->write_in_flight_ = false;
                          if (self->closed_) return;
                          if (ec) {
                              self->close();
                              return;
                          }
                          self->write();
                      });
}

void link::unbind() {
    if (closed_) return;
    if (!bound_) {
        close();
        return;
    }
    unbinding_ = true;
    encoder_.plain(pending_, command::unbind, next_sequence());
    queued();
}

void link::close() {
    if (closed_) return;
    closed_ = true;
    bound_ = false;
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    events_.on_closed(*this);
}

}  // namespace ussdgw::load
