#pragma once
// Typed queries over the account store. Every statement is listed once
// (src/store/queries.cpp) and prepared when an accounts object is built, so a
// typo in SQL fails at startup, not in the middle of a subscriber's dialog.
// An accounts object belongs to one connection and so to one thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ussdgw/store/db.hpp"

namespace ussdgw::store {

class read_cache;

/// Money in kopecks (1 RUB = 100). Never a floating-point number.
using kopecks = std::int64_t;
/// Unix seconds.
using unix_time = std::int64_t;

/// One subscriber's account row.
struct subscriber {
    std::string msisdn;                       ///< digits only
    std::string status = "active";            ///< "active" or "blocked" (voluntary blocking)
    std::string language = "en";              ///< "en" or "ru"
    std::string alphabet = "cyrillic";        ///< "cyrillic" or "latin" (transliterated menus)
    std::string tariff;                       ///< tariffs.name
    kopecks balance = 0;                      ///< may be negative
    kopecks credit_limit = 0;                 ///< full trust credit; 0 when off
    std::int64_t bonus = 0;                   ///< bonus points
    bool number_management = false;           ///< "Number management" service on
    std::optional<unix_time> tariff_changed;  ///< last tariff change
    std::int64_t minutes_used = 0;            ///< of the tariff package this month
    std::int64_t sms_used = 0;                ///< of the tariff package this month
    std::int64_t mb_used = 0;                 ///< of the tariff package this month
    std::int64_t extra_minutes = 0;           ///< bought with bonus points
    std::int64_t extra_sms = 0;               ///< bought with bonus points
    std::int64_t extra_mb = 0;                ///< bought with bonus points
    unix_time created = 0;                    ///< when provisioned
    bool login_alerts = false;                ///< SMS about logins and refused passwords
    /// Month (actions::month_index, local time) of the last full-trust credit
    /// limit review; 0: never reviewed.
    std::int64_t trust_reviewed = 0;
    /// Start of the package period the *_used counters belong to; 0: never
    /// rolled (the counters predate the usage feed).
    unix_time usage_period_start = 0;
};

/// A tariff from the catalogue.
struct tariff {
    std::string name;          ///< key, e.g. "Smart"
    std::string title_en;      ///< shown to English speakers
    std::string title_ru;      ///< shown to Russian speakers
    kopecks monthly_fee = 0;   ///< subscription fee
    kopecks change_fee = 0;    ///< fee for changing to it within the free interval
    std::int64_t minutes = 0;  ///< package minutes per month
    std::int64_t sms = 0;      ///< package SMS per month
    std::int64_t mb = 0;       ///< package traffic per month
};

/// A service (option) from the catalogue.
struct service {
    std::string code;             ///< key, e.g. "caller_id"
    std::string title_en;         ///< shown to English speakers
    std::string title_ru;         ///< shown to Russian speakers
    kopecks fee = 0;              ///< per period; 0 = free
    std::string period = "none";  ///< "none" (one-off), "daily", "monthly"
};

/// A stored secret (password) row.
struct password_row {
    std::string kind;                  ///< "permanent" or "one_time"
    std::string hash;                  ///< crypto_pwhash string
    unix_time issued = 0;              ///< when set
    std::optional<unix_time> expires;  ///< none: valid until replaced
    std::optional<unix_time> used;     ///< when a one-time password was used
};

/// The login lockout state of a subscriber.
struct login_state {
    std::int64_t failed = 0;  ///< wrong passwords in a row
    bool locked = false;      ///< true until a new password is issued
};

/// SIM codes and their counters.
struct sim_row {
    std::string pin_hash;         ///< crypto_pwhash string
    std::string puk_hash;         ///< crypto_pwhash string
    std::int64_t pin_failed = 0;  ///< wrong PINs in a row
    std::int64_t puk_failed = 0;  ///< wrong PUKs in total
    bool pin_blocked = false;     ///< PUK needed
    bool sim_blocked = false;     ///< for good; a new SIM is needed
};

/// An outstanding or repaid promised payment.
struct promised_row {
    std::int64_t id = 0;  ///< row id
    std::string msisdn;   ///< whose
    kopecks amount = 0;   ///< credited
    kopecks fee = 0;      ///< charged when taken
    unix_time taken = 0;  ///< when taken
    unix_time due = 0;    ///< when repaid automatically
};

/// A voluntary blocking period.
struct blocking_row {
    std::int64_t id = 0;            ///< row id
    std::string msisdn;             ///< whose
    unix_time started = 0;          ///< when blocked
    std::int64_t charged_days = 0;  ///< paid days already charged by the daily job
};

/// One row of the transaction archive.
struct archive_row {
    std::int64_t id = 0;    ///< increasing
    std::string msisdn;     ///< whose account
    unix_time time = 0;     ///< when
    std::string channel;    ///< "ussd", "sms", "admin" or "system" (daily job)
    std::string action;     ///< action name
    std::string arguments;  ///< "key=value" pairs, secrets as ***
    std::string result;     ///< "ok" or the error code
    kopecks amount = 0;     ///< money moved on this account (signed)
};

/// One row of the outbox (an SMS to send).
struct outbox_row {
    std::int64_t id = 0;        ///< increasing
    std::string sender;         ///< short number it comes from
    std::string recipient;      ///< subscriber number
    std::string body;           ///< the text, or its sealed form when `sealed`
    bool sealed = false;        ///< body is server_key::seal()ed
    std::int64_t attempts = 0;  ///< sends not accepted so far
};

/// One money movement of the payments table.
struct payment_row {
    std::int64_t id = 0;  ///< increasing
    std::string msisdn;   ///< whose account
    unix_time time = 0;   ///< when
    std::string kind;     ///< "topup", "transfer_out", "service_fee", ...
    kopecks amount = 0;   ///< signed: positive in, negative out
    std::string peer;     ///< the other number, service code, tariff name or reference
};

/// SMS of one kind to one subscriber in the current one-hour window (login
/// alerts, or notices that other subscribers' actions send).
struct alert_window {
    unix_time started = 0;           ///< when the window began (its first alert)
    std::int64_t sent = 0;           ///< alerts sent in it
    std::int64_t suppressed = 0;     ///< alerts not sent since the last one sent
    unix_time suppressed_since = 0;  ///< when the first of those was due (0: none)
};

/// What the usage feed measures.
enum class usage_kind {
    minutes,  ///< call minutes
    sms,      ///< messages
    mb,       ///< megabytes of traffic
};

/// "minutes", "sms" or "mb": the name in the feed and in the store.
const char* to_string(usage_kind k);

/// A connected service as listed for the subscriber.
struct connected_service {
    service svc;                  ///< catalogue entry
    bool part_of_tariff = false;  ///< included in the tariff, cannot be disconnected
};

/// A subscriber's own subscription to a service with a daily or monthly fee.
struct recurring_subscription {
    std::string msisdn;                ///< whose
    std::string service;               ///< services.code
    unix_time since = 0;               ///< when connected (the first period was paid then)
    std::int64_t charged_periods = 0;  ///< periods after the first charged by the daily job
    kopecks fee = 0;                   ///< per period, from the catalogue
    std::string period;                ///< "daily" or "monthly"
    bool part_of_tariff = false;       ///< the subscriber's tariff includes it now
};

/// Typed queries on one connection.
class accounts {
  public:
    /// Prepares every statement; the schema must be at the latest version.
    explicit accounts(connection& c);
    ~accounts();
    accounts(const accounts&) = delete;
    accounts& operator=(const accounts&) = delete;

