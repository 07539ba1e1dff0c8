#pragma once
// Every number the self-service rules use, with its default (the values
// conf/ussdgw.conf lists under [rules]; docs/actions.md says which action
// applies which). The daemon's config loader fills this plain struct;
// actions only read it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/secrets.hpp"

namespace ussdgw::actions {

/// Returns the current time in unix seconds; injected so tests can move time.
using clock_fn = std::function<std::int64_t()>;

/// The real clock.
std::int64_t system_now();

/// One step of the promised payment fee table.
struct promised_fee_step {
    store::kopecks up_to = 0;  ///< amounts up to and including this
    store::kopecks fee = 0;    ///< pay this fee
};

/// A package that bonus points buy.
struct bonus_package {
    std::string name;          ///< argument value of bonus_spend ("minutes")
    std::int64_t points = 0;   ///< price in points
    std::int64_t minutes = 0;  ///< added minutes
    std::int64_t sms = 0;      ///< added SMS
    std::int64_t mb = 0;       ///< added megabytes
};

/// Self-service rules; all money in kopecks, all durations in seconds or days.
struct rules {
    // Passwords (docs/actions.md: password_set, password_check).
    std::size_t password_min_ussd = 8;       ///< shortest password set by USSD/admin
    std::size_t password_max_ussd = 32;      ///< longest password set by USSD/admin
    std::size_t password_min_sms = 6;        ///< shortest password set by SMS (older rules)
    std::size_t password_max_sms = 8;        ///< longest password set by SMS
    std::size_t password_max_repeat = 5;     ///< no character more often than this
    std::size_t issued_password_length = 8;  ///< generated passwords (>= 8)
    std::int64_t password_valid_seconds = 48 * 3600;  ///< issued and one-time passwords
    int max_failed_logins = 3;                        ///< wrong passwords in a row before the lock
    /// Login alert SMS per subscriber in one hour at most; the ones beyond are
    /// counted and the next alert sent says how many. 0: no cap.
    std::int64_t login_alerts_per_hour = 5;
    /// SMS that other subscribers' actions (a bonus gift, a number link) send
    /// to one number in one hour at most; the action still runs, the SMS
    /// beyond are not sent (counted in the store). 0: no cap.
    std::int64_t notices_per_hour = 10;
    std::string password_sender = "3339";  ///< SMS with passwords come from here
    std::string notify_sender = "111";     ///< other notifications come from here
    store::pwhash_limits pwhash = store::pwhash_limits::interactive();  ///< Argon2id cost

    // Tariffs.
    std::int64_t tariff_free_change_days = 30;  ///< one free change per this many days

    // Promised payment.
    store::kopecks promised_min_balance = -3000;  ///< allowed only at or above -30 RUB
    std::vector<promised_fee_step> promised_fees = {
        {3000, 700}, {10000, 1000}, {20000, 2500}, {50000, 4000}, {80000, 5000}};  ///< 7..50 RUB
    store::kopecks promised_min_amount = 100;  ///< smallest promised payment
    std::int64_t promised_days = 3;            ///< repaid automatically after

    // Full trust.
    store::kopecks full_trust_start_limit =
        30000;  ///< 300 RUB: the limit at switch-on and the floor
    /// The monthly review sets the limit to this share of the average monthly
    /// spend (percent), never below full_trust_start_limit.
    std::int64_t full_trust_share_percent = 50;
    /// The review averages the spend of this many calendar months before it.
    std::int64_t full_trust_review_months = 3;

    // Voluntary blocking.
    std::int64_t blocking_free_days = 14;     ///< free days
    store::kopecks blocking_daily_fee = 100;  ///< then per day

    // Payments.
    store::kopecks topup_min = 10000;               ///< 100 RUB
    store::kopecks topup_max = 1500000;             ///< 15 000 RUB
    store::kopecks bonus_kopecks_per_point = 1000;  ///< one bonus point per 10 RUB paid
    store::kopecks transfer_min = 100;              ///< 1 RUB
    store::kopecks transfer_max = 1500000;          ///< 15 000 RUB
    std::vector<bonus_package> bonus_packages = {{"minutes", 100, 50, 0, 0},
                                                 {"sms", 50, 0, 50, 0},
                                                 {"internet", 200, 0, 0, 1024}};  ///< bonus_spend

    // Details, archive, links.
    std::int64_t details_max_months = 6;                       ///< longest statement period
    std::int64_t archive_list_default = 5;                     ///< archive_list without a limit
    std::int64_t archive_list_max = 50;                        ///< archive_list upper bound
    std::string app_link_url = "https://app.example.net/get";  ///< sent by app_link

    // SIM codes.
    std::size_t pin_min = 4;  ///< PIN digits at least
    std::size_t pin_max = 8;  ///< PIN digits at most
    int max_wrong_pins = 3;   ///< then the PUK is needed
    int max_wrong_puks = 10;  ///< then the SIM is blocked for good

    // Gateway.
    std::int64_t dedup_window_seconds =
        24 * 3600;                        ///< repeats within this return the first outcome
    std::string default_language = "en";  ///< for numbers not in the store
    std::int64_t outbox_max_age_seconds = 24 * 3600;  ///< an SMS not accepted by then is given up
    std::int64_t utc_offset_seconds = 3 * 3600;       ///< dates in texts (Moscow time)
};

}  // namespace ussdgw::actions
