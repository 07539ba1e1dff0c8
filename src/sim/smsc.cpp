#include "smsc.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "console.hpp"
#include "texts.hpp"

namespace ussdgw::sim {

namespace asio = boost::asio;

namespace {

// Our system_id in bind responses; 15 characters is SMPP's limit.
constexpr const char* smsc_system_id = "ussdgw-smsc-sim";

bool every(std::uint64_t n, std::uint64_t period) {
    return period != 0 && n % period == 0;
}

}  // namespace

smsc::smsc(asio::io_context& io, const options& opts)
    : io_(io), opts_(opts), acceptor_(io), handsets_(opts), shutdown_timer_(io) {}

smsc::~smsc() {
    // Links outlive us only inside handlers the io_context will never run;
    // closing them here keeps those from calling back into a dead smsc.
    auto links = links_;
    for (auto& l : links) l->close();
}

void smsc::listen() {
    asio::ip::tcp::endpoint ep(asio::ip::make_address(opts_.listen_host), opts_.listen_port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    auto local = acceptor_.local_endpoint();
    auto addr = local.address().is_v6() ? fmt::format("[{}]", local.address().to_string())
                                        : local.address().to_string();
    print("ussdgw-smsc-sim listening on {}:{}", addr, local.port());
    accept();
}

void smsc::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            auto link =
                std::make_shared<esme_link>(std::move(socket), static_cast<link_handler&>(*this),
                                            opts_.enquire_link_interval, ++next_link_id_);
            links_.push_back(link);
            link->start();
        }
        accept();
    });
}

esme_link* smsc::current() const {
    esme_link* best = nullptr;
    for (const auto& l : links_) {
        if (l->bound() && (!best || l->bind_serial() > best->bind_serial())) best = l.get();
    }
    return best;
}

esme_link* smsc::route(const std::string& msisdn, bool sticky) {
    if (!opts_.route_by_handset) return current();
    auto& last = routes_[msisdn];
    std::vector<esme_link*> bound;
    for (const auto& l : links_) {
        if (!l->bound()) continue;
        // A dialog stays on its bind while that lives, whoever bound since.
        if (sticky && l->bind_serial() == last) return l.get();
        bound.push_back(l.get());
    }
    if (bound.empty()) return nullptr;
    std::sort(bound.begin(), bound.end(), [](const esme_link* a, const esme_link* b) {
        return a->bind_serial() < b->bind_serial();
    });
    // The number modulo the count of bound links, digit by digit (a number may
    // be longer than 64 bits hold); anything but digits is skipped.
    std::size_t pick = 0;
    for (char c : msisdn)
        if (c >= '0' && c <= '9')
            pick = (pick * 10 + static_cast<std::size_t>(c - '0')) % bound.size();
    auto* link = bound[pick];
    if (last != link->bind_serial()) {
        last = link->bind_serial();
        if (!quiet_) print("route from={} bind={}", msisdn, last);
    }
    return link;
}

std::uint32_t smsc::next_sequence() {
    // 1..0x7FFFFFFF: libsmpp34 refuses 0, SMPP reserves the top bit's half.
    sequence_ = sequence_ >= 0x7FFFFFFF ? 1 : sequence_ + 1;
    return sequence_;
}

bool smsc::disconnect_current() {
    auto* link = current();
    if (!link) return false;
    link->close_after_flush();
    return true;
}

void smsc::reply(esme_link& link, std::uint32_t command_id, std::uint32_t sequence,
                 std::uint32_t status) {
    if (auto err = encode_plain(link.out(), command_id, sequence, status)) {
        print("error: cannot encode {}: {}", command_name(command_id), err->why);
    }
    link.flush();
}

std::optional<std::string> smsc::send_mo(const mo_pdu& mo, mo_done done, bool counts, bool sticky) {
    if (stopping_) return std::string("the simulator is shutting down");
    auto* link = route(mo.source_addr, sticky);
    if (!link) return std::string("no ESME is bound");
    const auto seq = next_sequence();
    if (auto err = encode_deliver_sm(link->out(), seq, mo)) return err->why;
    // A resend is the same message again: it neither counts for
    // --duplicate-every nor gets duplicated.
    const auto n = counts ? ++mos_ : 0;
    std::optional<mo_pdu> again;
    if (counts && every(n, opts_.duplicate_every)) again = mo;
    if (counts && keep_last_mo_) last_mo_.insert_or_assign(mo.source_addr, mo);
    pending_.emplace(seq,
                     pending_mo{link->id(), mo.source_addr, std::move(done), std::move(again), n});
    link->flush();
    return std::nullopt;
}

