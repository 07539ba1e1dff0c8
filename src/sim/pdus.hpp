#pragma once
// The simulator's SMPP side, built on libsmpp34 on purpose: ussdgw has its
// own codec, and end-to-end tests should cross two independent
// implementations. Everything here runs on the io_context thread only,
// because libsmpp34 keeps its error log in a global buffer.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ussdgw::sim {

/// SMPP command ids the simulator speaks.
namespace cmd {
inline constexpr std::uint32_t generic_nack = 0x80000000;       ///< generic_nack
inline constexpr std::uint32_t bind_receiver = 0x00000001;      ///< bind_receiver
inline constexpr std::uint32_t bind_transmitter = 0x00000002;   ///< bind_transmitter
inline constexpr std::uint32_t submit_sm = 0x00000004;          ///< submit_sm
inline constexpr std::uint32_t submit_sm_resp = 0x80000004;     ///< submit_sm_resp
inline constexpr std::uint32_t deliver_sm = 0x00000005;         ///< deliver_sm
inline constexpr std::uint32_t deliver_sm_resp = 0x80000005;    ///< deliver_sm_resp
inline constexpr std::uint32_t unbind = 0x00000006;             ///< unbind
inline constexpr std::uint32_t unbind_resp = 0x80000006;        ///< unbind_resp
inline constexpr std::uint32_t bind_transceiver = 0x00000009;   ///< bind_transceiver
inline constexpr std::uint32_t enquire_link = 0x00000015;       ///< enquire_link
inline constexpr std::uint32_t enquire_link_resp = 0x80000015;  ///< enquire_link_resp
inline constexpr std::uint32_t data_sm = 0x00000103;            ///< data_sm
inline constexpr std::uint32_t data_sm_resp = 0x80000103;       ///< data_sm_resp
/// The bit that marks a response.
inline constexpr std::uint32_t response_bit = 0x80000000;
}  // namespace cmd

/// SMPP command_status values the simulator sends.
namespace status {
inline constexpr std::uint32_t ok = 0x00;                  ///< ESME_ROK
inline constexpr std::uint32_t invalid_length = 0x02;      ///< ESME_RINVCMDLEN
inline constexpr std::uint32_t invalid_command = 0x03;     ///< ESME_RINVCMDID
inline constexpr std::uint32_t invalid_bind_state = 0x04;  ///< ESME_RINVBNDSTS
inline constexpr std::uint32_t already_bound = 0x05;       ///< ESME_RALYBND
inline constexpr std::uint32_t bind_failed = 0x0D;         ///< ESME_RBINDFAIL
inline constexpr std::uint32_t invalid_password = 0x0E;    ///< ESME_RINVPASWD
inline constexpr std::uint32_t invalid_system_id = 0x0F;   ///< ESME_RINVSYSID
inline constexpr std::uint32_t queue_full = 0x14;          ///< ESME_RMSGQFUL
inline constexpr std::uint32_t throttled = 0x58;           ///< ESME_RTHROTTLED
inline constexpr std::uint32_t bad_tlvs = 0xC0;            ///< ESME_RINVOPTPARSTREAM
}  // namespace status

/// TLV tags the simulator reads or writes.
namespace tag {
inline constexpr std::uint16_t user_message_reference = 0x0204;  ///< 2 octets
inline constexpr std::uint16_t sar_msg_ref_num = 0x020C;         ///< 2 octets
inline constexpr std::uint16_t sar_total_segments = 0x020E;      ///< 1 octet
inline constexpr std::uint16_t sar_segment_seqnum = 0x020F;      ///< 1 octet
inline constexpr std::uint16_t message_payload = 0x0424;         ///< octets
inline constexpr std::uint16_t ussd_service_op = 0x0501;         ///< 1 octet
inline constexpr std::uint16_t its_session_info = 0x1383;        ///< 2 octets
}  // namespace tag

