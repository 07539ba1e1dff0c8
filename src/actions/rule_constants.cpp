#include "ussdgw/actions/rule_constants.hpp"

#include "ussdgw/actions/money.hpp"

namespace ussdgw::actions {
namespace {

std::string rub(store::kopecks k) {
    // Whole roubles read best in prompts ("1-15000"), and an input's range
    // needs a whole number; a fractional limit keeps its decimals.
    return k % 100 == 0 ? std::to_string(k / 100) : format_rub(k, "en");
}

}  // namespace

std::map<std::string, std::string> rule_constants(const rules& r) {
    auto n = [](auto v) { return std::to_string(v); };
    std::int64_t promised_max = r.promised_fees.empty() ? 0 : r.promised_fees.back().up_to;
    return {
        {"rules.password_min_ussd", n(r.password_min_ussd)},
        {"rules.password_max_ussd", n(r.password_max_ussd)},
        {"rules.password_min_sms", n(r.password_min_sms)},
        {"rules.password_max_sms", n(r.password_max_sms)},
        {"rules.password_max_repeat", n(r.password_max_repeat)},
        {"rules.issued_password_length", n(r.issued_password_length)},
        {"rules.password_valid_hours", n(r.password_valid_seconds / 3600)},
        {"rules.max_failed_logins", n(r.max_failed_logins)},
        {"rules.password_sender", r.password_sender},
        {"rules.notify_sender", r.notify_sender},
        {"rules.tariff_free_change_days", n(r.tariff_free_change_days)},
        {"rules.promised_min_balance", rub(r.promised_min_balance)},
        {"rules.promised_min_amount", rub(r.promised_min_amount)},
        {"rules.promised_max_amount", rub(promised_max)},
        {"rules.promised_days", n(r.promised_days)},
        {"rules.full_trust_start_limit", rub(r.full_trust_start_limit)},
        {"rules.blocking_free_days", n(r.blocking_free_days)},
        {"rules.blocking_daily_fee", rub(r.blocking_daily_fee)},
        {"rules.topup_min", rub(r.topup_min)},
        {"rules.topup_max", rub(r.topup_max)},
        {"rules.transfer_min", rub(r.transfer_min)},
        {"rules.transfer_max", rub(r.transfer_max)},
        {"rules.details_max_months", n(r.details_max_months)},
        {"rules.pin_min", n(r.pin_min)},
        {"rules.pin_max", n(r.pin_max)},
        {"rules.max_wrong_pins", n(r.max_wrong_pins)},
        {"rules.max_wrong_puks", n(r.max_wrong_puks)},
    };
}

}  // namespace ussdgw::actions