    /// The connection these queries run on.
    connection& conn() noexcept { return c_; }

    // Subscribers.
    /// The subscriber, or nullopt when not provisioned.
    std::optional<subscriber> find_subscriber(const std::string& msisdn);
    /// Takes the write locks of two subscribers' rows, in msisdn order, before
    /// money moves between them: on PostgreSQL two gateways' transfers in
    /// opposite directions then wait for each other instead of deadlocking;
    /// on SQLite the writer holds the whole store already.
    void lock_pair(const std::string& a, const std::string& b);
    /// Inserts a new subscriber (its package period starting at `created`
    /// unless `usage_period_start` says otherwise); false when the msisdn exists already.
    bool add_subscriber(const subscriber& s);
    /// Adds `delta` to the balance.
    void add_balance(const std::string& msisdn, kopecks delta);
    /// Adds `delta` to the bonus points.
    void add_bonus(const std::string& msisdn, std::int64_t delta);
    /// Sets the full-trust credit limit.
    void set_credit_limit(const std::string& msisdn, kopecks limit);
    /// Sets "active" or "blocked".
    void set_status(const std::string& msisdn, const std::string& status);
    /// Sets "en" or "ru".
    void set_language(const std::string& msisdn, const std::string& language);
    /// Sets "cyrillic" or "latin".
    void set_alphabet(const std::string& msisdn, const std::string& alphabet);
    /// Switches Number management on or off.
    void set_number_management(const std::string& msisdn, bool on);
    /// Switches the SMS alerts about logins and refused passwords on or off.
    void set_login_alerts(const std::string& msisdn, bool on);
    /// Moves the subscriber to `tariff` and records when.
    void set_tariff(const std::string& msisdn, const std::string& tariff, unix_time when);
    /// Adds package extras bought with bonus points.
    void add_extras(const std::string& msisdn, std::int64_t minutes, std::int64_t sms,
                    std::int64_t mb);
    /// Every msisdn, in order.
    std::vector<std::string> all_msisdns();
    /// Numbers with full trust on (a credit limit above 0), in order.
    std::vector<std::string> full_trust_msisdns();
    /// Records the month of the last full-trust review.
    void set_trust_reviewed(const std::string& msisdn, std::int64_t month);

