#pragma once
// SMPP over TCP: cutting the byte stream into PDUs by command_length, and the
// checks a PDU must pass before libsmpp34 may unpack it. Pure; no sockets.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ussdgw::sim {

/// Octets in an SMPP header (command_length, command_id, command_status, sequence_number).
inline constexpr std::size_t pdu_header_size = 16;
/// Largest PDU accepted; anything longer means a broken or hostile peer.
inline constexpr std::size_t max_pdu_size = 64 * 1024;
/// Most TLVs a PDU may carry. libsmpp34 1.14.1 logs every field into a global
/// 2 KiB buffer while unpacking and overruns it (a crash) from about 29 TLVs;
/// 16 keeps a wide margin even with every string field at its longest.
inline constexpr std::size_t max_tlvs = 16;

/// Reads a big-endian 32-bit value.
std::uint32_t read_u32(const std::uint8_t* p);
/// Reads a big-endian 16-bit value.
std::uint16_t read_u16(const std::uint8_t* p);

/// The four header fields every PDU starts with.
struct pdu_header {
    std::uint32_t command_length = 0;   ///< Whole PDU in octets, header included.
    std::uint32_t command_id = 0;       ///< What the PDU is (0x80000000 bit = response).
    std::uint32_t command_status = 0;   ///< Error code; 0 on requests and successes.
    std::uint32_t sequence_number = 0;  ///< Pairs a response with its request.
};

/// The header of `frame`, which must hold at least pdu_header_size octets.
pdu_header read_header(std::span<const std::uint8_t> frame);

/// Accumulates socket reads and cuts them into whole PDUs: one read may carry
/// many PDUs or a part of one (buffered reads save syscalls, as in the
/// daemon: docs/architecture.md).
class frame_buffer {
  public:
    /// What next() found.
    enum class status {
        frame,       ///< A whole PDU was cut.
        need_more,   ///< Read more first.
        bad_length,  ///< command_length out of bounds: the stream cannot be trusted.
    };

    /// Writable space of at least `n` octets after the buffered data.
    std::span<std::uint8_t> prepare(std::size_t n);
    /// Marks the first `n` octets of the last prepare() as filled.
    void commit(std::size_t n);
    /// Cuts the next PDU into `frame` (valid until the next prepare()). On
    /// bad_length, `length` holds the offending command_length.
    status next(std::span<const std::uint8_t>& frame, std::uint32_t& length);

  private:
    std::vector<std::uint8_t> buf_;
    std::size_t begin_ = 0;  // first unconsumed octet
    std::size_t end_ = 0;    // one past the last filled octet
};

/// Checks a whole PDU before libsmpp34 unpacks it: the mandatory strings end
/// inside the PDU, the TLV area is well formed, holds at most max_tlvs TLVs,
/// and each TLV has the length libsmpp34 expects for its tag. Returns why the
/// PDU is refused, or nullopt when it is safe to unpack. Refusing here also
/// avoids libsmpp34's leak of about 1 KiB per TLV it fails to parse.
std::optional<std::string> precheck_pdu(std::span<const std::uint8_t> frame);

/// Offset of interface_version in a bind PDU (after three C strings), or nullopt.
std::optional<std::size_t> bind_interface_version_offset(std::span<const std::uint8_t> frame);

}  // namespace ussdgw::sim
