#include "engine.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "wire.hpp"

namespace ussdgw::load {

namespace asio = boost::asio;
using smpp::command;

namespace {

engine::clock::duration seconds(double s) {
    return std::chrono::duration_cast<engine::clock::duration>(std::chrono::duration<double>(s));
}

// Latency samples reserved up front; a longer run grows the log (rarely).
constexpr std::uint64_t max_reserved_samples = std::uint64_t{1} << 24;

const char* kind_name(step_kind k) {
    switch (k) {
        case step_kind::ussd:
            return "ussd";
        case step_kind::answer:
            return "answer";
        case step_kind::sms:
            return "sms";
    }
    return "?";
}

void note(const std::string& line) {
    std::fprintf(stderr, "ussdgw-load: %s\n", line.c_str());
    std::fflush(stderr);
}

// A deliver_sm_resp's tag: the handset, and whether the MO was a release
// (whose refusal must not abort the flow the handset runs meanwhile).
std::uint32_t tag_of(std::uint32_t handset, bool release) {
    return (handset << 1) | (release ? 1u : 0u);
}

}  // namespace

engine::engine(asio::io_context& io, const options& opts, const scenario& sc,
               std::function<void()> on_link_closed)
    : opts_(opts),
      scenario_(sc),
      on_link_closed_(std::move(on_link_closed)),
      bind_timer_(io),
      sweep_timer_(io),
      free_handsets_(opts.subscribers),
      idle_slots_(std::size_t{opts.binds} * opts.window),
      step_timeout_(seconds(opts.timeout)),
      wall_base_(clock::now()),
      wall_quarters_(static_cast<std::uint64_t>(
          std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(250))) {
    handsets_.resize(opts.subscribers);
    for (std::uint32_t i = 0; i < handsets_.size(); ++i) {
        handsets_[i].msisdn = std::to_string(opts.first_msisdn + i);
        free_handsets_.push(i);
    }
}

void engine::start(std::function<void(int)> finish) {
    finish_ = std::move(finish);
    bind_timer_.expires_after(step_timeout_);
    bind_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || phase_ != phase::binding) return;
        note(fmt::format("only {} of {} bind(s) arrived within {} s", binds_.size(), opts_.binds,
                         opts_.timeout));
        phase_ = phase::done;
        finish_(1);
    });
}

void engine::interrupt() {
    if (phase_ == phase::done) return;
    if (phase_ == phase::binding) {
        note("interrupted while waiting for binds");
        phase_ = phase::done;
        bind_timer_.cancel();
        finish_(1);
        return;
    }
    errors_.add("interrupted: the run did not finish");
    report();
}

void engine::on_bound(link& l) {
    if (phase_ != phase::binding) {
        note(fmt::format("bind {} beyond --binds {}: answered, not used", l.id(), opts_.binds));
        return;
    }
    binds_.push_back(l.shared_from_this());
    if (binds_.size() == opts_.binds) begin_run();
}

void engine::begin_run() {
    phase_ = phase::running;
    bind_timer_.cancel();
    // Slots interleave the binds, so a short run still spreads over all of them.
    slots_.resize(std::size_t{opts_.binds} * opts_.window);
    for (std::uint32_t w = 0; w < opts_.window; ++w) {
        for (std::uint32_t b = 0; b < opts_.binds; ++b) {
            const auto s = w * opts_.binds + b;
            slots_[s].bind = b;
            idle_slots_.push(s);
        }
    }
    if (opts_.subscribers < slots_.size()) {
        note(
            fmt::format("{} handset(s) for {} slot(s): at most {} flow(s) in flight, as a handset "
                        "runs one flow at a time",
                        opts_.subscribers, slots_.size(), opts_.subscribers));
    }
    if (opts_.subscribers == 1 && scenario_.uses_next()) {
        note("one handset: {next} names the handset itself (give --subscribers FIRST:COUNT)");
    }
    note(fmt::format("{} bind(s) up: running {}, window {}", binds_.size(), scenario_.name,
                     opts_.window));
    latencies_.reserve(static_cast<std::size_t>(
        std::min(opts_.count != 0 ? opts_.count : max_reserved_samples, max_reserved_samples)));
    if (opts_.daemon_pid) daemon_cpu_start_ = process_cpu_us(*opts_.daemon_pid);
    own_cpu_start_ = own_cpu_us();
    started_ = last_done_ = clock::now();
    run_end_ = started_ + seconds(opts_.duration);
    arm_sweep();
    dispatch();
}

bool engine::budget_left(clock::time_point now) const {
    if (phase_ != phase::running) return false;
    return opts_.count != 0 ? reserved_ < opts_.count : now < run_end_;
}

