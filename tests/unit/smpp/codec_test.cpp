// Covers smpp/codec (check_frame, decode, encode) and the pdu.hpp helpers with
// byte literals, one commented line per field (the PowerDNS dnsdist style): every
// PDU type ussdgw speaks decodes to the expected fields and encodes back to the
// identical octets; malformed input (bad lengths, every truncation of a
// deliver_sm, unterminated or oversized strings, bad sm_length and TLVs, unknown
// commands, trailing bytes) is refused as a value; bad values refuse to encode.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/pdu.hpp"

using namespace ussdgw::smpp;

namespace {

using bytes = std::vector<std::uint8_t>;

std::string hex(const bytes& b) {
    static const char digits[] = "0123456789ABCDEF";
    std::string s;
    for (auto c : b) {
        if (!s.empty()) s += ' ';
        s += digits[c >> 4];
        s += digits[c & 0xF];
    }
    return s;
}

// A 16-octet header, for tests that loop over header values.
bytes header(std::uint32_t len, std::uint32_t id, std::uint32_t st, std::uint32_t seq) {
    bytes h;
    for (std::uint32_t v : {len, id, st, seq})
        for (int shift = 24; shift >= 0; shift -= 8)
            h.push_back(static_cast<std::uint8_t>(v >> shift));
    return h;
}

// Decodes `wire` (copied to an exactly-sized heap buffer, so ASan sees any over-read).
pdu decode_ok(const bytes& wire) {
    const bytes copy(wire);
    auto r = decode(copy);
    if (!r) FAIL("decode refused: " << to_string(r.error().error));
    return *r;
}

decode_failure decode_fails(const bytes& wire) {
    const bytes copy(wire);
    auto r = decode(copy);
    if (r) FAIL("decode accepted " << hex(wire));
    return r.error();
}

// Encodes `p` and requires the result to equal `want`, octet for octet.
void check_encodes_to(const pdu& p, const bytes& want) {
    auto r = encode(p);
    if (!r) FAIL("encode refused: " << to_string(r.error()));
    CHECK(hex(*r) == hex(want));
}

bytes with_length(bytes b, std::uint32_t len) {
    b[0] = static_cast<std::uint8_t>(len >> 24);
    b[1] = static_cast<std::uint8_t>(len >> 16);
    b[2] = static_cast<std::uint8_t>(len >> 8);
    b[3] = static_cast<std::uint8_t>(len);
    return b;
}

bytes cat(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bytes str(const std::string& s) {
    return bytes(s.begin(), s.end());
}

const sm_body& sm(const pdu& p) {
    return std::get<sm_body>(p.body);
}

// The USSD deliver_sm a subscriber's "*111#" arrives as.
const bytes deliver_sm_ussd = {
    0x00, 0x00, 0x00, 0x49,        // command_length 73
    0x00, 0x00, 0x00, 0x05,        // command_id deliver_sm
    0x00, 0x00, 0x00, 0x00,        // command_status ESME_ROK
    0x00, 0x00, 0x00, 0x01,        // sequence_number 1
    'U',  'S',  'S',  'D',  0x00,  // service_type "USSD"
    0x01,                          // source_addr_ton international
    0x01,                          // source_addr_npi ISDN
    '7',  '9',  '1',  '6',  '1',  '2', '3', '4', '5', '6', '7', 0x00,  // source_addr
    0x00,                                                              // dest_addr_ton unknown
    0x00,                                                              // dest_addr_npi unknown
    '1',  '1',  '1',  0x00,                                            // destination_addr "111"
    0x00,                                                              // esm_class
    0x00,                                                              // protocol_id
    0x00,                                                              // priority_flag
    0x00,                                                              // schedule_delivery_time ""
    0x00,                                                              // validity_period ""
    0x00,                                                              // registered_delivery
    0x00,                                                              // replace_if_present_flag
    0x0F,                                                              // data_coding GSM7 (USSD)
    0x00,                                                              // sm_default_msg_id
    0x05,                                                              // sm_length 5
    '*',  '1',  '1',  '1',  '#',                                       // short_message "*111#"
    0x05, 0x01,                                                        // tag ussd_service_op
    0x00, 0x01,                                                        // length 1
    0x01,                                                              // PSSR indication
    0x13, 0x83,                                                        // tag its_session_info
    0x00, 0x02,                                                        // length 2
    0x2A, 0x00,                                                        // session 42, sequence 0
    0x02, 0x04,                                                        // tag user_message_reference
    0x00, 0x02,                                                        // length 2
    0x30, 0x39,                                                        // 12345
};
// Offsets at which deliver_sm_ussd's body ends cleanly (before each TLV, and at the end).
const std::size_t deliver_sm_ussd_tlv_starts[] = {56, 61, 67, 73};

}  // namespace

TEST_CASE("bind_transceiver") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x27,                   // command_length 39
        0x00, 0x00, 0x00, 0x09,                   // command_id bind_transceiver
        0x00, 0x00, 0x00, 0x00,                   // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x01,                   // sequence_number 1
        'u',  's',  's',  'd',  'g',  'w', 0x00,  // system_id "ussdgw"
        's',  'e',  'c',  'r',  'e',  't', 0x00,  // password "secret"
        'U',  'S',  'S',  'D',  0x00,             // system_type "USSD"
        0x34,                                     // interface_version 3.4
        0x01,                                     // addr_ton international
        0x01,                                     // addr_npi ISDN
        0x00,                                     // address_range ""
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x00000009u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 1u);
    REQUIRE(std::holds_alternative<bind_body>(p.body));
    const auto& b = std::get<bind_body>(p.body);
    CHECK(b.system_id == "ussdgw");
    CHECK(b.password == "secret");
    CHECK(b.system_type == "USSD");
    CHECK(b.interface_version == 0x34);
    CHECK(b.addr_ton == 1);
    CHECK(b.addr_npi == 1);
    CHECK(b.address_range == "");
    check_encodes_to(p, wire);
}

