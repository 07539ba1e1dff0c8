// The simulator's SMSC styles (docs/smsc-sim.md): how MOs carry a USSD dialog
// (--dialog-key, --its-sequence), which ussd_service_op values they use
// (--begin-op/--answer-op/--release-op), an empty USSD service_type, and the
// `resend` verb. No daemon here: the test plays a minimal ESME itself over a
// blocking loopback socket with the project's codec, so it sees every octet the
// simulator sends.

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "ussdgw/smpp/codec.hpp"
#include "ussdgw/smpp/pdu.hpp"

using namespace ussdgw::test;
namespace smpp = ussdgw::smpp;

namespace {

constexpr std::uint32_t id(smpp::command c) {
    return static_cast<std::uint32_t>(c);
}

// One PDU as read: the octets on the wire and what the codec made of them.
struct frame {
    std::vector<std::uint8_t> raw;
    smpp::pdu pdu;

    // Everything after the 16-octet header.
    std::vector<std::uint8_t> body() const { return {raw.begin() + 16, raw.end()}; }
    const smpp::sm_body& sm() const { return std::get<smpp::sm_body>(pdu.body); }
};

// A minimal ESME on a blocking loopback socket; every read has a deadline.
class esme {
  public:
    explicit esme(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
        timeval tv{5, 0};  // nothing the simulator sends should take more than milliseconds
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("connect: " + std::string(std::strerror(errno)));
        }
    }
    ~esme() { ::close(fd_); }
    esme(const esme&) = delete;
    esme& operator=(const esme&) = delete;

    void send(const smpp::pdu& p) {
        auto bytes = smpp::encode(p);
        REQUIRE(bytes.has_value());
        std::size_t off = 0;
        while (off < bytes->size()) {
            auto n = ::send(fd_, bytes->data() + off, bytes->size() - off, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send: " + std::string(std::strerror(errno)));
            off += static_cast<std::size_t>(n);
        }
    }

    // The next PDU, or nullopt when the simulator closed the connection.
    // A read that times out fails the test.
    std::optional<frame> read() {
        for (;;) {
            auto check = smpp::check_frame(buffer_);
            REQUIRE(check.state != smpp::frame_check::invalid);
            if (check.state == smpp::frame_check::complete) {
                frame f;
                f.raw.assign(buffer_.begin(),
                             buffer_.begin() + static_cast<std::ptrdiff_t>(check.length));
                buffer_.erase(buffer_.begin(),
                              buffer_.begin() + static_cast<std::ptrdiff_t>(check.length));
                auto decoded = smpp::decode(f.raw);
                REQUIRE(decoded.has_value());
                f.pdu = std::move(decoded).value();
                return f;
            }
            std::uint8_t chunk[4096];
            auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n == 0) return std::nullopt;
            if (n < 0) {
                throw std::runtime_error("recv: " + std::string(std::strerror(errno)) +
                                         " (no PDU from the simulator within 5 s)");
            }
            buffer_.insert(buffer_.end(), chunk, chunk + n);
        }
    }

    void bind() {
        smpp::pdu p;
        p.command_id = id(smpp::command::bind_transceiver);
        p.sequence_number = next_sequence();
        smpp::bind_body b;
        b.system_id = "ussdgw";
        b.password = bind_password;
        p.body = b;
        send(p);
        auto resp = read();
        REQUIRE(resp);
        REQUIRE(resp->pdu.command_id == id(smpp::command::bind_transceiver_resp));
        REQUIRE(resp->pdu.command_status == smpp::status::ok);
    }

    void answer(const frame& request, smpp::command resp_id) {
        smpp::pdu p;
        p.command_id = id(resp_id);
        p.sequence_number = request.pdu.sequence_number;
        if (resp_id == smpp::command::deliver_sm_resp) p.body = smpp::message_id_body{};
        send(p);
    }

