#include "wire.hpp"

#include <charconv>

#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/translate.hpp"

namespace ussdgw::load {
namespace {

// Our system_id in bind responses (SMPP allows 15 characters).
constexpr const char* our_system_id = "ussdgw-load";
constexpr std::uint8_t esm_udhi = 0x40;

smpp::sm_body& sm(smpp::pdu& p) {
    return std::get<smpp::sm_body>(p.body);
}

smpp::pdu deliver_template() {
    smpp::pdu p;
    p.command_id = static_cast<std::uint32_t>(smpp::command::deliver_sm);
    smpp::sm_body b;
    b.source_addr_ton = 1;  // international
    b.source_addr_npi = 1;  // E.164
    b.dest_addr_ton = 0;    // a service code or short number has no TON
    b.dest_addr_npi = 1;
    p.body = std::move(b);
    return p;
}

// Encoding cannot fail for what the scenario parser let through (lengths are
// checked there); a failure would be a bug, and the PDU is then not sent.
void append(const smpp::pdu& p, std::vector<std::uint8_t>& out) {
    [[maybe_unused]] auto r = smpp::encode(p, out);
}

}  // namespace

encoder::encoder()
    : ussd_(deliver_template()),
      sms_(deliver_template()),
      resp_{static_cast<std::uint32_t>(smpp::command::submit_sm_resp), 0, 0,
            smpp::message_id_body{}},
      plain_{0, 0, 0, smpp::empty_body{}},
      bind_{static_cast<std::uint32_t>(smpp::command::bind_transceiver_resp), 0, 0,
            smpp::bind_resp_body{}} {
    auto& u = sm(ussd_);
    u.service_type = "USSD";
    smpp::add_tlv_u8(u.tlvs, smpp::tag::ussd_service_op, 0);
    smpp::add_tlv_u16(u.tlvs, smpp::tag::its_session_info, 0);
    // Room for the longest text up front: sending then never allocates.
    u.short_message.reserve(256);
    sm(sms_).short_message.reserve(256);
}

void encoder::ussd(std::vector<std::uint8_t>& out, std::uint32_t sequence, std::string_view msisdn,
                   std::string_view service_code, std::uint8_t op, std::uint16_t its,
                   const text_template* text, std::string_view next_msisdn) {
    ussd_.sequence_number = sequence;
    auto& b = sm(ussd_);
    b.source_addr.assign(msisdn);
    b.destination_addr.assign(service_code);
    if (text) {
        text->render(b.short_message, next_msisdn);
        b.data_coding = text->data_coding;
    } else {
        b.short_message.clear();
        b.data_coding = 0x0F;
    }
    b.tlvs[0].value[0] = op;
    b.tlvs[1].value[0] = static_cast<std::uint8_t>(its >> 8);
    b.tlvs[1].value[1] = static_cast<std::uint8_t>(its & 0xFF);
    append(ussd_, out);
}

void encoder::sms(std::vector<std::uint8_t>& out, std::uint32_t sequence, std::string_view msisdn,
                  std::string_view to, const text_template& text, std::string_view next_msisdn) {
    sms_.sequence_number = sequence;
    auto& b = sm(sms_);
    b.source_addr.assign(msisdn);
    b.destination_addr.assign(to);
    text.render(b.short_message, next_msisdn);
    b.data_coding = text.data_coding;
    append(sms_, out);
}

void encoder::submit_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                          std::uint32_t sequence, std::uint64_t message_id, std::uint32_t status) {
    resp_.command_id = command_id;
    resp_.command_status = status;
    resp_.sequence_number = sequence;
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, message_id);
    if (status != smpp::status::ok) end = digits;
    std::get<smpp::message_id_body>(resp_.body).message_id.assign(digits, end);
    append(resp_, out);
}

void encoder::bind_resp(std::vector<std::uint8_t>& out, std::uint32_t sequence,
                        std::uint32_t status) {
    bind_.sequence_number = sequence;
    bind_.command_status = status;
    std::get<smpp::bind_resp_body>(bind_.body).system_id =
        status == smpp::status::ok ? our_system_id : "";
    append(bind_, out);
}