TEST_CASE("bind_transceiver with interface_version 0x50 and an address_range") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x21,                   // command_length 33
        0x00, 0x00, 0x00, 0x09,                   // command_id bind_transceiver
        0x00, 0x00, 0x00, 0x00,                   // command_status ESME_ROK
        0x7F, 0xFF, 0xFF, 0xFF,                   // sequence_number 0x7FFFFFFF (the maximum)
        'e',  's',  'm',  'e',  0x00,             // system_id "esme"
        0x00,                                     // password ""
        0x00,                                     // system_type ""
        0x50,                                     // interface_version 5.0 (some SMSCs send it)
        0x02,                                     // addr_ton national
        0x08,                                     // addr_npi national
        '^',  '7',  '9',  '1',  '.',  '*', 0x00,  // address_range "^791.*"
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x00000009u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 0x7FFFFFFFu);
    const auto& b = std::get<bind_body>(p.body);
    CHECK(b.system_id == "esme");
    CHECK(b.password == "");
    CHECK(b.system_type == "");
    CHECK(b.interface_version == 0x50);
    CHECK(b.addr_ton == 2);
    CHECK(b.addr_npi == 8);
    CHECK(b.address_range == "^791.*");
    check_encodes_to(p, wire);
    // bind_transceiver has no TLVs: anything after address_range is trailing.
    auto f = decode_fails(with_length(cat(wire, {0x02, 0x10, 0x00}), 36));
    CHECK(f.error == decode_error::trailing_bytes);
    CHECK(f.command_id == 0x00000009u);
    CHECK(f.sequence_number == 0x7FFFFFFFu);
}

TEST_CASE("bind_transceiver_resp with sc_interface_version") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x1A,        // command_length 26
        0x80, 0x00, 0x00, 0x09,        // command_id bind_transceiver_resp
        0x00, 0x00, 0x00, 0x00,        // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x01,        // sequence_number 1
        'S',  'M',  'S',  'C',  0x00,  // system_id "SMSC"
        0x02, 0x10,                    // tag sc_interface_version
        0x00, 0x01,                    // length 1
        0x34,                          // 3.4
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000009u);
    CHECK(is_response(p.command_id));
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 1u);
    const auto& b = std::get<bind_resp_body>(p.body);
    CHECK(b.system_id == "SMSC");
    REQUIRE(b.tlvs.size() == 1);
    CHECK(b.tlvs[0].tag == tag::sc_interface_version);
    CHECK(b.tlvs[0].value == bytes{0x34});
    CHECK(tlv_u8(b.tlvs, tag::sc_interface_version) == 0x34);
    check_encodes_to(p, wire);
}

TEST_CASE("bind_transceiver_resp with an empty body on error") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x10,  // command_length 16 (no body at all)
        0x80, 0x00, 0x00, 0x09,  // command_id bind_transceiver_resp
        0x00, 0x00, 0x00, 0x0E,  // command_status ESME_RINVPASWD
        0x00, 0x00, 0x00, 0x01,  // sequence_number 1
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000009u);
    CHECK(p.command_status == status::invalid_password);
    CHECK(p.sequence_number == 1u);
    const auto& b = std::get<bind_resp_body>(p.body);
    CHECK(b.system_id == "");
    CHECK(b.tlvs.empty());
    // The value has no "absent" marker: it encodes with the NUL of an empty
    // system_id (17 octets, as libsmpp34 packs it), which decodes to the same value.
    const bytes with_nul = cat(with_length(wire, 17), {0x00});
    check_encodes_to(p, with_nul);
    CHECK(decode_ok(with_nul) == p);
}

TEST_CASE("unbind - unbind_resp - enquire_link - enquire_link_resp - generic_nack") {
    struct tc {
        bytes wire;
        command id;
        std::uint32_t status;
        std::uint32_t seq;
    };
    const tc cases[] = {
        {{
             0x00, 0x00, 0x00, 0x10,  // command_length 16
             0x00, 0x00, 0x00, 0x06,  // command_id unbind
             0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
             0x00, 0x00, 0x00, 0x05,  // sequence_number 5
         },
         command::unbind,
         status::ok,
         5},
        {{
             0x00, 0x00, 0x00, 0x10,  // command_length 16
             0x80, 0x00, 0x00, 0x06,  // command_id unbind_resp
             0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
             0x00, 0x00, 0x00, 0x05,  // sequence_number 5
         },
         command::unbind_resp,
         status::ok,
         5},
        {{
             0x00, 0x00, 0x00, 0x10,  // command_length 16
             0x00, 0x00, 0x00, 0x15,  // command_id enquire_link
             0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
             0x00, 0x01, 0x02, 0x03,  // sequence_number 66051
         },
         command::enquire_link,
         status::ok,
         66051},
        {{
             0x00, 0x00, 0x00, 0x10,  // command_length 16
             0x80, 0x00, 0x00, 0x15,  // command_id enquire_link_resp
             0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
             0x00, 0x01, 0x02, 0x03,  // sequence_number 66051
         },
         command::enquire_link_resp,
         status::ok,
         66051},
        {{
             0x00, 0x00, 0x00, 0x10,  // command_length 16
             0x80, 0x00, 0x00, 0x00,  // command_id generic_nack
             0x00, 0x00, 0x00, 0x03,  // command_status ESME_RINVCMDID
             0x00, 0x00, 0x00, 0x09,  // sequence_number 9
         },
         command::generic_nack,
         status::invalid_cmd_id,
         9},
    };
    for (const auto& c : cases) {
        CAPTURE(command_name(static_cast<std::uint32_t>(c.id)));
        pdu p = decode_ok(c.wire);
        CHECK(p.command_id == static_cast<std::uint32_t>(c.id));
        CHECK(p.command_status == c.status);
        CHECK(p.sequence_number == c.seq);
        CHECK(std::holds_alternative<empty_body>(p.body));
        CHECK(p == make_empty(c.id, c.seq, c.status));
        check_encodes_to(p, c.wire);
    }
}

