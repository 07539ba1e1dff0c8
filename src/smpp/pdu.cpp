#include "ussdgw/smpp/pdu.hpp"

#include <fmt/format.h>

namespace ussdgw::smpp {

std::string command_name(std::uint32_t id) {
    switch (static_cast<command>(id)) {
        case command::generic_nack:
            return "generic_nack";
        case command::submit_sm:
            return "submit_sm";
        case command::submit_sm_resp:
            return "submit_sm_resp";
        case command::deliver_sm:
            return "deliver_sm";
        case command::deliver_sm_resp:
            return "deliver_sm_resp";
        case command::unbind:
            return "unbind";
        case command::unbind_resp:
            return "unbind_resp";
        case command::bind_transceiver:
            return "bind_transceiver";
        case command::bind_transceiver_resp:
            return "bind_transceiver_resp";
        case command::enquire_link:
            return "enquire_link";
        case command::enquire_link_resp:
            return "enquire_link_resp";
        case command::data_sm:
            return "data_sm";
        case command::data_sm_resp:
            return "data_sm_resp";
    }
    return fmt::format("0x{:08x}", id);
}

std::string status_name(std::uint32_t s) {
    switch (s) {
        case status::ok:
            return "ESME_ROK";
        case status::invalid_msg_len:
            return "ESME_RINVMSGLEN";
        case status::invalid_cmd_len:
            return "ESME_RINVCMDLEN";
        case status::invalid_cmd_id:
            return "ESME_RINVCMDID";
        case status::invalid_bind_status:
            return "ESME_RINVBNDSTS";
        case status::already_bound:
            return "ESME_RALYBND";
        case status::system_error:
            return "ESME_RSYSERR";
        case status::bind_failed:
            return "ESME_RBINDFAIL";
        case status::invalid_password:
            return "ESME_RINVPASWD";
        case status::invalid_system_id:
            return "ESME_RINVSYSID";
        case status::msg_queue_full:
            return "ESME_RMSGQFUL";
        case status::throttled:
            return "ESME_RTHROTTLED";
        case status::invalid_optional:
            return "ESME_RINVOPTPARSTREAM";
        case status::unknown_error:
            return "ESME_RUNKNOWNERR";
        default:
            return fmt::format("0x{:08x}", s);
    }
}

const tlv* find_tlv(const tlv_list& tlvs, std::uint16_t t) {
    for (const auto& x : tlvs)
        if (x.tag == t) return &x;
    return nullptr;
}

std::optional<std::uint8_t> tlv_u8(const tlv_list& tlvs, std::uint16_t t) {
    const tlv* x = find_tlv(tlvs, t);
    if (!x || x->value.size() != 1) return std::nullopt;
    return x->value[0];
}

std::optional<std::uint16_t> tlv_u16(const tlv_list& tlvs, std::uint16_t t) {
    const tlv* x = find_tlv(tlvs, t);
    if (!x || x->value.size() != 2) return std::nullopt;
    return static_cast<std::uint16_t>((x->value[0] << 8) | x->value[1]);
}

void add_tlv_u8(tlv_list& tlvs, std::uint16_t t, std::uint8_t v) {
    tlvs.push_back({t, {v}});
}

void add_tlv_u16(tlv_list& tlvs, std::uint16_t t, std::uint16_t v) {
    tlvs.push_back({t, {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v & 0xFF)}});
}

void add_tlv_bytes(tlv_list& tlvs, std::uint16_t t, std::string_view bytes) {
    tlvs.push_back({t, std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
}

pdu make_empty(command id, std::uint32_t seq, std::uint32_t st) {
    return pdu{static_cast<std::uint32_t>(id), st, seq, empty_body{}};
}

}  // namespace ussdgw::smpp
