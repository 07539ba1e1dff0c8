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
        "password = pw#1\nprofile = mine\nresponse_timeout = 1500ms\n"
        "[ussd]\ndialog_timeout = 2m\nmax_dialogs = 10\n[store]\npath = /var/lib/x.db\n"
        "[rules]\npassword_min_ussd = 10\npromised_min_balance = -50.50\npassword_valid = 24h\n"
        "[profile mine]\nbased_on = umr\nsms_concat = sar\n",
        "t.conf");
    REQUIRE(c);
    CHECK(c->smsc.host == "smsc.example");
    CHECK(c->smsc.port == 2776);
    CHECK(c->smsc.system_id == "gw1");
    CHECK(c->smsc.password == "pw#1");  // '#' inside a value is not a comment
    CHECK(c->profile.name == "mine");
    CHECK(c->profile.key == ussdgw::smpp::dialog_key::user_message_reference);
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
    CHECK(e[2] ==
          "bad.conf:6: ussd.dialog_timeout: expected a duration like 10s or 500ms, got 'soon'");
    CHECK(e[3] == "bad.conf:7: expected 'key = value'");
    // A key is taken once per file, counting an attempt whose value was refused.
    CHECK(e[4] == "bad.conf:9: 'smsc.port' already set on line 2");
    CHECK(e[5] == "bad.conf:10: 'smsc.port' already set on line 2");
    // The profile is resolved once the file is read: [profile NAME] may come later.
    CHECK(e[6] ==
          "bad.conf:4: smsc.profile: unknown profile 'fancy' (defined: default, msisdn, umr)");
}