TEST_CASE("submit_sm: USSD reply with validity_period and USSD TLVs") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x5C,        // command_length 92
        0x00, 0x00, 0x00, 0x04,        // command_id submit_sm
        0x00, 0x00, 0x00, 0x00,        // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x02,        // sequence_number 2
        'U',  'S',  'S',  'D',  0x00,  // service_type "USSD"
        0x00,                          // source_addr_ton unknown
        0x01,                          // source_addr_npi ISDN
        '1',  '1',  '1',  0x00,        // source_addr "111"
        0x01,                          // dest_addr_ton international
        0x01,                          // dest_addr_npi ISDN
        '7',  '9',  '1',  '6',  '1',  '2', '3', '4', '5', '6', '7', 0x00,  // destination_addr
        0x00,                                                              // esm_class
        0x00,                                                              // protocol_id
        0x01,                                                              // priority_flag 1
        0x00,  // schedule_delivery_time ""
        '0',  '0',  '0',  '0',  '0',  '0', '0', '0', '1', '0', '0', '0',  // validity_period
        '0',  '0',  '0',  'R',  0x00,                                     //   "000000001000000R"
        0x01,                                                             // registered_delivery 1
        0x00,                                                             // replace_if_present_flag
        0x0F,                                                             // data_coding GSM7 (USSD)
        0x00,                                                             // sm_default_msg_id
        0x0E,                                                             // sm_length 14
        'B',  'a',  'l',  'a',  'n',  'c', 'e', ':', ' ', '1', '0', '.',
        '0',  '0',   // short_message
        0x05, 0x01,  // tag ussd_service_op
        0x00, 0x01,  // length 1
        0x11,        // PSSR response (17, final)
        0x13, 0x83,  // tag its_session_info
        0x00, 0x02,  // length 2
        0x2A, 0x01,  // session 42, end of session
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x00000004u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 2u);
    REQUIRE(std::holds_alternative<sm_body>(p.body));
    const auto& b = sm(p);
    CHECK(b.service_type == "USSD");
    CHECK(b.source_addr_ton == 0);
    CHECK(b.source_addr_npi == 1);
    CHECK(b.source_addr == "111");
    CHECK(b.dest_addr_ton == 1);
    CHECK(b.dest_addr_npi == 1);
    CHECK(b.destination_addr == "79161234567");
    CHECK(b.esm_class == 0);
    CHECK(b.protocol_id == 0);
    CHECK(b.priority_flag == 1);
    CHECK(b.schedule_delivery_time == "");
    CHECK(b.validity_period == "000000001000000R");
    CHECK(b.registered_delivery == 1);
    CHECK(b.replace_if_present_flag == 0);
    CHECK(b.data_coding == 0x0F);
    CHECK(b.sm_default_msg_id == 0);
    CHECK(b.short_message == "Balance: 10.00");
    REQUIRE(b.tlvs.size() == 2);
    CHECK(b.tlvs[0] == tlv{tag::ussd_service_op, {0x11}});
    CHECK(b.tlvs[1] == tlv{tag::its_session_info, {0x2A, 0x01}});
    CHECK(tlv_u8(b.tlvs, tag::ussd_service_op) == ussd_op::pssr_resp);
    CHECK(tlv_u16(b.tlvs, tag::its_session_info) == 0x2A01);
    check_encodes_to(p, wire);
}

TEST_CASE("submit_sm_resp with a message_id") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x19,                            // command_length 25
        0x80, 0x00, 0x00, 0x04,                            // command_id submit_sm_resp
        0x00, 0x00, 0x00, 0x00,                            // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x02,                            // sequence_number 2
        '0',  'A',  '1',  'B',  '2', 'C', '3', 'D', 0x00,  // message_id "0A1B2C3D"
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000004u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 2u);
    const auto& b = std::get<message_id_body>(p.body);
    CHECK(b.message_id == "0A1B2C3D");
    CHECK(b.tlvs.empty());
    check_encodes_to(p, wire);
}

TEST_CASE("submit_sm_resp with an empty body on an error status (real SMSCs send it)") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x10,  // command_length 16 (no message_id at all)
        0x80, 0x00, 0x00, 0x04,  // command_id submit_sm_resp
        0x00, 0x00, 0x00, 0x58,  // command_status ESME_RTHROTTLED
        0x00, 0x00, 0x00, 0x02,  // sequence_number 2
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000004u);
    CHECK(p.command_status == status::throttled);
    CHECK(is_temporary(p.command_status));
    CHECK(p.sequence_number == 2u);
    const auto& b = std::get<message_id_body>(p.body);
    CHECK(b.message_id == "");
    CHECK(b.tlvs.empty());
    // The same with a NUL message_id (what ESME_RMSGQFUL often comes as) decodes alike.
    const bytes with_nul = cat(with_length(wire, 17), {0x00});
    pdu q = decode_ok(with_nul);
    CHECK(std::get<message_id_body>(q.body).message_id == "");
    CHECK(q == p);
    // Our encoder always writes the C-octet NUL.
    check_encodes_to(p, with_nul);
}

