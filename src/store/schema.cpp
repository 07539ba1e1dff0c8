#include "ussdgw/store/schema.hpp"

#include <array>

#include "schema_postgres.hpp"

namespace ussdgw::store {

namespace {

// One entry per version: steps[0] takes an empty file to v1, steps[1] takes
// v1 to v2, and so on. Never edit a released step; append a new one.
// Money is INTEGER kopecks everywhere; times are unix seconds.
constexpr std::array<const char*, 8> steps = {
    // v1: accounts, secrets, catalogues, money movements, archive.
    R"sql(
CREATE TABLE tariffs (
  name TEXT PRIMARY KEY,
  title_en TEXT NOT NULL,
  title_ru TEXT NOT NULL,
  monthly_fee INTEGER NOT NULL DEFAULT 0,
  change_fee INTEGER NOT NULL DEFAULT 0,
  minutes INTEGER NOT NULL DEFAULT 0,
  sms INTEGER NOT NULL DEFAULT 0,
  mb INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE services (
  code TEXT PRIMARY KEY,
  title_en TEXT NOT NULL,
  title_ru TEXT NOT NULL,
  fee INTEGER NOT NULL DEFAULT 0,
  period TEXT NOT NULL DEFAULT 'none' CHECK (period IN ('none', 'daily', 'monthly'))
);
CREATE TABLE service_rules (
  service TEXT NOT NULL REFERENCES services(code) ON DELETE CASCADE,
  tariff TEXT NOT NULL REFERENCES tariffs(name) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('incompatible', 'included')),
  PRIMARY KEY (service, tariff)
);
CREATE TABLE subscribers (
  msisdn TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
  language TEXT NOT NULL DEFAULT 'en',
  tariff TEXT NOT NULL REFERENCES tariffs(name),
  balance INTEGER NOT NULL DEFAULT 0,
  credit_limit INTEGER NOT NULL DEFAULT 0,
  bonus INTEGER NOT NULL DEFAULT 0,
  number_management INTEGER NOT NULL DEFAULT 0,
  tariff_changed INTEGER,
  minutes_used INTEGER NOT NULL DEFAULT 0,
  sms_used INTEGER NOT NULL DEFAULT 0,
  mb_used INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
);
CREATE TABLE passwords (
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('permanent', 'one_time')),
  hash TEXT NOT NULL,
  issued INTEGER NOT NULL,
  expires INTEGER,
  PRIMARY KEY (msisdn, kind)
);
CREATE TABLE logins (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  failed INTEGER NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sim (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  pin_hash TEXT NOT NULL,
  puk_hash TEXT NOT NULL,
  pin_failed INTEGER NOT NULL DEFAULT 0,
  puk_failed INTEGER NOT NULL DEFAULT 0,
  pin_blocked INTEGER NOT NULL DEFAULT 0,
  sim_blocked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE subscriptions (
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  service TEXT NOT NULL REFERENCES services(code),
  since INTEGER NOT NULL,
  PRIMARY KEY (msisdn, service)
);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  peer TEXT
);
CREATE INDEX payments_by_msisdn ON payments(msisdn, id);
CREATE TABLE promised (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  amount INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  taken INTEGER NOT NULL,
  due INTEGER NOT NULL,
  repaid INTEGER
);
CREATE INDEX promised_open ON promised(due) WHERE repaid IS NULL;
CREATE TABLE blocking (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  started INTEGER NOT NULL,
  ended INTEGER,
  charged_days INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX blocking_open ON blocking(msisdn) WHERE ended IS NULL;
CREATE TABLE linked_numbers (
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  linked TEXT NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (msisdn, linked)
);
CREATE TABLE detail_orders (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  period_from INTEGER NOT NULL,
  period_to INTEGER NOT NULL
);
CREATE TABLE archive (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL,
  time INTEGER NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  arguments TEXT NOT NULL,
  result TEXT NOT NULL,
  amount INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX archive_by_msisdn ON archive(msisdn, id);
)sql",
    // v2: per-subscriber alphabet, bonus packages, used one-time passwords, SMSC
    // deduplication, SMS archive.
    R"sql(
ALTER TABLE subscribers ADD COLUMN alphabet TEXT NOT NULL DEFAULT 'cyrillic';
ALTER TABLE subscribers ADD COLUMN extra_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN extra_sms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN extra_mb INTEGER NOT NULL DEFAULT 0;
ALTER TABLE passwords ADD COLUMN used INTEGER;
CREATE TABLE dedup (
  key TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX dedup_by_time ON dedup(created);
CREATE TABLE sms_archive (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  since INTEGER NOT NULL
);
)sql",
    // v3: SMS alerts about logins and refused passwords (docs/actions.md,
    // password_check and login_alerts); off until the subscriber switches them on.
    R"sql(
ALTER TABLE subscribers ADD COLUMN login_alerts INTEGER NOT NULL DEFAULT 0;
)sql",
    // v4: recurring service fees charged by the daily job; charged_periods
    // counts the daily or 30-day periods paid after the first (which
    // service_connect charges). Subscriptions older than v4 were never charged
    // again, so they start counting at the upgrade instead of owing every
    // period since they were connected.
    R"sql(
ALTER TABLE subscriptions ADD COLUMN charged_periods INTEGER NOT NULL DEFAULT 0;
UPDATE subscriptions SET charged_periods = max(0,
  (CAST(strftime('%s', 'now') AS INTEGER) - since) /
  (SELECT CASE period WHEN 'daily' THEN 86400 ELSE 30 * 86400 END
   FROM services WHERE code = subscriptions.service))
WHERE service IN (SELECT code FROM services WHERE period IN ('daily', 'monthly'));
)sql",
    // v5: the server key's check value (store/server_key.hpp): the key itself
    // lives outside the database; this row only tells a wrong or missing key.
    R"sql(
CREATE TABLE server_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL
);
)sql",
    // v6: what a subscriber sees (docs/actions.md).
    // - trust_reviewed: the month (year * 12 + month - 1) of the last monthly
    //   full-trust review. Accounts with full trust on count as reviewed in
    //   the month of the upgrade (UTC: the store does not know the operator's
    //   offset), so the first review is on the 1st of the next month, not at
    //   the first daily job after an upgrade in mid-month.
    // - usage_period_start: the package period (30 days from the tariff start)
    //   the *_used counters belong to; existing counters are taken to belong
    //   to the period the upgrade falls in.
    // - login_alert_window: login alerts sent and suppressed in the current
    //   hour (rules.login_alerts_per_hour).
    // - usage_records: every usage record of the feed; the key makes a record
    //   imported twice count once.
    R"sql(
