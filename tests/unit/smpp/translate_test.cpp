// smpp/translate: deliver_sm -> ussd_in/sms_in per SMSC profile, and
// ussd_reply/sms_out -> submit_sm with the right ops, TLVs, codings and parts.

#include <doctest/doctest.h>

#include "ussdgw/smpp/translate.hpp"
#include "ussdgw/util/charset.hpp"

using namespace ussdgw;
using namespace ussdgw::smpp;

namespace {

pdu ussd_deliver(const std::string& text, std::uint8_t op, std::optional<std::uint16_t> its,
                 std::optional<std::uint16_t> umr = std::nullopt) {
    sm_body b;
    b.service_type = "USSD";
    b.source_addr_ton = 1;
    b.source_addr_npi = 1;
    b.source_addr = "+79160000001";
    b.destination_addr = "111";
    b.data_coding = 0x0F;
    b.short_message = *util::utf8_to_gsm7(text);
    add_tlv_u8(b.tlvs, tag::ussd_service_op, op);
    if (its) add_tlv_u16(b.tlvs, tag::its_session_info, *its);
    if (umr) add_tlv_u16(b.tlvs, tag::user_message_reference, *umr);
    return pdu{static_cast<std::uint32_t>(command::deliver_sm), 0, 7, b};
}

const sm_body& body_of(const pdu& p) {
    return std::get<sm_body>(p.body);
}

}  // namespace

TEST_CASE("a PSSR indication starts a dialog keyed by its_session_info") {
    auto profile = *profile_by_name("default");
    auto in = from_deliver(ussd_deliver("*111#", ussd_op::pssr_ind, 0x0502), profile);
    auto* m = std::get_if<ussd_message>(&in);
    REQUIRE(m);
    CHECK(m->in.msisdn == "79160000001");  // '+' stripped
    CHECK(m->in.text == "*111#");
    CHECK(m->in.kind == domain::ussd_kind::begin);
    CHECK(m->in.session == 5);
    CHECK(m->route.its_sequence == 1);
    CHECK(m->route.service_addr == "111");
}

TEST_CASE("USSR confirmation is an answer - vendor op 0x81 and the end bit are releases") {
    auto profile = *profile_by_name("default");
    auto answer = std::get<ussd_message>(from_deliver(ussd_deliver("1", 18, 0x0504), profile));
    CHECK(answer.in.kind == domain::ussd_kind::answer);
    auto abort = std::get<ussd_message>(from_deliver(ussd_deliver("", 0x81, 0x0506), profile));
    CHECK(abort.in.kind == domain::ussd_kind::release);
    auto ended = std::get<ussd_message>(from_deliver(ussd_deliver("", 18, 0x0507), profile));
    CHECK(ended.in.kind == domain::ussd_kind::release);
}

TEST_CASE("network-side ops and delivery receipts are not for us") {
    auto profile = *profile_by_name("default");
    CHECK(std::holds_alternative<not_for_us>(from_deliver(ussd_deliver("x", 17, 0x0100), profile)));
    auto receipt = ussd_deliver("id:1 stat:DELIVRD", 1, std::nullopt);
    std::get<sm_body>(receipt.body).esm_class = 0x04;
    CHECK(std::holds_alternative<not_for_us>(from_deliver(receipt, profile)));
}

TEST_CASE("the umr profile keys dialogs on user_message_reference") {
    auto profile = *profile_by_name("umr");
    auto m =
        std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, std::nullopt, 4242), profile));
    CHECK(m.in.session == 4242);
    domain::ussd_reply last{"79160000001", 4242, "Bye", true};
    auto p = ussd_submit(last, m.route, profile);
    auto& b = body_of(p);
    CHECK(tlv_u8(b.tlvs, tag::ussd_service_op) == ussd_op::ussr_req);  // op 2 ...
    auto its = tlv_u16(b.tlvs, tag::its_session_info);
    REQUIRE(its);
    CHECK((*its & 1) == 1);  // ... with the end-of-session bit
    CHECK(tlv_u16(b.tlvs, tag::user_message_reference) == 4242);
}

