#include "ussdgw/actions/titles.hpp"

#include <utility>

namespace ussdgw::actions {

namespace {

struct named {
    std::string_view name;
    msg title;
};

// Archive rows name registry actions and what the system writes itself
// (engine::daily, transfer's recipient row, the admin tool).
constexpr named actions_titled[] = {
    {"alphabet_set", msg::title_alphabet_set},
    {"app_link", msg::title_app_link},
    {"archive_list", msg::title_archive_list},
    {"balance", msg::title_balance},
    {"block_number", msg::title_block_number},
    {"blocking_fee", msg::title_blocking_fee},
    {"bonus_balance", msg::title_bonus_balance},
    {"bonus_give", msg::title_bonus_give},
    {"bonus_spend", msg::title_bonus_spend},
    {"details_order", msg::title_details_order},
    {"full_trust", msg::title_full_trust},
    {"language_set", msg::title_language_set},
    {"login_alerts", msg::title_login_alerts},
    {"linked_balances", msg::title_linked_balances},
    {"number_link", msg::title_number_link},
    {"number_management", msg::title_number_management},
    {"number_unlink", msg::title_number_unlink},
    {"password_check", msg::title_password_check},
    {"password_issue", msg::title_password_issue},
    {"password_set", msg::title_password_set},
    {"payment_history", msg::title_payment_history},
    {"pin_change", msg::title_pin_change},
    {"profile", msg::title_profile},
    {"promised_payment", msg::title_promised},
    {"promised_repayment", msg::title_promised_repayment},
    {"puk_unblock", msg::title_puk_unblock},
    {"service_connect", msg::title_service_connect},
    {"service_disconnect", msg::title_service_disconnect},
    {"service_fee", msg::title_service_fee},
    {"services_list", msg::title_services_list},
    {"sms_archive_on", msg::title_sms_archive_on},
    {"subscriber_add", msg::title_subscriber_add},
    {"tariff_change", msg::title_tariff_change},
    {"tariff_info", msg::title_tariff_info},
    {"tariffs_list", msg::title_tariffs_list},
    {"topup", msg::title_topup},
    {"transfer", msg::title_transfer},
    {"transfer_in", msg::title_transfer_in},
    {"trust_review", msg::title_trust_review},
    {"unblock_number", msg::title_unblock_number},
};

// Every kind the actions and the daily job write to payments.
constexpr named payments_titled[] = {
    {"blocking_fee", msg::title_blocking_fee},
    {"promised", msg::title_promised},
    {"promised_fee", msg::title_promised_fee},
    {"promised_repayment", msg::title_promised_repayment},
    {"service_fee", msg::title_service_fee},
    {"tariff_change_fee", msg::title_tariff_change_fee},
    {"topup", msg::title_topup},
    {"transfer_in", msg::title_transfer_in},
    {"transfer_out", msg::title_transfer_out},
};

template <std::size_t N>
std::optional<msg> find(const named (&table)[N], std::string_view name) {
    for (const auto& n : table)
        if (n.name == name) return n.title;
    return std::nullopt;
}

}  // namespace

std::optional<msg> action_title(std::string_view action) {
    return find(actions_titled, action);
}

std::optional<msg> payment_title(std::string_view kind) {
    return find(payments_titled, kind);
}

std::string action_title_text(std::string_view action, std::string_view language) {
    return text(action_title(action).value_or(msg::title_other), language);
}

std::string payment_title_text(std::string_view kind, std::string_view language) {
    return text(payment_title(kind).value_or(msg::title_other), language);
}

std::string language_name(std::string_view code, std::string_view language) {
    return text(code == "ru" ? msg::word_language_ru : msg::word_language_en, language);
}

std::string package_title(const bonus_package& p, std::string_view language) {
    std::string out;
    auto part = [&](std::int64_t n, msg word) {
        if (n <= 0) return;
        if (!out.empty()) out += " + ";
        out += text(word, language, {{"count", std::to_string(n)}});
    };
    part(p.minutes, msg::word_package_minutes);
    part(p.sms, msg::word_package_sms);
    part(p.mb, msg::word_package_mb);
    return out.empty() ? text(msg::title_bonus_spend, language) : out;
}

std::string param_word(std::string_view param, std::string_view language) {
    static constexpr std::pair<std::string_view, msg> words[] = {
        {"amount", msg::word_param_amount},     {"to", msg::word_param_to},
        {"points", msg::word_param_points},     {"state", msg::word_param_choice},
        {"filter", msg::word_param_choice},     {"limit", msg::word_param_limit},
        {"language", msg::word_param_language}, {"alphabet", msg::word_param_alphabet},
        {"kind", msg::word_param_kind},         {"months", msg::word_param_months},
        {"tariff", msg::word_param_tariff},     {"service", msg::word_param_service},
        {"package", msg::word_param_package},   {"password", msg::word_param_password},
        {"old", msg::word_param_code},          {"new", msg::word_param_code},
        {"new2", msg::word_param_code},         {"puk", msg::word_param_code},
    };
    for (const auto& [name, word] : words)
        if (name == param) return text(word, language);
    return text(msg::word_param_other, language);
}

}  // namespace ussdgw::actions