ALTER TABLE subscribers ADD COLUMN trust_reviewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN usage_period_start INTEGER NOT NULL DEFAULT 0;
UPDATE subscribers SET trust_reviewed =
  CAST(strftime('%Y', 'now') AS INTEGER) * 12 + CAST(strftime('%m', 'now') AS INTEGER) - 1
WHERE credit_limit > 0;
UPDATE subscribers SET usage_period_start = COALESCE(tariff_changed, created) +
  max(0, (CAST(strftime('%s', 'now') AS INTEGER) - COALESCE(tariff_changed, created)) / 2592000)
  * 2592000;
CREATE TABLE login_alert_window (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  started INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  suppressed INTEGER NOT NULL DEFAULT 0,
  suppressed_since INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE usage_records (
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('minutes', 'sms', 'mb')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  time INTEGER NOT NULL,
  imported INTEGER NOT NULL,
  PRIMARY KEY (msisdn, kind, time, amount)
);
)sql",
    // v7: the outbox, and the links of number management. Every SMS an action produces is a row
    // written in the
    // action's transaction; the daemon sends it and marks it sent once the
    // SMSC accepted it. The body is sealed with the server key when the store
    // has one (it may hold a one-time password) and emptied once sent or expired.
    R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  created INTEGER NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  body TEXT NOT NULL,
  sealed INTEGER NOT NULL DEFAULT 0,
  expires INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'expired')),
  attempts INTEGER NOT NULL DEFAULT 0,
  done INTEGER,
  message_id TEXT
);
CREATE INDEX outbox_pending ON outbox(state, id);
-- Number management: numbers an owner linked to the account (one owner each).
CREATE TABLE number_links (
  other TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  owner TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  created INTEGER NOT NULL,
  CHECK (other != owner)
);
CREATE INDEX number_links_by_owner ON number_links(owner);
)sql",
    // v8: notices to other numbers: SMS that one subscriber's action sends to
    // another (a bonus gift, a number link), counted per recipient in a
    // one-hour window (rules.notices_per_hour), so that nobody can flood a
    // stranger's phone through us. Same shape as login_alert_window, without
    // the reference: a notice may one day go to a number we do not serve.
    R"sql(
