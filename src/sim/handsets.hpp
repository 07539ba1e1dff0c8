#pragma once
// The handsets' side of USSD dialogs: which handset has a dialog open, under
// which session key, and the deliver_sm each user action becomes. Pure: no
// sockets, no printing.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "options.hpp"
#include "pdus.hpp"

namespace ussdgw::sim {

/// What a handset user can do in USSD.
enum class ussd_action {
    start,    ///< Dial a string: --begin-op (1, PSSR indication), a new dialog.
    answer,   ///< Reply to a screen: --answer-op (18, USSR confirmation).
    release,  ///< Hang up: --release-op (0x81), ends the dialog.
};

/// USSD operation codes (ussd_service_op, TLV 0x0501). The MO values are
/// only the defaults: --begin-op, --answer-op and --release-op set them.
namespace ussd_op {
inline constexpr std::uint8_t pssr_indication = 1;     ///< MO: a new dialog
inline constexpr std::uint8_t ussr_request = 2;        ///< MT: a screen, dialog continues
inline constexpr std::uint8_t ussn_request = 3;        ///< MT: a notice, dialog ends
inline constexpr std::uint8_t pssr_response = 17;      ///< MT: the last screen
inline constexpr std::uint8_t ussr_confirmation = 18;  ///< MO: an answer
inline constexpr std::uint8_t user_release = 0x81;     ///< MO: the user hung up
}  // namespace ussd_op

/// Dialog state of every simulated handset.
class handsets {
  public:
    /// Uses the dialog key, its_session_info sequence style, MO ops and USSD
    /// service_type from `opts`.
    explicit handsets(const options& opts);

    /// The deliver_sm for a USSD action of `msisdn`, updating its dialog, or
    /// why it cannot be sent (no open dialog, no service code).
    std::variant<mo_pdu, std::string> ussd(const std::string& msisdn, ussd_action action,
                                           std::string_view text);
    /// The deliver_sm for an SMS from `msisdn` to `to`.
    mo_pdu sms(const std::string& msisdn, const std::string& to, std::string_view text) const;

    /// Follows an MT USSD to `msisdn`: a continuing screen opens (or keeps) the
    /// dialog, an ending one closes it. Returns a warning when the MT carries a
    /// dialog key other than the open dialog's (only where MOs carry a key: with
    /// --dialog-key msisdn an MT to the handset belongs to its dialog).
    std::optional<std::string> on_mt(const std::string& msisdn, const std::string& from,
                                     const mt_pdu& mt, bool ends);

    /// True when `msisdn` has a dialog (started, maybe not answered yet).
    bool has_dialog(const std::string& msisdn) const { return dialogs_.count(msisdn) != 0; }
    /// True when the last MT to `msisdn` was a continuing screen.
    bool dialog_open(const std::string& msisdn) const;

  private:
    struct dialog {
        std::uint8_t session = 0;     // its_session_info octet 1
        std::uint8_t sequence = 0;    // its_session_info octet 2, bits 7..1 (count)
        std::uint8_t echo = 0;        // octet 2 of the last MT, bit 0 cleared (echo)
        std::uint16_t reference = 0;  // user_message_reference
        std::string service_code;     // destination_addr of every MO in the dialog
        bool open = false;            // last MT continued the dialog
    };
    using table = std::unordered_map<std::string, dialog>;
    std::uint8_t free_session();
    void put(const std::string& msisdn, const dialog& d);
    void erase(table::iterator it);

    mo_pdu make_mo(const std::string& msisdn, dialog& d, std::uint8_t op, std::string_view text,
                   bool ends);

    dialog_key key_;
    its_sequence sequence_;
    std::uint8_t begin_op_;
    std::uint8_t answer_op_;
    std::uint8_t release_op_;
    std::string service_type_;
    table dialogs_;
    std::array<std::uint32_t, 256> session_users_{};  // live dialogs per session number
    std::uint8_t next_session_ = 0;
    std::uint16_t next_reference_ = 0;
};

}  // namespace ussdgw::sim