    // A USSD screen (op 2) back to the handset that sent `mo`, keyed as the
    // daemon keys it: the MO's session with its sequence + 1, or its reference
    // (and for an MO with neither, an unrelated session).
    void screen(const frame& mo, const std::string& text) {
        const auto& in = mo.sm();
        smpp::sm_body out;
        out.service_type = in.service_type;
        out.source_addr = in.destination_addr;
        out.dest_addr_ton = 1;
        out.dest_addr_npi = 1;
        out.destination_addr = in.source_addr;
        out.data_coding = 0x0F;
        out.short_message = text;  // ASCII letters and digits: the same in GSM 7-bit
        smpp::add_tlv_u8(out.tlvs, smpp::tag::ussd_service_op, smpp::ussd_op::ussr_req);
        if (auto isi = smpp::tlv_u16(in.tlvs, smpp::tag::its_session_info)) {
            const unsigned seq = (((*isi & 0xFFu) >> 1) + 1) & 0x7Fu;
            smpp::add_tlv_u16(out.tlvs, smpp::tag::its_session_info,
                              static_cast<std::uint16_t>((*isi & 0xFF00u) | (seq << 1)));
        }
        auto umr = smpp::tlv_u16(in.tlvs, smpp::tag::user_message_reference);
        if (umr) smpp::add_tlv_u16(out.tlvs, smpp::tag::user_message_reference, *umr);
        if (!umr && !smpp::find_tlv(in.tlvs, smpp::tag::its_session_info)) {
            // An MO keyed on the msisdn alone: an its_session_info of the ESME's
            // own must neither warn nor move the handset out of its dialog.
            smpp::add_tlv_u16(out.tlvs, smpp::tag::its_session_info, 0x4202);
        }
        smpp::pdu p;
        p.command_id = id(smpp::command::submit_sm);
        p.sequence_number = next_sequence();
        p.body = std::move(out);
        send(p);
    }

  private:
    std::uint32_t next_sequence() { return ++sequence_; }

    int fd_ = -1;
    std::vector<std::uint8_t> buffer_;
    std::uint32_t sequence_ = 0;
};

// The dialog every style plays: dial, answer the menu, resend the answer (as an
// SMSC that lost its deliver_sm_resp), hang up.
constexpr const char* dialog_script = R"(
wait-bind
79160000001 ussd *111#
expect ussd 79160000001 continue Menu
79160000001 answer 1
expect ussd 79160000001 continue Screen
79160000001 resend
79160000001 release
)";

// Runs dialog_script with `flags`, answering every deliver_sm and sending a
// screen after the first two MOs; returns the MOs in arrival order.
std::vector<frame> play(const std::vector<std::string>& flags) {
    temp_dir dir;
    auto args = flags;
    args.insert(args.end(),
                {"--script", write_script(dir, "dialog.sim", dialog_script), "--timeout", "5"});
    auto sim = start_sim(args);
    std::vector<frame> mos;
    {
        esme e(sim.port);
        e.bind();
        while (auto f = e.read()) {
            const auto cmd = f->pdu.command_id;
            if (cmd == id(smpp::command::deliver_sm)) {
                e.answer(*f, smpp::command::deliver_sm_resp);
                mos.push_back(*f);
                if (mos.size() == 1) e.screen(*f, "Menu 1 Balance");
                if (mos.size() == 2) e.screen(*f, "Screen 2");
            } else if (cmd == id(smpp::command::unbind)) {
                e.answer(*f, smpp::command::unbind_resp);
            } else if (cmd == id(smpp::command::enquire_link)) {
                e.answer(*f, smpp::command::enquire_link_resp);
            } else {
                INFO("command " << smpp::command_name(cmd));
                CHECK(cmd == id(smpp::command::submit_sm_resp));
                CHECK(f->pdu.command_status == smpp::status::ok);
            }
        }
    }
    auto rc = sim.proc->wait_exit(patience);
    INFO("simulator output:\n" << sim.proc->output());
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
    CHECK(sim.proc->output().find("script passed") != std::string::npos);
    CHECK(sim.proc->output().find("warning:") == std::string::npos);
    REQUIRE(mos.size() == 4);
    return mos;
}

std::optional<std::vector<std::uint8_t>> tlv_octets(const frame& f, std::uint16_t tag) {
    const auto* t = smpp::find_tlv(f.sm().tlvs, tag);
    if (!t) return std::nullopt;
    return t->value;
}

// Octets as "00 04 04 09": readable in a failed CHECK.
std::string hex(const std::vector<int>& values) {
    std::string out;
    for (int v : values) {
        constexpr const char* digits = "0123456789abcdef";
        if (!out.empty()) out += ' ';
        if (v < 0) {
            out += "--";
        } else {
            out += digits[(v >> 4) & 0xF];
            out += digits[v & 0xF];
        }
    }
    return out;
}

// ussd_service_op of each MO ("--" when missing).
std::string ops(const std::vector<frame>& mos) {
    std::vector<int> out;
    for (const auto& m : mos) {
        auto op = smpp::tlv_u8(m.sm().tlvs, smpp::tag::ussd_service_op);
        out.push_back(op ? *op : -1);
    }
    return hex(out);
}