TEST_CASE("deliver_sm: USSD with ussd_service_op - its_session_info - user_message_reference") {
    pdu p = decode_ok(deliver_sm_ussd);
    CHECK(p.command_id == 0x00000005u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 1u);
    REQUIRE(std::holds_alternative<sm_body>(p.body));
    const auto& b = sm(p);
    CHECK(b.service_type == "USSD");
    CHECK(b.source_addr_ton == 1);
    CHECK(b.source_addr_npi == 1);
    CHECK(b.source_addr == "79161234567");
    CHECK(b.dest_addr_ton == 0);
    CHECK(b.dest_addr_npi == 0);
    CHECK(b.destination_addr == "111");
    CHECK(b.esm_class == 0);
    CHECK(b.protocol_id == 0);
    CHECK(b.priority_flag == 0);
    CHECK(b.schedule_delivery_time == "");
    CHECK(b.validity_period == "");
    CHECK(b.registered_delivery == 0);
    CHECK(b.replace_if_present_flag == 0);
    CHECK(b.data_coding == 0x0F);
    CHECK(b.sm_default_msg_id == 0);
    CHECK(b.short_message == "*111#");
    REQUIRE(b.tlvs.size() == 3);
    CHECK(b.tlvs[0] == tlv{tag::ussd_service_op, {0x01}});
    CHECK(b.tlvs[1] == tlv{tag::its_session_info, {0x2A, 0x00}});
    CHECK(b.tlvs[2] == tlv{tag::user_message_reference, {0x30, 0x39}});
    CHECK(tlv_u8(b.tlvs, tag::ussd_service_op) == ussd_op::pssr_ind);
    CHECK(tlv_u16(b.tlvs, tag::its_session_info) == 0x2A00);
    CHECK(tlv_u16(b.tlvs, tag::user_message_reference) == 12345);
    check_encodes_to(p, deliver_sm_ussd);
}

TEST_CASE("deliver_sm: concatenated UCS-2 SMS in message_payload with SAR TLVs") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x50,  // command_length 80
        0x00, 0x00, 0x00, 0x05,  // command_id deliver_sm
        0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x03,  // sequence_number 3
        0x00,                    // service_type ""
        0x01,                    // source_addr_ton international
        0x01,                    // source_addr_npi ISDN
        '7',  '9',  '1',  '6',  '1',  '2',  '3', '4', '5', '6', '7', 0x00,  // source_addr
        0x00,                                                               // dest_addr_ton unknown
        0x01,                                                               // dest_addr_npi ISDN
        '3',  '3',  '3',  '9',  0x00,        // destination_addr "3339"
        0x00,                                // esm_class
        0x00,                                // protocol_id
        0x00,                                // priority_flag
        0x00,                                // schedule_delivery_time ""
        0x00,                                // validity_period ""
        0x00,                                // registered_delivery
        0x00,                                // replace_if_present_flag
        0x08,                                // data_coding UCS-2
        0x00,                                // sm_default_msg_id
        0x00,                                // sm_length 0 (text in TLV)
        0x02, 0x0C,                          // tag sar_msg_ref_num
        0x00, 0x02,                          // length 2
        0x12, 0x34,                          // 0x1234
        0x02, 0x0E,                          // tag sar_total_segments
        0x00, 0x01,                          // length 1
        0x02,                                // 2 segments
        0x02, 0x0F,                          // tag sar_segment_seqnum
        0x00, 0x01,                          // length 1
        0x01,                                // segment 1
        0x04, 0x24,                          // tag message_payload
        0x00, 0x0C,                          // length 12
        0x04, 0x1F, 0x04, 0x40, 0x04, 0x38,  // "При" (UCS-2)
        0x04, 0x32, 0x04, 0x35, 0x04, 0x42,  // "вет"
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x00000005u);
    CHECK(p.sequence_number == 3u);
    const auto& b = sm(p);
    CHECK(b.service_type == "");
    CHECK(b.source_addr_ton == 1);
    CHECK(b.source_addr_npi == 1);
    CHECK(b.source_addr == "79161234567");
    CHECK(b.dest_addr_ton == 0);
    CHECK(b.dest_addr_npi == 1);
    CHECK(b.destination_addr == "3339");
    CHECK(b.esm_class == 0);
    CHECK(b.protocol_id == 0);
    CHECK(b.priority_flag == 0);
    CHECK(b.schedule_delivery_time == "");
    CHECK(b.validity_period == "");
    CHECK(b.registered_delivery == 0);
    CHECK(b.replace_if_present_flag == 0);
    CHECK(b.data_coding == 0x08);
    CHECK(b.sm_default_msg_id == 0);
    CHECK(b.short_message.empty());
    REQUIRE(b.tlvs.size() == 4);
    CHECK(tlv_u16(b.tlvs, tag::sar_msg_ref_num) == 0x1234);
    CHECK(tlv_u8(b.tlvs, tag::sar_total_segments) == 2);
    CHECK(tlv_u8(b.tlvs, tag::sar_segment_seqnum) == 1);
    const tlv* payload = find_tlv(b.tlvs, tag::message_payload);
    REQUIRE(payload != nullptr);
    CHECK(payload->value ==
          bytes{0x04, 0x1F, 0x04, 0x40, 0x04, 0x38, 0x04, 0x32, 0x04, 0x35, 0x04, 0x42});
    CHECK(b.tlvs[3].tag == tag::message_payload);
    check_encodes_to(p, wire);
}

TEST_CASE("deliver_sm_resp") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x11,  // command_length 17
        0x80, 0x00, 0x00, 0x05,  // command_id deliver_sm_resp
        0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x01,  // sequence_number 1
        0x00,                    // message_id "" (unused, NULL)
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000005u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 1u);
    const auto& b = std::get<message_id_body>(p.body);
    CHECK(b.message_id == "");
    CHECK(b.tlvs.empty());
    check_encodes_to(p, wire);
}

