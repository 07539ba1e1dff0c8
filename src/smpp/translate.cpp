#include "ussdgw/smpp/translate.hpp"

#include <fmt/format.h>

#include "ussdgw/util/charset.hpp"

namespace ussdgw::smpp {
namespace {

constexpr std::uint8_t esm_udhi = 0x40;
constexpr std::uint8_t esm_receipt_mask = 0x3C;  // delivery receipts and acks
constexpr std::size_t gsm7_single = 160;         // septets in one SMS
constexpr std::size_t gsm7_part = 153;           // septets per part after a 6-octet UDH
constexpr std::size_t ucs2_single = 70;          // UTF-16 units in one SMS
constexpr std::size_t ucs2_part = 67;            // UTF-16 units per part after the UDH
constexpr std::size_t max_parts = 255;

std::string digits_only(std::string s) {
    if (!s.empty() && s.front() == '+') s.erase(0, 1);
    return s;
}

// Text of a deliver: short_message, or message_payload when that is used instead.
std::string_view payload(const sm_body& b) {
    if (!b.short_message.empty()) return b.short_message;
    if (auto* t = find_tlv(b.tlvs, tag::message_payload))
        return {reinterpret_cast<const char*>(t->value.data()), t->value.size()};
    return {};
}

// Strips a user data header (esm_class UDHI) from MO text octets.
std::string_view strip_udh(std::string_view octets, std::uint8_t esm_class) {
    if (!(esm_class & esm_udhi) || octets.empty()) return octets;
    std::size_t udhl = static_cast<unsigned char>(octets[0]);
    if (udhl + 1 > octets.size()) return {};
    return octets.substr(udhl + 1);
}

// Splits encoded units into parts without cutting a GSM escape pair or a
// UTF-16 surrogate pair in half.
std::vector<std::string> split_gsm7(const std::string& septets, std::size_t per_part) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos < septets.size()) {
        std::size_t n = std::min(per_part, septets.size() - pos);
        if (pos + n < septets.size() && n > 0 && septets[pos + n - 1] == 0x1B) --n;
        parts.push_back(septets.substr(pos, n));
        pos += n;
    }
    return parts;
}

std::vector<std::string> split_ucs2(const std::string& ucs2, std::size_t units_per_part) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos < ucs2.size()) {
        std::size_t n = std::min(units_per_part * 2, ucs2.size() - pos);
        if (pos + n < ucs2.size() && n >= 2) {
            auto hi = static_cast<unsigned char>(ucs2[pos + n - 2]);
            if (hi >= 0xD8 && hi < 0xDC) n -= 2;  // leave the high surrogate with its pair
        }
        parts.push_back(ucs2.substr(pos, n));
        pos += n;
    }
    return parts;
}

}  // namespace

std::string decode_text(std::string_view octets, std::uint8_t dc) {
    // data_coding 8 is UCS-2 in SMPP; 0x48 is UCS-2 in the CBS scheme USSD gateways pass through.
    if (dc == 0x08 || dc == 0x48 || (dc & 0xEC) == 0x48) return util::ucs2_to_utf8(octets);
    if (dc == 0x03 || dc == 0x04 || dc == 0x44) return util::latin1_to_utf8(octets);
    if (dc == 0x01) return std::string(octets);  // IA5 / ASCII
    // 0x00 (SMSC default), 0x0F (USSD GSM7, language unspecified), 0xF0..0xF3 and
    // the CBS language groups 0x0X, 0x1X: unpacked GSM 7-bit.
    return util::gsm7_to_utf8(octets);
}