using octets = std::vector<std::uint8_t>;

// octet 2 of its_session_info on each MO; session 0 (the first dialog) on all.
std::string its_sequences(const std::vector<frame>& mos) {
    std::vector<int> out;
    for (const auto& m : mos) {
        auto isi = tlv_octets(m, smpp::tag::its_session_info);
        REQUIRE(isi);
        REQUIRE(isi->size() == 2);
        CHECK((*isi)[0] == 0);
        out.push_back((*isi)[1]);
    }
    return hex(out);
}

// What every style shares: addresses, texts, and the resend being the answer again.
void check_common(const std::vector<frame>& mos, const std::string& service_type = "USSD") {
    for (const auto& m : mos) {
        CHECK(m.sm().service_type == service_type);
        CHECK(m.sm().source_addr == "79160000001");
        CHECK(m.sm().destination_addr == "111");
        CHECK(m.sm().data_coding == 0x0F);
    }
    CHECK(mos[0].sm().short_message == "*111#");
    CHECK(mos[1].sm().short_message == "1");
    CHECK(mos[3].sm().short_message.empty());
    // resend: byte for byte the previous MO's body, under a new sequence_number.
    CHECK(mos[2].body() == mos[1].body());
    CHECK(mos[2].raw.size() == mos[1].raw.size());
    CHECK(mos[2].pdu.sequence_number != mos[1].pdu.sequence_number);
    CHECK(mos[3].body() != mos[1].body());
}

void check_no_dialog_tlv(const std::vector<frame>& mos) {
    for (const auto& m : mos) {
        CHECK_FALSE(tlv_octets(m, smpp::tag::its_session_info));
        CHECK_FALSE(tlv_octets(m, smpp::tag::user_message_reference));
        CHECK(m.sm().tlvs.size() == 1);  // ussd_service_op only
    }
}

}  // namespace

TEST_CASE("sim styles: --dialog-key session with --its-sequence count (the default)") {
    auto mos = play({});
    check_common(mos);
    CHECK(ops(mos) == "01 12 12 81");
    // begin 0; the answer follows the screen's sequence 1 + 1 = 2; the resend
    // repeats it; the release is 4 with the end bit.
    CHECK(its_sequences(mos) == "00 04 04 09");
    for (const auto& m : mos) CHECK_FALSE(tlv_octets(m, smpp::tag::user_message_reference));
    // Explicit flags are the same style.
    auto again = play({"--dialog-key", "session", "--its-sequence", "count"});
    CHECK(its_sequences(again) == its_sequences(mos));
}

TEST_CASE("sim styles: --its-sequence echo carries the last MT's sequence") {
    auto mos = play({"--its-sequence", "echo"});
    check_common(mos);
    CHECK(ops(mos) == "01 12 12 81");
    // Screens carry 1 (0x02) and 2 (0x04); the release keeps the end bit.
    CHECK(its_sequences(mos) == "00 02 02 05");
}

TEST_CASE("sim styles: --its-sequence fixed leaves octet 2 at zero - releases included") {
    auto mos = play({"--its-sequence", "fixed"});
    check_common(mos);
    CHECK(ops(mos) == "01 12 12 81");
    CHECK(its_sequences(mos) == "00 00 00 00");
}

TEST_CASE("sim styles: --dialog-key umr and its deprecated alias --profile umr") {
    for (auto flags : {std::vector<std::string>{"--dialog-key", "umr"},
                       std::vector<std::string>{"--profile", "umr"}}) {
        CAPTURE(flags[0]);
        auto mos = play(flags);
        check_common(mos);
        CHECK(ops(mos) == "01 12 12 81");
        for (const auto& m : mos) {
            CHECK_FALSE(tlv_octets(m, smpp::tag::its_session_info));
            CHECK(tlv_octets(m, smpp::tag::user_message_reference) == octets{0x00, 0x01});
        }
    }
}

TEST_CASE("sim styles: --dialog-key msisdn and --its-sequence none send no dialog TLV") {
    for (auto flags :
         {std::vector<std::string>{"--dialog-key", "msisdn"},
          std::vector<std::string>{"--its-sequence", "none"},
          std::vector<std::string>{"--dialog-key", "msisdn", "--its-sequence", "none"},
          std::vector<std::string>{"--profile", "default", "--its-sequence", "none"}}) {
        CAPTURE(flags[0]);
        CAPTURE(flags[1]);
        auto mos = play(flags);
        check_common(mos);
        CHECK(ops(mos) == "01 12 12 81");
        check_no_dialog_tlv(mos);
    }
}