TEST_CASE("the default profile ends with op 17 and continues with op 2 - echoing the session") {
    auto profile = *profile_by_name("default");
    auto m = std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, 0x0902), profile));
    auto cont = body_of(ussd_submit({"79160000001", 9, "1 Balance", false}, m.route, profile));
    CHECK(tlv_u8(cont.tlvs, tag::ussd_service_op) == ussd_op::ussr_req);
    CHECK(tlv_u16(cont.tlvs, tag::its_session_info) == ((9 << 8) | (2 << 1)));
    CHECK(cont.destination_addr == "79160000001");
    CHECK(cont.source_addr == "111");
    CHECK(cont.service_type == "USSD");
    CHECK(cont.data_coding == 0x0F);
    CHECK(cont.short_message == "1 Balance");
    auto end = body_of(ussd_submit({"79160000001", 9, "Bye", true}, m.route, profile));
    CHECK(tlv_u8(end.tlvs, tag::ussd_service_op) == ussd_op::pssr_resp);
    CHECK((*tlv_u16(end.tlvs, tag::its_session_info) & 1) == 1);
}

TEST_CASE("Cyrillic screens go out as UCS-2") {
    auto profile = *profile_by_name("default");
    auto m = std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, 0x0100), profile));
    auto b = body_of(ussd_submit({"79160000001", 1, "Баланс", true}, m.route, profile));
    CHECK(b.data_coding == 0x08);
    CHECK(b.short_message.size() == 12);
    CHECK(util::ucs2_to_utf8(b.short_message) == "Баланс");
}

TEST_CASE("an SMS without ussd_service_op is an sms_in with decoded text") {
    sm_body b;
    b.source_addr = "79160000002";
    b.destination_addr = "111";
    b.data_coding = 0x08;
    b.short_message = util::utf8_to_ucs2("25 Пароль");
    auto in = from_deliver(pdu{static_cast<std::uint32_t>(command::deliver_sm), 0, 1, b},
                           *profile_by_name("default"));
    auto* s = std::get_if<domain::sms_in>(&in);
    REQUIRE(s);
    CHECK(s->from == "79160000002");
    CHECK(s->to == "111");
    CHECK(s->text == "25 Пароль");
}

TEST_CASE("a short SMS is one submit_sm - a long one is split with UDH or sar TLVs") {
    auto profile = *profile_by_name("default");
    auto one = sms_submits({"3339", "79160000001", "Your password: Abc12345"}, profile, 1);
    REQUIRE(one.size() == 1);
    CHECK(body_of(one[0]).source_addr == "3339");
    CHECK(body_of(one[0]).esm_class == 0);

    std::string long_text(400, 'a');
    auto parts = sms_submits({"111", "79160000001", long_text}, profile, 7);
    REQUIRE(parts.size() == 3);  // 153 + 153 + 94
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        auto& b = body_of(parts[i]);
        CHECK(b.esm_class == 0x40);
        REQUIRE(b.short_message.size() > 6);
        CHECK(b.short_message.substr(0, 3) == std::string("\x05\x00\x03", 3));
        CHECK(static_cast<unsigned char>(b.short_message[3]) == 7);
        CHECK(static_cast<unsigned char>(b.short_message[4]) == 3);
        CHECK(static_cast<unsigned char>(b.short_message[5]) == i + 1);
        joined += b.short_message.substr(6);
    }
    CHECK(joined == long_text);

    profile.sar_concat = true;
    auto sar = sms_submits({"111", "79160000001", long_text}, profile, 300);
    REQUIRE(sar.size() == 3);
    CHECK(body_of(sar[1]).esm_class == 0);
    CHECK(tlv_u16(body_of(sar[1]).tlvs, tag::sar_msg_ref_num) == 300);
    CHECK(tlv_u8(body_of(sar[1]).tlvs, tag::sar_total_segments) == 3);
    CHECK(tlv_u8(body_of(sar[1]).tlvs, tag::sar_segment_seqnum) == 2);
}

TEST_CASE("a part boundary never splits a GSM escape pair or a surrogate pair") {
    auto profile = *profile_by_name("default");
    // 152 plain characters then a Euro sign (escape + code) straddling the 153 boundary.
    std::string text(152, 'x');
    text += "€";
    text += std::string(20, 'y');
    auto parts = sms_submits({"111", "79160000001", text}, profile, 1);
    REQUIRE(parts.size() == 2);
    CHECK(body_of(parts[0]).short_message.size() == 6 + 152);
    CHECK(body_of(parts[1]).short_message[6] == 0x1B);

    std::string cyr;
    for (int i = 0; i < 66; ++i) cyr += "ж";
    cyr += "😀";  // a surrogate pair at units 67-68
    for (int i = 0; i < 10; ++i) cyr += "ж";
    auto u = sms_submits({"111", "79160000001", cyr}, profile, 2);
    REQUIRE(u.size() == 2);
    CHECK(body_of(u[0]).short_message.size() == 6 + 66 * 2);
    std::string joined =
        body_of(u[0]).short_message.substr(6) + body_of(u[1]).short_message.substr(6);
    CHECK(util::ucs2_to_utf8(joined) == cyr);
}

