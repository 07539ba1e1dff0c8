#include "pdus.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "frames.hpp"

extern "C" {
#include <stdint.h>
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
}

namespace ussdgw::sim {
namespace {

// libsmpp34 reads C strings with strlen on the input, so the PDU is copied
// into a buffer that always has a NUL after it. Reused: one thread, no churn.
std::vector<std::uint8_t> scratch;

const std::uint8_t* nul_terminated(std::span<const std::uint8_t> frame) {
    scratch.assign(frame.begin(), frame.end());
    scratch.push_back(0);
    return scratch.data();
}

// libsmpp34 logs every field into smpp34_strerror; the reason for a failure is
// the last bracketed entry.
pdu_failure last_error() {
    std::string_view log(smpp34_strerror, strnlen(smpp34_strerror, sizeof smpp34_strerror));
    auto open = log.rfind('[');
    auto reason = open == std::string_view::npos ? log : log.substr(open);
    return {status::invalid_length,
            fmt::format("libsmpp34: {}", reason.empty() ? "unknown error" : reason)};
}

template <std::size_t N>
std::string c_string(const std::uint8_t (&field)[N]) {
    return {reinterpret_cast<const char*>(field), strnlen(reinterpret_cast<const char*>(field), N)};
}

template <std::size_t N>
void set_c_string(std::uint8_t (&field)[N], const std::string& value) {
    // Longer values are cut: the field sizes are SMPP's, and the caller checked.
    auto n = std::min(value.size(), N - 1);
    std::memcpy(field, value.data(), n);
    field[n] = 0;
}

// Frees the TLV list a PDU struct owns, whatever way the scope is left.
struct tlv_list_guard {
    tlv_t*& list;
    ~tlv_list_guard() {
        destroy_tlv(list);
        list = nullptr;
    }
};

pdu_error pack(std::vector<std::uint8_t>& out, std::uint32_t command_id, void* pdu) {
    // Big enough for any deliver_sm the simulator builds (1024-octet payload).
    std::array<std::uint8_t, 4096> buf{};
    int len = 0;
    if (smpp34_pack(command_id, buf.data(), static_cast<int>(buf.size()), &len, pdu) != 0) {
        return last_error();
    }
    out.insert(out.end(), buf.begin(), buf.begin() + len);
    return std::nullopt;
}

template <typename Pdu>
void fill_header(Pdu& pdu, std::uint32_t command_id, std::uint32_t sequence, std::uint32_t status) {
    pdu.command_length = 0;  // smpp34_pack computes it
    pdu.command_id = command_id;
    pdu.command_status = status;
    pdu.sequence_number = sequence;
}

void add_tlv(tlv_t*& list, std::uint16_t tag, const void* value, std::uint16_t length) {
    tlv_t tlv{};
    tlv.tag = tag;
    tlv.length = length;
    std::memcpy(&tlv.value, value, length);
    build_tlv(&list, &tlv);
}

void add_tlv_u16(tlv_t*& list, std::uint16_t tag, std::uint16_t value) {
    // libsmpp34 keeps 2-octet TLVs as host-order integers and converts on pack.
    tlv_t tlv{};
    tlv.tag = tag;
    tlv.length = 2;
    tlv.value.val16 = value;
    build_tlv(&list, &tlv);
}

}  // namespace

pdu_error decode_bind(std::span<const std::uint8_t> frame, bind_request& out) {
    if (auto why = precheck_pdu(frame)) return pdu_failure{status::bad_tlvs, *why};
    const auto* data = nul_terminated(frame);
    // libsmpp34 accepts only interface_version 0x34; an SMSC accepts 0x33 too,
    // and the value changes nothing here, so the copy is normalised.
    if (auto at = bind_interface_version_offset(frame)) scratch[*at] = 0x34;
    bind_transceiver_t pdu{};  // the three bind bodies share one layout
    const auto id = read_u32(frame.data() + 4);
    if (smpp34_unpack(id, &pdu, data, static_cast<int>(frame.size())) != 0) return last_error();
    out.system_id = c_string(pdu.system_id);
    out.password = c_string(pdu.password);
    return std::nullopt;
}

pdu_error decode_mt(std::span<const std::uint8_t> frame, mt_pdu& out) {
    if (auto why = precheck_pdu(frame)) return pdu_failure{status::bad_tlvs, *why};
    const auto* data = nul_terminated(frame);
    const auto id = read_u32(frame.data() + 4);
    tlv_t* tlvs = nullptr;
    if (id == cmd::submit_sm) {
        submit_sm_t pdu{};
        int rc = smpp34_unpack(id, &pdu, data, static_cast<int>(frame.size()));
        tlvs = pdu.tlv;  // also on failure: the TLVs parsed so far are ours to free
        if (rc != 0) {
            destroy_tlv(tlvs);
            return last_error();
        }
        out.service_type = c_string(pdu.service_type);
        out.source_addr = c_string(pdu.source_addr);
        out.destination_addr = c_string(pdu.destination_addr);
        out.esm_class = pdu.esm_class;
        out.data_coding = pdu.data_coding;
        out.short_message.assign(reinterpret_cast<const char*>(pdu.short_message), pdu.sm_length);
    } else if (id == cmd::data_sm) {
        data_sm_t pdu{};
        int rc = smpp34_unpack(id, &pdu, data, static_cast<int>(frame.size()));
        tlvs = pdu.tlv;
        if (rc != 0) {
            destroy_tlv(tlvs);
            return last_error();
        }
        out.service_type = c_string(pdu.service_type);
        out.source_addr = c_string(pdu.source_addr);
        out.destination_addr = c_string(pdu.destination_addr);
        out.esm_class = pdu.esm_class;
        out.data_coding = pdu.data_coding;
    } else {
        return pdu_failure{status::invalid_command,
                           fmt::format("{} is not an MT message", command_name(id))};
    }
    tlv_list_guard guard{tlvs};
    for (tlv_t* t = tlvs; t != nullptr; t = t->next) {
        switch (t->tag) {
            case tag::ussd_service_op:
                if (t->length >= 1) out.ussd_service_op = t->value.octet[0];
                break;
            case tag::its_session_info:
                out.its_session_info = t->value.val16;
                break;
            case tag::user_message_reference:
                out.user_message_reference = t->value.val16;
                break;
            case tag::sar_msg_ref_num:
                out.sar_msg_ref_num = t->value.val16;
                break;
            case tag::sar_total_segments:
                out.sar_total_segments = t->value.val08;
                break;
            case tag::sar_segment_seqnum:
                out.sar_segment_seqnum = t->value.val08;
                break;
            case tag::message_payload:
                out.message_payload.emplace(reinterpret_cast<const char*>(t->value.octet),
                                            t->length);
                break;
            default:
                break;
        }
    }
    return std::nullopt;
}

namespace {
// libsmpp34 wants the command's own struct type even for header-only PDUs.
template <class T>
int unpack_as(std::uint32_t id, const std::uint8_t* data, int len) {
    T pdu{};
    return smpp34_unpack(id, &pdu, data, len);
}
}  // namespace

pdu_error decode_plain(std::span<const std::uint8_t> frame) {
    const auto* data = nul_terminated(frame);
    const auto id = read_u32(frame.data() + 4);
    const int len = static_cast<int>(frame.size());
    int rc = -1;
    // Each command has its own struct type; these all are header-only but for
    // deliver_sm_resp's empty message_id.
    switch (id) {
        case cmd::deliver_sm_resp:
            rc = unpack_as<deliver_sm_resp_t>(id, data, len);
            break;
        case cmd::enquire_link:
            rc = unpack_as<enquire_link_t>(id, data, len);
            break;
        case cmd::enquire_link_resp:
            rc = unpack_as<enquire_link_resp_t>(id, data, len);
            break;
        case cmd::unbind:
            rc = unpack_as<unbind_t>(id, data, len);
            break;
        case cmd::unbind_resp:
            rc = unpack_as<unbind_resp_t>(id, data, len);
            break;
        case cmd::generic_nack:
            rc = unpack_as<generic_nack_t>(id, data, len);
            break;
        default:
            return pdu_failure{status::invalid_command,
                               fmt::format("{} is not a plain PDU", command_name(id))};
    }
    if (rc != 0) return last_error();
    return std::nullopt;
}

pdu_error encode_deliver_sm(std::vector<std::uint8_t>& out, std::uint32_t sequence,
                            const mo_pdu& mo) {
    deliver_sm_t pdu{};
    fill_header(pdu, cmd::deliver_sm, sequence, status::ok);
    tlv_list_guard guard{pdu.tlv};
    set_c_string(pdu.service_type, mo.service_type);
    pdu.source_addr_ton = 1;  // international
    pdu.source_addr_npi = 1;  // E.164
    set_c_string(pdu.source_addr, mo.source_addr);
    pdu.dest_addr_ton = 0;  // a service code or short number has no TON
    pdu.dest_addr_npi = 1;
    set_c_string(pdu.destination_addr, mo.destination_addr);
    pdu.data_coding = mo.data_coding;
    // libsmpp34 packs at most 253 octets of short_message; longer texts travel
    // in message_payload, as SMPP 3.4 allows.
    if (mo.text.size() <= 253) {
        pdu.sm_length = static_cast<std::uint8_t>(mo.text.size());
        std::memcpy(pdu.short_message, mo.text.data(), mo.text.size());
    } else if (mo.text.size() <= 1024) {
        add_tlv(pdu.tlv, tag::message_payload, mo.text.data(),
                static_cast<std::uint16_t>(mo.text.size()));
    } else {
        return pdu_failure{status::invalid_length,
                           fmt::format("text of {} octets is longer than 1024", mo.text.size())};
    }
    if (mo.ussd_service_op) add_tlv(pdu.tlv, tag::ussd_service_op, &*mo.ussd_service_op, 1);
    if (mo.its_session_info) add_tlv_u16(pdu.tlv, tag::its_session_info, *mo.its_session_info);
    if (mo.user_message_reference) {
        add_tlv_u16(pdu.tlv, tag::user_message_reference, *mo.user_message_reference);
    }
    return pack(out, cmd::deliver_sm, &pdu);
}

pdu_error encode_bind_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                           std::uint32_t sequence, std::uint32_t status,
                           const std::string& system_id) {
    bind_transceiver_resp_t pdu{};  // the three bind_*_resp share one layout
    fill_header(pdu, command_id, sequence, status);
    set_c_string(pdu.system_id, system_id);
    return pack(out, command_id, &pdu);
}

