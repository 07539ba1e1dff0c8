// A hostile or broken SMSC, played by hand on a raw socket: bad frame
// lengths, huge and TLV-stuffed PDUs, frames trickled or never finished,
// unknown commands, stray responses, floods beyond the window, responses that
// never come or carry vendor errors, nacked keepalives, cuts mid-PDU and a
// bind that is never answered. After each, the daemon must still be running,
// answer a subscriber (on the same link or after rebinding) and hold its
// memory.

#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>

#include "harness.hpp"
#include "raw_smsc.hpp"
#include "ussdgw/smpp/codec.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using namespace std::chrono_literals;

namespace {

constexpr auto cmd = [](smpp::command c) { return static_cast<std::uint32_t>(c); };

// Short timers so a lost link is noticed and rebound within a test's patience.
std::string fast_config(const temp_dir& dir, const std::string& extra = "") {
    auto path = dir.file("hostile.conf");
    std::ofstream(path) << "[rules]\npwhash = minimum\n[smsc]\nresponse_timeout = 1s\n"
                        << "enquire_link_interval = 1s\nreconnect_min = 50ms\n"
                        << "reconnect_max = 200ms\nconnect_timeout = 1s\n"
                        << "submit_deadline = 3s\n"
                        << extra;
    return path;
}

struct rig {
    temp_dir dir;
    raw_smsc smsc;
    std::unique_ptr<child_process> daemon;
    std::uint32_t seq = 100;

    explicit rig(const std::string& extra = "") {
        auto db = demo_store(dir);
        daemon = start_daemon(smsc.port(), {"--db", db, "--config", fast_config(dir, extra)});
        REQUIRE(smsc.bind(patience));
    }

    // The daemon logs at debug into a pipe: read it as we go, or a burst of
    // log lines fills the pipe and stalls the daemon (the test's doing, not its).
    void drain_log() {
        while (daemon->read_line(0ms)) {
        }
    }

    // The daemon's next PDU within `patience`, reading its log meanwhile.
    std::optional<smpp::pdu> next() {
        const auto until = std::chrono::steady_clock::now() + patience;
        while (std::chrono::steady_clock::now() < until) {
            drain_log();
            if (auto p = smsc.read(50ms)) return p;
            if (!smsc.connected()) return std::nullopt;
        }
        return std::nullopt;
    }

    // `*111#` from a demo subscriber: its deliver_sm_resp is OK and the main
    // menu comes back as a submit_sm (answered), on this link. Screens of
    // earlier dialogs met on the way are answered and passed over.
    bool serves(std::uint8_t session = 1) {
        const auto my_seq = ++seq;
        smsc.send(ussd_mo(my_seq, "79160000001", smpp::ussd_op::pssr_ind, session, "*111#"));
        bool acked = false;
        const auto until = std::chrono::steady_clock::now() + patience;
        while (std::chrono::steady_clock::now() < until) {
            auto p = next();
            if (!p) return false;
            if (p->command_id == cmd(smpp::command::deliver_sm_resp) &&
                p->sequence_number == my_seq)
                acked = p->command_status == 0;
            if (p->command_id != cmd(smpp::command::submit_sm)) continue;
            smsc.send(smpp::pdu{cmd(smpp::command::submit_sm_resp), 0, p->sequence_number,
                                smpp::message_id_body{"m1", {}}});
            const auto& b = std::get<smpp::sm_body>(p->body);
            const auto its = smpp::tlv_u16(b.tlvs, smpp::tag::its_session_info);
            if (b.destination_addr == "79160000001" && its && (*its >> 8) == session)
                return acked && !b.short_message.empty();
        }
        return false;
    }

    // The daemon lost the link: it comes back, binds, and serves.
    bool rebinds_and_serves() { return smsc.bind(patience) && serves(); }

    std::string log() {
        drain_log();  // whatever it printed so far (it runs on: read without waiting)
        return daemon->output();
    }
};

}  // namespace

TEST_CASE("hostile SMSC: a bad command_length is nacked - the link closed - the daemon rebinds") {
    rig r;
    const auto rss_before = rss_kib(r.daemon->pid());
    for (std::uint32_t length : {0u, 8u, 15u, 0xFFFFFFFFu, 65537u}) {
        CAPTURE(length);
        r.smsc.send(raw_header(length, cmd(smpp::command::deliver_sm), 7));
        auto nack = r.smsc.read(patience);
        REQUIRE(nack);
        CHECK(nack->command_id == cmd(smpp::command::generic_nack));
        CHECK(nack->command_status == smpp::status::invalid_cmd_len);
        // The stream cannot be resynchronised: the daemon hangs up ...
        CHECK(r.smsc.wait_closed(patience));
        // ... and comes back.
        CHECK(r.rebinds_and_serves());
    }
    // 0xFFFFFFFF was refused before anything was allocated for it.
    CHECK(rss_kib(r.daemon->pid()) < rss_before + 8 * 1024);
    CHECK(r.daemon->running());
}