std::optional<std::string> smsc::resend(const std::string& msisdn, mo_done done) {
    auto it = last_mo_.find(msisdn);
    if (it == last_mo_.end()) return fmt::format("{} has sent nothing to resend", msisdn);
    return send_mo(it->second, std::move(done), false, true);
}

void smsc::send_duplicate(esme_link& link, const mo_pdu& mo, std::uint64_t n) {
    // The same PDU body under a new sequence_number, on the link that answered:
    // what an SMSC that lost the deliver_sm_resp redelivers. It goes around the
    // handsets, so the dialog state and its_session_info sequence stay put.
    if (stopping_ || link.closed() || !link.bound()) return;
    const auto seq = next_sequence();
    if (auto err = encode_deliver_sm(link.out(), seq, mo)) {
        print("error: cannot encode the duplicate deliver_sm: {}", err->why);
        return;
    }
    if (!quiet_) print("fault duplicate n={}", n);
    // Awaited like any MO (a refusal prints the MO refused line), but nobody waits on it.
    pending_.emplace(seq, pending_mo{link.id(), mo.source_addr, nullptr});
    link.flush();
}

std::optional<std::string> smsc::send_ussd(const std::string& msisdn, ussd_action action,
                                           const std::string& text, mo_done done) {
    if (stopping_) return std::string("the simulator is shutting down");
    if (!bound()) return std::string("no ESME is bound");
    auto mo = handsets_.ussd(msisdn, action, text);
    if (auto* why = std::get_if<std::string>(&mo)) return *why;
    return send_mo(std::get<mo_pdu>(mo), std::move(done), true, action != ussd_action::start);
}

std::optional<std::string> smsc::send_sms(const std::string& msisdn, const std::string& to,
                                          const std::string& text, mo_done done) {
    return send_mo(handsets_.sms(msisdn, to, text), std::move(done));
}

void smsc::on_pdu(esme_link& link, std::span<const std::uint8_t> frame) {
    const auto h = read_header(frame);
    switch (h.command_id) {
        case cmd::bind_transceiver:
        case cmd::bind_transmitter:
        case cmd::bind_receiver:
            on_bind(link, h, frame);
            return;
        case cmd::submit_sm:
        case cmd::data_sm:
            on_submit(link, h, frame);
            return;
        case cmd::enquire_link:
        case cmd::unbind:
            if (auto err = decode_plain(frame)) {
                print("error: bad {} from ESME: {}", command_name(h.command_id), err->why);
                reply(link, cmd::generic_nack, h.sequence_number, err->status);
                return;
            }
            if (h.command_id == cmd::unbind) {
                print("unbind");
                link.set_unbound();
                unbinding_.erase(link.id());
            }
            reply(link, h.command_id | cmd::response_bit, h.sequence_number, status::ok);
            return;
        default:
            break;
    }
    if (h.command_id & cmd::response_bit) {
        on_response(link, h, frame);
        return;
    }
    print("error: ESME sent {}, which an SMSC does not accept", command_name(h.command_id));
    reply(link, cmd::generic_nack, h.sequence_number, status::invalid_command);
}

void smsc::on_bind(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame) {
    const auto resp_id = h.command_id | cmd::response_bit;
    bind_request bind;
    if (auto err = decode_bind(frame, bind)) {
        print("error: bad {} from ESME: {}", command_name(h.command_id), err->why);
        reply(link, cmd::generic_nack, h.sequence_number, err->status);
        return;
    }
    std::uint32_t st = status::ok;
    if (link.bound()) {
        st = status::already_bound;
    } else if (h.command_id != cmd::bind_transceiver) {
        st = status::bind_failed;  // USSD needs both directions on one link
    } else if (bind.system_id != opts_.system_id) {
        st = status::invalid_system_id;
    } else if (bind.password != opts_.password) {
        st = status::invalid_password;
    }
    if (auto err = encode_bind_resp(link.out(), resp_id, h.sequence_number, st, smsc_system_id)) {
        print("error: cannot encode bind response: {}", err->why);
    }
    link.flush();
    if (st != status::ok) {
        // The password is never printed, not even a wrong one.
        print("bind refused system_id={} status=0x{:08x}", bind.system_id, st);
        return;
    }
    link.set_bound(bind.system_id, ++bind_serial_);
    print("bind ok system_id={}", bind.system_id);
    if (observer_) observer_->on_bound();
}

