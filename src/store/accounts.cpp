#include "ussdgw/store/accounts.hpp"

#include "queries.hpp"
#include "ussdgw/store/read_cache.hpp"

namespace ussdgw::store {

namespace {

subscriber read_subscriber(const cursor& c) {
    subscriber s;
    s.msisdn = c.text(0);
    s.status = c.text(1);
    s.language = c.text(2);
    s.alphabet = c.text(3);
    s.tariff = c.text(4);
    s.balance = c.int64(5);
    s.credit_limit = c.int64(6);
    s.bonus = c.int64(7);
    s.number_management = c.int64(8) != 0;
    s.tariff_changed = c.opt_int64(9);
    s.minutes_used = c.int64(10);
    s.sms_used = c.int64(11);
    s.mb_used = c.int64(12);
    s.extra_minutes = c.int64(13);
    s.extra_sms = c.int64(14);
    s.extra_mb = c.int64(15);
    s.created = c.int64(16);
    s.login_alerts = c.int64(17) != 0;
    s.trust_reviewed = c.int64(18);
    s.usage_period_start = c.int64(19);
    return s;
}

tariff read_tariff(const cursor& c) {
    return {c.text(0),  c.text(1),  c.text(2),  c.int64(3),
            c.int64(4), c.int64(5), c.int64(6), c.int64(7)};
}

service read_service(const cursor& c) {
    return {c.text(0), c.text(1), c.text(2), c.int64(3), c.text(4)};
}

promised_row read_promised(const cursor& c) {
    return {c.int64(0), c.text(1), c.int64(2), c.int64(3), c.int64(4), c.int64(5)};
}

blocking_row read_blocking(const cursor& c) {
    return {c.int64(0), c.text(1), c.int64(2), c.int64(3)};
}

}  // namespace

const char* to_string(usage_kind k) {
    switch (k) {
        case usage_kind::minutes:
            return "minutes";
        case usage_kind::sms:
            return "sms";
        case usage_kind::mb:
            return "mb";
    }
    return "unknown";
}

accounts::accounts(connection& c) : c_(c) {
    stmts_.reserve(q::count_);
    for (int i = 0; i < q::count_; ++i) stmts_.push_back(c_.prepare(q::sql(c_.engine(), i)));
}

accounts::~accounts() = default;

statement& accounts::st(int id) {
    if (cache_) cache_->before_statement();
    return stmts_[static_cast<size_t>(id)];
}

// A read the cache may answer: from memory when kept, else from the store
// (and then kept). `find` and `keep` are the cache's methods for this row.
template <class T, class Find, class Keep, class Read>
T accounts::through_cache(const std::string& key, Find find, Keep keep, Read read) {
    if (cache_)
        if (const auto* kept = (cache_->*find)(key)) return *kept;
    T value = read();
    if (cache_) (cache_->*keep)(key, value);
    return value;
}

std::optional<subscriber> accounts::find_subscriber(const std::string& msisdn) {
    return through_cache<std::optional<subscriber>>(
        msisdn, &read_cache::find_subscriber, &read_cache::keep_subscriber, [&] {
            auto c = st(q::find_subscriber).query(msisdn);
            return c.next() ? std::optional<subscriber>(read_subscriber(c)) : std::nullopt;
        });
}

void accounts::lock_pair(const std::string& a, const std::string& b) {
    auto c = st(q::lock_subscriber_pair).query(a, b);
    while (c.next()) {
    }
}

bool accounts::add_subscriber(const subscriber& s) {
    // A new account's first package period begins when it is provisioned.
    const unix_time period = s.usage_period_start ? s.usage_period_start : s.created;
    return st(q::add_subscriber)
               .exec(s.msisdn, s.status, s.language, s.alphabet, s.tariff, s.balance,
                     s.credit_limit, s.bonus, s.number_management, s.tariff_changed, s.minutes_used,
                     s.sms_used, s.mb_used, s.extra_minutes, s.extra_sms, s.extra_mb, s.created,
                     s.login_alerts, s.trust_reviewed, period) == 1;
}

void accounts::add_balance(const std::string& msisdn, kopecks delta) {
    st(q::add_balance).exec(delta, msisdn);
}

void accounts::add_bonus(const std::string& msisdn, std::int64_t delta) {
    st(q::add_bonus).exec(delta, msisdn);
}

void accounts::set_credit_limit(const std::string& msisdn, kopecks limit) {
    st(q::set_credit_limit).exec(limit, msisdn);
}

void accounts::set_status(const std::string& msisdn, const std::string& status) {
    st(q::set_status).exec(status, msisdn);
}

void accounts::set_language(const std::string& msisdn, const std::string& language) {
    st(q::set_language).exec(language, msisdn);
}

void accounts::set_alphabet(const std::string& msisdn, const std::string& alphabet) {
    st(q::set_alphabet).exec(alphabet, msisdn);
}

void accounts::set_number_management(const std::string& msisdn, bool on) {
    st(q::set_number_management).exec(on, msisdn);
}

void accounts::set_login_alerts(const std::string& msisdn, bool on) {
    st(q::set_login_alerts).exec(on, msisdn);
}

void accounts::set_tariff(const std::string& msisdn, const std::string& tariff, unix_time when) {
    st(q::set_tariff).exec(tariff, when, msisdn);
}

void accounts::add_extras(const std::string& msisdn, std::int64_t minutes, std::int64_t sms,
                          std::int64_t mb) {
    st(q::add_extras).exec(minutes, sms, mb, msisdn);
}

std::vector<std::string> accounts::all_msisdns() {
    std::vector<std::string> out;
    auto c = st(q::all_msisdns).query();
    while (c.next()) out.push_back(c.text(0));
    return out;
}

std::vector<std::string> accounts::full_trust_msisdns() {
    std::vector<std::string> out;
    auto c = st(q::full_trust_msisdns).query();
    while (c.next()) out.push_back(c.text(0));
    return out;
}

void accounts::set_trust_reviewed(const std::string& msisdn, std::int64_t month) {
    st(q::set_trust_reviewed).exec(month, msisdn);
}

bool accounts::add_usage_record(const std::string& msisdn, usage_kind kind, std::int64_t amount,
                                unix_time time, unix_time imported) {
    return st(q::add_usage_record).exec(msisdn, to_string(kind), amount, time, imported) == 1;
}

void accounts::add_usage(const std::string& msisdn, std::int64_t minutes, std::int64_t sms,
                         std::int64_t mb) {
    st(q::add_usage).exec(minutes, sms, mb, msisdn);
}

void accounts::set_package_use(const std::string& msisdn, std::int64_t minutes_used,
                               std::int64_t sms_used, std::int64_t mb_used,
                               std::int64_t extra_minutes, std::int64_t extra_sms,
                               std::int64_t extra_mb, unix_time period_start) {
    st(q::set_package_use)
        .exec(minutes_used, sms_used, mb_used, extra_minutes, extra_sms, extra_mb, period_start,
              msisdn);
}

std::vector<std::string> accounts::usage_periods_due(unix_time now, std::int64_t period_seconds) {
    std::vector<std::string> out;
    auto c = st(q::usage_periods_due).query(now, period_seconds);
    while (c.next()) out.push_back(c.text(0));
    return out;
}

std::optional<tariff> accounts::find_tariff(const std::string& name) {
    return through_cache<std::optional<tariff>>(
        name, &read_cache::find_tariff, &read_cache::keep_tariff, [&] {
            auto c = st(q::find_tariff).query(name);
            return c.next() ? std::optional<tariff>(read_tariff(c)) : std::nullopt;
        });
}

std::vector<tariff> accounts::all_tariffs() {
    std::vector<tariff> out;
    auto c = st(q::all_tariffs).query();
    while (c.next()) out.push_back(read_tariff(c));
    return out;
}

void accounts::put_tariff(const tariff& t) {
    st(q::put_tariff)
        .exec(t.name, t.title_en, t.title_ru, t.monthly_fee, t.change_fee, t.minutes, t.sms, t.mb);
}

std::optional<service> accounts::find_service(const std::string& code) {
    auto c = st(q::find_service).query(code);
    if (!c.next()) return std::nullopt;
    return read_service(c);
}

std::vector<service> accounts::all_services() {
    std::vector<service> out;
    auto c = st(q::all_services).query();
    while (c.next()) out.push_back(read_service(c));
    return out;
}

void accounts::put_service(const service& s) {
    st(q::put_service).exec(s.code, s.title_en, s.title_ru, s.fee, s.period);
}

void accounts::put_service_rule(const std::string& service, const std::string& tariff,
                                const std::string& kind) {
    st(q::put_service_rule).exec(service, tariff, kind);
}

void accounts::clear_service_rules(const std::string& service) {
    st(q::clear_service_rules).exec(service);
}

std::string accounts::service_rule(const std::string& service, const std::string& tariff) {
    auto c = st(q::service_rule).query(service, tariff);
    return c.next() ? c.text(0) : std::string();
}

std::vector<connected_service> accounts::connected(const std::string& msisdn) {
    return through_cache<std::vector<connected_service>>(
        msisdn, &read_cache::find_connected, &read_cache::keep_connected, [&] {
            std::vector<connected_service> out;
            auto c = st(q::connected).query(msisdn);
            while (c.next()) out.push_back({read_service(c), c.int64(5) != 0});
            return out;
        });
}

bool accounts::subscribed(const std::string& msisdn, const std::string& service) {
    auto c = st(q::subscribed).query(msisdn, service);
    return c.next();
}

void accounts::subscribe(const std::string& msisdn, const std::string& service, unix_time since) {
    st(q::subscribe).exec(msisdn, service, since);
}

void accounts::unsubscribe(const std::string& msisdn, const std::string& service) {
    st(q::unsubscribe).exec(msisdn, service);
}

std::vector<recurring_subscription> accounts::recurring_subscriptions() {
    std::vector<recurring_subscription> out;
    auto c = st(q::recurring_subscriptions).query();
    while (c.next())
        out.push_back(
            {c.text(0), c.text(1), c.int64(2), c.int64(3), c.int64(4), c.text(5), c.int64(6) != 0});
    return out;
}

void accounts::set_charged_periods(const std::string& msisdn, const std::string& service,
                                   std::int64_t periods) {
    st(q::set_charged_periods).exec(periods, msisdn, service);
}

std::optional<password_row> accounts::find_password(const std::string& msisdn,
                                                    const std::string& kind) {
    auto c = st(q::find_password).query(msisdn, kind);
    if (!c.next()) return std::nullopt;
    return password_row{c.text(0), c.text(1), c.int64(2), c.opt_int64(3), c.opt_int64(4)};
}

void accounts::put_password(const std::string& msisdn, const password_row& row) {
    st(q::put_password).exec(msisdn, row.kind, row.hash, row.issued, row.expires, row.used);
}

void accounts::delete_password(const std::string& msisdn, const std::string& kind) {
    st(q::delete_password).exec(msisdn, kind);
}

void accounts::mark_password_used(const std::string& msisdn, const std::string& kind,
                                  unix_time when) {
    st(q::mark_password_used).exec(when, msisdn, kind);
}

void accounts::clear_password_expiry(const std::string& msisdn, const std::string& kind) {
    st(q::clear_password_expiry).exec(msisdn, kind);
}

login_state accounts::find_login(const std::string& msisdn) {
    auto c = st(q::find_login).query(msisdn);
    if (!c.next()) return {};
    return {c.int64(0), c.int64(1) != 0};
}

void accounts::put_login(const std::string& msisdn, const login_state& s) {
    st(q::put_login).exec(msisdn, s.failed, s.locked);
}

namespace {

alert_window read_window(statement& s, const std::string& msisdn) {
    auto c = s.query(msisdn);
    if (!c.next()) return {};
    return {c.int64(0), c.int64(1), c.int64(2), c.int64(3)};
}

void write_window(statement& s, const std::string& msisdn, const alert_window& w) {
    s.exec(msisdn, w.started, w.sent, w.suppressed, w.suppressed_since);
}

}  // namespace

alert_window accounts::find_alert_window(const std::string& msisdn) {
    return read_window(st(q::find_alert_window), msisdn);
}

void accounts::put_alert_window(const std::string& msisdn, const alert_window& w) {
    write_window(st(q::put_alert_window), msisdn, w);
}

alert_window accounts::find_notice_window(const std::string& msisdn) {
    return read_window(st(q::find_notice_window), msisdn);
}

void accounts::put_notice_window(const std::string& msisdn, const alert_window& w) {
    write_window(st(q::put_notice_window), msisdn, w);
}

std::optional<sim_row> accounts::find_sim(const std::string& msisdn) {
    auto c = st(q::find_sim).query(msisdn);
    if (!c.next()) return std::nullopt;
    return sim_row{c.text(0), c.text(1), c.int64(2), c.int64(3), c.int64(4) != 0, c.int64(5) != 0};
}

void accounts::put_sim(const std::string& msisdn, const sim_row& r) {
    st(q::put_sim)
        .exec(msisdn, r.pin_hash, r.puk_hash, r.pin_failed, r.puk_failed, r.pin_blocked,
              r.sim_blocked);
}

void accounts::put_sms_archive(const std::string& msisdn, const std::string& hash,
                               unix_time since) {
    st(q::put_sms_archive).exec(msisdn, hash, since);
}

bool accounts::sms_archive_on(const std::string& msisdn) {
    auto c = st(q::sms_archive_on).query(msisdn);
    return c.next();
}

void accounts::add_payment(const std::string& msisdn, unix_time time, const std::string& kind,
                           kopecks amount, const std::string& peer) {
    st(q::add_payment).exec(msisdn, time, kind, amount, peer);
}

std::vector<payment_row> accounts::last_payments(const std::string& msisdn, std::int64_t limit) {
    std::vector<payment_row> out;
    auto c = st(q::last_payments).query(msisdn, limit);
    while (c.next())
        out.push_back({c.int64(0), c.text(1), c.int64(2), c.text(3), c.int64(4), c.text(5)});
    return out;
}

kopecks accounts::charges_between(const std::string& msisdn, unix_time from, unix_time to) {
    auto c = st(q::charges_between).query(msisdn, from, to);
    return c.next() ? c.int64(0) : 0;
}

std::optional<promised_row> accounts::open_promised(const std::string& msisdn) {
    auto c = st(q::open_promised).query(msisdn);
    if (!c.next()) return std::nullopt;
    return read_promised(c);
}

void accounts::add_promised(const promised_row& p) {
    st(q::add_promised).exec(p.msisdn, p.amount, p.fee, p.taken, p.due);
}

std::vector<promised_row> accounts::due_promised(unix_time now) {
    std::vector<promised_row> out;
    auto c = st(q::due_promised).query(now);
    while (c.next()) out.push_back(read_promised(c));
    return out;
}

void accounts::mark_repaid(std::int64_t id, unix_time when) {
    st(q::mark_repaid).exec(when, id);
}

std::optional<blocking_row> accounts::open_blocking(const std::string& msisdn) {
    auto c = st(q::open_blocking).query(msisdn);
    if (!c.next()) return std::nullopt;
    return read_blocking(c);
}

std::vector<blocking_row> accounts::all_open_blocking() {
    std::vector<blocking_row> out;
    auto c = st(q::all_open_blocking).query();
    while (c.next()) out.push_back(read_blocking(c));
    return out;
}

void accounts::start_blocking(const std::string& msisdn, unix_time when) {
    st(q::start_blocking).exec(msisdn, when);
}

void accounts::end_blocking(const std::string& msisdn, unix_time when) {
    st(q::end_blocking).exec(when, msisdn);
}

void accounts::set_charged_days(std::int64_t id, std::int64_t days) {
    st(q::set_charged_days).exec(days, id);
}

void accounts::add_detail_order(const std::string& msisdn, unix_time time, const std::string& kind,
                                unix_time from, unix_time to) {
    st(q::add_detail_order).exec(msisdn, time, kind, from, to);
}

std::int64_t accounts::count_detail_orders(const std::string& msisdn) {
    auto c = st(q::count_detail_orders).query(msisdn);
    return c.next() ? c.int64(0) : 0;
}

void accounts::add_archive(const archive_row& r) {
    st(q::add_archive).exec(r.msisdn, r.time, r.channel, r.action, r.arguments, r.result, r.amount);
}

std::vector<archive_row> accounts::last_archive(const std::string& msisdn, std::int64_t limit) {
    std::vector<archive_row> out;
    auto c = st(q::last_archive).query(msisdn, limit);
    while (c.next())
        out.push_back({c.int64(0), c.text(1), c.int64(2), c.text(3), c.text(4), c.text(5),
                       c.text(6), c.int64(7)});
    return out;
}

std::optional<std::string> accounts::find_dedup(const std::string& key, unix_time since) {
    auto c = st(q::find_dedup).query(key, since);
    if (!c.next()) return std::nullopt;
    return c.text(0);
}

void accounts::put_dedup(const std::string& key, unix_time created, const std::string& outcome) {
    st(q::put_dedup).exec(key, created, outcome);
}

std::int64_t accounts::purge_dedup(unix_time before) {
    return st(q::purge_dedup).exec(before);
}

void accounts::add_outbox(unix_time created, const std::string& sender,
                          const std::string& recipient, const std::string& body, bool sealed,
                          unix_time expires) {
    st(q::add_outbox).exec(created, sender, recipient, body, std::int64_t{sealed}, expires);
}

std::int64_t accounts::expire_outbox(unix_time now) {
    return st(q::expire_outbox).exec(now, now);
}

std::vector<outbox_row> accounts::due_outbox(std::int64_t limit) {
    std::vector<outbox_row> out;
    auto c = st(q::due_outbox).query(limit);
    while (c.next())
        out.push_back({c.int64(0), c.text(1), c.text(2), c.text(3), c.int64(4) != 0, c.int64(5)});
    return out;
}

std::int64_t accounts::count_outbox() {
    auto c = st(q::count_outbox).query();
    return c.next() ? c.int64(0) : 0;
}

void accounts::outbox_sent(std::int64_t id, unix_time now, const std::string& message_id) {
    st(q::sent_outbox).exec(now, message_id, id);
}

void accounts::outbox_failed(std::int64_t id) {
    st(q::failed_outbox).exec(id);
}

std::int64_t accounts::purge_outbox(unix_time before) {
    return st(q::purge_outbox).exec(before);
}

bool accounts::add_link(const std::string& owner, const std::string& other, unix_time now) {
    return st(q::add_link).exec(other, owner, now) > 0;
}

bool accounts::remove_link(const std::string& owner, const std::string& other) {
    return st(q::remove_link).exec(other, owner) > 0;
}

std::vector<std::string> accounts::links_of(const std::string& owner) {
    std::vector<std::string> out;
    auto c = st(q::links_of).query(owner);
    while (c.next()) out.push_back(c.text(0));
    return out;
}

std::optional<std::string> accounts::owner_of(const std::string& other) {
    auto c = st(q::owner_of).query(other);
    if (!c.next()) return std::nullopt;
    return c.text(0);
}

}  // namespace ussdgw::store
