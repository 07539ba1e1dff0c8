#pragma once
// Bridge to libsmpp34, the reference SMPP 3.4 implementation our codec is
// compared with (docs/architecture.md, "Decisions measured and kept"): converts between our
// smpp::pdu and libsmpp34's structs, packs and unpacks with it, and knows which
// optional parameters libsmpp34 parses as fixed-width integers. Shared by the
// differential unit test, the corpus replay test and the fuzz target.
//
// libsmpp34 keeps global state (smpp34_strerror, a 2 KiB log buffer that a PDU
// with 29+ TLVs overflows): call it from one thread, with few TLVs. Its failed
// TLV parses leak; calls are made with LeakSanitizer paused.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

// libsmpp34's headers have no extern "C" of their own, and their struct
// macros leave stray ';' that -Wpedantic reports when not included as system headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
extern "C" {
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
}
#pragma GCC diagnostic pop

#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/pdu.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define USSDGW_REF_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define USSDGW_REF_LSAN 1
#endif
#endif
#ifdef USSDGW_REF_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace ussdgw::smpp::ref {

/// Pauses LeakSanitizer for libsmpp34's allocations (it leaks on failed TLV parses).
struct lsan_pause {
#ifdef USSDGW_REF_LSAN
    lsan_pause() {
        __lsan_disable();
    }
    ~lsan_pause() {
        __lsan_enable();
    }
#else
    lsan_pause() {}
#endif
    lsan_pause(const lsan_pause&) = delete;
    lsan_pause& operator=(const lsan_pause&) = delete;
};

/// How libsmpp34 parses one optional parameter of one command: `width` 1, 2 or 4
/// for a fixed-width integer (read whatever the length field says), 0 for octets
/// of at most `max` (its buffer size).
struct lib_tlv_rule {
    std::uint16_t tag;
    int width;
    int max;
};

// Transcribed from /usr/include/libsmpp34/def_frame/*.tlv (libsmpp34 1.14.1);
// every tag not listed is "forwarded" as up to 1024 octets.
// deliver_sm.tlv
inline constexpr lib_tlv_rule deliver_sm_rules[] = {{TLVID_user_message_reference, 2, 2},
                                                    {TLVID_source_port, 2, 2},
                                                    {TLVID_destination_port, 2, 2},
                                                    {TLVID_sar_msg_ref_num, 2, 2},
                                                    {TLVID_sar_total_segments, 1, 1},
                                                    {TLVID_sar_segment_seqnum, 1, 1},
                                                    {TLVID_user_response_code, 1, 1},
                                                    {TLVID_privacy_indicator, 1, 1},
                                                    {TLVID_payload_type, 1, 1},
                                                    {TLVID_message_payload, 0, 1024},
                                                    {TLVID_callback_num, 0, 19},
                                                    {TLVID_source_subaddress, 0, 23},
                                                    {TLVID_dest_subaddress, 0, 23},
                                                    {TLVID_language_indicator, 1, 1},
                                                    {TLVID_its_session_info, 2, 2},
                                                    {TLVID_network_error_code, 0, 3},
                                                    {TLVID_message_state, 1, 1},
                                                    {TLVID_receipted_message_id, 0, 65},
                                                    {TLVID_set_dpf, 1, 1},
                                                    {TLVID_source_network_type, 1, 1}};