TEST_CASE("hostile SMSC: a PDU of 1000 TLVs and a 64 KiB PDU are answered - the link stays") {
    rig r;
    const auto rss_before = rss_kib(r.daemon->pid());
    auto stuffed = ussd_mo(11, "79160000001", smpp::ussd_op::pssr_ind, 3, "*111#");
    auto& b = std::get<smpp::sm_body>(stuffed.body);
    for (std::uint16_t i = 0; i < 1000; ++i) smpp::add_tlv_u16(b.tlvs, 0x1400 + i, i);
    r.smsc.send(stuffed);
    auto resp = r.smsc.expect(cmd(smpp::command::deliver_sm_resp), patience);
    REQUIRE(resp);
    CHECK(resp->sequence_number == 11);

    // Exactly the default max_pdu: the text in message_payload fills the rest.
    auto huge = ussd_mo(12, "79160000002", smpp::ussd_op::pssr_ind, 4, "");
    auto& h = std::get<smpp::sm_body>(huge.body);
    const auto frame = smpp::encode(huge);
    REQUIRE(frame);
    const std::size_t room = smpp::default_max_pdu - frame->size() - 4;  // TLV tag + length
    smpp::add_tlv_bytes(h.tlvs, 0x0424, std::string(room, '1'));
    REQUIRE(smpp::encode(huge)->size() == smpp::default_max_pdu);
    r.smsc.send(huge);
    resp = r.smsc.expect(cmd(smpp::command::deliver_sm_resp), patience);
    REQUIRE(resp);
    CHECK(resp->sequence_number == 12);

    CHECK(r.serves(5));  // same link, still serving
    CHECK(rss_kib(r.daemon->pid()) < rss_before + 16 * 1024);
}

TEST_CASE("hostile SMSC: a frame trickled one octet at a time is read whole") {
    rig r;
    auto bytes = smpp::encode(ussd_mo(21, "79160000001", smpp::ussd_op::pssr_ind, 6, "*111#"));
    REQUIRE(bytes);
    r.smsc.trickle(*bytes);
    auto resp = r.smsc.expect(cmd(smpp::command::deliver_sm_resp), patience);
    REQUIRE(resp);
    CHECK(resp->command_status == 0);
    CHECK(r.smsc.expect(cmd(smpp::command::submit_sm), patience));
}

TEST_CASE("hostile SMSC: a frame never finished (slowloris) costs the link at the next keepalive") {
    rig r;
    auto bytes = smpp::encode(ussd_mo(31, "79160000001", smpp::ussd_op::pssr_ind, 7, "*111#"));
    REQUIRE(bytes);
    r.smsc.send(std::span<const std::uint8_t>(*bytes).first(20));
    // The daemon probes the silent link with enquire_link; the slow SMSC
    // does not answer, so after response_timeout the link goes ...
    CHECK(r.smsc.wait_closed(patience));
    CHECK(r.smsc.seen(cmd(smpp::command::enquire_link)) >= 1);
    // ... and a new bind serves.
    CHECK(r.rebinds_and_serves());
    CHECK(r.log().find("enquire_link unanswered") != std::string::npos);
}

TEST_CASE(
    "hostile SMSC: unknown commands are nacked and stray responses ignored - the link stays") {
    rig r;
    r.smsc.send(raw_header(16, 0x00000099, 41));
    auto nack = r.smsc.read(patience);
    REQUIRE(nack);
    CHECK(nack->command_id == cmd(smpp::command::generic_nack));
    CHECK(nack->command_status == smpp::status::invalid_cmd_id);
    CHECK(nack->sequence_number == 41);
    // A submit_sm from the SMSC side (an ESME does not take those) is refused too.
    smpp::pdu submit{cmd(smpp::command::submit_sm), 0, 42, smpp::sm_body{}};
    r.smsc.send(submit);
    nack = r.smsc.read(patience);
    REQUIRE(nack);
    CHECK(nack->command_id == cmd(smpp::command::generic_nack));
    CHECK(nack->sequence_number == 42);
    // Responses to requests the daemon never sent: nothing to answer, nothing breaks.
    r.smsc.send(
        smpp::pdu{cmd(smpp::command::submit_sm_resp), 0, 987654, smpp::message_id_body{"x", {}}});
    r.smsc.send(smpp::make_empty(smpp::command::enquire_link_resp, 987655));
    r.smsc.send(smpp::make_empty(smpp::command::generic_nack, 987656, 0x08));
    CHECK(r.serves(8));
}

