#include "queries.hpp"

#include <iterator>

namespace ussdgw::store::q {

namespace {

#define SUBSCRIBER_COLUMNS                                                                \
    "msisdn, status, language, alphabet, tariff, balance, credit_limit, bonus, "          \
    "number_management, tariff_changed, minutes_used, sms_used, mb_used, extra_minutes, " \
    "extra_sms, extra_mb, created, login_alerts, trust_reviewed, usage_period_start"

constexpr const char* table[] = {
    // find_subscriber
    "SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE msisdn = ?",
    // lock_subscriber_pair: SQLite's one writer holds the whole store already.
    "SELECT msisdn FROM subscribers WHERE msisdn IN (?, ?) ORDER BY msisdn",
    // add_subscriber
    "INSERT OR IGNORE INTO subscribers (" SUBSCRIBER_COLUMNS
    ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    // add_balance
    "UPDATE subscribers SET balance = balance + ? WHERE msisdn = ?",
    // add_bonus
    "UPDATE subscribers SET bonus = bonus + ? WHERE msisdn = ?",
    // set_credit_limit
    "UPDATE subscribers SET credit_limit = ? WHERE msisdn = ?",
    // set_status
    "UPDATE subscribers SET status = ? WHERE msisdn = ?",
    // set_language
    "UPDATE subscribers SET language = ? WHERE msisdn = ?",
    // set_alphabet
    "UPDATE subscribers SET alphabet = ? WHERE msisdn = ?",
    // set_number_management
    "UPDATE subscribers SET number_management = ? WHERE msisdn = ?",
    // set_login_alerts
    "UPDATE subscribers SET login_alerts = ? WHERE msisdn = ?",
    // set_tariff
    "UPDATE subscribers SET tariff = ?, tariff_changed = ? WHERE msisdn = ?",
    // add_extras
    "UPDATE subscribers SET extra_minutes = extra_minutes + ?, extra_sms = extra_sms + ?, "
    "extra_mb = extra_mb + ? WHERE msisdn = ?",
    // all_msisdns
    "SELECT msisdn FROM subscribers ORDER BY msisdn",
    // full_trust_msisdns
    "SELECT msisdn FROM subscribers WHERE credit_limit > 0 ORDER BY msisdn",
    // set_trust_reviewed
    "UPDATE subscribers SET trust_reviewed = ? WHERE msisdn = ?",
    // add_usage_record: the primary key makes a repeated record a no-op (only
    // that: a broken record still fails its CHECK, unlike with OR IGNORE).
    "INSERT INTO usage_records (msisdn, kind, amount, time, imported) VALUES (?,?,?,?,?) "
    "ON CONFLICT DO NOTHING",
    // add_usage
    "UPDATE subscribers SET minutes_used = minutes_used + ?, sms_used = sms_used + ?, "
    "mb_used = mb_used + ? WHERE msisdn = ?",
    // set_package_use
    "UPDATE subscribers SET minutes_used = ?, sms_used = ?, mb_used = ?, extra_minutes = ?, "
    "extra_sms = ?, extra_mb = ?, usage_period_start = ? WHERE msisdn = ?",
    // usage_periods_due: the period start is the tariff start (the last
    // change, else provisioning) plus whole periods up to ?1.
    "SELECT msisdn FROM (SELECT msisdn, usage_period_start AS stored, "
    "COALESCE(tariff_changed, created) AS anchor FROM subscribers) "
    "WHERE stored < anchor + max(0, (?1 - anchor) / ?2) * ?2 ORDER BY msisdn",
    // find_tariff
    "SELECT name, title_en, title_ru, monthly_fee, change_fee, minutes, sms, mb FROM tariffs "
    "WHERE name = ?",
    // all_tariffs
    "SELECT name, title_en, title_ru, monthly_fee, change_fee, minutes, sms, mb FROM tariffs "
    "ORDER BY name",
    // put_tariff
    "INSERT INTO tariffs (name, title_en, title_ru, monthly_fee, change_fee, minutes, sms, mb) "
    "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET title_en = excluded.title_en, "
    "title_ru = excluded.title_ru, monthly_fee = excluded.monthly_fee, "
    "change_fee = excluded.change_fee, minutes = excluded.minutes, sms = excluded.sms, "
    "mb = excluded.mb",
    // find_service
    "SELECT code, title_en, title_ru, fee, period FROM services WHERE code = ?",
    // all_services
    "SELECT code, title_en, title_ru, fee, period FROM services ORDER BY code",
    // put_service
    "INSERT INTO services (code, title_en, title_ru, fee, period) VALUES (?,?,?,?,?) "
    "ON CONFLICT(code) DO UPDATE SET title_en = excluded.title_en, "
    "title_ru = excluded.title_ru, fee = excluded.fee, period = excluded.period",
    // put_service_rule
    "INSERT OR REPLACE INTO service_rules (service, tariff, kind) VALUES (?,?,?)",
    // clear_service_rules
    "DELETE FROM service_rules WHERE service = ?",
    // service_rule
    "SELECT kind FROM service_rules WHERE service = ? AND tariff = ?",
    // connected: own subscriptions, then the tariff's included services.
    "SELECT s.code, s.title_en, s.title_ru, s.fee, s.period, 0 FROM subscriptions x "
    "JOIN services s ON s.code = x.service WHERE x.msisdn = ?1 "
    "UNION "
    "SELECT s.code, s.title_en, s.title_ru, s.fee, s.period, 1 FROM subscribers u "
    "JOIN service_rules r ON r.tariff = u.tariff AND r.kind = 'included' "
    "JOIN services s ON s.code = r.service WHERE u.msisdn = ?1 "
    "ORDER BY 1",
    // subscribed
    "SELECT 1 FROM subscriptions WHERE msisdn = ? AND service = ?",
    // subscribe
    "INSERT OR IGNORE INTO subscriptions (msisdn, service, since) VALUES (?,?,?)",
    // unsubscribe
    "DELETE FROM subscriptions WHERE msisdn = ? AND service = ?",
    // recurring_subscriptions: own subscriptions to services with a periodic
    // fee; the last column says whether the subscriber's tariff includes it.
    "SELECT x.msisdn, x.service, x.since, x.charged_periods, s.fee, s.period, "
    "EXISTS (SELECT 1 FROM service_rules r WHERE r.service = x.service "
    "AND r.tariff = u.tariff AND r.kind = 'included') "
    "FROM subscriptions x JOIN services s ON s.code = x.service "
    "JOIN subscribers u ON u.msisdn = x.msisdn "
    "WHERE s.fee > 0 AND s.period IN ('daily', 'monthly') ORDER BY x.msisdn, x.service",
    // set_charged_periods
    "UPDATE subscriptions SET charged_periods = ? WHERE msisdn = ? AND service = ?",
    // find_password
    "SELECT kind, hash, issued, expires, used FROM passwords WHERE msisdn = ? AND kind = ?",
    // put_password
    "INSERT OR REPLACE INTO passwords (msisdn, kind, hash, issued, expires, used) "
    "VALUES (?,?,?,?,?,?)",
    // delete_password
    "DELETE FROM passwords WHERE msisdn = ? AND kind = ?",
    // clear_password_expiry
    "UPDATE passwords SET expires = NULL WHERE msisdn = ? AND kind = ?",
    // mark_password_used
    "UPDATE passwords SET used = ? WHERE msisdn = ? AND kind = ?",
    // find_login
    "SELECT failed, locked FROM logins WHERE msisdn = ?",
    // put_login
    "INSERT OR REPLACE INTO logins (msisdn, failed, locked) VALUES (?,?,?)",
    // find_alert_window
    "SELECT started, sent, suppressed, suppressed_since FROM login_alert_window WHERE msisdn = ?",
    // put_alert_window
    "INSERT OR REPLACE INTO login_alert_window (msisdn, started, sent, suppressed, "
    "suppressed_since) VALUES (?,?,?,?,?)",
    // find_notice_window
    "SELECT started, sent, suppressed, suppressed_since FROM notice_window WHERE msisdn = ?",
    // put_notice_window
    "INSERT OR REPLACE INTO notice_window (msisdn, started, sent, suppressed, "
    "suppressed_since) VALUES (?,?,?,?,?)",
    // find_sim
    "SELECT pin_hash, puk_hash, pin_failed, puk_failed, pin_blocked, sim_blocked FROM sim "
    "WHERE msisdn = ?",
    // put_sim
    "INSERT OR REPLACE INTO sim (msisdn, pin_hash, puk_hash, pin_failed, puk_failed, "
    "pin_blocked, sim_blocked) VALUES (?,?,?,?,?,?,?)",
    // put_sms_archive
    "INSERT OR REPLACE INTO sms_archive (msisdn, hash, since) VALUES (?,?,?)",
    // sms_archive_on
    "SELECT 1 FROM sms_archive WHERE msisdn = ?",
    // add_payment
    "INSERT INTO payments (msisdn, time, kind, amount, peer) VALUES (?,?,?,?,?)",
    // last_payments
    "SELECT id, msisdn, time, kind, amount, peer FROM payments WHERE msisdn = ? "
    "ORDER BY id DESC LIMIT ?",
    // charges_between: docs/actions.md "Full trust review" defines spend.
    "SELECT COALESCE(-SUM(amount), 0) FROM payments WHERE msisdn = ? AND time >= ? AND time < ? "
    "AND amount < 0 AND kind NOT IN ('transfer_out', 'promised_repayment')",
    // open_promised
    "SELECT id, msisdn, amount, fee, taken, due FROM promised WHERE msisdn = ? AND repaid IS NULL",
    // add_promised
    "INSERT INTO promised (msisdn, amount, fee, taken, due) VALUES (?,?,?,?,?)",
    // due_promised
    "SELECT id, msisdn, amount, fee, taken, due FROM promised WHERE repaid IS NULL AND due <= ? "
    "ORDER BY id",
    // mark_repaid
    "UPDATE promised SET repaid = ? WHERE id = ?",
    // open_blocking
    "SELECT id, msisdn, started, charged_days FROM blocking WHERE msisdn = ? AND ended IS NULL",
    // all_open_blocking
    "SELECT id, msisdn, started, charged_days FROM blocking WHERE ended IS NULL ORDER BY id",
    // start_blocking
    "INSERT INTO blocking (msisdn, started) VALUES (?,?)",
    // end_blocking
    "UPDATE blocking SET ended = ? WHERE msisdn = ? AND ended IS NULL",
    // set_charged_days
    "UPDATE blocking SET charged_days = ? WHERE id = ?",
    // add_detail_order
    "INSERT INTO detail_orders (msisdn, time, kind, period_from, period_to) VALUES (?,?,?,?,?)",
    // count_detail_orders
    "SELECT count(*) FROM detail_orders WHERE msisdn = ?",
    // add_archive
    "INSERT INTO archive (msisdn, time, channel, action, arguments, result, amount) "
    "VALUES (?,?,?,?,?,?,?)",
    // last_archive
    "SELECT id, msisdn, time, channel, action, arguments, result, amount FROM archive "
    "WHERE msisdn = ? ORDER BY id DESC LIMIT ?",
    // find_dedup
    "SELECT outcome FROM dedup WHERE key = ? AND created >= ?",
    // put_dedup
    "INSERT OR REPLACE INTO dedup (key, created, outcome) VALUES (?,?,?)",
    // purge_dedup
    "DELETE FROM dedup WHERE created < ?",
    // add_outbox
    "INSERT INTO outbox (created, sender, recipient, body, sealed, expires) VALUES (?,?,?,?,?,?)",
    // expire_outbox
    "UPDATE outbox SET state = 'expired', done = ?, body = '' "
    "WHERE state = 'pending' AND expires <= ?",
    // due_outbox
    "SELECT id, sender, recipient, body, sealed, attempts FROM outbox WHERE state = 'pending' "
    "ORDER BY id LIMIT ?",
    // count_outbox
    "SELECT count(*) FROM outbox WHERE state = 'pending'",
    // sent_outbox
    "UPDATE outbox SET state = 'sent', done = ?, message_id = ?, body = '' "
    "WHERE id = ? AND state = 'pending'",
    // failed_outbox
    "UPDATE outbox SET attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
    // purge_outbox
    "DELETE FROM outbox WHERE state != 'pending' AND done < ?",
    // add_link
    "INSERT OR IGNORE INTO number_links (other, owner, created) VALUES (?,?,?)",
    // remove_link
    "DELETE FROM number_links WHERE other = ? AND owner = ?",
    // links_of
    "SELECT other FROM number_links WHERE owner = ? ORDER BY created, other",
    // owner_of
    "SELECT owner FROM number_links WHERE other = ?",
};

static_assert(std::size(table) == count_, "one SQL string per statement id");

// PostgreSQL spells some statements differently: no INSERT OR IGNORE / OR
// REPLACE (ON CONFLICT with the primary key instead), GREATEST for SQLite's
// two-argument max. Placeholders stay in SQLite's spelling; the connection
// turns them into $N (store::postgres_placeholders). Every other statement
// is the same text on both engines.
struct dialect_override {
    id which;
    const char* sql;
};
constexpr dialect_override postgres_table[] = {
    // Row locks in msisdn order: two transfers in opposite directions queue
    // behind each other instead of deadlocking (PostgreSQL locks rows as the
    // sort returns them).
    {lock_subscriber_pair,
     "SELECT msisdn FROM subscribers WHERE msisdn IN (?, ?) ORDER BY msisdn FOR UPDATE"},
    {add_subscriber, "INSERT INTO subscribers (" SUBSCRIBER_COLUMNS
                     ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"},
    {usage_periods_due,
     "SELECT msisdn FROM (SELECT msisdn, usage_period_start AS stored, "
     "COALESCE(tariff_changed, created) AS anchor FROM subscribers) AS periods "
     "WHERE stored < anchor + GREATEST(0, (?1 - anchor) / ?2) * ?2 ORDER BY msisdn"},
    {put_service_rule,
     "INSERT INTO service_rules (service, tariff, kind) VALUES (?,?,?) "
     "ON CONFLICT (service, tariff) DO UPDATE SET kind = excluded.kind"},
    {subscribe,
     "INSERT INTO subscriptions (msisdn, service, since) VALUES (?,?,?) ON CONFLICT DO NOTHING"},
    {put_password,
     "INSERT INTO passwords (msisdn, kind, hash, issued, expires, used) VALUES (?,?,?,?,?,?) "
     "ON CONFLICT (msisdn, kind) DO UPDATE SET hash = excluded.hash, issued = excluded.issued, "
     "expires = excluded.expires, used = excluded.used"},
    {put_login,
     "INSERT INTO logins (msisdn, failed, locked) VALUES (?,?,?) ON CONFLICT (msisdn) "
     "DO UPDATE SET failed = excluded.failed, locked = excluded.locked"},
    {put_alert_window,
     "INSERT INTO login_alert_window (msisdn, started, sent, suppressed, suppressed_since) "
     "VALUES (?,?,?,?,?) ON CONFLICT (msisdn) DO UPDATE SET started = excluded.started, "
     "sent = excluded.sent, suppressed = excluded.suppressed, "
     "suppressed_since = excluded.suppressed_since"},
    {put_notice_window,
     "INSERT INTO notice_window (msisdn, started, sent, suppressed, suppressed_since) "
     "VALUES (?,?,?,?,?) ON CONFLICT (msisdn) DO UPDATE SET started = excluded.started, "
     "sent = excluded.sent, suppressed = excluded.suppressed, "
     "suppressed_since = excluded.suppressed_since"},
    {put_sim,
     "INSERT INTO sim (msisdn, pin_hash, puk_hash, pin_failed, puk_failed, pin_blocked, "
     "sim_blocked) VALUES (?,?,?,?,?,?,?) ON CONFLICT (msisdn) DO UPDATE SET "
     "pin_hash = excluded.pin_hash, puk_hash = excluded.puk_hash, "
     "pin_failed = excluded.pin_failed, puk_failed = excluded.puk_failed, "
     "pin_blocked = excluded.pin_blocked, sim_blocked = excluded.sim_blocked"},
    {put_sms_archive,
     "INSERT INTO sms_archive (msisdn, hash, since) VALUES (?,?,?) ON CONFLICT (msisdn) "
     "DO UPDATE SET hash = excluded.hash, since = excluded.since"},
    {put_dedup,
     "INSERT INTO dedup (key, created, outcome) VALUES (?,?,?) ON CONFLICT (key) "
     "DO UPDATE SET created = excluded.created, outcome = excluded.outcome"},
    {add_link,
     "INSERT INTO number_links (other, owner, created) VALUES (?,?,?) ON CONFLICT DO NOTHING"},
    // Several gateways drain one outbox: each claims the rows it will send
    // for a minute (claimed_by its server session, claimed_until on the
    // server's clock) and skips rows another gateway claims, so no row is
    // sent by two at once; its own claims it sees as before (the caller
    // skips what it has in flight). A gateway that dies mid-send leaves its
    // claims to expire and another sends them then. A refusal gives the row
    // back to whoever asks next.
    {due_outbox,
     "WITH claimed AS (UPDATE outbox SET claimed_by = pg_backend_pid(), claimed_until = "
     "CAST(extract(epoch FROM clock_timestamp()) AS BIGINT) + 60 WHERE id IN ("
     "SELECT id FROM outbox WHERE state = 'pending' AND (claimed_by IS NULL OR "
     "claimed_by = pg_backend_pid() OR "
     "claimed_until < CAST(extract(epoch FROM clock_timestamp()) AS BIGINT)) "
     "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) "
     "RETURNING id, sender, recipient, body, sealed, attempts) "
     "SELECT * FROM claimed ORDER BY id"},
    {failed_outbox,
     "UPDATE outbox SET attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL "
     "WHERE id = ? AND state = 'pending'"},
};

#undef SUBSCRIBER_COLUMNS

}  // namespace

const char* sql(engine e, int i) {
    if (e == engine::postgres)
        for (const auto& o : postgres_table)
            if (o.which == i) return o.sql;
    return table[i];
}

}  // namespace ussdgw::store::q
