#pragma once
// One ESME connection: buffered reads cut into PDUs, batched writes, the
// optional enquire_link timer. It knows nothing of what the PDUs mean.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>

#include "frames.hpp"

namespace ussdgw::sim {

class esme_link;

/// Receives what a link reads and learns when it closes.
class link_handler {
  public:
    virtual ~link_handler() = default;
    /// A whole PDU arrived (length already checked, at least 16 octets).
    virtual void on_pdu(esme_link& link, std::span<const std::uint8_t> frame) = 0;
    /// The link closed (either side); called once, synchronously from close().
    virtual void on_closed(esme_link& link) = 0;
    /// The enquire_link timer fired on a bound link.
    virtual void on_enquire_tick(esme_link& link) = 0;
};

/// One accepted ESME connection.
class esme_link : public std::enable_shared_from_this<esme_link> {
  public:
    /// Takes over an accepted socket; `enquire_interval` seconds, 0 = no timer.
    esme_link(boost::asio::ip::tcp::socket socket, link_handler& handler, double enquire_interval,
              std::uint64_t id);

    /// Starts reading (and the enquire_link timer).
    void start();
    /// Queues encoded PDUs; they are written at the end of the current read
    /// burst, or at once when called from outside one.
    void send(std::span<const std::uint8_t> bytes);
    /// Buffer to encode PDUs into directly; call flush() afterwards.
    std::vector<std::uint8_t>& out() { return pending_; }
    /// Writes what out() holds unless a read burst will do it.
    void flush();
    /// Closes the socket and cancels the timer; idempotent. Reports on_closed once.
    void close();
    /// Stops reading and unbinds at once, writes what is queued (answers to
    /// PDUs already taken), then closes: a disconnect that loses nothing
    /// already answered.
    void close_after_flush();

    /// True between a successful bind and unbind/close.
    bool bound() const { return bound_; }
    /// Marks the link bound as `system_id`; `serial` orders binds (newest wins).
    void set_bound(std::string system_id, std::uint64_t serial);
    /// Marks the link unbound (after an unbind).
    void set_unbound() { bound_ = false; }
    /// The system_id of the bind.
    const std::string& system_id() const { return system_id_; }
    /// Bind order, for picking the most recent bound link.
    std::uint64_t bind_serial() const { return bind_serial_; }
    /// A number unique among links, for matching pending requests.
    std::uint64_t id() const { return id_; }
    /// True once closed.
    bool closed() const { return closed_; }

  private:
    void read();
    void write();
    void arm_enquire_timer();

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer enquire_timer_;
    link_handler& handler_;
    double enquire_interval_;
    std::uint64_t id_;
    frame_buffer in_;
    std::vector<std::uint8_t> pending_;  // encoded, not yet handed to the socket
    std::vector<std::uint8_t> writing_;  // owned by the write in flight
    bool write_in_flight_ = false;
    bool in_read_burst_ = false;
    bool closed_ = false;
    bool closing_ = false;  // close_after_flush() ran: close once writes drain
    bool bound_ = false;
    std::string system_id_;
    std::uint64_t bind_serial_ = 0;
};

}  // namespace ussdgw::sim