inbound from_deliver(const pdu& p, const smsc_profile& profile) {
    std::string from, to, text;
    const tlv_list* tlvs = nullptr;
    std::uint8_t esm = 0, dc = 0;
    ussd_route route;
    if (auto* b = std::get_if<sm_body>(&p.body)) {
        from = b->source_addr;
        to = b->destination_addr;
        esm = b->esm_class;
        dc = b->data_coding;
        tlvs = &b->tlvs;
        text = decode_text(strip_udh(payload(*b), esm), dc);
        route.service_ton = b->dest_addr_ton;
        route.service_npi = b->dest_addr_npi;
        route.msisdn_ton = b->source_addr_ton;
        route.msisdn_npi = b->source_addr_npi;
    } else if (auto* d = std::get_if<data_sm_body>(&p.body)) {
        from = d->source_addr;
        to = d->destination_addr;
        esm = d->esm_class;
        dc = d->data_coding;
        tlvs = &d->tlvs;
        std::string_view body;
        if (auto* t = find_tlv(d->tlvs, tag::message_payload))
            body = {reinterpret_cast<const char*>(t->value.data()), t->value.size()};
        text = decode_text(strip_udh(body, esm), dc);
        route.service_ton = d->dest_addr_ton;
        route.service_npi = d->dest_addr_npi;
        route.msisdn_ton = d->source_addr_ton;
        route.msisdn_npi = d->source_addr_npi;
    } else {
        return not_for_us{"not a deliver_sm or data_sm", std::nullopt};
    }
    if (esm & esm_receipt_mask) return not_for_us{"delivery receipt", std::nullopt};
    std::string msisdn = digits_only(from);
    if (msisdn.empty()) return not_for_us{"no source_addr", std::nullopt};
    // A handset's number is digits; anything else would reach logs, keys and
    // the store as it came (control bytes included).
    if (msisdn.size() > 20 || msisdn.find_first_not_of("0123456789") != std::string::npos)
        return not_for_us{"source_addr is not a subscriber number", std::nullopt};

    auto op = tlv_u8(*tlvs, tag::ussd_service_op);
    if (!op) {
        domain::sms_in sms{msisdn, to, text, {}};
        // Only a profile that says so lets the reference prove an SMS resend.
        if (profile.sms_resend_by_umr)
            if (auto umr = tlv_u16(*tlvs, tag::user_message_reference))
                sms.smsc_ref = std::to_string(*umr);
        return sms;
    }

    ussd_message m;
    m.in.msisdn = msisdn;
    m.in.text = text;
    route.service_addr = to;
    if (auto its = tlv_u16(*tlvs, tag::its_session_info)) {
        route.its_session = static_cast<std::uint8_t>(*its >> 8);
        route.its_sequence = static_cast<std::uint8_t>((*its & 0xFF) >> 1);
        route.end_bit = (*its & 0x01) != 0;
    }
    route.umr = tlv_u16(*tlvs, tag::user_message_reference);
    switch (profile.key) {
        case dialog_key::its_session_info:
            m.in.session = route.its_session.value_or(0);
            break;
        case dialog_key::user_message_reference:
            m.in.session = route.umr.value_or(0);
            break;
        case dialog_key::msisdn:
            m.in.session = 0;
            break;
    }
    switch (profile.mo_ops[*op]) {
        case op_role::begin:
            m.in.kind = domain::ussd_kind::begin;
            break;
        case op_role::answer:
            m.in.kind = route.end_bit ? domain::ussd_kind::release : domain::ussd_kind::answer;
            break;
        case op_role::release:
            m.in.kind = domain::ussd_kind::release;
            break;
        case op_role::unknown:
            return not_for_us{
                fmt::format("ussd_service_op {} has no role in profile {}", *op, profile.name),
                *op};
    }
    m.route = std::move(route);
    return m;
}