TEST_CASE("data_sm: USSD text in message_payload") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x3C,  // command_length 60
        0x00, 0x00, 0x01, 0x03,  // command_id data_sm
        0x00, 0x00, 0x00, 0x00,  // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x04,  // sequence_number 4
        0x00,                    // service_type ""
        0x01,                    // source_addr_ton international
        0x01,                    // source_addr_npi ISDN
        '7',  '9',  '1',  '6',  '1', '2', '3', '4', '5', '6', '7', 0x00,  // source_addr
        0x00,                                                             // dest_addr_ton unknown
        0x00,                                                             // dest_addr_npi unknown
        '1',  '1',  '1',  0x00,                                           // destination_addr "111"
        0x00,                                                             // esm_class
        0x00,                                                             // registered_delivery
        0x0F,                                                             // data_coding GSM7 (USSD)
        0x04, 0x24,                                                       // tag message_payload
        0x00, 0x05,                                                       // length 5
        '*',  '1',  '1',  '1',  '#',                                      // "*111#"
        0x05, 0x01,                                                       // tag ussd_service_op
        0x00, 0x01,                                                       // length 1
        0x01,                                                             // PSSR indication
        0x13, 0x83,                                                       // tag its_session_info
        0x00, 0x02,                                                       // length 2
        0x00, 0x07,                                                       // session 0, sequence 7
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x00000103u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 4u);
    REQUIRE(std::holds_alternative<data_sm_body>(p.body));
    const auto& b = std::get<data_sm_body>(p.body);
    CHECK(b.service_type == "");
    CHECK(b.source_addr_ton == 1);
    CHECK(b.source_addr_npi == 1);
    CHECK(b.source_addr == "79161234567");
    CHECK(b.dest_addr_ton == 0);
    CHECK(b.dest_addr_npi == 0);
    CHECK(b.destination_addr == "111");
    CHECK(b.esm_class == 0);
    CHECK(b.registered_delivery == 0);
    CHECK(b.data_coding == 0x0F);
    REQUIRE(b.tlvs.size() == 3);
    CHECK(b.tlvs[0] == tlv{tag::message_payload, str("*111#")});
    CHECK(tlv_u8(b.tlvs, tag::ussd_service_op) == ussd_op::pssr_ind);
    CHECK(tlv_u16(b.tlvs, tag::its_session_info) == 7);
    check_encodes_to(p, wire);
}

TEST_CASE("data_sm_resp with a TLV") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x1A,        // command_length 26
        0x80, 0x00, 0x01, 0x03,        // command_id data_sm_resp
        0x00, 0x00, 0x00, 0x00,        // command_status ESME_ROK
        0x00, 0x00, 0x00, 0x04,        // sequence_number 4
        'm',  '-',  '4',  '2',  0x00,  // message_id "m-42"
        0x04, 0x25,                    // tag delivery_failure_reason
        0x00, 0x01,                    // length 1
        0x00,                          // destination unavailable
    };
    pdu p = decode_ok(wire);
    CHECK(p.command_id == 0x80000103u);
    CHECK(p.command_status == status::ok);
    CHECK(p.sequence_number == 4u);
    const auto& b = std::get<message_id_body>(p.body);
    CHECK(b.message_id == "m-42");
    REQUIRE(b.tlvs.size() == 1);
    CHECK(b.tlvs[0] == tlv{0x0425, {0x00}});
    check_encodes_to(p, wire);
}

TEST_CASE("vendor command_status values are accepted and preserved") {
    for (std::uint32_t st : {0x00000400u, 0x000004FFu, 0x00000058u, 0x00000014u, 0xFFFFFFFFu}) {
        // deliver_sm_resp, command_length 17, sequence_number 11, message_id "".
        const bytes wire = cat(header(17, 0x80000005, st, 11), {0x00});
        CAPTURE(st);
        pdu p = decode_ok(wire);
        CHECK(p.command_status == st);
        CHECK(p.sequence_number == 11u);
        check_encodes_to(p, wire);
    }
    CHECK(status_name(0x400) == "0x00000400");
    CHECK(status_name(status::throttled) == "ESME_RTHROTTLED");
    CHECK(is_temporary(status::msg_queue_full));
    CHECK_FALSE(is_temporary(0x400));
}

TEST_CASE("decode refuses command_length below 16") {
    // A full 16-octet header that claims 15: the header fields are still reported.
    const bytes claims_15 = {
        0x00, 0x00, 0x00, 0x0F,  // command_length 15
        0x00, 0x00, 0x00, 0x15,  // command_id enquire_link
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x07,  // sequence_number 7
    };
    auto f = decode_fails(claims_15);
    CHECK(f.error == decode_error::length_too_small);
    CHECK(f.command_id == 0x15u);
    CHECK(f.sequence_number == 7u);
    CHECK(decode_fails(with_length(claims_15, 0)).error == decode_error::length_too_small);
    // Fewer than 16 octets: nothing can be read.
    auto g = decode_fails(bytes(claims_15.begin(), claims_15.end() - 1));
    CHECK(g.error == decode_error::length_too_small);
    CHECK(decode_fails({}).error == decode_error::length_too_small);
}

TEST_CASE("decode refuses a command_length that disagrees with the frame") {
    const bytes el = {
        0x00, 0x00, 0x00, 0x10,  // command_length 16
        0x00, 0x00, 0x00, 0x15,  // command_id enquire_link
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x2A,  // sequence_number 42
    };
    auto longer = decode_fails(with_length(el, 20));  // claims more than given
    CHECK(longer.error == decode_error::truncated);
    CHECK(longer.command_id == 0x15u);
    CHECK(longer.sequence_number == 42u);
    auto shorter = decode_fails(cat(el, {0x00}));  // one octet more than claimed
    CHECK(shorter.error == decode_error::trailing_bytes);
    CHECK(shorter.sequence_number == 42u);
}

TEST_CASE("decode refuses trailing bytes on enquire_link") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x11,  // command_length 17
        0x00, 0x00, 0x00, 0x15,  // command_id enquire_link
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x08,  // sequence_number 8
        0x00,                    // a body enquire_link must not have
    };
    auto f = decode_fails(wire);
    CHECK(f.error == decode_error::trailing_bytes);
    CHECK(f.command_id == 0x15u);
    CHECK(f.sequence_number == 8u);
    for (std::uint32_t id : {0x80000015u, 0x00000006u, 0x80000006u, 0x80000000u}) {
        bytes w = wire;
        w[4] = static_cast<std::uint8_t>(id >> 24);
        w[7] = static_cast<std::uint8_t>(id);
        CAPTURE(id);
        CHECK(decode_fails(w).error == decode_error::trailing_bytes);
    }
}

