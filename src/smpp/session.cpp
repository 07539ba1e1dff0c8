#include "ussdgw/smpp/session.hpp"

#include <spdlog/spdlog.h>

namespace ussdgw::smpp {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {
// Read buffer growth step; a typical burst of USSD PDUs fits many times over.
constexpr std::size_t read_chunk = 16 * 1024;
}  // namespace

const char* to_string(request_failure f) {
    switch (f) {
        case request_failure::timeout:
            return "no response in time";
        case request_failure::closed:
            return "connection closed";
        case request_failure::refused:
            return "session not accepting requests";
        case request_failure::full:
            return "too many requests waiting for the SMSC's window";
        case request_failure::encode:
            return "PDU could not be encoded";
    }
    return "unknown";
}

session::session(asio::ip::tcp::socket socket, session_options options, std::string context)
    : socket_(std::move(socket)),
      options_(options),
      context_(std::move(context)),
      response_timer_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()) {
    boost::system::error_code ec;
    // Kannel leaves Nagle on and stalls ~40 ms per reply on delayed ACKs
    // (docs/architecture.md, "Buffered reads, TCP_NODELAY, one write per burst").
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    in_.resize(read_chunk);
}

void session::start(request_handler on_request, close_handler on_close) {
    on_request_ = std::move(on_request);
    on_close_ = std::move(on_close);
    read_more();
    arm_idle_timer();
}

std::uint32_t session::next_sequence() {
    // sequence_number runs 1..0x7FFFFFFF and wraps (SMPP 3.4 section 3.2).
    sequence_ = sequence_ >= 0x7FFFFFFF ? 1 : sequence_ + 1;
    return sequence_;
}

void session::request(pdu p, response_handler done) {
    if (stopped_) {
        done(util::fail(request_failure::refused));
        return;
    }
    if (waiting_.size() >= options_.max_queued_requests) {
        done(util::fail(request_failure::full));
        return;
    }
    if (outstanding_.size() >= options_.window || !waiting_.empty()) {
        waiting_.emplace_back(std::move(p), std::move(done));
        return;
    }
    send_now(p, std::move(done));
}

void session::send_now(pdu& p, response_handler done) {
    p.sequence_number = next_sequence();
    auto r = encode(p, out_);
    if (!r) {
        spdlog::error("[{}] cannot encode {}: {}", context_, command_name(p.command_id),
                      to_string(r.error()));
        done(util::fail(request_failure::encode));
        return;
    }
    if (tally_) tally_->count(true, p);
    auto deadline = clock::now() + options_.response_timeout;
    outstanding_.emplace(p.sequence_number, pending{deadline, std::move(done)});
    deadlines_.emplace_back(deadline, p.sequence_number);
    arm_response_timer();
    schedule_flush();
}

void session::pump_waiting() {
    while (!stopped_ && !waiting_.empty() && outstanding_.size() < options_.window) {
        auto [p, done] = std::move(waiting_.front());
        waiting_.pop_front();
        send_now(p, std::move(done));
    }
}

void session::respond(const pdu& p) {
    if (stopped_) return;
    queue_bytes(p);
    schedule_flush();
}

void session::queue_bytes(const pdu& p) {
    if (tally_) tally_->count(true, p);
    auto r = encode(p, out_);
    if (!r)
        spdlog::error("[{}] cannot encode {} seq={}: {}", context_, command_name(p.command_id),
                      p.sequence_number, to_string(r.error()));
}

void session::schedule_flush() {
    // Coalesce: everything queued during this turn of the event loop (a
    // deliver_sm_resp and the reply it caused) leaves in one write.
    if (flush_posted_ || write_in_flight_ || stopped_) return;
    flush_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->flush();
    });
}

void session::flush() {
    if (write_in_flight_ || out_.empty() || stopped_) return;
    writing_.swap(out_);
    out_.clear();
    write_in_flight_ = true;
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->write_in_flight_ = false;
                          self->writing_.clear();
                          if (ec) {
                              self->stop("write failed: " + ec.message());
                              return;
                          }
                          if (self->close_reason_ && self->out_.empty()) {
                              self->stop(*self->close_reason_);
                              return;
                          }
                          self->flush();
                      });
}

void session::close_after_write(const std::string& reason) {
    if (stopped_ || close_reason_) return;
    close_reason_ = reason;
    if (!write_in_flight_ && out_.empty()) {
        stop(reason);
        return;
    }
    flush();
}

void session::read_more() {
    if (stopped_ || close_reason_) return;
    if (in_.size() - in_used_ < read_chunk / 2) in_.resize(in_used_ + read_chunk);
    socket_.async_read_some(
        asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                self->stop(ec == asio::error::eof ? "connection closed by peer"
                                                  : "read failed: " + ec.message());
                return;
            }
            self->on_read(n);
        });
}