TEST_CASE("hostile SMSC: a deliver_sm flood far beyond the window gets every response") {
    rig r;
    const auto rss_before = rss_kib(r.daemon->pid());
    // 3000 begins in one burst from 300 numbers the store does not know,
    // with 10 dialogs each: far beyond the submit window of 10.
    std::vector<std::uint8_t> burst;
    const int n = 3000;
    for (int i = 0; i < n; ++i) {
        auto p = ussd_mo(static_cast<std::uint32_t>(1000 + i),
                         "7999000" + std::to_string(1000 + i % 300), smpp::ussd_op::pssr_ind,
                         static_cast<std::uint8_t>(i / 300), "*111#");
        REQUIRE(smpp::encode(p, burst));
    }
    r.smsc.send(burst);
    std::size_t resps = 0, screens = 0;
    while (resps < n || screens < n) {
        auto p = r.next();
        if (!p) break;
        if (p->command_id == cmd(smpp::command::deliver_sm_resp)) ++resps;
        if (p->command_id == cmd(smpp::command::submit_sm)) {
            ++screens;
            r.smsc.send(smpp::pdu{cmd(smpp::command::submit_sm_resp), 0, p->sequence_number,
                                  smpp::message_id_body{"m", {}}});
        }
    }
    CHECK(resps == n);
    CHECK(screens == n);  // every one of them heard back (the unknown-number screen)
    CHECK(r.serves(11));
    CHECK(rss_kib(r.daemon->pid()) < rss_before + 32 * 1024);
}

TEST_CASE("hostile SMSC: submit_sm_resp never sent - deliver_sm still answered - window held") {
    rig r;
    for (int i = 0; i < 15; ++i)
        r.smsc.send(ussd_mo(static_cast<std::uint32_t>(200 + i),
                            "7999100" + std::to_string(1000 + i), smpp::ussd_op::pssr_ind, 1,
                            "*111#"));
    std::size_t resps = 0, submits = 0;
    // Read for a while without answering a single submit_sm.
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < until) {
        auto p = r.smsc.read(std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now()));
        if (!p) break;
        if (p->command_id == cmd(smpp::command::deliver_sm_resp)) ++resps;
        if (p->command_id == cmd(smpp::command::submit_sm)) ++submits;
    }
    CHECK(resps == 15);         // the SMSC always hears that its MOs arrived
    CHECK(submits >= 10);       // the window went out ...
    CHECK(submits <= 15 + 10);  // ... and unanswered ones are retried, not multiplied
    // Once responses flow again, the daemon serves.
    CHECK(r.serves(12));
}

TEST_CASE("hostile SMSC: vendor error codes in submit_sm_resp are logged - the next dialog works") {
    rig r;
    r.smsc.send(ussd_mo(301, "79160000001", smpp::ussd_op::pssr_ind, 9, "*111#"));
    auto submit = r.smsc.expect(cmd(smpp::command::submit_sm), patience, false);
    REQUIRE(submit);
    // 0x400: a vendor-specific status (SMPP reserves 0x400-0x4FF for them).
    r.smsc.send(smpp::pdu{cmd(smpp::command::submit_sm_resp), 0x400, submit->sequence_number,
                          smpp::message_id_body{}});
    CHECK(r.serves(10));
    CHECK(r.daemon->running());
}

TEST_CASE("hostile SMSC: generic_nack to our enquire_link is survived") {
    rig r;
    auto probe = r.smsc.read(patience, false);
    REQUIRE(probe);
    REQUIRE(probe->command_id == cmd(smpp::command::enquire_link));
    r.smsc.send(smpp::make_empty(smpp::command::generic_nack, probe->sequence_number,
                                 smpp::status::invalid_cmd_id));
    // Still serving: on this link, or on a new one if it chose to rebind.
    CHECK((r.serves(13) || r.rebinds_and_serves()));
}

