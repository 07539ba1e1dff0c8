#pragma once
// The SMPP 3.4 PDUs ussdgw speaks, as plain values. No I/O, no allocation
// policy: the codec turns bytes into these and back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ussdgw::smpp {

/// SMPP command_id values used by ussdgw.
enum class command : std::uint32_t {
    generic_nack = 0x80000000,
    submit_sm = 0x00000004,
    submit_sm_resp = 0x80000004,
    deliver_sm = 0x00000005,
    deliver_sm_resp = 0x80000005,
    unbind = 0x00000006,
    unbind_resp = 0x80000006,
    bind_transceiver = 0x00000009,
    bind_transceiver_resp = 0x80000009,
    enquire_link = 0x00000015,
    enquire_link_resp = 0x80000015,
    data_sm = 0x00000103,
    data_sm_resp = 0x80000103,
};

/// True for the *_resp command ids and generic_nack (bit 31 set).
constexpr bool is_response(std::uint32_t command_id) {
    return (command_id & 0x80000000u) != 0;
}

/// Human-readable name of a command id ("deliver_sm"), or "0x%08x" for unknown ones.
std::string command_name(std::uint32_t command_id);

/// command_status values ussdgw reacts to.
namespace status {
inline constexpr std::uint32_t ok = 0x00000000;             ///< ESME_ROK
inline constexpr std::uint32_t invalid_msg_len = 0x01;      ///< ESME_RINVMSGLEN
inline constexpr std::uint32_t invalid_cmd_len = 0x02;      ///< ESME_RINVCMDLEN
inline constexpr std::uint32_t invalid_cmd_id = 0x03;       ///< ESME_RINVCMDID
inline constexpr std::uint32_t invalid_bind_status = 0x04;  ///< ESME_RINVBNDSTS
inline constexpr std::uint32_t already_bound = 0x05;        ///< ESME_RALYBND
inline constexpr std::uint32_t system_error = 0x08;         ///< ESME_RSYSERR
inline constexpr std::uint32_t bind_failed = 0x0D;          ///< ESME_RBINDFAIL
inline constexpr std::uint32_t invalid_password = 0x0E;     ///< ESME_RINVPASWD
inline constexpr std::uint32_t invalid_system_id = 0x0F;    ///< ESME_RINVSYSID
inline constexpr std::uint32_t msg_queue_full = 0x14;       ///< ESME_RMSGQFUL
inline constexpr std::uint32_t throttled = 0x58;            ///< ESME_RTHROTTLED
inline constexpr std::uint32_t invalid_optional = 0xC0;     ///< ESME_RINVOPTPARSTREAM
inline constexpr std::uint32_t unknown_error = 0xFF;        ///< ESME_RUNKNOWNERR
}  // namespace status

/// Human-readable name of a command_status ("ESME_RTHROTTLED"), or hex for others.
std::string status_name(std::uint32_t command_status);

/// True for statuses that mean "try again later" rather than "never".
constexpr bool is_temporary(std::uint32_t s) {
    return s == status::throttled || s == status::msg_queue_full;
}

/// Optional parameter tags ussdgw reads or writes.
namespace tag {
inline constexpr std::uint16_t user_message_reference = 0x0204;  ///< 2 octets
inline constexpr std::uint16_t sar_msg_ref_num = 0x020C;         ///< 2 octets
inline constexpr std::uint16_t sar_total_segments = 0x020E;      ///< 1 octet
inline constexpr std::uint16_t sar_segment_seqnum = 0x020F;      ///< 1 octet
inline constexpr std::uint16_t sc_interface_version = 0x0210;    ///< 1 octet
inline constexpr std::uint16_t message_payload = 0x0424;         ///< variable
inline constexpr std::uint16_t ussd_service_op = 0x0501;         ///< 1 octet
inline constexpr std::uint16_t its_session_info = 0x1383;        ///< 2 octets
}  // namespace tag

/// ussd_service_op values (TLV 0x0501).
namespace ussd_op {
inline constexpr std::uint8_t pssd_ind = 0;         ///< network-initiated PSSD indication
inline constexpr std::uint8_t pssr_ind = 1;         ///< subscriber dialled a string (dialog start)
inline constexpr std::uint8_t ussr_req = 2;         ///< request for input (dialog continues)
inline constexpr std::uint8_t ussn_req = 3;         ///< notification
inline constexpr std::uint8_t pssd_resp = 16;       ///< PSSD response
inline constexpr std::uint8_t pssr_resp = 17;       ///< final answer (dialog ends)
inline constexpr std::uint8_t ussr_conf = 18;       ///< subscriber's answer to a USSR
inline constexpr std::uint8_t ussn_conf = 19;       ///< notification confirmation
inline constexpr std::uint8_t user_release = 0x81;  ///< common vendor value: user aborted
}  // namespace ussd_op

/// One optional parameter (tag, length, value).
struct tlv {
    std::uint16_t tag = 0;            ///< parameter tag
    std::vector<std::uint8_t> value;  ///< raw value octets
    bool operator==(const tlv&) const = default;
};

/// Ordered list of optional parameters as they appear on the wire.
using tlv_list = std::vector<tlv>;

