// The simulator's --route-by-handset (docs/smsc-sim.md, "MO traffic"): ESMEs
// of the test's own, on blocking loopback sockets, bind to one simulator in
// phone mode. Each handset's MOs reach the ESME its number picks (the number
// modulo the bound ESMEs, oldest bind first), a dialog stays on its ESME when
// another binds, and a closed ESME's handsets move to the others. Without the
// flag every MO still goes to the most recently bound ESME.

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
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
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("connect: " + std::string(std::strerror(errno)));
    }
    ~esme() { ::close(fd_); }
    esme(const esme&) = delete;
    esme& operator=(const esme&) = delete;

    void bind() {
        smpp::pdu p;
        p.command_id = id(smpp::command::bind_transceiver);
        p.sequence_number = ++sequence_;
        smpp::bind_body b;
        b.system_id = "ussdgw";
        b.password = bind_password;
        p.body = b;
        send(p);
        auto resp = read();
        REQUIRE(resp);
        REQUIRE(resp->command_id == id(smpp::command::bind_transceiver_resp));
        REQUIRE(resp->command_status == smpp::status::ok);
    }

    /// The next MO deliver_sm, answered; submit_sm_resp met on the way are
    /// taken (each screen sent gets one). Fails the test on anything else.
    smpp::sm_body next_mo() {
        for (;;) {
            auto f = read();
            REQUIRE_MESSAGE(f, "the simulator closed the connection");
            if (f->command_id == id(smpp::command::submit_sm_resp)) {
                CHECK(f->command_status == smpp::status::ok);
                continue;
            }
            INFO("command " << smpp::command_name(f->command_id));
            REQUIRE(f->command_id == id(smpp::command::deliver_sm));
            smpp::pdu resp;
            resp.command_id = id(smpp::command::deliver_sm_resp);
            resp.sequence_number = f->sequence_number;
            resp.body = smpp::message_id_body{};
            send(resp);
            return std::get<smpp::sm_body>(f->body);
        }
    }

    /// A USSD screen that keeps `mo`'s dialog open (op 2, its_session_info
    /// of the MO with the sequence moved on).
    void screen(const smpp::sm_body& mo, const std::string& text) {
        smpp::sm_body out;
        out.service_type = mo.service_type;
        out.source_addr = mo.destination_addr;
        out.dest_addr_ton = 1;
        out.dest_addr_npi = 1;
        out.destination_addr = mo.source_addr;
        out.data_coding = 0x0F;
        out.short_message = text;  // ASCII letters: the same in GSM 7-bit
        smpp::add_tlv_u8(out.tlvs, smpp::tag::ussd_service_op, smpp::ussd_op::ussr_req);
        if (auto isi = smpp::tlv_u16(mo.tlvs, smpp::tag::its_session_info)) {
            const unsigned seq = (((*isi & 0xFFu) >> 1) + 1) & 0x7Fu;
            smpp::add_tlv_u16(out.tlvs, smpp::tag::its_session_info,
                              static_cast<std::uint16_t>((*isi & 0xFF00u) | (seq << 1)));
        }
        smpp::pdu p;
        p.command_id = id(smpp::command::submit_sm);
        p.sequence_number = ++sequence_;
        p.body = std::move(out);
        send(p);
    }

  private:
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
    std::optional<smpp::pdu> read() {
        for (;;) {
            auto check = smpp::check_frame(buffer_);
            REQUIRE(check.state != smpp::frame_check::invalid);
            if (check.state == smpp::frame_check::complete) {
                std::vector<std::uint8_t> raw(
                    buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(check.length));
                buffer_.erase(buffer_.begin(),
                              buffer_.begin() + static_cast<std::ptrdiff_t>(check.length));
                auto decoded = smpp::decode(raw);
                REQUIRE(decoded.has_value());
                return std::move(decoded).value();
            }
            std::uint8_t chunk[4096];
            auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n == 0) return std::nullopt;
            if (n < 0)
                throw std::runtime_error("recv: " + std::string(std::strerror(errno)) +
                                         " (no PDU from the simulator within 5 s)");
            buffer_.insert(buffer_.end(), chunk, chunk + n);
        }
    }

    int fd_ = -1;
    std::vector<std::uint8_t> buffer_;
    std::uint32_t sequence_ = 0;
};