pdu ussd_submit(const domain::ussd_reply& reply, const ussd_route& route,
                const smsc_profile& profile) {
    sm_body b;
    b.service_type = profile.ussd_service_type;
    b.source_addr_ton = route.service_ton;
    b.source_addr_npi = route.service_npi;
    b.source_addr = route.service_addr;
    b.dest_addr_ton = route.msisdn_ton;
    b.dest_addr_npi = route.msisdn_npi;
    b.destination_addr = reply.msisdn;
    if (auto gsm = util::utf8_to_gsm7(reply.text)) {
        b.data_coding = profile.ussd_gsm7_coding;
        b.short_message = std::move(*gsm);
    } else {
        b.data_coding = profile.ussd_ucs2_coding;
        b.short_message = util::utf8_to_ucs2(reply.text);
    }
    // Some SMSCs want the text in message_payload; any SMSC gets it there when
    // it is longer than short_message allows.
    if (profile.ussd_in_payload || b.short_message.size() > 254) {
        add_tlv_bytes(b.tlvs, tag::message_payload, b.short_message);
        b.short_message.clear();
    }
    // The end bit rides on every final screen that carries its_session_info;
    // final_end_bit adds the TLV for SMSCs whose MOs had none (umr keyed).
    const bool end_bit = reply.end && profile.final_end_bit;
    add_tlv_u8(b.tlvs, tag::ussd_service_op, reply.end ? profile.final_op : profile.screen_op);
    if (route.its_session || end_bit) {
        std::uint8_t seq = static_cast<std::uint8_t>((route.its_sequence + 1) & 0x7F);
        std::uint16_t v = static_cast<std::uint16_t>((route.its_session.value_or(0) << 8) |
                                                     (seq << 1) | (reply.end ? 1 : 0));
        add_tlv_u16(b.tlvs, tag::its_session_info, v);
    }
    if (route.umr) add_tlv_u16(b.tlvs, tag::user_message_reference, *route.umr);
    return pdu{static_cast<std::uint32_t>(command::submit_sm), 0, 0, std::move(b)};
}

std::vector<pdu> sms_submits(const domain::sms_out& sms, const smsc_profile& profile,
                             std::uint16_t reference) {
    std::vector<std::string> parts;
    std::uint8_t dc;
    if (auto gsm = util::utf8_to_gsm7(sms.text)) {
        dc = profile.sms_gsm7_coding;
        parts = gsm->size() <= gsm7_single ? std::vector<std::string>{*gsm}
                                           : split_gsm7(*gsm, gsm7_part);
    } else {
        dc = profile.sms_ucs2_coding;
        std::string ucs2 = util::utf8_to_ucs2(sms.text);
        parts = ucs2.size() <= ucs2_single * 2 ? std::vector<std::string>{ucs2}
                                               : split_ucs2(ucs2, ucs2_part);
    }
    if (parts.empty()) parts.emplace_back();
    if (parts.size() > max_parts) parts.resize(max_parts);
    const auto total = static_cast<std::uint8_t>(parts.size());
    std::vector<pdu> out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        sm_body b;
        b.source_addr_ton = 0;
        b.source_addr_npi = 0;
        b.source_addr = sms.from;
        b.dest_addr_ton = 1;
        b.dest_addr_npi = 1;
        b.destination_addr = sms.to;
        b.data_coding = dc;
        if (total == 1) {
            b.short_message = parts[i];
        } else if (profile.sar_concat) {
            b.short_message = parts[i];
            add_tlv_u16(b.tlvs, tag::sar_msg_ref_num, reference);
            add_tlv_u8(b.tlvs, tag::sar_total_segments, total);
            add_tlv_u8(b.tlvs, tag::sar_segment_seqnum, static_cast<std::uint8_t>(i + 1));
        } else {
            // UDH: IEI 0x00 (8-bit reference concatenation), 3 octets of data.
            b.esm_class = esm_udhi;
            b.short_message = {0x05,
                               0x00,
                               0x03,
                               static_cast<char>(reference & 0xFF),
                               static_cast<char>(total),
                               static_cast<char>(i + 1)};
            b.short_message += parts[i];
        }
        out.push_back(pdu{static_cast<std::uint32_t>(command::submit_sm), 0, 0, std::move(b)});
    }
    return out;
}

}  // namespace ussdgw::smpp
