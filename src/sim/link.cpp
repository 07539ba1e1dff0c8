#include "link.hpp"

#include <chrono>

#include "console.hpp"

namespace ussdgw::sim {

namespace asio = boost::asio;

esme_link::esme_link(asio::ip::tcp::socket socket, link_handler& handler, double enquire_interval,
                     std::uint64_t id)
    : socket_(std::move(socket)),
      enquire_timer_(socket_.get_executor()),
      handler_(handler),
      enquire_interval_(enquire_interval),
      id_(id) {
    // Small PDUs must not wait for delayed ACKs (40 ms each; docs/architecture.md).
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void esme_link::start() {
    read();
    arm_enquire_timer();
}

void esme_link::set_bound(std::string system_id, std::uint64_t serial) {
    bound_ = true;
    system_id_ = std::move(system_id);
    bind_serial_ = serial;
}

void esme_link::send(std::span<const std::uint8_t> bytes) {
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    flush();
}

void esme_link::flush() {
    if (!in_read_burst_) write();
}

void esme_link::read() {
    auto space = in_.prepare(16 * 1024);
    socket_.async_read_some(
        asio::buffer(space.data(), space.size()),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->closed_ || self->closing_) return;
            if (ec) {
                self->close();
                return;
            }
            self->in_.commit(n);
            // Answers to every PDU of this read go out in one write.
            self->in_read_burst_ = true;
            std::span<const std::uint8_t> frame;
            std::uint32_t length = 0;
            for (;;) {
                auto st = self->in_.next(frame, length);
                if (st == frame_buffer::status::need_more) break;
                if (st == frame_buffer::status::bad_length) {
                    print("error: command_length {} from ESME is outside 16..{}; closing", length,
                          max_pdu_size);
                    self->in_read_burst_ = false;
                    self->close();
                    return;
                }
                self->handler_.on_pdu(*self, frame);
                if (self->closed_) return;
                if (self->closing_) break;
            }
            self->in_read_burst_ = false;
            self->write();
            if (!self->closing_) self->read();
        });
}

void esme_link::write() {
    if (closed_ || write_in_flight_) return;
    if (pending_.empty()) {
        if (closing_) close();
        return;
    }
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

void esme_link::arm_enquire_timer() {
    if (enquire_interval_ <= 0) return;
    enquire_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(enquire_interval_)));
    enquire_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closed_) return;
        if (self->bound_) self->handler_.on_enquire_tick(*self);
        self->arm_enquire_timer();
    });
}

void esme_link::close_after_flush() {
    if (closed_ || closing_) return;
    closing_ = true;
    bound_ = false;  // no new MO may pick this link
    // The read in flight stays: it ends when close() closes the socket, and
    // anything it brings before that is ignored. Cancelling would abort the
    // write in flight too.
    if (!in_read_burst_) write();
}

void esme_link::close() {
    if (closed_) return;
    closed_ = true;
    bound_ = false;
    enquire_timer_.cancel();
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    handler_.on_closed(*this);
}

}  // namespace ussdgw::sim