TEST_CASE("durations take ms - s - m - h or bare seconds") {
    CHECK(*parse_duration("250ms") == std::chrono::milliseconds(250));
    CHECK(*parse_duration("3") == std::chrono::milliseconds(3000));
    CHECK(*parse_duration("2h") == std::chrono::hours(2));
    CHECK(!parse_duration("5d"));
    CHECK(!parse_duration("-1s"));
    CHECK(!parse_duration(""));
    // Huge values are refused, not wrapped into negative or tiny ones.
    CHECK(parse_duration("87840h"));
    CHECK(parse_duration("87841h").error() == "'87841h' is too long (at most 10 years)");
    CHECK(!parse_duration("9223372036854775807h"));
    CHECK(!parse_duration("99999999999999999999"));
    auto c = parse_config("[ussd]\ndialog_timeout = 300000000000h\n", "big.conf");
    REQUIRE(!c);
    CHECK(c.error()[0] ==
          "big.conf:2: ussd.dialog_timeout: '300000000000h' is too long (at most 10 years)");
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

TEST_CASE("SMSC profiles are data - an operator's [profile] section is checked key by key") {
    using namespace ussdgw::smpp;
    auto c = parse_config(
        "[smsc]\nprofile = op1\n"
        "[profile op1]\nbased_on = default\nsequence = fixed\nbegin_ops = 1\nanswer_ops = 18\n"
        "release_ops = 0x20 0x81\nbegin_while_open = answer\nfinal_op = 2\nfinal_end_bit = yes\n"
        "service_type =\nussd_gsm7_coding = 0\nussd_ucs2_coding = 0x48\nussd_payload = yes\n"
        "sms_resend_key = user_message_reference\n",
        "p.conf");
    REQUIRE(c);
    const smsc_profile& p = c->profile;
    CHECK(p.name == "op1");
    CHECK(p.sequence == sequence_style::fixed);
    CHECK(p.mo_ops[1] == op_role::begin);
    CHECK(p.mo_ops[0] == op_role::unknown);  // begin_ops replaced the inherited set
    CHECK(p.mo_ops[18] == op_role::answer);
    CHECK(p.mo_ops[19] == op_role::unknown);
    CHECK(p.mo_ops[0x20] == op_role::release);
    CHECK(p.mo_ops[0x81] == op_role::release);
    CHECK(p.mo_ops[0x82] == op_role::unknown);
    CHECK(p.open_begin == begin_while_open::answer);
    CHECK(p.final_op == 2);
    CHECK(p.final_end_bit);
    CHECK(p.ussd_service_type.empty());
    CHECK(p.ussd_gsm7_coding == 0);
    CHECK(p.ussd_ucs2_coding == 0x48);
    CHECK(p.ussd_in_payload);
    CHECK(p.sms_resend_by_umr);
}

TEST_CASE("a bad [profile] section is refused with file:line for every problem") {
    auto c = parse_config(
        "[profile a]\n"          // 1
        "dialog_key = imsi\n"    // 2
        "begin_ops = 1 18\n"     // 3
        "answer_ops = 18 19\n"   // 4
        "release_ops = 300\n"    // 5
        "final_op = 0x100\n"     // 6
        "colour = blue\n"        // 7
        "based_on = umr\n"       // 8
        "[profile default]\n"    // 9
        "[profile a]\n"          // 10
        "[profile b]\n"          // 11
        "based_on = nowhere\n",  // 12
        "bad.conf");
    REQUIRE(!c);
    auto& e = c.error();
    REQUIRE(e.size() == 9);
    CHECK(e[0] ==
          "bad.conf:2: [profile a] dialog_key: expected its_session_info, "
          "user_message_reference or msisdn, got 'imsi'");
    CHECK(e[1] == "bad.conf:4: [profile a] answer_ops: op 18 is already in begin_ops (line 3)");
    CHECK(e[2] ==
          "bad.conf:5: [profile a] release_ops: '300' is not an op value or range from 0 to "
          "255 (e.g. 18, 0x81, 32-255)");
    CHECK(e[3] ==
          "bad.conf:6: [profile a] final_op: expected a value from 0 to 255 (decimal or 0x..), "
          "got '0x100'");
    CHECK(e[4] == "bad.conf:7: [profile a] colour: unknown key 'colour' in [profile a]");
    CHECK(e[5] ==
          "bad.conf:8: [profile a] based_on: based_on must be the first key of its section");
    CHECK(e[6] ==
          "bad.conf:9: [profile default]: profile 'default' is built in; give yours another "
          "name and start it with 'based_on = default'");
    CHECK(e[7] == "bad.conf:10: [profile a]: profile 'a' already defined on line 1");
    CHECK(e[8] ==
          "bad.conf:12: [profile b] based_on: based_on: no profile 'nowhere' defined "
          "before this one");
}

TEST_CASE("the built-in profiles are entries in the config format") {
    using namespace ussdgw::smpp;
    auto umr = profile_by_name("umr");
    REQUIRE(umr);
    CHECK(umr->key == dialog_key::user_message_reference);
    CHECK(umr->final_op == 2);
    CHECK(umr->final_end_bit);
    auto msisdn = profile_by_name("msisdn");
    REQUIRE(msisdn);
    CHECK(msisdn->key == dialog_key::msisdn);
    auto def = profile_by_name("default");
    REQUIRE(def);
    CHECK(def->sequence == sequence_style::learn);
    CHECK(def->mo_ops[0x81] == op_role::release);
    // The same text, renamed, is a valid operator file giving equal profiles.
    std::string text(builtin_profiles_text());
    for (const char* name : {"default", "umr", "msisdn"}) {
        for (const std::string& from :
             {std::string("[profile ") + name + "]", std::string("based_on = ") + name + "\n"}) {
            std::string to = from;
            to.insert(from.back() == ']' ? from.size() - 1 : from.size() - 1, "_copy");
            for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
                text.replace(at, from.size(), to);
        }
    }
    auto c = parse_config(text + "\n[smsc]\nprofile = umr_copy\n", "copy.conf");
    REQUIRE(c);
    auto copy = c->profile;
    CHECK(copy.name == "umr_copy");
    copy.name = "umr";
    CHECK(copy == *umr);
    CHECK(profile_by_name("nope") == std::nullopt);
}

TEST_CASE("docs/smsc-profiles.md shows the built-in profiles exactly as shipped") {
    std::ifstream f(std::string(USSDGW_SOURCE_DIR) + "/docs/smsc-profiles.md");
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string doc = ss.str();
    auto from = doc.find("```\n[profile default]");
    REQUIRE(from != std::string::npos);
    from += 4;
    auto to = doc.find("```", from);
    REQUIRE(to != std::string::npos);
    std::string shipped(ussdgw::smpp::builtin_profiles_text());
    while (!shipped.empty() && shipped.front() == '\n') shipped.erase(0, 1);
    CHECK(doc.substr(from, to - from) == shipped);
}

TEST_CASE("more binds: [smsc NAME] sections take the [smsc] keys - each its own profile") {
    auto c = parse_config(
        "[smsc]\nhost = a.example\n"
        "[smsc second]\nhost = b.example\nport = 2776\nsystem_id = gw2\nprofile = umr\nwindow = 5\n"
        "[smsc third]\nhost = c.example\n",
        "binds.conf");
    REQUIRE(c);
    auto links = c->links();
    REQUIRE(links.size() == 3);
    CHECK(links[0].name == "default");
    CHECK(links[0].smsc.host == "a.example");
    CHECK(links[1].name == "second");
    CHECK(links[1].smsc.host == "b.example");
    CHECK(links[1].smsc.port == 2776);
    CHECK(links[1].smsc.system_id == "gw2");
    CHECK(links[1].smsc.session.window == 5);
    CHECK(links[1].profile.key == ussdgw::smpp::dialog_key::user_message_reference);
    CHECK(links[2].profile.name == "default");
    CHECK(links[2].smsc.port == 2775);  // unset keys: the built-in defaults
    auto bad = parse_config(
        "[smsc b]\ncolour = red\nport = 0\nprofile = nope\n[smsc b]\n[smsc default]\n", "b.conf");
    REQUIRE(!bad);
    const auto& e = bad.error();
    REQUIRE(e.size() == 5);
    CHECK(e[0] == "b.conf:2: unknown key 'colour' in [smsc b] (a bind takes the [smsc] keys)");
    CHECK(e[1] == "b.conf:3: [smsc b] port: expected a whole number from 1 to 65535, got '0'");
    CHECK(e[2] == "b.conf:5: [smsc b]: bind 'b' already defined on line 1");
    CHECK(e[3] ==
          "b.conf:6: [smsc default]: a bind's name is a-z, 0-9, '_' or '-' (and not 'default')");
    CHECK(e[4] == "b.conf:4: [smsc b] profile: unknown profile 'nope'");
}