void engine::dispatch() {
    // end_flow calls back into here; the outer loop carries on for it.
    if (dispatching_) return;
    dispatching_ = true;
    const auto now = clock::now();
    while (!idle_slots_.empty() && !free_handsets_.empty() && budget_left(now)) {
        const auto s = idle_slots_.pop();
        if (binds_[slots_[s].bind]->closed()) continue;  // the slot dies with its bind
        begin_flow(s, free_handsets_.pop());
    }
    dispatching_ = false;
    check_done();
}

void engine::begin_flow(std::uint32_t slot_index, std::uint32_t h) {
    std::size_t pick = 0;
    if (scenario_.flows.size() > 1) {
        // xorshift64*: a fixed sequence, so every run mixes the same way.
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        const auto r = static_cast<unsigned>(((rng_ * 0x2545F4914F6CDD1DULL) >> 32) % 1000);
        while (pick + 1 < scenario_.per_mill.size() && r >= scenario_.per_mill[pick]) ++pick;
    }
    const flow& f = scenario_.flows[pick];
    std::uint64_t steps = f.steps.size();
    if (opts_.count != 0) steps = std::min(steps, opts_.count - reserved_);
    reserved_ += steps;
    auto& hs = handsets_[h];
    hs.busy = true;
    hs.current = &f;
    hs.step = 0;
    hs.steps = static_cast<std::uint16_t>(steps);
    hs.slot = slot_index;
    slots_[slot_index].handset = h;
    ++in_flight_;
    send_step(h);
}

const std::string& engine::next_msisdn(std::uint32_t h) const {
    return handsets_[(h + 1) % handsets_.size()].msisdn;
}

std::uint8_t engine::next_session(handset& hs, clock::time_point now) const {
    // The daemon remembers a direct transfer for [ussd] duplicate_window (60 s)
    // under (subscriber, its_session_info session, dialled string), and a
    // session is one octet. A handset's sessions follow the wall clock at 4 a
    // second (never going back, never repeating within a run before 256
    // dialogs), so one number comes back no sooner than 64 s later, in this run
    // or the next, while a handset dials at most 4 dialogs a second.
    const auto quarters = wall_quarters_ + static_cast<std::uint64_t>(
                                               (now - wall_base_) / std::chrono::milliseconds(250));
    hs.dialogs_clock = std::max(hs.dialogs_clock + 1, quarters);
    return static_cast<std::uint8_t>(hs.dialogs_clock & 0xFF);
}

void engine::send_ussd(std::uint32_t h, link& l, std::uint8_t op, const text_template* text) {
    auto& hs = handsets_[h];
    const bool release = op == mo_op::release;
    const auto seq = l.next_sequence();
    l.codec().ussd(l.out(), seq, hs.msisdn, hs.service_code, op,
                   its_session_info(hs.session, hs.sequence, release), text, next_msisdn(h));
    // The simulator's "count" style: +1 per MO, and the MT's + 1 after each MT.
    hs.sequence = static_cast<std::uint8_t>((hs.sequence + 1) & 0x7F);
    l.expect_resp(seq, tag_of(h, release));
    l.queued();
    if (release) hs.dialog_open = false;
}

void engine::send_step(std::uint32_t h) {
    auto& hs = handsets_[h];
    const step& st = hs.current->steps[hs.step];
    link& l = *binds_[slots_[hs.slot].bind];
    switch (st.kind) {
        case step_kind::ussd:
            // Dialling again hangs up the dialog still open, as a handset does.
            if (hs.dialog_open) send_ussd(h, l, mo_op::release, nullptr);
            hs.session = next_session(hs, clock::now());
            hs.sequence = 0;
            hs.service_code = st.address;
            hs.dialog_open = true;
            send_ussd(h, l, mo_op::begin, &st.text);
            hs.waiting = wait::ussd;
            break;
        case step_kind::answer:
            send_ussd(h, l, mo_op::answer, &st.text);
            hs.waiting = wait::ussd;
            break;
        case step_kind::sms: {
            const auto seq = l.next_sequence();
            l.codec().sms(l.out(), seq, hs.msisdn, st.address, st.text, next_msisdn(h));
            l.expect_resp(seq, tag_of(h, false));
            l.queued();
            hs.waiting = wait::sms;
            break;
        }
    }
    hs.parts = 0;
    hs.sent = clock::now();
    hs.deadline = hs.sent + step_timeout_;
}

void engine::complete_step(std::uint32_t h, clock::time_point now) {
    auto& hs = handsets_[h];
    latencies_.add(now - hs.sent);
    ++steps_done_;
    last_done_ = now;
    hs.waiting = wait::none;
    if (++hs.step >= hs.steps) {
        end_flow(h, false);
        return;
    }
    if (hs.current->steps[hs.step].kind == step_kind::answer && !hs.dialog_open) {
        errors_.add("{}: the daemon ended the dialog before this answer", describe_step(h));
        end_flow(h, false);
        return;
    }
    send_step(h);
}

