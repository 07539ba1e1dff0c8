#pragma once
// An SMSC the test drives by hand over a raw loopback socket: it sends
// whatever bytes a test wants (malformed frames included) and reads the
// daemon's PDUs with our codec. For the hostile-SMSC tests, where neither the
// simulator nor a well-behaved library would send what a broken SMSC does.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ussdgw/smpp/pdu.hpp"

namespace ussdgw::test {

/// One listening socket on 127.0.0.1 (any free port) and the connection the
/// daemon made to it.
class raw_smsc {
  public:
    /// Listens at once.
    raw_smsc();
    ~raw_smsc();
    raw_smsc(const raw_smsc&) = delete;
    raw_smsc& operator=(const raw_smsc&) = delete;

    /// The port to point the daemon at.
    std::uint16_t port() const { return port_; }

    /// Accepts the daemon's next connection (dropping any current one).
    bool accept(std::chrono::milliseconds deadline);
    /// Accepts, reads the bind_transceiver and answers it with `status`.
    bool bind(std::chrono::milliseconds deadline, std::uint32_t status = 0);
    /// The daemon's next PDU; nullopt on the deadline or when the connection closed.
    /// Answers enquire_link on the way unless `answer_enquire` is false.
    std::optional<smpp::pdu> read(std::chrono::milliseconds deadline, bool answer_enquire = true);
    /// Reads until a PDU with this command_id arrives (others are dropped, submit_sm
    /// answered with ESME_ROK unless `answer_submits` is false).
    std::optional<smpp::pdu> expect(std::uint32_t command_id, std::chrono::milliseconds deadline,
                                    bool answer_submits = true);
    /// True when the daemon closes the connection within the deadline
    /// (whatever it sends first is read and dropped, enquire_link unanswered).
    bool wait_closed(std::chrono::milliseconds deadline);

    /// Sends raw bytes.
    void send(std::span<const std::uint8_t> bytes);
    /// Sends raw bytes one write at a time, one byte each.
    void trickle(std::span<const std::uint8_t> bytes);
    /// Encodes and sends a PDU.
    void send(const smpp::pdu& p);
    /// Closes the current connection.
    void drop();
    /// True while the daemon's connection is open.
    bool connected() const { return conn_ >= 0; }

    /// PDUs read so far of this command_id.
    std::size_t seen(std::uint32_t command_id) const;

  private:
    bool fill(std::chrono::steady_clock::time_point until);
    int listener_ = -1;
    int conn_ = -1;
    std::uint16_t port_ = 0;
    std::vector<std::uint8_t> in_;
    std::vector<std::uint32_t> seen_;
};

/// A deliver_sm carrying a USSD MO in the `default` profile's way
/// (service_type USSD, ussd_service_op, its_session_info session/sequence).
smpp::pdu ussd_mo(std::uint32_t sequence, const std::string& msisdn, std::uint8_t op,
                  std::uint8_t session, const std::string& text);

/// A PDU header (16 octets) with any command_length, for frames a codec would refuse.
std::vector<std::uint8_t> raw_header(std::uint32_t length, std::uint32_t command_id,
                                     std::uint32_t sequence);

/// The daemon's resident memory in KiB (VmRSS), 0 when unreadable.
std::size_t rss_kib(int pid);

}  // namespace ussdgw::test