// Binds a new ESME and waits until the simulator has printed its bind.
std::unique_ptr<esme> bound(sim_process& sim) {
    auto e = std::make_unique<esme>(sim.port);
    e->bind();
    REQUIRE(sim.proc->wait_for("bind ok", patience));
    return e;
}

// How many lines of what the simulator printed so far contain `needle`.
int printed(const sim_process& sim, const std::string& needle) {
    int n = 0;
    for (auto at = sim.proc->output().find(needle); at != std::string::npos;
         at = sim.proc->output().find(needle, at + 1))
        ++n;
    return n;
}

// Ends the simulator (it closes the connections still open) and checks it exited 0.
void quit(sim_process& sim) {
    sim.proc->write("/quit\n");
    auto rc = sim.proc->wait_exit(patience);
    INFO("simulator output:\n" << sim.proc->output());
    CHECK(rc == 0);
}

// 79160000012 and 79160000013: even and odd (2 binds), and modulo 3 (digit
// sums 26 and 27) the third and the first bind.
const std::string even = "79160000012";
const std::string odd = "79160000013";

}  // namespace

TEST_CASE("sim --route-by-handset: the MOs of a handset follow its number and dialogs stay put") {
    auto sim = start_sim({"--route-by-handset"});
    auto e1 = bound(sim);
    auto e2 = bound(sim);

    // Two binds: the number modulo 2 picks the first or the second.
    sim.proc->write("/as " + even + "\n*100#\n");
    REQUIRE(sim.proc->wait_for("route from=" + even + " bind=1", patience));
    CHECK(e1->next_mo().source_addr == even);
    sim.proc->write("/as " + odd + "\n*100#\n");
    REQUIRE(sim.proc->wait_for("route from=" + odd + " bind=2", patience));
    const auto begin = e2->next_mo();
    CHECK(begin.source_addr == odd);

    // A dialog open on the second bind stays there when a third binds, though
    // the number now picks the first: the answer and the release reach the
    // ESME that holds the dialog.
    e2->screen(begin, "Menu");
    REQUIRE(sim.proc->wait_for("MT ussd to=" + odd + " op=2 continue: Menu", patience));
    auto e3 = bound(sim);
    sim.proc->write("1\n");
    CHECK(e2->next_mo().short_message == "1");
    sim.proc->write("/release\n");
    CHECK(e2->next_mo().source_addr == odd);
    // A new dialog is picked again: modulo 3 that is the first bind.
    sim.proc->write("*100#\n");
    REQUIRE(sim.proc->wait_for("route from=" + odd + " bind=1", patience));
    CHECK(e1->next_mo().source_addr == odd);
    CHECK(printed(sim, "route from=" + odd) == 2);  // the answer and release moved nothing

    // Modulo 3 the even number picks the third bind; when that closes, it
    // moves back to the first (modulo 2 over the two left).
    sim.proc->write("/as " + even + "\n*100#\n");
    REQUIRE(sim.proc->wait_for("route from=" + even + " bind=3", patience));
    CHECK(e3->next_mo().source_addr == even);
    e3.reset();
    REQUIRE(sim.proc->wait_for("disconnected", patience));
    sim.proc->write("*100#\n");
    REQUIRE(sim.proc->wait_for("route from=" + even + " bind=1", patience));
    CHECK(e1->next_mo().source_addr == even);
    // An SMS is routed the same way.
    sim.proc->write("/sms 3339 Password\n");
    CHECK(e1->next_mo().source_addr == even);

    e1.reset();
    e2.reset();
    quit(sim);
    CHECK(sim.proc->output().find("warning:") == std::string::npos);
    CHECK(sim.proc->output().find("error:") == std::string::npos);
}

TEST_CASE("sim without --route-by-handset: every MO goes to the most recent bind") {
    auto sim = start_sim({});
    auto e1 = bound(sim);
    auto e2 = bound(sim);
    for (const auto& handset : {even, odd}) {
        sim.proc->write("/as " + handset + "\n*100#\n");
        CHECK(e2->next_mo().source_addr == handset);
    }
    // The most recent one gone, the other takes everything.
    e2.reset();
    REQUIRE(sim.proc->wait_for("disconnected", patience));
    sim.proc->write("*100#\n");
    CHECK(e1->next_mo().source_addr == odd);
    e1.reset();
    quit(sim);
    CHECK(printed(sim, "route from=") == 0);
}
