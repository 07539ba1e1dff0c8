#pragma once
// The border between SMPP and the domain: deliver_sm/data_sm become ussd_in
// or sms_in; ussd_reply and sms_out become submit_sm PDUs. Which TLVs key a
// dialog and how a dialog ends is an SMSC profile, chosen in config. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ussdgw/domain/messages.hpp"
#include "ussdgw/smpp/pdu.hpp"
#include "ussdgw/smpp/profile.hpp"

namespace ussdgw::smpp {

/// SMPP details of one USSD dialog that its replies must echo. Opaque above translate.
struct ussd_route {
    std::string service_addr;                 ///< destination of the MO (becomes our source_addr)
    std::uint8_t service_ton = 0;             ///< its TON
    std::uint8_t service_npi = 0;             ///< its NPI
    std::uint8_t msisdn_ton = 1;              ///< subscriber TON
    std::uint8_t msisdn_npi = 1;              ///< subscriber NPI
    std::optional<std::uint8_t> its_session;  ///< its_session_info session number
    std::uint8_t its_sequence = 0;            ///< its_session_info sequence of the last MO
    std::optional<std::uint16_t> umr;         ///< user_message_reference
    bool end_bit = false;                     ///< the MO's its_session_info end bit
};

/// A USSD message plus how to answer it.
struct ussd_message {
    domain::ussd_in in;  ///< what the subscriber sent
    ussd_route route;    ///< what the reply must carry
};

/// A PDU that is neither USSD nor SMS we can act on, with the reason (for the log).
struct not_for_us {
    std::string reason;  ///< e.g. "delivery receipt", "ussd_service_op 17 not in the profile"
    /// The ussd_service_op the profile gives no role, when that is the reason.
    std::optional<std::uint8_t> unknown_op;
};

/// Result of reading one deliver_sm/data_sm.
using inbound = std::variant<ussd_message, domain::sms_in, not_for_us>;

/// Reads a deliver_sm or data_sm.
inbound from_deliver(const pdu& p, const smsc_profile& profile);

/// Decodes short_message/message_payload octets per data_coding into UTF-8.
std::string decode_text(std::string_view octets, std::uint8_t data_coding);

/// Builds the submit_sm carrying one USSD screen. Text must already fit one screen.
pdu ussd_submit(const domain::ussd_reply& reply, const ussd_route& route,
                const smsc_profile& profile);

/// Builds the submit_sm PDUs carrying one SMS, split into concatenated parts
/// when it does not fit one segment. `reference` ties the parts together.
std::vector<pdu> sms_submits(const domain::sms_out& sms, const smsc_profile& profile,
                             std::uint16_t reference);

}  // namespace ussdgw::smpp