pdu_error encode_submit_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                             std::uint32_t sequence, std::uint32_t status,
                             const std::string& message_id) {
    if (command_id == cmd::data_sm_resp) {
        data_sm_resp_t pdu{};
        fill_header(pdu, command_id, sequence, status);
        set_c_string(pdu.message_id, message_id);
        return pack(out, command_id, &pdu);
    }
    submit_sm_resp_t pdu{};
    fill_header(pdu, command_id, sequence, status);
    set_c_string(pdu.message_id, message_id);
    return pack(out, command_id, &pdu);
}

pdu_error encode_plain(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                       std::uint32_t sequence, std::uint32_t status) {
    switch (command_id) {
        case cmd::generic_nack:
        case cmd::enquire_link:
        case cmd::enquire_link_resp:
        case cmd::unbind:
        case cmd::unbind_resp:
            break;
        default:
            // libsmpp34 would read a body past this header-only struct.
            return pdu_failure{status::invalid_command, fmt::format("{} is not a header-only PDU",
                                                                    command_name(command_id))};
    }
    generic_nack_t pdu{};  // every header-only PDU has this layout
    fill_header(pdu, command_id, sequence, status);
    return pack(out, command_id, &pdu);
}

std::string command_name(std::uint32_t command_id) {
    switch (command_id) {
        case cmd::generic_nack:
            return "generic_nack";
        case cmd::bind_receiver:
            return "bind_receiver";
        case cmd::bind_transmitter:
            return "bind_transmitter";
        case cmd::bind_transceiver:
            return "bind_transceiver";
        case cmd::submit_sm:
            return "submit_sm";
        case cmd::submit_sm_resp:
            return "submit_sm_resp";
        case cmd::deliver_sm:
            return "deliver_sm";
        case cmd::deliver_sm_resp:
            return "deliver_sm_resp";
        case cmd::unbind:
            return "unbind";
        case cmd::unbind_resp:
            return "unbind_resp";
        case cmd::enquire_link:
            return "enquire_link";
        case cmd::enquire_link_resp:
            return "enquire_link_resp";
        case cmd::data_sm:
            return "data_sm";
        case cmd::data_sm_resp:
            return "data_sm_resp";
        default:
            return fmt::format("command 0x{:08x}", command_id);
    }
}

}  // namespace ussdgw::sim
