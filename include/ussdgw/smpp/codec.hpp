#pragma once
// Pure SMPP 3.4 codec: bytes <-> pdu. Bounds-checked, no I/O, no exceptions
// for bad input (errors are values), no global state: safe from any thread.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ussdgw/smpp/pdu.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::smpp {

/// Length of the fixed SMPP header.
inline constexpr std::size_t header_size = 16;
/// Default upper bound on command_length (config can lower or raise it).
inline constexpr std::size_t default_max_pdu = 64 * 1024;

/// Why a frame or PDU was refused.
enum class decode_error {
    length_too_small,     ///< command_length < 16
    length_too_large,     ///< command_length above the configured maximum
    truncated,            ///< a field runs past the end of the PDU
    unterminated_string,  ///< a C-octet string has no NUL within its maximum size
    field_too_long,       ///< a field exceeds its SMPP maximum
    bad_tlv,              ///< an optional parameter is malformed (length past the end)
    unknown_command,      ///< command_id not one ussdgw speaks
    trailing_bytes,       ///< bytes left over after a body with no TLVs allowed
};

/// Short text for a decode_error ("truncated").
const char* to_string(decode_error e);

/// A refused PDU: what was wrong, and the header fields if they could be read
/// (so the session can answer generic_nack with the right sequence_number).
struct decode_failure {
    decode_error error;                 ///< what was wrong
    std::uint32_t command_id = 0;       ///< from the header, 0 if not read
    std::uint32_t sequence_number = 0;  ///< from the header, 0 if not read
};

/// Outcome of looking at the start of a receive buffer.
struct frame_check {
    /// need_more: fewer than 16 octets or fewer than command_length buffered;
    /// complete: `length` octets form one PDU; invalid: command_length is out of bounds.
    enum kind { need_more, complete, invalid } state = need_more;
    std::size_t length = 0;  ///< PDU length when complete (or the bad value when invalid)
    decode_error error{};    ///< set when invalid
};

/// Inspects the start of `buffered` for one PDU. Rejects command_length < 16 or
/// > max_pdu before anything is allocated.
frame_check check_frame(std::span<const std::uint8_t> buffered,
                        std::size_t max_pdu = default_max_pdu);

/// Decodes exactly one PDU (header included). `frame.size()` must equal command_length.
util::result<pdu, decode_failure> decode(std::span<const std::uint8_t> frame);

/// Why a PDU could not be encoded.
enum class encode_error {
    field_too_long,   ///< a string or short_message exceeds its SMPP maximum
    tlv_too_long,     ///< a TLV value exceeds 65535 octets
    body_mismatch,    ///< the body alternative does not match command_id
    unknown_command,  ///< command_id not one ussdgw speaks
};

/// Short text for an encode_error.
const char* to_string(encode_error e);

/// Appends the encoded PDU to `out` and returns its length; on error `out` is unchanged.
util::result<std::size_t, encode_error> encode(const pdu& p, std::vector<std::uint8_t>& out);

/// Convenience: encodes into a fresh vector.
util::result<std::vector<std::uint8_t>, encode_error> encode(const pdu& p);

}  // namespace ussdgw::smpp