TEST_CASE("decode: unknown command_id carries command_id and sequence_number") {
    for (std::uint32_t id : {0x00000003u /* query_sm */, 0x80000003u, 0x00000002u /* bind_tx */,
                             0x00000021u /* submit_multi */, 0x00010200u, 0xFFFFFFFFu}) {
        // command_length 20, command_status 0, sequence_number 12345, body "abc\0".
        const bytes wire = cat(header(20, id, 0, 12345), str(std::string("abc\0", 4)));
        CAPTURE(id);
        auto f = decode_fails(wire);
        CHECK(f.error == decode_error::unknown_command);
        CHECK(f.command_id == id);
        CHECK(f.sequence_number == 12345u);
    }
}

TEST_CASE("decode: every truncation of a valid deliver_sm is refused - never a crash") {
    const std::size_t n = deliver_sm_ussd.size();
    REQUIRE(n == 73);
    // Prefixes as they arrive (command_length still says 73).
    for (std::size_t k = 0; k < n; ++k) {
        CAPTURE(k);
        auto f = decode_fails(bytes(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + k));
        CHECK(f.error ==
              (k < header_size ? decode_error::length_too_small : decode_error::truncated));
        if (k >= header_size) {
            CHECK(f.command_id == 0x05u);
            CHECK(f.sequence_number == 1u);
        }
    }
    // Prefixes whose command_length was patched to match, so the body parser
    // itself meets the cut: only cuts at a TLV boundary form a valid PDU.
    for (std::size_t k = header_size; k < n; ++k) {
        CAPTURE(k);
        bytes cut = with_length(bytes(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + k),
                                static_cast<std::uint32_t>(k));
        bool boundary = false;
        for (auto s : deliver_sm_ussd_tlv_starts) boundary = boundary || s == k;
        const bytes copy(cut);
        auto r = decode(copy);
        CHECK(r.has_value() == boundary);
        if (r) {
            CHECK(sm(*r).short_message == "*111#");
            CHECK(sm(*r).tlvs.size() < 3);
        } else {
            CHECK(r.error().command_id == 0x05u);
            CHECK(r.error().sequence_number == 1u);
            // Cuts inside the TLV area are bad_tlv; cuts inside the body are not.
            if (k > 56)
                CHECK(r.error().error == decode_error::bad_tlv);
            else
                CHECK(r.error().error != decode_error::bad_tlv);
        }
    }
}

TEST_CASE("decode: a C-octet string missing its NUL") {
    const bytes wire = {
        0x00, 0x00, 0x00, 0x1A,  // command_length 26
        0x00, 0x00, 0x00, 0x09,  // command_id bind_transceiver
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x01,  // sequence_number 1
        'a',  0x00,              // system_id "a"
        0x00,                    // password ""
        0x00,                    // system_type ""
        0x34,                    // interface_version
        0x00,                    // addr_ton
        0x00,                    // addr_npi
        '7',  '9',  '1',         // address_range "791" with no NUL before the end
    };
    auto f = decode_fails(wire);
    CHECK(f.error == decode_error::unterminated_string);
    CHECK(f.command_id == 0x09u);
    CHECK(f.sequence_number == 1u);
    // A submit_sm that ends inside its service_type.
    const bytes cut = {
        0x00, 0x00, 0x00, 0x13,  // command_length 19
        0x00, 0x00, 0x00, 0x04,  // command_id submit_sm
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x01,  // sequence_number 1
        'U',  'S',  'S',         // service_type "USS" with no NUL
    };
    CHECK(decode_fails(cut).error == decode_error::unterminated_string);
}