TEST_CASE("a profile's op roles decide begin - answer - release - and unknown ops are named") {
    auto profile = *profile_by_name("default");
    profile.mo_ops.fill(op_role::unknown);
    profile.mo_ops[1] = op_role::begin;
    profile.mo_ops[1] = op_role::begin;
    profile.mo_ops[33] = op_role::release;
    CHECK(std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, 0x0100), profile)).in.kind ==
          domain::ussd_kind::begin);
    CHECK(std::get<ussd_message>(from_deliver(ussd_deliver("", 33, 0x0100), profile)).in.kind ==
          domain::ussd_kind::release);
    auto unknown = from_deliver(ussd_deliver("1", 18, 0x0102), profile);
    auto* why = std::get_if<not_for_us>(&unknown);
    REQUIRE(why);
    REQUIRE(why->unknown_op);
    CHECK(*why->unknown_op == 18);
    CHECK(why->reason == "ussd_service_op 18 has no role in profile default");
}

TEST_CASE("the msisdn profile keys every dialog on the subscriber alone") {
    auto profile = *profile_by_name("msisdn");
    auto with_tlv = std::get<ussd_message>(from_deliver(ussd_deliver("1", 18, 0x0902), profile));
    CHECK(with_tlv.in.session == 0);
    auto none =
        std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, std::nullopt), profile));
    CHECK(none.in.session == 0);
    CHECK_FALSE(none.route.its_session);
    // No session TLV on the MO: none on the reply either.
    auto mt = ussd_submit({"79160000001", 0, "Menu", false}, none.route, profile);
    CHECK(find_tlv(body_of(mt).tlvs, tag::its_session_info) == nullptr);
    CHECK(*tlv_u8(body_of(mt).tlvs, tag::ussd_service_op) == 2);
}

TEST_CASE("screen ops - codings - service_type and message_payload come from the profile") {
    auto profile = *profile_by_name("default");
    profile.screen_op = 0x22;
    profile.final_op = 0x23;
    profile.ussd_service_type = "";
    profile.ussd_gsm7_coding = 0x00;
    profile.ussd_ucs2_coding = 0x48;
    profile.ussd_in_payload = true;
    auto begin = std::get<ussd_message>(from_deliver(ussd_deliver("*111#", 1, 0x0700), profile));
    auto screen = ussd_submit({"79160000001", 7, "Menu", false}, begin.route, profile);
    const auto& b = body_of(screen);
    CHECK(b.service_type.empty());
    CHECK(b.data_coding == 0x00);
    CHECK(b.short_message.empty());
    auto* payload = find_tlv(b.tlvs, tag::message_payload);
    REQUIRE(payload);
    CHECK(std::string(payload->value.begin(), payload->value.end()) == *util::utf8_to_gsm7("Menu"));
    CHECK(*tlv_u8(b.tlvs, tag::ussd_service_op) == 0x22);
    auto last = ussd_submit({"79160000001", 7, "Баланс", true}, begin.route, profile);
    CHECK(body_of(last).data_coding == 0x48);
    CHECK(*tlv_u8(body_of(last).tlvs, tag::ussd_service_op) == 0x23);
    CHECK((*tlv_u16(body_of(last).tlvs, tag::its_session_info) & 1) == 1);  // end of session
}

TEST_CASE("an SMS carries its user_message_reference up only where the profile trusts it") {
    sm_body b;
    b.source_addr = "79160000001";
    b.destination_addr = "111";
    b.short_message = "hi";
    add_tlv_u16(b.tlvs, tag::user_message_reference, 77);
    pdu p{static_cast<std::uint32_t>(command::deliver_sm), 0, 9, b};
    auto profile = *profile_by_name("default");
    CHECK(std::get<domain::sms_in>(from_deliver(p, profile)).smsc_ref.empty());
    profile.sms_resend_by_umr = true;
    CHECK(std::get<domain::sms_in>(from_deliver(p, profile)).smsc_ref == "77");
}
