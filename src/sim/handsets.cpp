#include "handsets.hpp"

#include <fmt/format.h>

#include "texts.hpp"

namespace ussdgw::sim {

handsets::handsets(const options& opts)
    : key_(opts.key),
      sequence_(opts.sequence),
      begin_op_(opts.begin_op),
      answer_op_(opts.answer_op),
      release_op_(opts.release_op),
      service_type_(opts.ussd_service_type) {}

bool handsets::dialog_open(const std::string& msisdn) const {
    auto it = dialogs_.find(msisdn);
    return it != dialogs_.end() && it->second.open;
}

std::uint8_t handsets::free_session() {
    // Session numbers are one octet; skip those live dialogs hold, if any is free.
    for (int tries = 0; tries < 256; ++tries) {
        std::uint8_t s = next_session_++;
        if (session_users_[s] == 0) return s;
    }
    return next_session_++;
}

void handsets::put(const std::string& msisdn, const dialog& d) {
    auto it = dialogs_.find(msisdn);
    if (it != dialogs_.end()) erase(it);
    dialogs_.emplace(msisdn, d);
    ++session_users_[d.session];
}

void handsets::erase(table::iterator it) {
    --session_users_[it->second.session];
    dialogs_.erase(it);
}

mo_pdu handsets::make_mo(const std::string& msisdn, dialog& d, std::uint8_t op,
                         std::string_view text, bool ends) {
    auto enc = encode_mo_text(text, 0x0F);
    mo_pdu mo;
    mo.service_type = service_type_;
    mo.source_addr = msisdn;
    mo.destination_addr = d.service_code;
    mo.data_coding = enc.data_coding;
    mo.text = std::move(enc.octets);
    mo.ussd_service_op = op;
    if (key_ == dialog_key::session) {
        std::uint8_t seq = 0;  // its_sequence::fixed: never touched, not even the end bit
        if (sequence_ == its_sequence::count) {
            seq = static_cast<std::uint8_t>(((d.sequence & 0x7F) << 1) | (ends ? 1 : 0));
        } else if (sequence_ == its_sequence::echo) {
            seq = static_cast<std::uint8_t>((d.echo & 0xFE) | (ends ? 1 : 0));
        }
        mo.its_session_info = static_cast<std::uint16_t>((d.session << 8) | seq);
    } else if (key_ == dialog_key::umr) {
        mo.user_message_reference = d.reference;
    }  // dialog_key::msisdn: no dialog TLV at all
    d.sequence = static_cast<std::uint8_t>((d.sequence + 1) & 0x7F);
    return mo;
}

std::variant<mo_pdu, std::string> handsets::ussd(const std::string& msisdn, ussd_action action,
                                                 std::string_view text) {
    if (action == ussd_action::start) {
        auto code = ussd_service_code(text);
        if (!code) return fmt::format("'{}' is not a USSD string like *111#", text);
        dialog d;
        d.session = free_session();
        if (++next_reference_ == 0) ++next_reference_;  // 0 reads as "no reference"
        d.reference = next_reference_;
        d.service_code = *code;
        // Dialling again while a dialog is open replaces it, as on a handset.
        put(msisdn, d);
        return make_mo(msisdn, dialogs_.at(msisdn), begin_op_, text, false);
    }
    auto it = dialogs_.find(msisdn);
    if (it == dialogs_.end()) return fmt::format("{} has no open USSD dialog", msisdn);
    if (action == ussd_action::answer) {
        it->second.open = false;  // until the next screen arrives
        return make_mo(msisdn, it->second, answer_op_, text, false);
    }
    auto mo = make_mo(msisdn, it->second, release_op_, "", true);
    erase(it);
    return mo;
}

mo_pdu handsets::sms(const std::string& msisdn, const std::string& to,
                     std::string_view text) const {
    auto enc = encode_mo_text(text, 0x00);
    mo_pdu mo;
    mo.source_addr = msisdn;
    mo.destination_addr = to;
    mo.data_coding = enc.data_coding;
    mo.text = std::move(enc.octets);
    return mo;
}

std::optional<std::string> handsets::on_mt(const std::string& msisdn, const std::string& from,
                                           const mt_pdu& mt, bool ends) {
    std::optional<std::string> warning;
    auto it = dialogs_.find(msisdn);
    if (it != dialogs_.end()) {
        const auto& d = it->second;
        // Only a key the MOs carry can disagree; with dialog_key::msisdn there is none.
        if (key_ == dialog_key::session && mt.its_session_info &&
            (*mt.its_session_info >> 8) != d.session) {
            warning = fmt::format("MT to {} carries session {} but its dialog is session {}",
                                  msisdn, *mt.its_session_info >> 8, d.session);
        } else if (key_ == dialog_key::umr && mt.user_message_reference &&
                   *mt.user_message_reference != d.reference) {
            warning = fmt::format("MT to {} carries reference {} but its dialog is {}", msisdn,
                                  *mt.user_message_reference, d.reference);
        }
    }
    if (ends) {
        if (it != dialogs_.end()) erase(it);
        return warning;
    }
    if (it == dialogs_.end()) {
        // A network-initiated screen (no dialog yet): adopt the ESME's key.
        dialog d;
        d.session = mt.its_session_info ? static_cast<std::uint8_t>(*mt.its_session_info >> 8)
                                        : free_session();
        d.reference = mt.user_message_reference.value_or(0);
        d.service_code = ussd_service_code(from).value_or(from);
        put(msisdn, d);
        it = dialogs_.find(msisdn);
    }
    auto& d = it->second;
    d.open = true;
    if (mt.its_session_info) {
        const auto octet = static_cast<std::uint8_t>(*mt.its_session_info & 0xFF);
        d.sequence = static_cast<std::uint8_t>(((octet >> 1) + 1) & 0x7F);
        d.echo = static_cast<std::uint8_t>(octet & 0xFE);
    }
    return warning;
}

}  // namespace ussdgw::sim