// submit_sm.tlv
inline constexpr lib_tlv_rule submit_sm_rules[] = {{TLVID_user_message_reference, 2, 2},
                                                   {TLVID_source_port, 2, 2},
                                                   {TLVID_source_addr_subunit, 1, 1},
                                                   {TLVID_destination_port, 2, 2},
                                                   {TLVID_dest_addr_subunit, 1, 1},
                                                   {TLVID_sar_msg_ref_num, 2, 2},
                                                   {TLVID_sar_total_segments, 1, 1},
                                                   {TLVID_sar_segment_seqnum, 1, 1},
                                                   {TLVID_more_messages_to_send, 1, 1},
                                                   {TLVID_payload_type, 1, 1},
                                                   {TLVID_message_payload, 0, 1024},
                                                   {TLVID_privacy_indicator, 1, 1},
                                                   {TLVID_callback_num, 0, 19},
                                                   {TLVID_callback_num_pres_ind, 1, 1},
                                                   {TLVID_callback_num_atag, 0, 65},
                                                   {TLVID_source_subaddress, 0, 23},
                                                   {TLVID_dest_subaddress, 0, 23},
                                                   {TLVID_user_response_code, 1, 1},
                                                   {TLVID_display_time, 1, 1},
                                                   {TLVID_sms_signal, 2, 2},
                                                   {TLVID_ms_validity, 1, 1},
                                                   {TLVID_ms_msg_wait_facilities, 1, 1},
                                                   {TLVID_number_of_messages, 1, 1},
                                                   {TLVID_alert_on_message_delivery, 0, 0},
                                                   {TLVID_language_indicator, 1, 1},
                                                   {TLVID_its_reply_type, 1, 1},
                                                   {TLVID_its_session_info, 2, 2},
                                                   {TLVID_ussd_service_op, 0, 1}};
// data_sm.tlv
inline constexpr lib_tlv_rule data_sm_rules[] = {{TLVID_source_port, 2, 2},
                                                 {TLVID_source_addr_subunit, 1, 1},
                                                 {TLVID_source_network_type, 1, 1},
                                                 {TLVID_source_bearer_type, 1, 1},
                                                 {TLVID_source_telematics_id, 1, 1},
                                                 {TLVID_destination_port, 2, 2},
                                                 {TLVID_dest_addr_subunit, 1, 1},
                                                 {TLVID_dest_network_type, 1, 1},
                                                 {TLVID_dest_bearer_type, 1, 1},
                                                 {TLVID_dest_telematics_id, 2, 2},
                                                 {TLVID_sar_msg_ref_num, 2, 2},
                                                 {TLVID_sar_total_segments, 1, 1},
                                                 {TLVID_sar_segment_seqnum, 1, 1},
                                                 {TLVID_more_messages_to_send, 1, 1},
                                                 {TLVID_qos_time_to_live, 4, 4},
                                                 {TLVID_payload_type, 1, 1},
                                                 {TLVID_message_payload, 0, 1024},
                                                 {TLVID_set_dpf, 1, 1},
                                                 {TLVID_receipted_message_id, 0, 65},
                                                 {TLVID_message_state, 1, 1},
                                                 {TLVID_network_error_code, 0, 3},
                                                 {TLVID_user_message_reference, 2, 2},
                                                 {TLVID_privacy_indicator, 1, 1},
                                                 {TLVID_callback_num, 0, 19},
                                                 {TLVID_callback_num_pres_ind, 1, 1},
                                                 {TLVID_callback_num_atag, 0, 65},
                                                 {TLVID_source_subaddress, 0, 23},
                                                 {TLVID_dest_subaddress, 0, 23},
                                                 {TLVID_user_response_code, 1, 1},
                                                 {TLVID_display_time, 1, 1},
                                                 {TLVID_sms_signal, 2, 2},
                                                 {TLVID_ms_validity, 1, 1},
                                                 {TLVID_ms_msg_wait_facilities, 1, 1},
                                                 {TLVID_number_of_messages, 1, 1},
                                                 {TLVID_alert_on_message_delivery, 0, 0},
                                                 {TLVID_language_indicator, 1, 1},
                                                 {TLVID_its_reply_type, 1, 1},
                                                 {TLVID_its_session_info, 2, 2}};
// bind_transceiver_resp.tlv
inline constexpr lib_tlv_rule bind_transceiver_resp_rules[] = {{TLVID_sc_interface_version, 1, 1}};

/// libsmpp34's rule for `tag` in a PDU with `command_id`.
inline lib_tlv_rule lib_rule(std::uint32_t command_id, std::uint16_t tag) {
    auto find = [&](std::span<const lib_tlv_rule> rules) {
        for (const auto& r : rules)
            if (r.tag == tag) return r;
        return lib_tlv_rule{tag, 0, MAX_TLV_SIZE};
    };
    switch (command_id) {
        case DELIVER_SM:
            return find(deliver_sm_rules);
        case SUBMIT_SM:
            return find(submit_sm_rules);
        case DATA_SM:
            return find(data_sm_rules);
        case BIND_TRANSCEIVER_RESP:
            return find(bind_transceiver_resp_rules);
        default:
            return lib_tlv_rule{tag, 0, MAX_TLV_SIZE};
    }
}