TEST_CASE("decode: a string longer than its SMPP maximum") {
    // system_id of 16 characters (maximum 15 + NUL).
    bytes bind = {
        0x00, 0x00, 0x00, 0x00,  // command_length (set below)
        0x00, 0x00, 0x00, 0x09,  // command_id bind_transceiver
        0x00, 0x00, 0x00, 0x00,  // command_status
        0x00, 0x00, 0x00, 0x01,  // sequence_number 1
    };
    bind = cat(bind, str("0123456789ABCDEF"));  // system_id: 16 characters
    bind = cat(bind, {0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00});
    bind = with_length(bind, static_cast<std::uint32_t>(bind.size()));
    CHECK(decode_fails(bind).error == decode_error::field_too_long);
    // 15 characters is fine.
    bytes ok = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    ok = cat(ok, str("0123456789ABCDE"));
    ok = cat(ok, {0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00});
    ok = with_length(ok, static_cast<std::uint32_t>(ok.size()));
    CHECK(std::get<bind_body>(decode_ok(ok).body).system_id == "0123456789ABCDE");

    // deliver_sm with a 6-character service_type (maximum 5).
    bytes d(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 16);
    d = cat(d, str("USSDXX"));
    d = cat(d, bytes(deliver_sm_ussd.begin() + 20, deliver_sm_ussd.end()));
    d = with_length(d, static_cast<std::uint32_t>(d.size()));
    CHECK(decode_fails(d).error == decode_error::field_too_long);

    // submit_sm_resp with a 65-character message_id (maximum 64).
    bytes r = {0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x04,
               0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    r = cat(r, str(std::string(65, 'x')));
    r = cat(r, {0x00});
    r = with_length(r, static_cast<std::uint32_t>(r.size()));
    CHECK(decode_fails(r).error == decode_error::field_too_long);
    r.erase(r.begin() + 16);
    r = with_length(r, static_cast<std::uint32_t>(r.size()));
    CHECK(std::get<message_id_body>(decode_ok(r).body).message_id == std::string(64, 'x'));
}

TEST_CASE("decode: sm_length past the end - and above 254") {
    // deliver_sm_ussd without TLVs, with sm_length raised to 10 (5 octets follow).
    bytes d(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 56);
    d = with_length(d, 56);
    REQUIRE(d[50] == 0x05);  // sm_length
    d[50] = 0x0A;
    auto f = decode_fails(d);
    CHECK(f.error == decode_error::truncated);
    CHECK(f.command_id == 0x05u);
    CHECK(f.sequence_number == 1u);
    // sm_length 255 is above the SMPP maximum even when 255 octets follow.
    bytes big(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 51);
    big[50] = 0xFF;
    big = cat(big, bytes(255, 'a'));
    big = with_length(big, static_cast<std::uint32_t>(big.size()));
    CHECK(decode_fails(big).error == decode_error::field_too_long);
    // 254 is the largest accepted.
    big[50] = 0xFE;
    big.pop_back();
    big = with_length(big, static_cast<std::uint32_t>(big.size()));
    CHECK(sm(decode_ok(big)).short_message == std::string(254, 'a'));
}

TEST_CASE("decode: a TLV whose length runs past the end") {
    // ussd_service_op claiming 2 octets with 1 present.
    bytes d(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 61);
    REQUIRE(d[59] == 0x01);  // low octet of the TLV length
    d[59] = 0x02;
    d = with_length(d, 61);
    auto f = decode_fails(d);
    CHECK(f.error == decode_error::bad_tlv);
    CHECK(f.command_id == 0x05u);
    CHECK(f.sequence_number == 1u);
    // Length 0xFFFF with three octets present.
    bytes e(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 56);
    e = cat(e, {0x04, 0x24, 0xFF, 0xFF, 'a', 'b', 'c'});
    e = with_length(e, static_cast<std::uint32_t>(e.size()));
    CHECK(decode_fails(e).error == decode_error::bad_tlv);
    // A TLV header cut after the tag.
    bytes h(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 58);
    h = with_length(h, 58);
    CHECK(decode_fails(h).error == decode_error::bad_tlv);
    // A zero-length TLV is fine.
    bytes z(deliver_sm_ussd.begin(), deliver_sm_ussd.begin() + 56);
    z = cat(z, {0x14, 0x00, 0x00, 0x00});
    z = with_length(z, static_cast<std::uint32_t>(z.size()));
    pdu p = decode_ok(z);
    REQUIRE(sm(p).tlvs.size() == 1);
    CHECK(sm(p).tlvs[0] == tlv{0x1400, {}});
    check_encodes_to(p, z);
}

TEST_CASE("encode refuses values outside SMPP limits - leaving the buffer untouched") {
    pdu bind{static_cast<std::uint32_t>(command::bind_transceiver), 0, 1, bind_body{}};
    auto& b = std::get<bind_body>(bind.body);
    b.system_id = std::string(15, 's');
    b.password = std::string(8, 'p');
    b.system_type = std::string(12, 't');
    b.address_range = std::string(40, 'r');
    auto ok = encode(bind);
    REQUIRE(ok);
    CHECK(ok->size() == 16 + 16 + 9 + 13 + 3 + 41);
    CHECK(decode_ok(*ok) == bind);

    auto refuses = [](const pdu& p, encode_error want) {
        std::vector<std::uint8_t> out = {0xAA, 0xBB};
        auto r = encode(p, out);
        REQUIRE_FALSE(r);
        CHECK(r.error() == want);
        CHECK(out == bytes{0xAA, 0xBB});
        CHECK_FALSE(encode(p));
    };
    {
        pdu p = bind;
        std::get<bind_body>(p.body).system_id = std::string(16, 's');  // 16 characters
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p = bind;
        std::get<bind_body>(p.body).password = std::string(9, 'p');
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p = bind;
        std::get<bind_body>(p.body).address_range = std::string(41, 'r');
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p = bind;
        std::get<bind_body>(p.body).system_id = std::string("ab\0cd", 5);  // embedded NUL
        refuses(p, encode_error::field_too_long);
    }

    pdu sub = decode_ok(deliver_sm_ussd);
    sub.command_id = static_cast<std::uint32_t>(command::submit_sm);
    {
        pdu p = sub;
        std::get<sm_body>(p.body).short_message = std::string(255, 'x');  // 255 octets
        refuses(p, encode_error::field_too_long);
        std::get<sm_body>(p.body).short_message.pop_back();  // 254 is the maximum
        auto r = encode(p);
        REQUIRE(r);
        CHECK(decode_ok(*r) == p);
    }
    {
        pdu p = sub;
        std::get<sm_body>(p.body).destination_addr = std::string(21, '1');
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p = sub;
        std::get<sm_body>(p.body).validity_period = std::string(17, '0');
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p = sub;
        std::get<sm_body>(p.body).tlvs.push_back(tlv{tag::message_payload, bytes(65536, 'x')});
        refuses(p, encode_error::tlv_too_long);
        std::get<sm_body>(p.body).tlvs.back().value.pop_back();  // 65535 fits
        auto r = encode(p);
        REQUIRE(r);
        CHECK(decode_ok(*r) == p);
    }
    {
        pdu p{static_cast<std::uint32_t>(command::data_sm), 0, 1, data_sm_body{}};
        std::get<data_sm_body>(p.body).source_addr = std::string(64, '1');  // data_sm allows 64
        CHECK(encode(p));
        std::get<data_sm_body>(p.body).source_addr += '1';
        refuses(p, encode_error::field_too_long);
    }
    {
        pdu p{static_cast<std::uint32_t>(command::submit_sm_resp), 0, 1,
              message_id_body{std::string(65, 'm'), {}}};
        refuses(p, encode_error::field_too_long);
    }
}

TEST_CASE("encode refuses a body that does not match command_id - and unknown commands") {
    std::vector<std::uint8_t> out;
    auto mismatch = [&](std::uint32_t id, body b) {
        pdu p{id, 0, 1, std::move(b)};
        auto r = encode(p, out);
        REQUIRE_FALSE(r);
        CHECK(r.error() == encode_error::body_mismatch);
        CHECK(out.empty());
    };
    mismatch(static_cast<std::uint32_t>(command::enquire_link), sm_body{});
    mismatch(static_cast<std::uint32_t>(command::deliver_sm), empty_body{});
    mismatch(static_cast<std::uint32_t>(command::submit_sm), data_sm_body{});
    mismatch(static_cast<std::uint32_t>(command::submit_sm_resp), bind_body{});
    mismatch(static_cast<std::uint32_t>(command::bind_transceiver), bind_resp_body{});
    mismatch(static_cast<std::uint32_t>(command::bind_transceiver_resp), message_id_body{});
    mismatch(static_cast<std::uint32_t>(command::data_sm), sm_body{});
    mismatch(static_cast<std::uint32_t>(command::generic_nack), message_id_body{});

    pdu unknown{0x00000003, 0, 1, empty_body{}};
    auto r = encode(unknown, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == encode_error::unknown_command);
    CHECK(out.empty());
}

TEST_CASE("encode appends to a buffer and returns the PDU length") {
    std::vector<std::uint8_t> out;
    auto a = encode(make_empty(command::enquire_link, 1), out);
    REQUIRE(a);
    CHECK(*a == 16u);
    auto b = encode(decode_ok(deliver_sm_ussd), out);
    REQUIRE(b);
    CHECK(*b == 73u);
    REQUIRE(out.size() == 89u);
    CHECK(bytes(out.begin() + 16, out.end()) == deliver_sm_ussd);
    // Two PDUs in one buffer: check_frame splits them.
    auto f = check_frame(out);
    CHECK(f.state == frame_check::complete);
    CHECK(f.length == 16u);
    auto g = check_frame(std::span<const std::uint8_t>(out).subspan(16));
    CHECK(g.state == frame_check::complete);
    CHECK(g.length == 73u);
}

TEST_CASE("check_frame") {
    const bytes& w = deliver_sm_ussd;
    SUBCASE("need_more for 0..15 octets") {
        for (std::size_t k = 0; k < header_size; ++k) {
            CAPTURE(k);
            auto f = check_frame(std::span<const std::uint8_t>(w.data(), k));
            CHECK(f.state == frame_check::need_more);
        }
    }
    SUBCASE("need_more for a partial body, knowing the length") {
        for (std::size_t k = header_size; k < w.size(); ++k) {
            CAPTURE(k);
            auto f = check_frame(std::span<const std::uint8_t>(w.data(), k));
            CHECK(f.state == frame_check::need_more);
            CHECK(f.length == 73u);
        }
    }
    SUBCASE("complete with exactly command_length octets, or more") {
        auto f = check_frame(w);
        CHECK(f.state == frame_check::complete);
        CHECK(f.length == 73u);
        bytes more = cat(w, {0x00, 0x00});
        auto g = check_frame(more);
        CHECK(g.state == frame_check::complete);
        CHECK(g.length == 73u);
    }
    SUBCASE("invalid for command_length 15 (and 0), from the first 4 octets") {
        for (std::uint32_t len : {15u, 0u, 1u}) {
            CAPTURE(len);
            bytes h = with_length(bytes(w.begin(), w.begin() + 16), len);
            auto f = check_frame(h);
            CHECK(f.state == frame_check::invalid);
            CHECK(f.error == decode_error::length_too_small);
            CHECK(f.length == len);
            auto g = check_frame(std::span<const std::uint8_t>(h.data(), 4));
            CHECK(g.state == frame_check::invalid);
        }
    }
    SUBCASE("invalid for max+1 before the body arrives; max itself waits") {
        bytes h(w.begin(), w.begin() + 4);
        h = with_length(h, static_cast<std::uint32_t>(default_max_pdu + 1));
        auto f = check_frame(h);
        CHECK(f.state == frame_check::invalid);
        CHECK(f.error == decode_error::length_too_large);
        CHECK(f.length == default_max_pdu + 1);
        h = with_length(h, 0xFFFFFFFFu);
        CHECK(check_frame(h).state == frame_check::invalid);
        CHECK(check_frame(h).length == 0xFFFFFFFFu);
        h = with_length(h, static_cast<std::uint32_t>(default_max_pdu));
        CHECK(check_frame(h).state == frame_check::need_more);
        // A configured limit.
        bytes full = w;
        CHECK(check_frame(full, 73).state == frame_check::complete);
        auto g = check_frame(full, 72);
        CHECK(g.state == frame_check::invalid);
        CHECK(g.error == decode_error::length_too_large);
        CHECK(g.length == 73u);
    }
}

TEST_CASE("pdu helpers: TLV accessors - names") {
    tlv_list t;
    add_tlv_u8(t, tag::ussd_service_op, ussd_op::ussr_req);
    add_tlv_u16(t, tag::its_session_info, 0xABCD);
    add_tlv_bytes(t, tag::message_payload, "hi!");
    add_tlv_u8(t, tag::ussd_service_op, 0x81);  // a second one: find_tlv returns the first
    REQUIRE(t.size() == 4);
    CHECK(t[1].value == bytes{0xAB, 0xCD});
    CHECK(tlv_u8(t, tag::ussd_service_op) == ussd_op::ussr_req);
    CHECK(tlv_u16(t, tag::its_session_info) == 0xABCD);
    CHECK(find_tlv(t, tag::message_payload) == &t[2]);
    CHECK(find_tlv(t, tag::sar_msg_ref_num) == nullptr);
    // Wrong sizes are not silently reinterpreted.
    CHECK_FALSE(tlv_u8(t, tag::its_session_info).has_value());
    CHECK_FALSE(tlv_u16(t, tag::ussd_service_op).has_value());
    CHECK_FALSE(tlv_u16(t, tag::message_payload).has_value());
    CHECK_FALSE(tlv_u8(t, tag::user_message_reference).has_value());

    CHECK(command_name(0x00000005) == "deliver_sm");
    CHECK(command_name(0x80000103) == "data_sm_resp");
    CHECK(command_name(0x00000003) == "0x00000003");
    CHECK(is_response(0x80000000));
    CHECK_FALSE(is_response(0x00000004));
    CHECK(std::string(to_string(decode_error::bad_tlv)) != to_string(decode_error::truncated));
}
