#pragma once
// The SMPP codec's properties over arbitrary input, shared by the libFuzzer
// target (fuzz_codec.cpp) and the ctest corpus replay (tests/unit/smpp/
// corpus_replay_test.cpp): check_frame agrees with command_length; a PDU that
// decodes re-encodes, to the same octets (canonical form), and decodes back to
// the same value; refusals carry the header fields; and, where it is safe to ask
// it, libsmpp34 reads the PDU the same way we do whenever it accepts it.

#include <algorithm>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "smpp34_ref.hpp"
#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/pdu.hpp"

namespace ussdgw::smpp::props {

/// Octets as "00 1A FF".
inline std::string hex(std::span<const std::uint8_t> b) {
    static const char digits[] = "0123456789ABCDEF";
    std::string s;
    for (auto c : b) {
        if (!s.empty()) s += ' ';
        s += digits[c >> 4];
        s += digits[c & 0xF];
    }
    return s;
}

inline std::string hex(const std::string& s) {
    return hex(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

/// Every field of a pdu, one per line, for failure messages.
inline std::string describe(const pdu& p) {
    std::ostringstream o;
    o << command_name(p.command_id) << " status=0x" << std::hex << p.command_status
      << " seq=" << std::dec << p.sequence_number << "\n";
    auto str = [&](const char* name, const std::string& v) {
        o << "  " << name << " [" << hex(v) << "]\n";
    };
    auto u8 = [&](const char* name, std::uint8_t v) { o << "  " << name << "=" << int{v} << "\n"; };
    auto tlvs = [&](const tlv_list& l) {
        for (const auto& t : l)
            o << "  tlv 0x" << std::hex << t.tag << std::dec << " [" << hex(t.value) << "]\n";
    };
    if (const auto* b = std::get_if<bind_body>(&p.body)) {
        str("system_id", b->system_id);
        str("password", b->password);
        str("system_type", b->system_type);
        u8("interface_version", b->interface_version);
        u8("addr_ton", b->addr_ton);
        u8("addr_npi", b->addr_npi);
        str("address_range", b->address_range);
    } else if (const auto* r = std::get_if<bind_resp_body>(&p.body)) {
        str("system_id", r->system_id);
        tlvs(r->tlvs);
    } else if (const auto* s = std::get_if<sm_body>(&p.body)) {
        str("service_type", s->service_type);
        u8("source_addr_ton", s->source_addr_ton);
        u8("source_addr_npi", s->source_addr_npi);
        str("source_addr", s->source_addr);
        u8("dest_addr_ton", s->dest_addr_ton);
        u8("dest_addr_npi", s->dest_addr_npi);
        str("destination_addr", s->destination_addr);
        u8("esm_class", s->esm_class);
        u8("protocol_id", s->protocol_id);
        u8("priority_flag", s->priority_flag);
        str("schedule_delivery_time", s->schedule_delivery_time);
        str("validity_period", s->validity_period);
        u8("registered_delivery", s->registered_delivery);
        u8("replace_if_present_flag", s->replace_if_present_flag);
        u8("data_coding", s->data_coding);
        u8("sm_default_msg_id", s->sm_default_msg_id);
        str("short_message", s->short_message);
        tlvs(s->tlvs);
    } else if (const auto* d = std::get_if<data_sm_body>(&p.body)) {
        str("service_type", d->service_type);
        u8("source_addr_ton", d->source_addr_ton);
        u8("source_addr_npi", d->source_addr_npi);
        str("source_addr", d->source_addr);
        u8("dest_addr_ton", d->dest_addr_ton);
        u8("dest_addr_npi", d->dest_addr_npi);
        str("destination_addr", d->destination_addr);
        u8("esm_class", d->esm_class);
        u8("registered_delivery", d->registered_delivery);
        u8("data_coding", d->data_coding);
        tlvs(d->tlvs);
    } else if (const auto* m = std::get_if<message_id_body>(&p.body)) {
        str("message_id", m->message_id);
        tlvs(m->tlvs);
    }
    return o.str();
}

/// What the property checks saw, for the corpus replay's own assertions.
struct outcome {
    bool decoded = false;       ///< the whole input decoded as one PDU
    bool compared_lib = false;  ///< libsmpp34 also decoded it and was compared
    std::string violation;      ///< empty when every property held
};

namespace detail {

inline std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// check_frame's verdict must follow from the first four octets alone.
inline std::string check_frame_props(std::span<const std::uint8_t> data, std::size_t max) {
    frame_check f = check_frame(data, max);
    if (data.size() < 4) return f.state == frame_check::need_more ? "" : "check_frame: <4 octets";
    const std::size_t len = be32(data, 0);
    if (len < header_size) {
        if (f.state != frame_check::invalid || f.error != decode_error::length_too_small ||
            f.length != len)
            return "check_frame: command_length < 16 not invalid/length_too_small";
    } else if (len > max) {
        if (f.state != frame_check::invalid || f.error != decode_error::length_too_large ||
            f.length != len)
            return "check_frame: command_length > max not invalid/length_too_large";
    } else if (data.size() < len) {
        if (f.state != frame_check::need_more) return "check_frame: short buffer not need_more";
    } else if (f.state != frame_check::complete || f.length != len) {
        return "check_frame: full frame not complete with command_length";
    }
    return "";
}

// Decode/encode properties of one frame (`frame.size()` is what decode gets).
inline std::string frame_props(std::span<const std::uint8_t> frame, bool differential,
                               outcome* out) {
    auto r = decode(frame);
    if (!r) {
        const decode_failure& f = r.error();
        if (frame.size() >= header_size &&
            (f.command_id != be32(frame, 4) || f.sequence_number != be32(frame, 12)))
            return "decode failure does not carry command_id/sequence_number";
        if (frame.size() < header_size && f.error != decode_error::length_too_small)
            return "decode of <16 octets not length_too_small";
        return "";
    }
    const pdu& p = *r;
    if (out) out->decoded = true;
    if (frame.size() != be32(frame, 0)) return "decode accepted a command_length mismatch";

    // Helpers must not trip over whatever was decoded.
    (void)command_name(p.command_id);
    (void)status_name(p.command_status);
    const tlv_list* tl = nullptr;
    if (const auto* s = std::get_if<sm_body>(&p.body)) tl = &s->tlvs;
    if (const auto* d = std::get_if<data_sm_body>(&p.body)) tl = &d->tlvs;
    if (const auto* m = std::get_if<message_id_body>(&p.body)) tl = &m->tlvs;
    if (const auto* b = std::get_if<bind_resp_body>(&p.body)) tl = &b->tlvs;
    if (tl) {
        (void)tlv_u8(*tl, tag::ussd_service_op);
        (void)tlv_u16(*tl, tag::its_session_info);
        (void)find_tlv(*tl, tag::message_payload);
    }

    auto e = encode(p);
    if (!e) return std::string("encode refused a decoded PDU: ") + to_string(e.error());
    const std::vector<std::uint8_t>& enc = *e;
    // Canonical form: the same octets, except that an absent optional C-octet
    // string (bind_transceiver_resp system_id, *_resp message_id on error) comes
    // back as its NUL.
    bool same = std::equal(enc.begin(), enc.end(), frame.begin(), frame.end());
    if (!same) {
        const bool optional_body =
            frame.size() == header_size && (std::holds_alternative<bind_resp_body>(p.body) ||
                                            std::holds_alternative<message_id_body>(p.body));
        std::vector<std::uint8_t> want(frame.begin(), frame.end());
        want.push_back(0);
        want[3] = static_cast<std::uint8_t>(want[3] + 1);
        if (!optional_body || enc != want)
            return "encode(decode(x)) != x\n  in:  " + hex(frame) + "\n  out: " + hex(enc);
    }
    auto again = decode(enc);
    if (!again) return std::string("decode(encode(x)) refused: ") + to_string(again.error().error);
    if (!(*again == p))
        return "decode(encode(x)) != x\n" + describe(p) + "---\n" + describe(*again);

    if (!differential) return "";
    // Differential: libsmpp34 reads the same PDU, where it is safe to ask it.
    // Every PDU we accept has its C-octet strings terminated inside the frame,
    // in the order libsmpp34 reads them, so its strlen() stays inside; except
    // an absent optional string (16-octet bind_transceiver_resp or *_resp),
    // which libsmpp34 would look for past the end. TLVs: at most 16 (its log
    // buffer) and each read alike (no misaligned walk, no leaking failure).
    // (libsmpp34 does not look for submit_sm_resp's message_id on an error status.)
    const bool lib_skips_id = p.command_id == static_cast<std::uint32_t>(command::submit_sm_resp) &&
                              p.command_status != status::ok;
    if (frame.size() == header_size && !lib_skips_id &&
        (std::holds_alternative<bind_resp_body>(p.body) ||
         std::holds_alternative<message_id_body>(p.body)))
        return "";
    if (tl && (tl->size() > 16 || !ref::lib_agrees(p.command_id, *tl))) return "";
    auto lib = ref::lib_unpack(frame);
    if (!lib) return "";
    if (out) out->compared_lib = true;
    if (!(*lib == p))
        return "libsmpp34 reads it differently\nours:\n" + describe(p) + "libsmpp34:\n" +
               describe(*lib);
    return "";
}

}  // namespace detail

/// Runs every property on `data` as it would sit in a receive buffer. Returns
/// the first violation (empty if none) and what was exercised.
inline outcome check(std::span<const std::uint8_t> data, bool differential) {
    outcome o;
    for (std::size_t max : {default_max_pdu, std::size_t{64}, header_size}) {
        o.violation = detail::check_frame_props(data, max);
        if (!o.violation.empty()) return o;
    }
    // The whole input as one frame, as decode gets it after framing.
    o.violation = detail::frame_props(data, differential, &o);
    if (!o.violation.empty()) return o;
    // The first frame of a buffer holding more than one PDU.
    frame_check f = check_frame(data);
    if (f.state == frame_check::complete && f.length < data.size())
        o.violation = detail::frame_props(data.first(f.length), differential, nullptr);
    return o;
}

}  // namespace ussdgw::smpp::props