void smsc::on_submit(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame) {
    const auto resp_id = h.command_id | cmd::response_bit;
    if (!link.bound()) {
        if (auto err = encode_submit_resp(link.out(), resp_id, h.sequence_number,
                                          status::invalid_bind_state, "")) {
            print("error: cannot encode {}: {}", command_name(resp_id), err->why);
        }
        link.flush();
        return;
    }
    mt_pdu mt;
    if (auto err = decode_mt(frame, mt)) {
        print("error: refused {} from ESME: {}", command_name(h.command_id), err->why);
        reply(link, cmd::generic_nack, h.sequence_number, err->status);
        return;
    }
    const auto n = ++submits_;
    if (opts_.disconnect_after != 0 && n == opts_.disconnect_after) {
        print("fault disconnect n={}", n);
        link.close_after_flush();
        return;
    }
    std::uint32_t st = status::ok;
    if (every(n, opts_.drop_resp_every)) {
        if (!quiet_) print("fault drop-resp n={}", n);
        return;
    }
    if (every(n, opts_.throttle_every)) {
        st = status::throttled;
        if (!quiet_) print("fault throttle n={}", n);
    } else if (every(n, opts_.queue_full_every)) {
        st = status::queue_full;
        if (!quiet_) print("fault queue-full n={}", n);
    }
    // A refused submit was not accepted, so it reaches no handset.
    const auto message_id = st == status::ok ? fmt::format("{}", ++message_id_) : std::string();
    if (auto err = encode_submit_resp(link.out(), resp_id, h.sequence_number, st, message_id)) {
        print("error: cannot encode {}: {}", command_name(resp_id), err->why);
    }
    link.flush();
    if (st == status::ok) deliver_mt(mt);
}

void smsc::deliver_mt(const mt_pdu& mt) {
    mt_message m;
    // "+7916..." and "7916..." are the same handset to a script.
    m.to =
        mt.destination_addr.starts_with('+') ? mt.destination_addr.substr(1) : mt.destination_addr;
    m.from = mt.source_addr;
    std::string_view body = mt.short_message;
    if (body.empty() && mt.message_payload) body = *mt.message_payload;
    m.ussd = mt.ussd_service_op.has_value() ||
             (!mt.service_type.empty() && mt.service_type == opts_.ussd_service_type);
    if (m.ussd) {
        m.op = mt.ussd_service_op ? *mt.ussd_service_op : -1;
        const bool end_bit = mt.its_session_info && (*mt.its_session_info & 0x01);
        // Only a USSR request without the end bit leaves the dialog open.
        m.ends = m.op != ussd_op::ussr_request || end_bit;
        m.text = decode_mt_text(mt.data_coding, body);
        auto warning = handsets_.on_mt(m.to, m.from, mt, m.ends);
        // Load mode's handsets are many and print no route lines: a route is
        // kept only while its dialog may still need it.
        if (quiet_ && m.ends) routes_.erase(m.to);
        if (!quiet_) {
            if (warning) print("warning: {}", *warning);
            print("MT ussd to={} op={} {}: {}", m.to,
                  m.op < 0 ? std::string("none") : std::to_string(m.op),
                  m.ends ? "end" : "continue", escape_text(m.text));
        }
        if (observer_) observer_->on_mt(m);
        return;
    }
    std::optional<udh_concat> concat;
    if ((mt.esm_class & 0x40) != 0 && body.data() == mt.short_message.data()) {
        body = strip_udh(body, concat);
    }
    if (!concat && mt.sar_msg_ref_num && mt.sar_total_segments && mt.sar_segment_seqnum) {
        concat = udh_concat{*mt.sar_msg_ref_num, *mt.sar_total_segments, *mt.sar_segment_seqnum};
    }
    std::optional<concat_buffer::whole> whole;
    if (concat) {
        whole = concat_.add(m.from, m.to, concat->reference, concat->total, concat->sequence,
                            mt.data_coding, std::string(body));
        if (!whole) return;  // wait for the other parts
    } else {
        whole = concat_buffer::whole{mt.data_coding, std::string(body)};
    }
    m.text = decode_mt_text(whole->data_coding, whole->octets);
    if (!quiet_) print("MT sms from={} to={}: {}", m.from, m.to, escape_text(m.text));
    if (observer_) observer_->on_mt(m);
}