TEST_CASE("hostile SMSC: a disconnect mid-PDU and a bind never answered end in a working rebind") {
    rig r;
    auto bytes = smpp::encode(ussd_mo(401, "79160000001", smpp::ussd_op::pssr_ind, 14, "*111#"));
    REQUIRE(bytes);
    r.smsc.send(std::span<const std::uint8_t>(*bytes).first(bytes->size() / 2));
    r.smsc.drop();
    // The daemon reconnects; this SMSC accepts TCP and never answers the bind.
    REQUIRE(r.smsc.accept(patience));
    auto bind = r.smsc.read(patience);
    REQUIRE(bind);
    CHECK(bind->command_id == cmd(smpp::command::bind_transceiver));
    // connect_timeout covers the bind: the daemon gives up on this connection ...
    CHECK(r.smsc.wait_closed(patience));
    // ... then a bind refused with an error, then one accepted.
    REQUIRE(r.smsc.bind(patience, smpp::status::bind_failed));
    CHECK(r.smsc.wait_closed(patience));
    CHECK(r.rebinds_and_serves());
}

TEST_CASE("hostile SMSC: screens beyond the queue while the window is stuck are shed - no crash") {
    // The queue holds max(10,000, 2 x max_dialogs) screens; 10,600 begins with
    // no submit_sm_resp overflow it. Each refused screen used to be retried in
    // place, inside the refusal, until the stack overflowed.
    rig r("[ussd]\nmax_dialogs = 3000\nduplicate_window = 1s\n");
    const int n = 10600;
    std::vector<std::uint8_t> burst;
    for (int i = 0; i < n; ++i) {
        auto p = ussd_mo(static_cast<std::uint32_t>(5000 + i),
                         "7999200" + std::to_string(1000 + i % 1000), smpp::ussd_op::pssr_ind,
                         static_cast<std::uint8_t>(i / 1000), "*111#");
        REQUIRE(smpp::encode(p, burst));
    }
    r.smsc.send(burst);
    std::size_t resps = 0;
    while (resps < n) {
        auto p = r.next();
        if (!p) break;
        if (p->command_id == cmd(smpp::command::deliver_sm_resp)) ++resps;
    }
    const auto out = r.log();
    INFO("daemon output (end):\n" << out.substr(out.size() > 3000 ? out.size() - 3000 : 0));
    CHECK(resps == n);
    CHECK(r.daemon->running());
    CHECK(r.log().find("too many requests waiting for the SMSC's window") != std::string::npos);
    // Answering again, the daemon works off its queue (until it goes quiet)
    // and then serves.
    std::size_t answered = 0;
    const auto until = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < until) {
        r.drain_log();
        auto p = r.smsc.read(2s);  // past response_timeout: the withheld ones time out first
        if (!p) break;
        if (p->command_id != cmd(smpp::command::submit_sm)) continue;
        ++answered;
        r.smsc.send(smpp::pdu{cmd(smpp::command::submit_sm_resp), 0, p->sequence_number,
                              smpp::message_id_body{"m", {}}});
    }
    CHECK(answered > 1000);
    CHECK(r.serves(20));
}

TEST_CASE("one subscriber beyond the per-minute limit hears busy - others are served") {
    temp_dir dir;
    auto path = dir.file("limit.conf");
    std::ofstream(path) << "[rules]\npwhash = minimum\n[ussd]\nrate_per_subscriber = 3\n";
    auto sim = start_sim({});
    auto daemon = start_daemon(sim.port, {"--db", demo_store(dir), "--config", path});
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    // Three dialogs are the burst; the fourth within the minute is refused politely.
    for (int i = 0; i < 3; ++i) {
        sim.proc->write("*111#\n");
        REQUIRE(sim.proc->wait_for("Service *111#", patience));
        sim.proc->write("/release\n");
    }
    sim.proc->write("*111#\n");
    CHECK(sim.proc->wait_for("MT ussd to=79160000001 op=17 end: Service is busy, please try later.",
                             patience));
    // An SMS from the same number is not acted on either: told once ...
    sim.proc->write("/sms 8111 0\n");
    CHECK(sim.proc->wait_for("MT sms from=8111 to=79160000001: Service is busy", patience));
    // ... and the next one only logged (a flood of MOs must not make a flood of MTs).
    sim.proc->write("/sms 8111 0\n");
    CHECK(daemon->wait_for("already told this minute", patience));
    // Another subscriber is not held back.
    sim.proc->write("/as 79160000002\n*111#\n");
    CHECK(sim.proc->wait_for("MT ussd to=79160000002", patience));
    sim.proc->write("/quit\n");
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(patience) == 0);
    INFO("simulator output:\n" << sim.proc->output());
    CHECK(sim.proc->output().find("MT sms from=8111 to=79160000001: Service is busy") ==
          sim.proc->output().rfind("MT sms from=8111 to=79160000001"));
}
