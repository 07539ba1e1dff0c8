-- A schema v5 database as written by the fifth release (v3.sql plus the v4 and v5
-- steps, package use recorded, a transfer), with a little data. Loaded by
-- tests/unit/store to check the v5 -> latest migration.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO tariffs VALUES('Basic','Basic','Базовый',0,10000,100,50,1024);
INSERT INTO tariffs VALUES('Smart','Smart','Смарт',45000,10000,500,500,10240);
CREATE TABLE services (
  code TEXT PRIMARY KEY,
  title_en TEXT NOT NULL,
  title_ru TEXT NOT NULL,
  fee INTEGER NOT NULL DEFAULT 0,
  period TEXT NOT NULL DEFAULT 'none' CHECK (period IN ('none', 'daily', 'monthly'))
);
INSERT INTO services VALUES('caller_id','Caller ID','Определитель номера',0,'none');
INSERT INTO services VALUES('beep','Ringback tune','Гудок',250,'daily');
INSERT INTO services VALUES('roaming_plus','Roaming plus','Роуминг плюс',9900,'monthly');
CREATE TABLE service_rules (
  service TEXT NOT NULL REFERENCES services(code) ON DELETE CASCADE,
  tariff TEXT NOT NULL REFERENCES tariffs(name) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('incompatible', 'included')),
  PRIMARY KEY (service, tariff)
);
INSERT INTO service_rules VALUES('beep','Basic','incompatible');
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
, alphabet TEXT NOT NULL DEFAULT 'cyrillic', extra_minutes INTEGER NOT NULL DEFAULT 0, extra_sms INTEGER NOT NULL DEFAULT 0, extra_mb INTEGER NOT NULL DEFAULT 0, login_alerts INTEGER NOT NULL DEFAULT 0);
INSERT INTO subscribers VALUES('79161111111','active','ru','Smart',12345,30000,7,1,1700000000,40,5,300,1690000000,'latin',50,0,0,1);
INSERT INTO subscribers VALUES('79162222222','blocked','en','Basic',-500,0,0,0,NULL,0,0,0,1690000000,'cyrillic',0,0,0,0);
CREATE TABLE passwords (
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('permanent', 'one_time')),
  hash TEXT NOT NULL,
  issued INTEGER NOT NULL,
  expires INTEGER, used INTEGER,
  PRIMARY KEY (msisdn, kind)
);
INSERT INTO passwords VALUES('79161111111','permanent','$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$notarealhashnotarealhash',1700000000,NULL,NULL);
INSERT INTO passwords VALUES('79161111111','one_time','$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$notarealhashnotarealotp1',1700000000,1700172800,1700000100);
CREATE TABLE logins (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  failed INTEGER NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0
);
INSERT INTO logins VALUES('79161111111',2,0);
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
  since INTEGER NOT NULL, charged_periods INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (msisdn, service)
);
INSERT INTO subscriptions VALUES('79161111111','caller_id',1700000000,0);
INSERT INTO subscriptions VALUES('79161111111','beep',1700000000,694);
INSERT INTO subscriptions VALUES('79162222222','roaming_plus',1700000000,23);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  peer TEXT
);
INSERT INTO payments VALUES(1,'79161111111',1700000000,'topup',10000,'');
INSERT INTO payments VALUES(2,'79161111111',1700000000,'service_fee',-250,'beep');
INSERT INTO payments VALUES(3,'79162222222',1700000000,'service_fee',-9900,'roaming_plus');
INSERT INTO payments VALUES(4,'79161111111',1700100000,'transfer_out',-5000,'79162222222');
INSERT INTO payments VALUES(5,'79162222222',1700100000,'transfer_in',5000,'79161111111');
CREATE TABLE promised (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  amount INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  taken INTEGER NOT NULL,
  due INTEGER NOT NULL,
  repaid INTEGER
);
CREATE TABLE blocking (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  started INTEGER NOT NULL,
  ended INTEGER,
  charged_days INTEGER NOT NULL DEFAULT 0
);
INSERT INTO blocking VALUES(1,'79162222222',1700000000,NULL,0);
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
INSERT INTO archive VALUES(1,'79161111111',1700000000,'ussd','balance','','ok',0);
CREATE TABLE dedup (
  key TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  outcome TEXT NOT NULL
);
INSERT INTO dedup VALUES('smsc1:79161111111:17',1700000000,'1:1');
CREATE TABLE sms_archive (
  msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  since INTEGER NOT NULL
);
INSERT INTO sms_archive VALUES('79162222222','$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$notarealhashnotarealarch',1700000000);
CREATE TABLE server_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL
);
CREATE INDEX payments_by_msisdn ON payments(msisdn, id);
CREATE INDEX promised_open ON promised(due) WHERE repaid IS NULL;
CREATE INDEX blocking_open ON blocking(msisdn) WHERE ended IS NULL;
CREATE INDEX archive_by_msisdn ON archive(msisdn, id);
CREATE INDEX dedup_by_time ON dedup(created);
COMMIT;
PRAGMA user_version=5;
