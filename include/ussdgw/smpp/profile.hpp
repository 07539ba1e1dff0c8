#pragma once
// SMSC profiles: how one SMSC carries a USSD dialog and an SMS on the wire.
// A profile is data, written in the config file's format ([profile NAME]
// sections); the built-in ones are entries in that same format. Pure: this
// file parses and validates keys, it reads no files.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ussdgw::smpp {

/// What identifies one USSD dialog on the wire.
enum class dialog_key {
    its_session_info,        ///< octet 1 of its_session_info (TLV 0x1383)
    user_message_reference,  ///< user_message_reference (TLV 0x0204)
    msisdn,                  ///< no session TLV: one dialog per subscriber at a time
};

/// How an SMSC fills the sequence (octet 2 of its_session_info) on MOs.
enum class sequence_style {
    moves,   ///< a counter or an echo of ours: a repeated sequence proves a resend
    fixed,   ///< never moves: a repeated sequence proves nothing
    absent,  ///< not sent (or not used): nothing proves a resend
    learn,   ///< "auto": learned per bind from what arrives (starts as fixed)
};

/// What a ussd_service_op value on an MO means.
enum class op_role : std::uint8_t {
    unknown,  ///< not declared: the MO is answered with deliver_sm_resp and dropped
    begin,    ///< opens a dialog
    answer,   ///< answers the screen (a release when the end bit is set)
    release,  ///< the subscriber or the network ended the dialog
};

/// What a begin op means while the same dialog is open.
enum class begin_while_open {
    restart,  ///< a new dialog replaces the open one (the handset dialled again)
    answer,   ///< an answer, unless the text is a service string ("*111#"), while the
              ///< dialog is open or recently ended: for SMSCs that send op 1 on every MO
};

/// How one SMSC wants USSD and SMS carried. Chosen by [smsc] profile.
struct smsc_profile {
    std::string name = "default";                             ///< as written in config
    dialog_key key = dialog_key::its_session_info;            ///< dialog identity
    sequence_style sequence = sequence_style::learn;          ///< what a repeated sequence proves
    std::array<op_role, 256> mo_ops = default_mo_ops();       ///< role of each ussd_service_op
    begin_while_open open_begin = begin_while_open::restart;  ///< begin op during a dialog
    std::uint8_t screen_op = 2;  ///< ussd_service_op of a screen expecting an answer (USSR)
    std::uint8_t final_op = 17;  ///< ussd_service_op of the last screen (PSSR response)
    bool final_end_bit = false;  ///< the last screen carries the its_session_info end bit
    std::string ussd_service_type = "USSD";  ///< service_type of MT USSD
    std::uint8_t ussd_gsm7_coding = 0x0F;    ///< data_coding of a GSM 7-bit screen
    std::uint8_t ussd_ucs2_coding = 0x08;    ///< data_coding of a UCS-2 screen
    bool ussd_in_payload = false;         ///< screen text in message_payload, short_message empty
    std::uint8_t sms_gsm7_coding = 0x00;  ///< data_coding of a GSM 7-bit SMS
    std::uint8_t sms_ucs2_coding = 0x08;  ///< data_coding of a UCS-2 SMS
    bool sar_concat = false;              ///< long SMS: sar_* TLVs (true) or a UDH (false)
    /// An MO SMS repeating from, to, text and user_message_reference of an
    /// earlier one is a resend (true); false: nothing proves an SMS resend.
    bool sms_resend_by_umr = false;

    /// Same settings, same name.
    bool operator==(const smsc_profile&) const = default;
    /// Ops 0 and 1 begin, 18 and 19 answer, 32..255 (vendor) release.
    static std::array<op_role, 256> default_mo_ops();
};

/// "its_session_info", "user_message_reference" or "msisdn".
const char* to_string(dialog_key k);
/// "moves", "fixed", "absent" or "auto".
const char* to_string(sequence_style s);

/// Profiles by name, built-in ones first, then those of the config file.
using profile_set = std::map<std::string, smsc_profile>;

/// Reads [profile NAME] sections one key at a time, so the config loader can
/// report each problem at its file:line. Usage: begin(), key()*, end().
class profile_reader {
  public:
    /// Starts with the built-in profiles.
    profile_reader();
    /// A [profile NAME] header. An error when NAME is empty, malformed or defined twice.
    std::string begin(const std::string& name, int line);
    /// One "key = value" of the current section; an error message, or empty when applied.
    std::string key(const std::string& key, const std::string& value, int line);
    /// Every profile read so far, built-ins included.
    const profile_set& profiles() const { return profiles_; }

  private:
    smsc_profile* current_ = nullptr;
    std::string current_name_;
    bool any_key_ = false;                   // based_on must come first
    std::array<int, 256> op_line_{};         // line that gave each op a role in this section
    std::map<std::string, int> defined_at_;  // profile name -> line of its header (0 = built in)
    profile_set profiles_;
};

/// The built-in profile with this name ("default", "umr", "msisdn"), or nullopt.
std::optional<smsc_profile> profile_by_name(const std::string& name);

/// The built-in profiles, as config text (the same format operators write).
std::string_view builtin_profiles_text();

}  // namespace ussdgw::smpp