    // Package usage.
    /// Stores one usage record; false when the same record (number, kind,
    /// time, amount) was stored before, so a re-imported feed counts once.
    bool add_usage_record(const std::string& msisdn, usage_kind kind, std::int64_t amount,
                          unix_time time, unix_time imported);
    /// Adds to the package counters of the current period.
    void add_usage(const std::string& msisdn, std::int64_t minutes, std::int64_t sms,
                   std::int64_t mb);
    /// Sets the used counters, the extras left and the period they belong to.
    void set_package_use(const std::string& msisdn, std::int64_t minutes_used,
                         std::int64_t sms_used, std::int64_t mb_used, std::int64_t extra_minutes,
                         std::int64_t extra_sms, std::int64_t extra_mb, unix_time period_start);
    /// Numbers whose stored package period started before the one `now` is
    /// in (periods of `period_seconds` from the tariff start), in order.
    std::vector<std::string> usage_periods_due(unix_time now, std::int64_t period_seconds);

    // Catalogue.
    /// A tariff by name.
    std::optional<tariff> find_tariff(const std::string& name);
    /// All tariffs by name.
    std::vector<tariff> all_tariffs();
    /// Inserts or replaces a tariff.
    void put_tariff(const tariff& t);
    /// A service by code.
    std::optional<service> find_service(const std::string& code);
    /// All services by code.
    std::vector<service> all_services();
    /// Inserts or replaces a service.
    void put_service(const service& s);
    /// Declares `service` "incompatible" with or "included" in `tariff`.
    void put_service_rule(const std::string& service, const std::string& tariff,
                          const std::string& kind);
    /// Forgets every rule of `service` (before re-importing it).
    void clear_service_rules(const std::string& service);
    /// "incompatible", "included" or "" for no rule.
    std::string service_rule(const std::string& service, const std::string& tariff);

    // Subscriptions.
    /// Services connected by the subscriber plus those included in the tariff.
    std::vector<connected_service> connected(const std::string& msisdn);
    /// True when the subscriber connected `service` (tariff inclusions not counted).
    bool subscribed(const std::string& msisdn, const std::string& service);
    /// Connects a service.
    void subscribe(const std::string& msisdn, const std::string& service, unix_time since);
    /// Disconnects a service.
    void unsubscribe(const std::string& msisdn, const std::string& service);
    /// Own subscriptions to services with a daily or monthly fee, by msisdn and service.
    std::vector<recurring_subscription> recurring_subscriptions();
    /// Records how many periods after the first were charged.
    void set_charged_periods(const std::string& msisdn, const std::string& service,
                             std::int64_t periods);

    // Passwords and SIM codes.
    /// The stored password of a kind.
    std::optional<password_row> find_password(const std::string& msisdn, const std::string& kind);
    /// Inserts or replaces the password of `row.kind`.
    void put_password(const std::string& msisdn, const password_row& row);
    /// Removes the password of a kind.
    void delete_password(const std::string& msisdn, const std::string& kind);
    /// Marks a one-time password used (kept so a reuse is told apart from a typo).
    void mark_password_used(const std::string& msisdn, const std::string& kind, unix_time when);
    /// Clears the expiry of a password (an issued password once used stays valid).
    void clear_password_expiry(const std::string& msisdn, const std::string& kind);
    /// The lockout state (zero when never set).
    login_state find_login(const std::string& msisdn);
    /// Stores the lockout state.
    void put_login(const std::string& msisdn, const login_state& s);
    /// The login alert window (zero when no alert was ever due).
    alert_window find_alert_window(const std::string& msisdn);
    /// Stores the login alert window.
    void put_alert_window(const std::string& msisdn, const alert_window& w);
    /// The window of notices other subscribers' actions sent to `msisdn`.
    alert_window find_notice_window(const std::string& msisdn);
    /// Stores the notice window.
    void put_notice_window(const std::string& msisdn, const alert_window& w);
    /// The SIM codes.
    std::optional<sim_row> find_sim(const std::string& msisdn);
    /// Inserts or replaces the SIM codes.
    void put_sim(const std::string& msisdn, const sim_row& row);
    /// Stores the SMS archive password hash (switching the archive on).
    void put_sms_archive(const std::string& msisdn, const std::string& hash, unix_time since);
    /// True when the SMS archive is on.
    bool sms_archive_on(const std::string& msisdn);

