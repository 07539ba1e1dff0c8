#pragma once
// Every sentence the actions say, in English and Russian, kept in one file
// (src/actions/messages.cpp) so translators find them. Texts carry {name}
// placeholders filled from the outcome's vars.

#include <map>
#include <string>
#include <string_view>

namespace ussdgw::actions {

/// Message ids; each has an English and a Russian text.
enum class msg {
    // Refusals (outcome.vars["reason"]).
    unknown_subscriber,
    unknown_action,
    bad_argument,
    storage_error,
    busy,
    insufficient_funds,
    lent_money,
    unknown_tariff,
    same_tariff,
    unknown_service,
    already_connected,
    included_in_tariff,
    not_connected,
    incompatible_tariff,
    part_of_tariff,
    promised_balance_too_low,
    promised_outstanding,
    promised_amount,
    trust_already_on,
    trust_already_off,
    trust_debt,
    already_blocked,
    not_blocked,
    topup_range,
    transfer_range,
    unknown_recipient,
    same_number,
    insufficient_bonus,
    unknown_package,
    bad_points,
    weak_password,
    pw_too_short,
    pw_too_long,
    pw_not_latin,
    pw_classes,
    pw_repeats,
    no_password,
    wrong_password,
    password_locked,
    password_expired,
    password_used,
    nm_already_on,
    nm_already_off,
    alerts_bad_state,
    bad_pin,
    pin_mismatch,
    wrong_pin,
    pin_blocked,
    wrong_puk,
    sim_blocked,
    no_sim,
    bad_period,
    // Success replies (outcome.vars["message"]).
    ok_profile,
    ok_balance,
    ok_tariff_info,
    ok_tariffs_list,
    ok_tariff_changed,
    ok_services_list,
    ok_services_none,
    ok_service_connected,
    ok_service_disconnected,
    ok_promised,
    ok_trust_on,
    ok_trust_off,
    ok_blocked,
    ok_unblocked,
    ok_topup,
    ok_transfer,
    ok_bonus_balance,
    ok_bonus_spent,
    ok_bonus_given,
    ok_password_issued,
    ok_password_set,
    ok_password_checked,
    ok_nm_on,
    ok_nm_off,
    ok_alerts_on,
    ok_alerts_off,
    ok_pin_changed,
    ok_pin_unblocked,
    ok_details,
    ok_archive,
    ok_archive_empty,
    ok_app_link,
    ok_sms_archive,
    ok_language,
    ok_alphabet_latin,
    ok_alphabet_cyrillic,
    // SMS texts (outcome.sms).
    sms_password,
    sms_password_accepted,
    sms_service_connected,
    sms_service_disconnected,
    sms_transfer_in,
    sms_bonus_in,
    sms_app_link,
    sms_details,
    sms_login_refused,
    sms_login_ok,
    // Words used inside other texts.
    word_free,
    word_per_day,
    word_per_month,
    word_one_off,
    word_in_tariff,
    word_details_calls,
    word_details_statement,
    word_details_cost_control,
    word_details_bill,
    word_login_wrong,
    word_login_locked,
    word_login_expired,
    word_login_used,
    word_login_no_password,
    count_
};

/// The text of `id` in `language` ("ru" or anything else for English) with
/// {name} placeholders replaced from `vars`; unknown placeholders stay as they are.
std::string text(msg id, std::string_view language,
                 const std::map<std::string, std::string>& vars = {});

/// Replaces {name} placeholders in `pattern` from `vars`.
std::string fill(std::string_view pattern, const std::map<std::string, std::string>& vars);

}  // namespace ussdgw::actions
