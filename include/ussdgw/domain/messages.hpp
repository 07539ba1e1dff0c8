#pragma once
// Domain messages: what the front doors (USSD dialogs, SMS router) see.
// SMPP details stop at smpp/translate; nothing here knows a PDU.

#include <cstdint>
#include <string>

namespace ussdgw::domain {

/// What a mobile-originated USSD message means for the dialog.
enum class ussd_kind {
    begin,    ///< subscriber dialled a string (PSSR indication): a new dialog
    answer,   ///< subscriber answered a screen (USSR confirmation): same dialog
    release,  ///< subscriber or network ended the dialog (vendor op such as 0x81)
};

/// A USSD message from a handset. Text is UTF-8.
struct ussd_in {
    std::string msisdn;                 ///< subscriber number, digits only
    std::string text;                   ///< dialled string ("*111*25#") or answer ("1")
    ussd_kind kind = ussd_kind::begin;  ///< start, continuation or release
    std::uint32_t session = 0;          ///< the SMSC's dialog identity (its_session_info or umr)
};

/// A USSD screen to send back. Text is UTF-8; the encoder picks GSM7 or UCS-2.
struct ussd_reply {
    std::string msisdn;         ///< subscriber number
    std::uint32_t session = 0;  ///< copied from the ussd_in it answers
    std::string text;           ///< screen text
    bool end = false;           ///< true: final screen, dialog ends; false: expects input
};

/// An SMS from a handset to a short number. Text is UTF-8.
struct sms_in {
    std::string from;  ///< subscriber number
    std::string to;    ///< short number addressed ("111")
    std::string text;  ///< message text
    /// The SMSC's identity of this message where the SMSC profile says it
    /// proves a resend (the same value on a redelivery); empty otherwise.
    std::string smsc_ref{};
};

/// An SMS to a handset. Text is UTF-8; split into segments by the SMPP layer.
struct sms_out {
    std::string from;  ///< short number it comes from ("3339")
    std::string to;    ///< subscriber number
    std::string text;  ///< message text
    bool operator==(const sms_out&) const = default;
};

}  // namespace ussdgw::domain