/// True when libsmpp34 reads `t` as the same octets we do: an integer tag whose
/// length is its width, or an octet tag within libsmpp34's buffer. When every TLV
/// of a PDU agrees, libsmpp34's walk over the TLVs stays aligned with ours.
inline bool lib_agrees(std::uint32_t command_id, const tlv& t) {
    lib_tlv_rule r = lib_rule(command_id, t.tag);
    if (r.width) return t.value.size() == static_cast<std::size_t>(r.width);
    return t.value.size() <= static_cast<std::size_t>(r.max);
}

/// True when lib_agrees for every TLV: libsmpp34's walk over them then stays
/// aligned with ours and cannot fail (a failed TLV parse leaks 1 KiB in it).
inline bool lib_agrees(std::uint32_t command_id, const tlv_list& tlvs) {
    for (const auto& t : tlvs)
        if (!lib_agrees(command_id, t)) return false;
    return true;
}

namespace detail {

template <std::size_t N>
bool put(std::uint8_t (&dst)[N], const std::string& s) {
    if (s.size() + 1 > N || s.find('\0') != std::string::npos) return false;
    std::memcpy(dst, s.data(), s.size());
    dst[s.size()] = 0;
    return true;
}

template <std::size_t N>
std::string get(const std::uint8_t (&src)[N]) {
    const void* nul = std::memchr(src, 0, N);
    std::size_t n = nul ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - src) : N;
    return std::string(reinterpret_cast<const char*>(src), n);
}

// Frees a libsmpp34 TLV chain when it goes out of scope.
struct tlv_chain {
    tlv_t* head = nullptr;
    tlv_chain() = default;
    tlv_chain(const tlv_chain&) = delete;
    tlv_chain& operator=(const tlv_chain&) = delete;
    ~tlv_chain() { destroy_tlv(head); }
};

// Builds libsmpp34's chain for `list` (wire order = chain order; build_tlv
// prepends, so build back to front). False if a TLV cannot be represented.
inline bool to_lib(std::uint32_t command_id, const tlv_list& list, tlv_chain& chain) {
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
        lib_tlv_rule r = lib_rule(command_id, it->tag);
        if (!lib_agrees(command_id, *it)) return false;
        tlv_t t;
        std::memset(&t, 0, sizeof t);
        t.tag = it->tag;
        t.length = static_cast<std::uint16_t>(it->value.size());
        const auto& v = it->value;
        if (r.width == 1) {
            t.value.val08 = v[0];
        } else if (r.width == 2) {
            t.value.val16 = static_cast<std::uint16_t>((v[0] << 8) | v[1]);
        } else if (r.width == 4) {
            t.value.val32 = (std::uint32_t{v[0]} << 24) | (std::uint32_t{v[1]} << 16) |
                            (std::uint32_t{v[2]} << 8) | v[3];
        } else if (!v.empty()) {
            std::memcpy(t.value.octet, v.data(), v.size());
        }
        if (build_tlv(&chain.head, &t) != 0) return false;
    }
    return true;
}

// Our list from libsmpp34's chain (smpp34_unpack prepends: the chain is in
// reverse wire order).
inline tlv_list from_lib(std::uint32_t command_id, const tlv_t* head) {
    tlv_list out;
    for (const tlv_t* p = head; p; p = p->next) {
        tlv t;
        t.tag = p->tag;
        lib_tlv_rule r = lib_rule(command_id, p->tag);
        if (r.width == 1) {
            t.value = {p->value.val08};
        } else if (r.width == 2) {
            t.value = {static_cast<std::uint8_t>(p->value.val16 >> 8),
                       static_cast<std::uint8_t>(p->value.val16)};
        } else if (r.width == 4) {
            for (int s = 24; s >= 0; s -= 8)
                t.value.push_back(static_cast<std::uint8_t>(p->value.val32 >> s));
        } else {
            t.value.assign(p->value.octet, p->value.octet + std::min<int>(p->length, MAX_TLV_SIZE));
        }
        out.insert(out.begin(), std::move(t));
    }
    return out;
}