/// Why a PDU could not be decoded or encoded.
struct pdu_failure {
    std::uint32_t status;  ///< command_status for the generic_nack that refuses it.
    std::string why;       ///< For the error line.
};
/// A failure, or nullopt when the PDU was decoded or encoded.
using pdu_error = std::optional<pdu_failure>;

/// The fields of a bind the simulator checks.
struct bind_request {
    std::string system_id;  ///< Who is binding.
    std::string password;   ///< Checked, never printed.
};

/// What the simulator reads from a submit_sm or data_sm (an MT message).
struct mt_pdu {
    std::string service_type;                       ///< "USSD" or empty, usually.
    std::string source_addr;                        ///< Sender (short number).
    std::string destination_addr;                   ///< The handset's MSISDN.
    std::uint8_t esm_class = 0;                     ///< 0x40 = short_message starts with a UDH.
    std::uint8_t data_coding = 0;                   ///< 0/1/0x0F GSM7, 3 Latin-1, 8 UCS-2.
    std::string short_message;                      ///< Raw octets.
    std::optional<std::string> message_payload;     ///< Raw octets of TLV 0x0424.
    std::optional<std::uint8_t> ussd_service_op;    ///< TLV 0x0501.
    std::optional<std::uint16_t> its_session_info;  ///< TLV 0x1383 (session << 8 | seq).
    std::optional<std::uint16_t> user_message_reference;  ///< TLV 0x0204.
    std::optional<std::uint16_t> sar_msg_ref_num;         ///< TLV 0x020C.
    std::optional<std::uint8_t> sar_total_segments;       ///< TLV 0x020E.
    std::optional<std::uint8_t> sar_segment_seqnum;       ///< TLV 0x020F.
};

/// What the simulator sends as a deliver_sm (an MO message).
struct mo_pdu {
    std::string service_type;                             ///< "USSD" (flag) or empty for SMS.
    std::string source_addr;                              ///< The handset's MSISDN (TON 1, NPI 1).
    std::string destination_addr;                         ///< Service code or short number.
    std::uint8_t data_coding = 0;                         ///< 0x0F/0 GSM7 unpacked, 8 UCS-2.
    std::string text;                                     ///< Encoded octets.
    std::optional<std::uint8_t> ussd_service_op;          ///< TLV 0x0501.
    std::optional<std::uint16_t> its_session_info;        ///< TLV 0x1383.
    std::optional<std::uint16_t> user_message_reference;  ///< TLV 0x0204.
};

/// Decodes a bind_transceiver (or _transmitter/_receiver) PDU.
pdu_error decode_bind(std::span<const std::uint8_t> frame, bind_request& out);
/// Decodes a submit_sm or data_sm PDU (the frame's command_id says which).
pdu_error decode_mt(std::span<const std::uint8_t> frame, mt_pdu& out);
/// Decodes a PDU with no body the simulator needs: enquire_link(_resp),
/// unbind(_resp), generic_nack, deliver_sm_resp.
pdu_error decode_plain(std::span<const std::uint8_t> frame);

/// Appends a deliver_sm.
pdu_error encode_deliver_sm(std::vector<std::uint8_t>& out, std::uint32_t sequence,
                            const mo_pdu& mo);
/// Appends a bind_*_resp (`command_id` is the response id).
pdu_error encode_bind_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                           std::uint32_t sequence, std::uint32_t status,
                           const std::string& system_id);
/// Appends a submit_sm_resp or data_sm_resp carrying `message_id`.
pdu_error encode_submit_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                             std::uint32_t sequence, std::uint32_t status,
                             const std::string& message_id);
/// Appends a header-only PDU: enquire_link(_resp), unbind(_resp), generic_nack.
pdu_error encode_plain(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                       std::uint32_t sequence, std::uint32_t status);

/// A short name for a command id, for messages ("submit_sm", "0x00000042").
std::string command_name(std::uint32_t command_id);

}  // namespace ussdgw::sim