void smsc::on_response(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame) {
    if (h.command_id != cmd::deliver_sm_resp && h.command_id != cmd::enquire_link_resp &&
        h.command_id != cmd::unbind_resp && h.command_id != cmd::generic_nack) {
        print("error: ESME sent {}, which answers nothing the simulator sends",
              command_name(h.command_id));
        return;
    }
    if (auto err = decode_plain(frame)) {
        // Still use the header: a vendor status or a stray message_id must not
        // leave a handset waiting for ever.
        print("error: bad {} from ESME: {}", command_name(h.command_id), err->why);
    }
    if (h.command_id == cmd::generic_nack) {
        print("error: ESME sent generic_nack status=0x{:08x} for sequence {}", h.command_status,
              h.sequence_number);
    }
    if (h.command_id == cmd::unbind_resp) {
        link.set_unbound();
        if (unbinding_.erase(link.id()) && unbinding_.empty() && shutdown_done_) {
            finish_shutdown();
        }
        return;
    }
    if (h.command_id == cmd::deliver_sm_resp || h.command_id == cmd::generic_nack) {
        auto it = pending_.find(h.sequence_number);
        if (it == pending_.end() || it->second.link_id != link.id()) return;
        auto p = std::move(it->second);
        pending_.erase(it);
        if (h.command_status != status::ok && !quiet_) {
            print("MO refused from={} status=0x{:08x}", p.msisdn, h.command_status);
        }
        // Before `done`: the duplicate goes out ahead of whatever MO that triggers.
        if (p.redeliver) send_duplicate(link, *p.redeliver, p.n);
        if (p.done) p.done(h.command_status);
    }
}

void smsc::on_enquire_tick(esme_link& link) {
    reply(link, cmd::enquire_link, next_sequence(), status::ok);
}

void smsc::on_closed(esme_link& link) {
    print("disconnected");
    const auto id = link.id();
    // Whoever waits for an answer on this link learns it will never come.
    std::vector<mo_done> orphans;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.link_id == id) {
            if (it->second.done) orphans.push_back(std::move(it->second.done));
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    // Drop our reference later: close() may run inside this link's own handler.
    auto self =
        std::find_if(links_.begin(), links_.end(), [&](const auto& l) { return l.get() == &link; });
    if (self != links_.end()) {
        asio::post(io_, [keep = *self] {});
        links_.erase(self);
    }
    if (unbinding_.erase(id) && unbinding_.empty() && shutdown_done_) finish_shutdown();
    for (auto& done : orphans) done(std::nullopt);
}

void smsc::shutdown(std::function<void()> done) {
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    shutdown_done_ = std::move(done);
    for (auto& l : links_) {
        if (!l->bound()) continue;
        unbinding_.insert(l->id());
        reply(*l, cmd::unbind, next_sequence(), status::ok);
    }
    if (unbinding_.empty()) {
        finish_shutdown();
        return;
    }
    shutdown_timer_.expires_after(std::chrono::seconds(2));
    shutdown_timer_.async_wait([this](boost::system::error_code e) {
        if (!e && shutdown_done_) finish_shutdown();
    });
}

void smsc::finish_shutdown() {
    shutdown_timer_.cancel();
    unbinding_.clear();
    auto done = std::exchange(shutdown_done_, nullptr);
    auto links = links_;
    for (auto& l : links) l->close();
    if (done) done();
}

}  // namespace ussdgw::sim