template <class S>
void header_to(S& s, const pdu& p) {
    s.command_length = 0;
    s.command_id = p.command_id;
    s.command_status = p.command_status;
    s.sequence_number = p.sequence_number;
}

template <class S>
pdu header_from(const S& s) {
    return pdu{s.command_id, s.command_status, s.sequence_number, empty_body{}};
}

// submit_sm_t and deliver_sm_t share their field names.
template <class S>
bool sm_to(S& s, const sm_body& b) {
    if (b.short_message.size() > sizeof s.short_message) return false;
    s.source_addr_ton = b.source_addr_ton;
    s.source_addr_npi = b.source_addr_npi;
    s.dest_addr_ton = b.dest_addr_ton;
    s.dest_addr_npi = b.dest_addr_npi;
    s.esm_class = b.esm_class;
    s.protocol_id = b.protocol_id;
    s.priority_flag = b.priority_flag;
    s.registered_delivery = b.registered_delivery;
    s.replace_if_present_flag = b.replace_if_present_flag;
    s.data_coding = b.data_coding;
    s.sm_default_msg_id = b.sm_default_msg_id;
    s.sm_length = static_cast<std::uint8_t>(b.short_message.size());
    std::memcpy(s.short_message, b.short_message.data(), b.short_message.size());
    return put(s.service_type, b.service_type) && put(s.source_addr, b.source_addr) &&
           put(s.destination_addr, b.destination_addr) &&
           put(s.schedule_delivery_time, b.schedule_delivery_time) &&
           put(s.validity_period, b.validity_period);
}

template <class S>
sm_body sm_from(std::uint32_t command_id, const S& s) {
    sm_body b;
    b.service_type = get(s.service_type);
    b.source_addr_ton = s.source_addr_ton;
    b.source_addr_npi = s.source_addr_npi;
    b.source_addr = get(s.source_addr);
    b.dest_addr_ton = s.dest_addr_ton;
    b.dest_addr_npi = s.dest_addr_npi;
    b.destination_addr = get(s.destination_addr);
    b.esm_class = s.esm_class;
    b.protocol_id = s.protocol_id;
    b.priority_flag = s.priority_flag;
    b.schedule_delivery_time = get(s.schedule_delivery_time);
    b.validity_period = get(s.validity_period);
    b.registered_delivery = s.registered_delivery;
    b.replace_if_present_flag = s.replace_if_present_flag;
    b.data_coding = s.data_coding;
    b.sm_default_msg_id = s.sm_default_msg_id;
    b.short_message.assign(reinterpret_cast<const char*>(s.short_message),
                           std::min<std::size_t>(s.sm_length, sizeof s.short_message));
    b.tlvs = from_lib(command_id, s.tlv);
    return b;
}

// Packs struct `s` of libsmpp34 type for p.command_id.
template <class S>
std::optional<std::vector<std::uint8_t>> pack(S& s) {
    std::vector<std::uint8_t> buf(16 * 1024);
    int len = 0;
    lsan_pause guard;
    if (smpp34_pack(s.command_id, buf.data(), static_cast<int>(buf.size()), &len, &s) != 0)
        return std::nullopt;
    buf.resize(static_cast<std::size_t>(len));
    return buf;
}

// Unpacks `frame` as libsmpp34 command `type` into a zeroed struct S.
template <class S>
bool unpack(std::uint32_t type, S& s, std::span<const std::uint8_t> frame) {
    std::memset(&s, 0, sizeof s);
    lsan_pause guard;
    return smpp34_unpack(type, &s, frame.data(), static_cast<int>(frame.size())) == 0;
}

}  // namespace detail