CREATE TABLE notice_window (
  msisdn TEXT PRIMARY KEY,
  started INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  suppressed INTEGER NOT NULL DEFAULT 0,
  suppressed_since INTEGER NOT NULL DEFAULT 0
);
)sql",
};

std::string too_new(const connection& c, int v) {
    return "database " + printable_target(c.path()) + " has schema version " + std::to_string(v) +
           ", newer than this binary supports (" + std::to_string(latest_schema_version()) +
           "); run a newer ussdgw";
}

// Held while a PostgreSQL store migrates: gateways starting together take
// turns, and the second finds the work done. A session lock (not a
// transaction's) spans every step; the connection's end releases it too.
class migration_lock {
  public:
    explicit migration_lock(connection& c) : c_(c) {
        if (c_.engine() == engine::postgres) c_.exec("SELECT pg_advisory_lock(7235101)");
    }
    ~migration_lock() {
        try {
            if (c_.engine() == engine::postgres) c_.exec("SELECT pg_advisory_unlock(7235101)");
        } catch (...) {  // the connection is gone, and the lock with it
        }
    }
    migration_lock(const migration_lock&) = delete;
    migration_lock& operator=(const migration_lock&) = delete;

  private:
    connection& c_;
};

// The SQL of step `v` for the connection's engine; nullptr when PostgreSQL
// reaches `v` without a step of its own (its first step is the whole schema).
const char* step_sql(const connection& c, int v) {
    if (c.engine() == engine::postgres) return postgres_step(v);
    return steps[static_cast<size_t>(v - 1)];
}

}  // namespace

int latest_schema_version() {
    return static_cast<int>(steps.size());
}

util::result<migration, std::string> migrate(connection& c) {
    migration_lock lock(c);
    migration m;
    m.from = c.user_version();
    if (m.from > latest_schema_version()) return util::fail(too_new(c, m.from));
    for (int v = m.from + 1; v <= latest_schema_version(); ++v) {
        const char* sql = step_sql(c, v);
        if (!sql) continue;
        transaction t(c);
        // Re-read inside the write lock: another process may have migrated meanwhile.
        int now = c.user_version();
        if (now >= v) continue;
        c.exec(sql);
        c.set_user_version(v);
        t.commit();
    }
    m.to = c.user_version();
    return m;
}

util::result<int, std::string> check_version(connection& c) {
    int v = c.user_version();
    if (v > latest_schema_version()) return util::fail(too_new(c, v));
    if (v < latest_schema_version())
        return util::fail("database " + printable_target(c.path()) + " has schema version " +
                          std::to_string(v) + ", expected " +
                          std::to_string(latest_schema_version()) +
                          "; run: ussdgw-admin init --db " + printable_target(c.path()));
    return v;
}

}  // namespace ussdgw::store
