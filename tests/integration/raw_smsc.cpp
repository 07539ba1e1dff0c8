#include "raw_smsc.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "ussdgw/smpp/codec.hpp"

namespace ussdgw::test {

using clock = std::chrono::steady_clock;

namespace {

int ms_left(clock::time_point until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

}  // namespace

raw_smsc::raw_smsc() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("raw_smsc: cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
}

raw_smsc::~raw_smsc() {
    drop();
    if (listener_ >= 0) ::close(listener_);
}

void raw_smsc::drop() {
    if (conn_ >= 0) ::close(conn_);
    conn_ = -1;
    in_.clear();
}

bool raw_smsc::accept(std::chrono::milliseconds deadline) {
    drop();
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(deadline.count())) != 1) return false;
    conn_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn_ < 0) return false;
    int one = 1;
    // Each send() is a segment of its own: the trickle test depends on it.
    ::setsockopt(conn_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

bool raw_smsc::fill(clock::time_point until) {
    if (conn_ < 0) return false;
    pollfd p{conn_, POLLIN, 0};
    if (::poll(&p, 1, ms_left(until)) != 1) return false;
    std::uint8_t buf[65536];
    auto n = ::recv(conn_, buf, sizeof buf, 0);
    if (n <= 0) {
        drop();
        return false;
    }
    in_.insert(in_.end(), buf, buf + n);
    return true;
}

std::optional<smpp::pdu> raw_smsc::read(std::chrono::milliseconds deadline, bool answer_enquire) {
    const auto until = clock::now() + deadline;
    for (;;) {
        auto fc = smpp::check_frame(in_, smpp::default_max_pdu);
        if (fc.state == smpp::frame_check::complete) {
            auto decoded = smpp::decode(std::span(in_).first(fc.length));
            in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(fc.length));
            if (!decoded) continue;  // our codec refused it: not the daemon's way, skip
            auto p = std::move(decoded).value();
            seen_.push_back(p.command_id);
            if (answer_enquire &&
                p.command_id == static_cast<std::uint32_t>(smpp::command::enquire_link)) {
                send(smpp::make_empty(smpp::command::enquire_link_resp, p.sequence_number));
                continue;
            }
            return p;
        }
        if (fc.state == smpp::frame_check::invalid) return std::nullopt;
        if (!fill(until)) return std::nullopt;
    }
}

std::optional<smpp::pdu> raw_smsc::expect(std::uint32_t command_id,
                                          std::chrono::milliseconds deadline, bool answer_submits) {
    const auto until = clock::now() + deadline;
    while (clock::now() < until) {
        auto p = read(std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()));
        if (!p) return std::nullopt;
        if (p->command_id == command_id) return p;
        if (answer_submits && p->command_id == static_cast<std::uint32_t>(smpp::command::submit_sm))
            send(smpp::pdu{static_cast<std::uint32_t>(smpp::command::submit_sm_resp), 0,
                           p->sequence_number, smpp::message_id_body{"raw-1", {}}});
    }
    return std::nullopt;
}

bool raw_smsc::bind(std::chrono::milliseconds deadline, std::uint32_t status) {
    if (!accept(deadline)) return false;
    auto b = read(deadline);
    if (!b || b->command_id != static_cast<std::uint32_t>(smpp::command::bind_transceiver))
        return false;
    send(smpp::pdu{static_cast<std::uint32_t>(smpp::command::bind_transceiver_resp), status,
                   b->sequence_number, smpp::bind_resp_body{"raw", {}}});
    return true;
}

bool raw_smsc::wait_closed(std::chrono::milliseconds deadline) {
    const auto until = clock::now() + deadline;
    while (conn_ >= 0 && clock::now() < until)
        read(std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()), false);
    return conn_ < 0;
}

void raw_smsc::send(std::span<const std::uint8_t> bytes) {
    if (conn_ < 0) return;
    std::size_t off = 0;
    while (off < bytes.size()) {
        auto n = ::send(conn_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;  // the daemon closed: the test sees it on its next read
        off += static_cast<std::size_t>(n);
    }
}

void raw_smsc::trickle(std::span<const std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) send(bytes.subspan(i, 1));
}

void raw_smsc::send(const smpp::pdu& p) {
    auto bytes = smpp::encode(p);
    if (!bytes) throw std::runtime_error("raw_smsc: PDU does not encode");
    send(std::span<const std::uint8_t>(*bytes));
}

std::size_t raw_smsc::seen(std::uint32_t command_id) const {
    return static_cast<std::size_t>(std::count(seen_.begin(), seen_.end(), command_id));
}

smpp::pdu ussd_mo(std::uint32_t sequence, const std::string& msisdn, std::uint8_t op,
                  std::uint8_t session, const std::string& text) {
    smpp::sm_body b;
    b.service_type = "USSD";
    b.source_addr_ton = 1;
    b.source_addr_npi = 1;
    b.source_addr = msisdn;
    b.dest_addr_npi = 1;
    b.destination_addr = "111";
    b.data_coding = 0x0F;
    b.short_message = text;
    smpp::add_tlv_u8(b.tlvs, smpp::tag::ussd_service_op, op);
    // Session in octet 1; the sequence moves with the sequence_number, as a counter SMSC's would.
    smpp::add_tlv_u16(b.tlvs, smpp::tag::its_session_info,
                      static_cast<std::uint16_t>(session << 8 | ((sequence & 0x7F) << 1)));
    return smpp::pdu{static_cast<std::uint32_t>(smpp::command::deliver_sm), 0, sequence,
                     std::move(b)};
}

std::vector<std::uint8_t> raw_header(std::uint32_t length, std::uint32_t command_id,
                                     std::uint32_t sequence) {
    std::vector<std::uint8_t> out;
    put32(out, length);
    put32(out, command_id);
    put32(out, 0);
    put32(out, sequence);
    return out;
}

std::size_t rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
    return 0;
}

}  // namespace ussdgw::test