    // Money movements.
    /// Records a payment or other money movement.
    void add_payment(const std::string& msisdn, unix_time time, const std::string& kind,
                     kopecks amount, const std::string& peer);
    /// The last `limit` payments of a subscriber, newest first.
    std::vector<payment_row> last_payments(const std::string& msisdn, std::int64_t limit);
    /// What the subscriber was charged in [from, to): the negative payments
    /// except transfers out and promised repayments, as a positive sum.
    kopecks charges_between(const std::string& msisdn, unix_time from, unix_time to);
    /// The unrepaid promised payment, if any.
    std::optional<promised_row> open_promised(const std::string& msisdn);
    /// Records a promised payment.
    void add_promised(const promised_row& p);
    /// Unrepaid promised payments due at or before `now`.
    std::vector<promised_row> due_promised(unix_time now);
    /// Marks a promised payment repaid.
    void mark_repaid(std::int64_t id, unix_time when);

    // Blocking.
    /// The open blocking period, if any.
    std::optional<blocking_row> open_blocking(const std::string& msisdn);
    /// Every open blocking period.
    std::vector<blocking_row> all_open_blocking();
    /// Starts a blocking period.
    void start_blocking(const std::string& msisdn, unix_time when);
    /// Ends the open blocking period.
    void end_blocking(const std::string& msisdn, unix_time when);
    /// Records how many paid days were charged.
    void set_charged_days(std::int64_t id, std::int64_t days);

    // Orders and archive.
    /// Records a details order.
    void add_detail_order(const std::string& msisdn, unix_time time, const std::string& kind,
                          unix_time from, unix_time to);
    /// Number of details orders of a subscriber.
    std::int64_t count_detail_orders(const std::string& msisdn);
    /// Appends an archive row (id is assigned).
    void add_archive(const archive_row& row);
    /// The last `limit` archive rows of a subscriber, newest first.
    std::vector<archive_row> last_archive(const std::string& msisdn, std::int64_t limit);

    // Deduplication.
    /// The stored outcome of `key` if recorded at or after `since`.
    std::optional<std::string> find_dedup(const std::string& key, unix_time since);
    /// Records the outcome for `key`.
    void put_dedup(const std::string& key, unix_time created, const std::string& outcome);
    /// Forgets keys older than `before`; returns how many.
    std::int64_t purge_dedup(unix_time before);

    // Outbox.
    /// Queues one SMS, due until `expires`.
    void add_outbox(unix_time created, const std::string& sender, const std::string& recipient,
                    const std::string& body, bool sealed, unix_time expires);
    /// Gives up pending rows whose expiry is at or before `now`; returns how many.
    std::int64_t expire_outbox(unix_time now);
    /// Up to `limit` pending rows, oldest first.
    std::vector<outbox_row> due_outbox(std::int64_t limit);
    /// Rows pending.
    std::int64_t count_outbox();
    /// Marks a row sent (its body is emptied).
    void outbox_sent(std::int64_t id, unix_time now, const std::string& message_id);
    /// Counts one more failed attempt of a row.
    void outbox_failed(std::int64_t id);
    /// Forgets rows sent or expired before `before`; returns how many.
    std::int64_t purge_outbox(unix_time before);

    // Number management links.
    /// Links `other` to `owner`'s account; false when `other` is linked already.
    bool add_link(const std::string& owner, const std::string& other, unix_time now);
    /// Unlinks; false when it was not linked to `owner`.
    bool remove_link(const std::string& owner, const std::string& other);
    /// The numbers linked to `owner`, oldest link first.
    std::vector<std::string> links_of(const std::string& owner);
    /// Who `other` is linked to, if anyone.
    std::optional<std::string> owner_of(const std::string& other);

    /// Serves subscriber, tariff and connected-services reads from `cache`
    /// and lets it open the read transaction before the first statement
    /// (read_cache.hpp); nullptr: every query goes to the store. Only for a
    /// connection that only reads.
    void serve_from(read_cache* cache) noexcept { cache_ = cache; }

  private:
    statement& st(int id);
    template <class T, class Find, class Keep, class Read>
    T through_cache(const std::string& key, Find find, Keep keep, Read read);
    connection& c_;
    std::vector<statement> stmts_;
    read_cache* cache_ = nullptr;
};

}  // namespace ussdgw::store