void engine::end_flow(std::uint32_t h, bool stale) {
    auto& hs = handsets_[h];
    const auto s = hs.slot;
    link& l = *binds_[slots_[s].bind];
    // A dialog left open would sit in the daemon's table until it times out.
    if (hs.dialog_open && !l.closed()) send_ussd(h, l, mo_op::release, nullptr);
    hs.dialog_open = false;
    hs.busy = false;
    hs.waiting = wait::none;
    hs.current = nullptr;
    hs.slot = none;
    slots_[s].handset = none;
    --in_flight_;
    if (stale) {
        hs.stale = true;
    } else {
        free_handsets_.push(h);
    }
    if (!l.closed()) idle_slots_.push(s);
    dispatch();
}

std::uint32_t engine::handset_of(std::string_view msisdn) const {
    if (msisdn.empty() || msisdn.size() > 19) return none;
    std::uint64_t v = 0;
    for (char c : msisdn) {
        if (c < '0' || c > '9') return none;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v < opts_.first_msisdn || v - opts_.first_msisdn >= handsets_.size()) return none;
    const auto h = static_cast<std::uint32_t>(v - opts_.first_msisdn);
    // "079160000001" is not 79160000001.
    return handsets_[h].msisdn.size() == msisdn.size() ? h : none;
}

std::string engine::describe_step(std::uint32_t h) const {
    const auto& hs = handsets_[h];
    if (!hs.current) return hs.msisdn;
    const step& st = hs.current->steps[std::min<std::size_t>(hs.step, hs.steps - 1)];
    return fmt::format("{} {} step {} ({}{}{} {})", hs.msisdn, hs.current->name, hs.step + 1,
                       kind_name(st.kind), st.kind == step_kind::sms ? " " : "",
                       st.kind == step_kind::sms ? st.address : "", st.text.written);
}

void engine::on_pdu(link& l, const smpp::pdu& p, clock::time_point now) {
    switch (static_cast<command>(p.command_id)) {
        case command::submit_sm:
        case command::data_sm:
            on_mt(p, now);
            return;
        case command::deliver_sm_resp:
        case command::generic_nack:
            on_resp(l, p);
            return;
        default:
            return;
    }
}

void engine::on_resp(link& l, const smpp::pdu& p) {
    const auto tag = l.take_resp(p.sequence_number);
    const bool nack = p.command_id == static_cast<std::uint32_t>(command::generic_nack);
    if (nack) {
        errors_.add("bind {}: generic_nack {} for sequence {}", l.id(),
                    smpp::status_name(p.command_status), p.sequence_number);
    } else if (!tag) {
        errors_.add("bind {}: deliver_sm_resp for sequence {} answers no deliver_sm we sent",
                    l.id(), p.sequence_number);
    } else if (p.command_status != smpp::status::ok) {
        errors_.add("{}: deliver_sm refused with {}", describe_step(*tag >> 1),
                    smpp::status_name(p.command_status));
    }
    // A refused step's MO brings no MT: the flow ends now rather than time out.
    if (tag && (nack || p.command_status != smpp::status::ok) && !(*tag & 1)) {
        const auto h = *tag >> 1;
        if (handsets_[h].busy && handsets_[h].waiting != wait::none) end_flow(h, false);
    }
    if (phase_ == phase::draining) try_report();
}

void engine::on_mt(const smpp::pdu& p, clock::time_point now) {
    auto mt = read_mt(p);
    if (!mt) return;
    const auto h = handset_of(mt->to);
    if (h == none) {
        errors_.add("MT from {} to {}, not one of the handsets: {}", mt->from, mt->to, mt_text(p));
        return;
    }
    auto& hs = handsets_[h];
    if (mt->ussd) {
        if (!hs.busy || hs.waiting != wait::ussd) {
            errors_.add("USSD MT to {} with no step waiting for it: {}", hs.msisdn, mt_text(p));
            return;
        }
        if (mt->its && (*mt->its >> 8) != hs.session) {
            errors_.add("{}: USSD MT for session {}, the dialog is session {}: {}",
                        describe_step(h), *mt->its >> 8, hs.session, mt_text(p));
            return;
        }
        if (mt->its) hs.sequence = static_cast<std::uint8_t>((((*mt->its & 0xFF) >> 1) + 1) & 0x7F);
        hs.dialog_open = !mt->ends;
        complete_step(h, now);
        return;
    }
    if (hs.busy && hs.waiting == wait::sms && mt->from == hs.current->steps[hs.step].address) {
        // A long answer comes in parts; the step is answered by the last.
        if (++hs.parts < mt->parts) return;
        complete_step(h, now);
        return;
    }
    if (mt->from == opts_.notice_from) {
        ++notices_;
        return;
    }
    errors_.add("SMS MT from {} to {} with no step waiting for it: {}", mt->from, hs.msisdn,
                mt_text(p));
}

