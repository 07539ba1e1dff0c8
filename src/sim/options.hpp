#pragma once
// Command-line options of ussdgw-smsc-sim.

#include <cstdint>
#include <string>
#include <variant>

namespace ussdgw::sim {

/// How USSD dialogs are keyed on the wire (an SMSC profile: docs/smsc-profiles.md).
enum class dialog_key {
    session,  ///< TLV 0x1383 its_session_info: session number, sequence, end bit.
    umr,      ///< TLV 0x0204 user_message_reference: a 16-bit dialog reference.
    msisdn,   ///< No dialog TLV: the SMSC keys dialogs on the subscriber number.
};

/// What octet 2 of its_session_info carries on MOs (--dialog-key session only).
enum class its_sequence {
    count,  ///< The dialog's message count (+1 per MO, resynced to an MT's + 1).
    echo,   ///< The sequence of the last MT in the dialog (0 on the begin MO).
    fixed,  ///< Always 0x00, releases included.
};

/// Everything the flags set.
struct options {
    std::string listen_host = "127.0.0.1";        ///< --listen host part.
    std::uint16_t listen_port = 2775;             ///< --listen port part; 0 = any free port.
    std::string system_id = "ussdgw";             ///< Accepted bind system_id.
    std::string password = "secret";              ///< Accepted bind password.
    std::string msisdn = "79160000001";           ///< Handset the prompt starts as.
    std::string ussd_service_type = "USSD";       ///< service_type of MO USSD.
    dialog_key key = dialog_key::session;         ///< --dialog-key (or --profile).
    its_sequence sequence = its_sequence::count;  ///< --its-sequence.
    std::uint8_t begin_op = 1;                    ///< ussd_service_op of a new dialog's MO.
    std::uint8_t answer_op = 18;                  ///< ussd_service_op of an answer.
    std::uint8_t release_op = 0x81;               ///< ussd_service_op of a user release.
    std::string script;                           ///< --script FILE; empty = none.
    std::uint64_t load = 0;                       ///< --load N; 0 = no load mode.
    std::uint64_t concurrency = 1;                ///< Round trips in flight in load mode.
    std::string load_text = "*111#";              ///< USSD string load mode sends.
    std::uint64_t throttle_every = 0;             ///< Every Nth submit_sm gets ESME_RTHROTTLED.
    std::uint64_t queue_full_every = 0;           ///< Every Nth submit_sm gets ESME_RMSGQFUL.
    std::uint64_t drop_resp_every = 0;            ///< Every Nth submit_sm is never answered.
    std::uint64_t disconnect_after = 0;           ///< Close the ESME link at the Nth submit_sm.
    std::uint64_t duplicate_every = 0;  ///< Every Nth MO deliver_sm is sent again after its resp.
    double enquire_link_interval = 0;   ///< Seconds between our enquire_links; 0 = off.
    double timeout = 10;                ///< Seconds an expect (or a wait) may take.
    /// --route-by-handset: each handset's MOs go to the bound link its number
    /// picks (number modulo the bound links, oldest bind first) instead of the
    /// most recently bound one.
    bool route_by_handset = false;
};

/// Parses the command line: the options, or the exit code when the program
/// should stop now (--help, --version, or a usage error already printed).
std::variant<options, int> parse_options(int argc, char** argv);

/// The version --version prints.
inline constexpr const char* version = "0.1.0";

}  // namespace ussdgw::sim
