// app/config: the INI parser, every problem reported as file:line, unknown
// keys refused by name, durations with units, and the shipped conf file valid.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ussdgw/app/config.hpp"

using namespace ussdgw::app;

TEST_CASE("a full config parses into a snapshot") {
    auto c = parse_config(
        "# comment\n[smsc]\nhost = smsc.example\nport = 2776\nsystem_id = gw1\n"
        "password = pw#1\nprofile = umr\nsms_concat = sar\nresponse_timeout = 1500ms\n"
        "[ussd]\ndialog_timeout = 2m\nmax_dialogs = 10\n[store]\npath = /var/lib/x.db\n"
        "[rules]\npassword_min_ussd = 10\npromised_min_balance = -50.50\npassword_valid = 24h\n",
        "t.conf");
    REQUIRE(c);
    CHECK(c->smsc.host == "smsc.example");
    CHECK(c->smsc.port == 2776);
    CHECK(c->smsc.system_id == "gw1");
    CHECK(c->smsc.password == "pw#1");  // '#' inside a value is not a comment
    CHECK(c->profile.name == "umr");
    CHECK(c->profile.sar_concat);
    CHECK(c->smsc.session.response_timeout == std::chrono::milliseconds(1500));
    CHECK(c->dialog_timeout == std::chrono::seconds(120));
    CHECK(c->max_dialogs == 10);
    CHECK(c->db_path == "/var/lib/x.db");
    CHECK(c->rules.password_min_ussd == 10);
    CHECK(c->rules.promised_min_balance == -5050);
    CHECK(c->rules.password_valid_seconds == 24 * 3600);
}

TEST_CASE("every problem is reported with file and line") {
    auto c = parse_config(
        "[smsc]\nport = 99999\nhots = x\nprofile = fancy\n[ussd]\ndialog_timeout = soon\n"
        "garbage line\n[smsc]\nport = 1\nport = 2\n",
        "bad.conf");
    REQUIRE(!c);
    auto& e = c.error();
    REQUIRE(e.size() == 7);
    CHECK(e[0] == "bad.conf:2: smsc.port: expected a whole number from 1 to 65535, got '99999'");
    CHECK(e[1] == "bad.conf:3: unknown key 'hots' in [smsc]");
    CHECK(e[2] == "bad.conf:4: smsc.profile: unknown profile 'fancy' (expected default or umr)");
    CHECK(e[3] ==
          "bad.conf:6: ussd.dialog_timeout: expected a duration like 10s or 500ms, got 'soon'");
    CHECK(e[4] == "bad.conf:7: expected 'key = value'");
    // A key is taken once per file, counting an attempt whose value was refused.
    CHECK(e[5] == "bad.conf:9: 'smsc.port' already set on line 2");
    CHECK(e[6] == "bad.conf:10: 'smsc.port' already set on line 2");
}

TEST_CASE("durations take ms - s - m - h or bare seconds") {
    CHECK(*parse_duration("250ms") == std::chrono::milliseconds(250));
    CHECK(*parse_duration("3") == std::chrono::milliseconds(3000));
    CHECK(*parse_duration("2h") == std::chrono::hours(2));
    CHECK(!parse_duration("5d"));
    CHECK(!parse_duration("-1s"));
    CHECK(!parse_duration(""));
}

TEST_CASE("HOST:PORT flags are checked") {
    config c;
    CHECK(apply_smsc_address(c, "10.0.0.1:2775"));
    CHECK(c.smsc.host == "10.0.0.1");
    CHECK(c.smsc.port == 2775);
    CHECK(!apply_smsc_address(c, "nohost"));
    CHECK(!apply_smsc_address(c, ":2775"));
    CHECK(!apply_smsc_address(c, "h:0"));
}

TEST_CASE("the shipped conf/ussdgw.conf is valid and states the defaults") {
    auto c = load_config_file(std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.conf");
    REQUIRE(c);
    config defaults;
    CHECK(c->smsc.port == defaults.smsc.port);
    CHECK(c->smsc.session.window == defaults.smsc.session.window);
    CHECK(c->smsc.backoff_min == defaults.smsc.backoff_min);
    CHECK(c->dialog_timeout == defaults.dialog_timeout);
    CHECK(c->max_dialogs == defaults.max_dialogs);
    CHECK(c->duplicate_window == defaults.duplicate_window);
    const auto& r = c->rules;
    const auto& d = defaults.rules;
    CHECK(r.password_min_ussd == d.password_min_ussd);
    CHECK(r.password_min_sms == d.password_min_sms);
    CHECK(r.password_max_sms == d.password_max_sms);
    CHECK(r.password_valid_seconds == d.password_valid_seconds);
    CHECK(r.max_failed_logins == d.max_failed_logins);
    CHECK(r.pwhash.ops == d.pwhash.ops);
    CHECK(r.promised_min_balance == d.promised_min_balance);
    CHECK(r.promised_min_amount == d.promised_min_amount);
    CHECK(r.full_trust_start_limit == d.full_trust_start_limit);
    CHECK(r.blocking_daily_fee == d.blocking_daily_fee);
    CHECK(r.topup_min == d.topup_min);
    CHECK(r.topup_max == d.topup_max);
    CHECK(r.transfer_min == d.transfer_min);
    CHECK(r.transfer_max == d.transfer_max);
    CHECK(r.app_link_url == d.app_link_url);
    CHECK(r.max_wrong_puks == d.max_wrong_puks);
    CHECK(r.utc_offset_seconds == d.utc_offset_seconds);
    CHECK(!load_config_file("/nonexistent/ussdgw.conf"));
}