void engine::on_problem(link& l, const std::string& what) {
    if (phase_ == phase::done) return;
    errors_.add("bind {}: {}", l.id(), what);
}

void engine::on_closed(link& l) {
    if (on_link_closed_) on_link_closed_();
    if (phase_ != phase::running && phase_ != phase::draining) return;
    auto it = std::find_if(binds_.begin(), binds_.end(),
                           [&](const std::shared_ptr<link>& b) { return b.get() == &l; });
    if (it == binds_.end()) return;
    const auto bind = static_cast<std::size_t>(it - binds_.begin());
    errors_.add("bind {} closed during the run", l.id());
    // Its flows cannot be answered any more; their handsets may still get a late MT.
    for (const auto& s : slots_) {
        if (s.bind == bind && s.handset != none) end_flow(s.handset, true);
    }
    if (phase_ == phase::draining) try_report();
}

void engine::arm_sweep() {
    // Step deadlines are checked in one pass over the slots, not one timer per
    // step: a tenth of the timeout late at most, and nothing per message.
    const auto period = std::clamp<clock::duration>(
        step_timeout_ / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
    sweep_timer_.expires_after(period);
    sweep_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || phase_ == phase::done) return;
        sweep();
    });
}

void engine::sweep() {
    const auto now = clock::now();
    for (const auto& s : slots_) {
        if (s.handset == none) continue;
        const auto h = s.handset;
        if (handsets_[h].waiting != wait::none && now >= handsets_[h].deadline) {
            errors_.add("{}: no answer within {} s", describe_step(h), opts_.timeout);
            end_flow(h, true);
        }
    }
    if (phase_ == phase::running) check_done();
    if (phase_ == phase::draining && now >= drain_deadline_) {
        for (const auto& b : binds_) {
            if (!b->closed() && b->outstanding() != 0) {
                errors_.add("bind {}: {} deliver_sm got no deliver_sm_resp within {} s", b->id(),
                            b->outstanding(), opts_.timeout);
            }
        }
        report();
    }
    if (phase_ != phase::done) arm_sweep();
}

void engine::check_done() {
    if (phase_ != phase::running || in_flight_ != 0) return;
    if (budget_left(clock::now()) && !free_handsets_.empty() && !idle_slots_.empty()) return;
    // The measured run ends with the last step; draining only collects the
    // deliver_sm_resps still due (the final releases').
    phase_ = phase::draining;
    own_cpu_end_ = own_cpu_us();
    if (opts_.daemon_pid) daemon_cpu_end_ = process_cpu_us(*opts_.daemon_pid);
    drain_deadline_ = clock::now() + step_timeout_;
    try_report();
}

void engine::try_report() {
    if (phase_ != phase::draining) return;
    for (const auto& b : binds_)
        if (!b->closed() && b->outstanding() != 0) return;
    report();
}

void engine::report() {
    if (phase_ == phase::done) return;
    if (phase_ == phase::running) {
        own_cpu_end_ = own_cpu_us();
        if (opts_.daemon_pid) daemon_cpu_end_ = process_cpu_us(*opts_.daemon_pid);
    }
    phase_ = phase::done;
    sweep_timer_.cancel();
    bench b;
    b.scenario = scenario_.name;
    b.window = opts_.window;
    b.binds = opts_.binds;
    b.steps = steps_done_;
    b.seconds = std::chrono::duration<double>(last_done_ - started_).count();
    b.p50_ms = latencies_.percentile_ms(0.50);
    b.p99_ms = latencies_.percentile_ms(0.99);
    b.p999_ms = latencies_.percentile_ms(0.999);
    if (daemon_cpu_start_ && daemon_cpu_end_)
        b.daemon_cpu_us = *daemon_cpu_end_ - std::min(*daemon_cpu_end_, *daemon_cpu_start_);
    b.load_cpu_us = own_cpu_end_ - std::min(own_cpu_end_, own_cpu_start_);
    if (opts_.daemon_pid) b.rss_kb = process_hwm_kb(*opts_.daemon_pid);
    b.errors = errors_.count();
    std::printf("%s\n", bench_line(b).c_str());
    std::fflush(stdout);
    note(fmt::format("{} step(s) in {:.3f} s, {} notice SMS, {} error(s)", steps_done_, b.seconds,
                     notices_, b.errors));
    finish_(b.errors == 0 ? 0 : 1);
}

}  // namespace ussdgw::load