/// Packs `p` with libsmpp34. nullopt when libsmpp34 refuses it, or when a field
/// does not fit libsmpp34's structs (data_sm source_addr > 20, a TLV it would
/// read differently, ...). Only for PDUs with a few TLVs (see the file comment).
inline std::optional<std::vector<std::uint8_t>> lib_pack(const pdu& p) {
    using namespace detail;
    switch (p.command_id) {
        case BIND_TRANSCEIVER: {
            const auto* b = std::get_if<bind_body>(&p.body);
            if (!b) return std::nullopt;
            bind_transceiver_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            s.interface_version = b->interface_version;
            s.addr_ton = b->addr_ton;
            s.addr_npi = b->addr_npi;
            if (!put(s.system_id, b->system_id) || !put(s.password, b->password) ||
                !put(s.system_type, b->system_type) || !put(s.address_range, b->address_range))
                return std::nullopt;
            return pack(s);
        }
        case BIND_TRANSCEIVER_RESP: {
            const auto* b = std::get_if<bind_resp_body>(&p.body);
            if (!b) return std::nullopt;
            bind_transceiver_resp_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            tlv_chain chain;
            if (!put(s.system_id, b->system_id) || !to_lib(p.command_id, b->tlvs, chain))
                return std::nullopt;
            s.tlv = chain.head;
            return pack(s);
        }
        case SUBMIT_SM:
        case DELIVER_SM: {
            const auto* b = std::get_if<sm_body>(&p.body);
            if (!b) return std::nullopt;
            tlv_chain chain;
            if (!to_lib(p.command_id, b->tlvs, chain)) return std::nullopt;
            if (p.command_id == SUBMIT_SM) {
                submit_sm_t s;
                std::memset(&s, 0, sizeof s);
                header_to(s, p);
                if (!sm_to(s, *b)) return std::nullopt;
                s.tlv = chain.head;
                return pack(s);
            }
            deliver_sm_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            if (!sm_to(s, *b)) return std::nullopt;
            s.tlv = chain.head;
            return pack(s);
        }
        case DATA_SM: {
            const auto* b = std::get_if<data_sm_body>(&p.body);
            if (!b) return std::nullopt;
            data_sm_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            s.source_addr_ton = b->source_addr_ton;
            s.source_addr_npi = b->source_addr_npi;
            s.dest_addr_ton = b->dest_addr_ton;
            s.dest_addr_npi = b->dest_addr_npi;
            s.esm_class = b->esm_class;
            s.registered_delivery = b->registered_delivery;
            s.data_coding = b->data_coding;
            tlv_chain chain;
            if (!put(s.service_type, b->service_type) || !put(s.source_addr, b->source_addr) ||
                !put(s.destination_addr, b->destination_addr) ||
                !to_lib(p.command_id, b->tlvs, chain))
                return std::nullopt;
            s.tlv = chain.head;
            return pack(s);
        }
        case SUBMIT_SM_RESP:
        case DELIVER_SM_RESP:
        case DATA_SM_RESP: {
            // libsmpp34 has no TLVs on any of the three (not even data_sm_resp).
            const auto* b = std::get_if<message_id_body>(&p.body);
            if (!b || !b->tlvs.empty()) return std::nullopt;
            if (p.command_id == SUBMIT_SM_RESP) {
                submit_sm_resp_t s;
                std::memset(&s, 0, sizeof s);
                header_to(s, p);
                if (!put(s.message_id, b->message_id)) return std::nullopt;
                return pack(s);
            }
            if (p.command_id == DELIVER_SM_RESP) {
                deliver_sm_resp_t s;
                std::memset(&s, 0, sizeof s);
                header_to(s, p);
                if (!put(s.message_id, b->message_id)) return std::nullopt;
                return pack(s);
            }
            data_sm_resp_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            if (!put(s.message_id, b->message_id)) return std::nullopt;
            return pack(s);
        }
        case GENERIC_NACK:
        case UNBIND:
        case UNBIND_RESP:
        case ENQUIRE_LINK:
        case ENQUIRE_LINK_RESP: {
            if (!std::holds_alternative<empty_body>(p.body)) return std::nullopt;
            // All five share the header-only layout.
            generic_nack_t s;
            std::memset(&s, 0, sizeof s);
            header_to(s, p);
            return pack(s);
        }
        default:
            return std::nullopt;
    }
}

