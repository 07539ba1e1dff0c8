#pragma once
// The PDUs the load generator builds and reads, on ussdgw's own codec
// (smpp/codec.hpp), with the conventions the simulator uses for the daemon's
// `default` SMSC profile (docs/smsc-sim.md, "MO traffic"). Building reuses
// one PDU per kind, so a warm encoder does not allocate.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario.hpp"
#include "ussdgw/smpp/pdu.hpp"

namespace ussdgw::load {

/// MO ussd_service_op values, as the simulator sends them by default.
namespace mo_op {
inline constexpr std::uint8_t begin = 1;       ///< PSSR indication: a new dialog
inline constexpr std::uint8_t answer = 18;     ///< USSR confirmation: an answer to a screen
inline constexpr std::uint8_t release = 0x81;  ///< the subscriber hung up (vendor value)
}  // namespace mo_op

/// its_session_info (TLV 0x1383): session number in octet 1; octet 2 holds
/// the sequence in bits 7..1 and the end-of-session flag in bit 0.
constexpr std::uint16_t its_session_info(std::uint8_t session, std::uint8_t sequence, bool end) {
    return static_cast<std::uint16_t>((session << 8) | ((sequence & 0x7F) << 1) | (end ? 1 : 0));
}

/// Appends deliver_sm, submit_sm_resp and header-only PDUs to an output buffer.
class encoder {
  public:
    encoder();

    /// A USSD deliver_sm from `msisdn` to `service_code` (TLVs ussd_service_op
    /// and its_session_info); `text` null = empty (a release).
    void ussd(std::vector<std::uint8_t>& out, std::uint32_t sequence, std::string_view msisdn,
              std::string_view service_code, std::uint8_t op, std::uint16_t its,
              const text_template* text, std::string_view next_msisdn);
    /// An SMS deliver_sm from `msisdn` to `to` (no TLVs, esm_class 0).
    void sms(std::vector<std::uint8_t>& out, std::uint32_t sequence, std::string_view msisdn,
             std::string_view to, const text_template& text, std::string_view next_msisdn);
    /// A submit_sm_resp or data_sm_resp (`command_id`): ESME_ROK with
    /// `message_id`, or another `status` with an empty message_id.
    void submit_resp(std::vector<std::uint8_t>& out, std::uint32_t command_id,
                     std::uint32_t sequence, std::uint64_t message_id,
                     std::uint32_t status = smpp::status::ok);
    /// A bind_transceiver_resp with `status` (our system_id only when it is ok).
    void bind_resp(std::vector<std::uint8_t>& out, std::uint32_t sequence, std::uint32_t status);
    /// A header-only PDU: enquire_link_resp, unbind, unbind_resp, generic_nack.
    void plain(std::vector<std::uint8_t>& out, smpp::command id, std::uint32_t sequence,
               std::uint32_t status = smpp::status::ok);

  private:
    smpp::pdu ussd_;   // a USSD deliver_sm with its two TLVs in place
    smpp::pdu sms_;    // an SMS deliver_sm
    smpp::pdu resp_;   // submit_sm_resp / data_sm_resp
    smpp::pdu plain_;  // header-only
    smpp::pdu bind_;   // bind_transceiver_resp
};

/// What the load generator needs to know of an MT (submit_sm or data_sm).
struct mt_info {
    bool ussd = false;                 ///< USSD (else SMS).
    bool ends = true;                  ///< USSD: the screen ends the dialog.
    std::optional<std::uint8_t> op;    ///< ussd_service_op when present.
    std::optional<std::uint16_t> its;  ///< its_session_info when present.
    std::uint8_t part = 1;             ///< SMS: this part, from 1.
    std::uint8_t parts = 1;            ///< SMS: parts of the whole message.
    std::string_view from;             ///< source_addr.
    std::string_view to;               ///< destination_addr, a leading '+' dropped.
};

/// Reads an MT as the simulator does: USSD when it carries ussd_service_op or
/// service_type "USSD"; a USSD screen continues the dialog only as op 2
/// without the its_session_info end bit; SMS parts from a UDH (IEI 0 or 8) or
/// the sar_* TLVs. Views point into `p`. Nullopt when `p` is not an MT.
std::optional<mt_info> read_mt(const smpp::pdu& p);

/// The MT's text in UTF-8 by data_coding (for error messages only).
std::string mt_text(const smpp::pdu& p);

}  // namespace ussdgw::load
