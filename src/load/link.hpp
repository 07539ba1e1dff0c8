#pragma once
// One connection from the daemon, as the SMSC sees it: buffered reads cut
// into every whole PDU they hold, writes batched into at most one syscall
// per connection per turn of the event loop, and the plumbing answered here
// (bind_transceiver, enquire_link, unbind, submit_sm_resp at once). What the
// PDUs mean is the link_events' business.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "options.hpp"
#include "ussdgw/smpp/pdu.hpp"
#include "wire.hpp"

namespace ussdgw::load {

class link;

/// Receives what links read and what happens to them.
class link_events {
  public:
    virtual ~link_events() = default;
    /// A bind_transceiver was accepted on `l`.
    virtual void on_bound(link& l) = 0;
    /// An MT (submit_sm or data_sm, already answered), a deliver_sm_resp, a
    /// generic_nack or another PDU the link does not handle itself; `now` is
    /// when the read that brought it completed.
    virtual void on_pdu(link& l, const smpp::pdu& p, std::chrono::steady_clock::time_point now) = 0;
    /// Something the daemon sent was wrong (a malformed PDU, a bad frame).
    virtual void on_problem(link& l, const std::string& what) = 0;
    /// The link closed (either side); called once.
    virtual void on_closed(link& l) = 0;
};

/// One accepted connection.
class link : public std::enable_shared_from_this<link> {
  public:
    /// Takes over an accepted socket; binds must carry the credentials of `opts`.
    link(boost::asio::ip::tcp::socket socket, link_events& events, const options& opts,
         std::size_t id);

    /// Starts reading.
    void start();

    /// The output buffer: append encoded PDUs, then call queued().
    std::vector<std::uint8_t>& out() { return pending_; }
    /// The encoder for out().
    encoder& codec() { return encoder_; }
    /// Makes sure what out() holds leaves in this turn of the event loop: at
    /// the end of the current read burst, or in one posted write.
    void queued();
    /// The next sequence_number for a request we send (1..0x7FFFFFFF).
    std::uint32_t next_sequence();

    /// Remembers that `sequence` awaits its deliver_sm_resp, for handset `tag`.
    void expect_resp(std::uint32_t sequence, std::uint32_t tag);
    /// The tag of the request `sequence` answers, forgetting it; nullopt when
    /// nothing with that sequence is awaited.
    std::optional<std::uint32_t> take_resp(std::uint32_t sequence);
    /// deliver_sm sent and not answered yet.
    std::size_t outstanding() const { return outstanding_; }

    /// Sends unbind; the link closes when unbind_resp arrives (or on close()).
    void unbind();
    /// Closes the socket; idempotent; reports on_closed once.
    void close();

    /// True between an accepted bind and unbind or close.
    bool bound() const { return bound_; }
    /// True once closed.
    bool closed() const { return closed_; }
    /// A number unique among links, in accept order.
    std::size_t id() const { return id_; }

  private:
    struct awaited {
        std::uint32_t sequence = 0;  // 0 = free
        std::uint32_t tag = 0;
    };

    void read();
    void handle(std::span<const std::uint8_t> frame, std::chrono::steady_clock::time_point now);
    void write();

    boost::asio::ip::tcp::socket socket_;
    link_events& events_;
    const options& opts_;
    std::size_t id_;
    encoder encoder_;
    std::vector<std::uint8_t> in_;       // read buffer
    std::size_t in_used_ = 0;            // octets of in_ holding data
    std::vector<std::uint8_t> pending_;  // encoded, not yet handed to the socket
    std::vector<std::uint8_t> writing_;  // owned by the write in flight
    std::vector<awaited> awaited_;       // ring by sequence: a power of two long
    std::size_t outstanding_ = 0;
    std::uint32_t sequence_ = 0;
    std::uint64_t message_id_ = 0;
    bool write_in_flight_ = false;
    bool write_posted_ = false;
    bool in_read_burst_ = false;
    bool bound_ = false;
    bool unbinding_ = false;
    bool closed_ = false;
};

}  // namespace ussdgw::load