void session::on_read(std::size_t n) {
    in_used_ += n;
    arm_idle_timer();
    std::size_t off = 0;
    while (!stopped_ && !close_reason_) {
        std::span<const std::uint8_t> avail(in_.data() + off, in_used_ - off);
        auto fc = check_frame(avail, options_.max_pdu);
        if (fc.state == frame_check::need_more) {
            // Ensure the buffer can hold the announced PDU (already bounded by max_pdu).
            if (fc.length > in_.size() - off) {
                std::copy(in_.begin() + static_cast<std::ptrdiff_t>(off),
                          in_.begin() + static_cast<std::ptrdiff_t>(in_used_), in_.begin());
                in_used_ -= off;
                off = 0;
                if (fc.length > in_.size()) in_.resize(fc.length + read_chunk);
            }
            break;
        }
        if (fc.state == frame_check::invalid) {
            // The stream cannot be re-synchronised after a bad length: nack and close.
            spdlog::warn("[{}] refusing PDU with command_length {}: {}", context_, fc.length,
                         to_string(fc.error));
            respond(make_empty(command::generic_nack, 0, status::invalid_cmd_len));
            close_after_write("invalid command_length from peer");
            return;
        }
        auto decoded = decode(avail.first(fc.length));
        off += fc.length;
        if (!decoded) {
            const auto& f = decoded.error();
            spdlog::warn("[{}] malformed {} seq={}: {}", context_, command_name(f.command_id),
                         f.sequence_number, to_string(f.error));
            // Responses are never answered, even malformed ones (no nack storms).
            if (!is_response(f.command_id)) {
                auto st = f.error == decode_error::unknown_command ? status::invalid_cmd_id
                          : f.error == decode_error::bad_tlv       ? status::invalid_optional
                                                                   : status::invalid_msg_len;
                respond(make_empty(command::generic_nack, f.sequence_number, st));
            }
            continue;
        }
        dispatch(std::move(decoded).value());
    }
    if (stopped_ || close_reason_) return;
    // Keep the unconsumed tail at the front of the buffer.
    if (off > 0) {
        std::copy(in_.begin() + static_cast<std::ptrdiff_t>(off),
                  in_.begin() + static_cast<std::ptrdiff_t>(in_used_), in_.begin());
        in_used_ -= off;
    }
    flush();
    read_more();
}

void session::dispatch(pdu&& p) {
    if (tally_) tally_->count(false, p);
    if (is_response(p.command_id)) {
        auto it = outstanding_.find(p.sequence_number);
        if (it == outstanding_.end()) {
            spdlog::debug("[{}] {} for unknown seq={} ignored", context_,
                          command_name(p.command_id), p.sequence_number);
            return;
        }
        auto done = std::move(it->second.done);
        outstanding_.erase(it);
        done(std::move(p));
        pump_waiting();
        return;
    }
    switch (static_cast<command>(p.command_id)) {
        case command::enquire_link:
            respond(make_empty(command::enquire_link_resp, p.sequence_number));
            return;
        case command::unbind:
            respond(make_empty(command::unbind_resp, p.sequence_number));
            close_after_write("peer unbound");
            return;
        case command::deliver_sm:
        case command::data_sm:
            if (on_request_) {
                on_request_(std::move(p));
                return;
            }
            break;
        default:
            break;
    }
    // bind/submit from the SMSC side and anything else an ESME does not accept.
    respond(make_empty(command::generic_nack, p.sequence_number, status::invalid_bind_status));
}

void session::arm_response_timer() {
    if (response_timer_armed_ || deadlines_.empty() || stopped_) return;
    response_timer_armed_ = true;
    response_timer_.expires_at(deadlines_.front().first);
    response_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        self->response_timer_armed_ = false;
        if (ec || self->stopped_) return;
        self->on_response_timer();
    });
}

void session::on_response_timer() {
    auto now = clock::now();
    // Deadlines are queued in send order with one timeout, so the front is the earliest.
    while (!deadlines_.empty() && deadlines_.front().first <= now) {
        auto seq = deadlines_.front().second;
        deadlines_.pop_front();
        auto it = outstanding_.find(seq);
        if (it == outstanding_.end()) continue;  // already answered
        auto done = std::move(it->second.done);
        outstanding_.erase(it);
        done(util::fail(request_failure::timeout));
        if (stopped_) return;
    }
    // Drop entries of answered requests so the deque does not grow without bound.
    while (!deadlines_.empty() && !outstanding_.contains(deadlines_.front().second))
        deadlines_.pop_front();
    pump_waiting();
    arm_response_timer();
}

void session::arm_idle_timer() {
    if (stopped_ || options_.enquire_link_interval.count() <= 0) return;
    idle_timer_.expires_after(options_.enquire_link_interval);
    idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        self->on_idle();
    });
}

void session::on_idle() {
    if (enquire_in_flight_) return;
    enquire_in_flight_ = true;
    request(make_empty(command::enquire_link, 0), [self = shared_from_this()](response_result r) {
        self->enquire_in_flight_ = false;
        if (!r && r.error() == request_failure::timeout) self->stop("enquire_link unanswered");
    });
    arm_idle_timer();
}

void session::stop(const std::string& reason) {
    if (stopped_) return;
    stopped_ = true;
    spdlog::info("[{}] session closed: {}", context_, reason);
    boost::system::error_code ec;
    response_timer_.cancel();
    idle_timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    auto outstanding = std::move(outstanding_);
    outstanding_.clear();
    deadlines_.clear();
    auto waiting = std::move(waiting_);
    waiting_.clear();
    // The owner hears of the loss first, so requests it resends from the
    // failure callbacks below wait for the next bind instead of this session.
    on_request_ = nullptr;
    if (auto cb = std::move(on_close_)) cb(reason);
    for (auto& [seq, p] : outstanding) p.done(util::fail(request_failure::closed));
    for (auto& [p, done] : waiting) done(util::fail(request_failure::closed));
}

}  // namespace ussdgw::smpp