void encoder::plain(std::vector<std::uint8_t>& out, smpp::command id, std::uint32_t sequence,
                    std::uint32_t status) {
    plain_.command_id = static_cast<std::uint32_t>(id);
    plain_.sequence_number = sequence;
    plain_.command_status = status;
    append(plain_, out);
}

std::optional<mt_info> read_mt(const smpp::pdu& p) {
    const smpp::tlv_list* tlvs = nullptr;
    std::string_view service_type;
    std::uint8_t esm = 0;
    std::string_view short_message;
    mt_info m;
    if (auto* b = std::get_if<smpp::sm_body>(&p.body)) {
        if (p.command_id != static_cast<std::uint32_t>(smpp::command::submit_sm))
            return std::nullopt;
        tlvs = &b->tlvs;
        service_type = b->service_type;
        esm = b->esm_class;
        short_message = b->short_message;
        m.from = b->source_addr;
        m.to = b->destination_addr;
    } else if (auto* d = std::get_if<smpp::data_sm_body>(&p.body)) {
        tlvs = &d->tlvs;
        service_type = d->service_type;
        esm = d->esm_class;
        m.from = d->source_addr;
        m.to = d->destination_addr;
    } else {
        return std::nullopt;
    }
    if (!m.to.empty() && m.to.front() == '+') m.to.remove_prefix(1);
    m.op = smpp::tlv_u8(*tlvs, smpp::tag::ussd_service_op);
    m.its = smpp::tlv_u16(*tlvs, smpp::tag::its_session_info);
    m.ussd = m.op.has_value() || service_type == "USSD";
    if (m.ussd) {
        m.ends = !(m.op == smpp::ussd_op::ussr_req && !(m.its && (*m.its & 1)));
        return m;
    }
    if ((esm & esm_udhi) && !short_message.empty()) {
        const std::size_t udhl = static_cast<unsigned char>(short_message[0]);
        auto at = [&](std::size_t i) { return static_cast<unsigned char>(short_message[i]); };
        for (std::size_t i = 1; udhl < short_message.size() && i + 1 < 1 + udhl;) {
            const auto iei = at(i);
            const std::size_t len = at(i + 1);
            if (i + 2 + len > 1 + udhl) break;
            if (iei == 0x00 && len == 3) {
                m.parts = at(i + 3);
                m.part = at(i + 4);
            } else if (iei == 0x08 && len == 4) {
                m.parts = at(i + 4);
                m.part = at(i + 5);
            }
            i += 2 + len;
        }
    } else if (auto total = smpp::tlv_u8(*tlvs, smpp::tag::sar_total_segments)) {
        m.parts = *total;
        m.part = smpp::tlv_u8(*tlvs, smpp::tag::sar_segment_seqnum).value_or(1);
    }
    if (m.parts == 0) m.parts = 1;
    return m;
}

std::string mt_text(const smpp::pdu& p) {
    if (auto* b = std::get_if<smpp::sm_body>(&p.body)) {
        std::string_view octets = b->short_message;
        if (octets.empty())
            if (auto* t = smpp::find_tlv(b->tlvs, smpp::tag::message_payload))
                octets = {reinterpret_cast<const char*>(t->value.data()), t->value.size()};
        if ((b->esm_class & esm_udhi) && !octets.empty()) {
            const std::size_t skip = 1 + static_cast<unsigned char>(octets[0]);
            octets = skip <= octets.size() ? octets.substr(skip) : std::string_view{};
        }
        return smpp::decode_text(octets, b->data_coding);
    }
    if (auto* d = std::get_if<smpp::data_sm_body>(&p.body)) {
        if (auto* t = smpp::find_tlv(d->tlvs, smpp::tag::message_payload))
            return smpp::decode_text(
                {reinterpret_cast<const char*>(t->value.data()), t->value.size()}, d->data_coding);
    }
    return {};
}

}  // namespace ussdgw::load