TEST_CASE("sim styles: vendor ussd_service_op values and an empty service_type") {
    auto mos = play({"--begin-op", "0x01", "--answer-op", "1", "--release-op", "32",
                     "--ussd-code-service-type", ""});
    check_common(mos, "");
    CHECK(ops(mos) == "01 01 01 20");
    CHECK(its_sequences(mos) == "00 04 04 09");

    auto other = play({"--begin-op", "0x5A", "--answer-op", "0X12", "--release-op", "255",
                       "--dialog-key", "msisdn"});
    CHECK(ops(other) == "5a 12 12 ff");
    check_no_dialog_tlv(other);
}

TEST_CASE("sim styles: resend at the phone prompt and with nothing sent yet") {
    auto sim = start_sim({});
    // Nothing sent yet: refused at the prompt, and the script line fails.
    sim.proc->write("/resend\n");
    REQUIRE(sim.proc->wait_for("error: 79160000001 has sent nothing to resend", patience));
    {
        esme e(sim.port);
        e.bind();
        sim.proc->write("*100#\n");
        auto first = e.read();
        REQUIRE(first);
        REQUIRE(first->pdu.command_id == id(smpp::command::deliver_sm));
        e.answer(*first, smpp::command::deliver_sm_resp);
        sim.proc->write("/resend\n");
        auto again = e.read();
        REQUIRE(again);
        REQUIRE(again->pdu.command_id == id(smpp::command::deliver_sm));
        e.answer(*again, smpp::command::deliver_sm_resp);
        CHECK(again->body() == first->body());
        CHECK(again->pdu.sequence_number != first->pdu.sequence_number);
        CHECK(smpp::tlv_u8(again->sm().tlvs, smpp::tag::ussd_service_op) == 1);
        CHECK(smpp::tlv_u16(again->sm().tlvs, smpp::tag::its_session_info) == 0x0000);
        sim.proc->close_stdin();
        auto unbind = e.read();
        REQUIRE(unbind);
        CHECK(unbind->pdu.command_id == id(smpp::command::unbind));
        e.answer(*unbind, smpp::command::unbind_resp);
        CHECK_FALSE(e.read());
    }
    CHECK(sim.proc->wait_exit(patience) == 0);

    temp_dir dir;
    auto script = write_script(dir, "resend.sim", "79160000009 resend\n");
    auto failing = start_sim({"--script", script});
    CHECK(failing.proc->wait_exit(patience) == 1);
    CHECK(failing.proc->output().find("has sent nothing to resend") != std::string::npos);
}

TEST_CASE("sim styles: usage errors for flag combinations that make no sense") {
    struct bad {
        std::vector<std::string> args;
        std::string why;
    };
    const std::vector<bad> cases = {
        {{"--profile", "umr", "--dialog-key", "umr"}, "deprecated name of --dialog-key"},
        {{"--profile", "default", "--dialog-key", "session"}, "deprecated name of --dialog-key"},
        {{"--dialog-key", "umr", "--its-sequence", "echo"}, "only with --dialog-key session"},
        {{"--dialog-key", "umr", "--its-sequence", "count"}, "only with --dialog-key session"},
        {{"--profile", "umr", "--its-sequence", "fixed"}, "only with --dialog-key session"},
        {{"--dialog-key", "msisdn", "--its-sequence", "fixed"}, "only with --dialog-key session"},
        {{"--dialog-key", "umr", "--its-sequence", "none"}, "only with --dialog-key session"},
        {{"--dialog-key", "imsi"}, "--dialog-key"},
        {{"--its-sequence", "random"}, "--its-sequence"},
        {{"--begin-op", "256"}, "0..255"},
        {{"--answer-op", "-1"}, "--answer-op"},
        {{"--release-op", "0x1FF"}, "0..255"},
        {{"--release-op", "0x"}, "0..255"},
        {{"--release-op", "12a"}, "0..255"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> argv{binary_path("ussdgw-smsc-sim"), "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        child_process p(argv);
        p.close_stdin();
        auto rc = p.wait_exit(patience);
        INFO("args: " << c.args[0] << " " << c.args[1] << "\noutput:\n" << p.output());
        REQUIRE(rc.has_value());
        CHECK(*rc != 0);
        CHECK(p.output().find(c.why) != std::string::npos);
        CHECK(p.output().find("listening on") == std::string::npos);
    }
}
