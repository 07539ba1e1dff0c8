#pragma once
// Every SQL statement the store runs, listed once. accounts prepares them all
// at open, so a statement that does not compile stops startup.

namespace ussdgw::store::q {

/// Statement ids; the order matches the table in queries.cpp.
enum id : int {
    find_subscriber,
    add_subscriber,
    add_balance,
    add_bonus,
    set_credit_limit,
    set_status,
    set_language,
    set_alphabet,
    set_number_management,
    set_login_alerts,
    set_tariff,
    add_extras,
    all_msisdns,
    find_tariff,
    all_tariffs,
    put_tariff,
    find_service,
    all_services,
    put_service,
    put_service_rule,
    clear_service_rules,
    service_rule,
    connected,
    subscribed,
    subscribe,
    unsubscribe,
    recurring_subscriptions,
    set_charged_periods,
    find_password,
    put_password,
    delete_password,
    clear_password_expiry,
    mark_password_used,
    find_login,
    put_login,
    find_sim,
    put_sim,
    put_sms_archive,
    sms_archive_on,
    add_payment,
    open_promised,
    add_promised,
    due_promised,
    mark_repaid,
    open_blocking,
    all_open_blocking,
    start_blocking,
    end_blocking,
    set_charged_days,
    add_detail_order,
    count_detail_orders,
    add_archive,
    last_archive,
    find_dedup,
    put_dedup,
    purge_dedup,
    count_
};

/// The SQL of statement `i`.
const char* sql(int i);

}  // namespace ussdgw::store::q