/// The first TLV with this tag, or nullptr.
const tlv* find_tlv(const tlv_list& tlvs, std::uint16_t tag);
/// A 1-octet TLV value, if present with length 1.
std::optional<std::uint8_t> tlv_u8(const tlv_list& tlvs, std::uint16_t tag);
/// A 2-octet big-endian TLV value, if present with length 2.
std::optional<std::uint16_t> tlv_u16(const tlv_list& tlvs, std::uint16_t tag);
/// Appends a 1-octet TLV.
void add_tlv_u8(tlv_list& tlvs, std::uint16_t tag, std::uint8_t v);
/// Appends a 2-octet big-endian TLV.
void add_tlv_u16(tlv_list& tlvs, std::uint16_t tag, std::uint16_t v);
/// Appends a TLV carrying raw octets.
void add_tlv_bytes(tlv_list& tlvs, std::uint16_t tag, std::string_view bytes);

/// Body of bind_transceiver.
struct bind_body {
    std::string system_id;                  ///< C-octet, max 15 characters
    std::string password;                   ///< C-octet, max 8 characters (a secret: never log)
    std::string system_type;                ///< C-octet, max 12 characters
    std::uint8_t interface_version = 0x34;  ///< 0x34 for SMPP 3.4
    std::uint8_t addr_ton = 0;              ///< type of number for address_range
    std::uint8_t addr_npi = 0;              ///< numbering plan for address_range
    std::string address_range;              ///< C-octet, max 40 characters
    bool operator==(const bind_body&) const = default;
};

/// Body of bind_transceiver_resp.
struct bind_resp_body {
    std::string system_id;  ///< SMSC identifier, max 15 characters (may be absent on error)
    tlv_list tlvs;          ///< e.g. sc_interface_version
    bool operator==(const bind_resp_body&) const = default;
};

/// Body shared by submit_sm and deliver_sm (identical layout in SMPP 3.4).
struct sm_body {
    std::string service_type;                  ///< C-octet, max 5 ("USSD" on many SMSCs)
    std::uint8_t source_addr_ton = 0;          ///< source TON
    std::uint8_t source_addr_npi = 0;          ///< source NPI
    std::string source_addr;                   ///< C-octet, max 20
    std::uint8_t dest_addr_ton = 0;            ///< destination TON
    std::uint8_t dest_addr_npi = 0;            ///< destination NPI
    std::string destination_addr;              ///< C-octet, max 20
    std::uint8_t esm_class = 0;                ///< message mode/type, UDHI bit 0x40
    std::uint8_t protocol_id = 0;              ///< GSM TP-PID
    std::uint8_t priority_flag = 0;            ///< 0..3
    std::string schedule_delivery_time;        ///< C-octet, empty or 16 characters
    std::string validity_period;               ///< C-octet, empty or 16 characters
    std::uint8_t registered_delivery = 0;      ///< receipt request flags
    std::uint8_t replace_if_present_flag = 0;  ///< 0 or 1
    std::uint8_t data_coding = 0;              ///< 0 SMSC default, 0x0F GSM7 USSD, 8 UCS2
    std::uint8_t sm_default_msg_id = 0;        ///< canned message id
    std::string short_message;                 ///< raw octets, max 254 (sm_length on the wire)
    tlv_list tlvs;                             ///< optional parameters
    bool operator==(const sm_body&) const = default;
};

/// Body of data_sm.
struct data_sm_body {
    std::string service_type;              ///< C-octet, max 5
    std::uint8_t source_addr_ton = 0;      ///< source TON
    std::uint8_t source_addr_npi = 0;      ///< source NPI
    std::string source_addr;               ///< C-octet, max 64
    std::uint8_t dest_addr_ton = 0;        ///< destination TON
    std::uint8_t dest_addr_npi = 0;        ///< destination NPI
    std::string destination_addr;          ///< C-octet, max 64
    std::uint8_t esm_class = 0;            ///< message mode/type
    std::uint8_t registered_delivery = 0;  ///< receipt request flags
    std::uint8_t data_coding = 0;          ///< alphabet
    tlv_list tlvs;                         ///< the text travels in message_payload
    bool operator==(const data_sm_body&) const = default;
};

/// Body of submit_sm_resp, deliver_sm_resp and data_sm_resp.
struct message_id_body {
    std::string message_id;  ///< C-octet, max 64; may be absent entirely on error responses
    tlv_list tlvs;           ///< data_sm_resp may carry TLVs
    bool operator==(const message_id_body&) const = default;
};

/// Commands with no body: unbind(+resp), enquire_link(+resp), generic_nack.
struct empty_body {
    bool operator==(const empty_body&) const = default;
};

/// The body of a PDU; which alternative is implied by command_id.
using body =
    std::variant<empty_body, bind_body, bind_resp_body, sm_body, data_sm_body, message_id_body>;

/// One decoded PDU (header fields plus body; command_length is computed on encode).
struct pdu {
    std::uint32_t command_id = 0;       ///< see smpp::command
    std::uint32_t command_status = 0;   ///< see smpp::status
    std::uint32_t sequence_number = 0;  ///< 1..0x7FFFFFFF
    smpp::body body;                    ///< alternative matching command_id
    bool operator==(const pdu&) const = default;
};

/// Builds a body-less PDU (enquire_link, unbind, their resps, generic_nack).
pdu make_empty(command id, std::uint32_t seq, std::uint32_t status = status::ok);

}  // namespace ussdgw::smpp