/// Unpacks one frame with libsmpp34 and converts it to our pdu; nullopt when
/// libsmpp34 refuses it. The caller must make sure libsmpp34 can be trusted with
/// the frame: the command is one we speak, command_length matches the frame,
/// every C-octet string libsmpp34 will strlen() is terminated inside the frame,
/// and few TLVs, each of which lib_agrees with (at most 16).
inline std::optional<pdu> lib_unpack(std::span<const std::uint8_t> frame) {
    using namespace detail;
    if (frame.size() < header_size) return std::nullopt;
    const std::uint32_t id = (std::uint32_t{frame[4]} << 24) | (std::uint32_t{frame[5]} << 16) |
                             (std::uint32_t{frame[6]} << 8) | frame[7];
    switch (id) {
        case BIND_TRANSCEIVER: {
            bind_transceiver_t s;
            if (!unpack(id, s, frame)) return std::nullopt;
            pdu p = header_from(s);
            bind_body b;
            b.system_id = get(s.system_id);
            b.password = get(s.password);
            b.system_type = get(s.system_type);
            b.interface_version = s.interface_version;
            b.addr_ton = s.addr_ton;
            b.addr_npi = s.addr_npi;
            b.address_range = get(s.address_range);
            p.body = std::move(b);
            return p;
        }
        case BIND_TRANSCEIVER_RESP: {
            bind_transceiver_resp_t s;
            bool ok = unpack(id, s, frame);
            tlv_chain chain;
            chain.head = s.tlv;
            if (!ok) return std::nullopt;
            pdu p = header_from(s);
            p.body = bind_resp_body{get(s.system_id), from_lib(id, s.tlv)};
            return p;
        }
        case SUBMIT_SM: {
            submit_sm_t s;
            bool ok = unpack(id, s, frame);
            tlv_chain chain;
            chain.head = s.tlv;
            if (!ok) return std::nullopt;
            pdu p = header_from(s);
            p.body = sm_from(id, s);
            return p;
        }
        case DELIVER_SM: {
            deliver_sm_t s;
            bool ok = unpack(id, s, frame);
            tlv_chain chain;
            chain.head = s.tlv;
            if (!ok) return std::nullopt;
            pdu p = header_from(s);
            p.body = sm_from(id, s);
            return p;
        }
        case DATA_SM: {
            data_sm_t s;
            bool ok = unpack(id, s, frame);
            tlv_chain chain;
            chain.head = s.tlv;
            if (!ok) return std::nullopt;
            pdu p = header_from(s);
            data_sm_body b;
            b.service_type = get(s.service_type);
            b.source_addr_ton = s.source_addr_ton;
            b.source_addr_npi = s.source_addr_npi;
            b.source_addr = get(s.source_addr);
            b.dest_addr_ton = s.dest_addr_ton;
            b.dest_addr_npi = s.dest_addr_npi;
            b.destination_addr = get(s.destination_addr);
            b.esm_class = s.esm_class;
            b.registered_delivery = s.registered_delivery;
            b.data_coding = s.data_coding;
            b.tlvs = from_lib(id, s.tlv);
            p.body = std::move(b);
            return p;
        }
        case SUBMIT_SM_RESP: {
            submit_sm_resp_t s;
            if (!unpack(id, s, frame)) return std::nullopt;
            pdu p = header_from(s);
            p.body = message_id_body{get(s.message_id), {}};
            return p;
        }
        case DELIVER_SM_RESP: {
            deliver_sm_resp_t s;
            if (!unpack(id, s, frame)) return std::nullopt;
            pdu p = header_from(s);
            p.body = message_id_body{get(s.message_id), {}};
            return p;
        }
        case DATA_SM_RESP: {
            data_sm_resp_t s;
            if (!unpack(id, s, frame)) return std::nullopt;
            pdu p = header_from(s);
            p.body = message_id_body{get(s.message_id), {}};
            return p;
        }
        case GENERIC_NACK:
        case UNBIND:
        case UNBIND_RESP:
        case ENQUIRE_LINK:
        case ENQUIRE_LINK_RESP: {
            generic_nack_t s;
            if (!unpack(id, s, frame)) return std::nullopt;
            return header_from(s);
        }
        default:
            return std::nullopt;
    }
}

}  // namespace ussdgw::smpp::ref
