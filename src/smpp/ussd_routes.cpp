#include "ussdgw/smpp/ussd_routes.hpp"

namespace ussdgw::smpp {
namespace {

// "*111#", "**04*1*2*2#", "#100#": what a handset sends to start a dialog.
bool looks_like_service_string(const std::string& text) {
    return text.size() >= 2 && (text.front() == '*' || text.front() == '#') && text.back() == '#';
}

}  // namespace

ussd_routes::key::key(std::string m, std::uint32_t s)
    : msisdn(std::move(m)), session(s), hash(std::hash<std::string>{}(msisdn)) {
    hash ^= session + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
}

ussd_routes::ussd_routes(smsc_profile profile, std::size_t capacity, clock::duration keep)
    : profile_(std::move(profile)), capacity_(capacity == 0 ? 1 : capacity), keep_(keep) {}

sequence_style ussd_routes::style() const {
    return profile_.sequence == sequence_style::learn ? learned_ : profile_.sequence;
}

void ussd_routes::new_bind() {
    learned_ = sequence_style::fixed;
    moves_seen_ = 0;
    decided_ = false;
}

ussd_routes::record& ussd_routes::touch(table::iterator it, clock::time_point now) {
    by_age_.splice(by_age_.end(), by_age_, it->second.age);
    it->second.touched = now;
    return it->second;
}

ussd_routes::record& ussd_routes::add(const key& k, clock::time_point now) {
    if (records_.size() >= capacity_) {
        // Full: the least recently used record goes (usually long ended).
        auto victim = records_.find(*by_age_.front());
        by_age_.pop_front();
        records_.erase(victim);
    }
    auto it = records_.emplace(k, record{}).first;
    by_age_.push_back(&it->first);
    it->second.age = std::prev(by_age_.end());
    it->second.touched = now;
    return it->second;
}

bool ussd_routes::repeats(const record& r, const mark& m) const {
    const std::size_t n = std::min<std::size_t>(r.marks, r.recent.size());
    for (std::size_t i = 0; i < n; ++i) {
        const mark& seen = r.recent[i];
        if (seen.sequence == m.sequence && seen.text == m.text && seen.kind == m.kind) return true;
    }
    return false;
}

void ussd_routes::learn(const record& r, const mark& m) {
    // Under "auto" the SMSC starts as fixed (nothing proves a resend). Answers
    // whose sequence moved are evidence for "moves"; one answer that keeps the
    // sequence of the MO before it with another text proves the SMSC never
    // moves it (a resend repeats the text), and that stands until the next bind.
    if (profile_.sequence != sequence_style::learn || decided_ || r.marks == 0) return;
    const mark& last = r.recent[(r.marks - 1) % r.recent.size()];
    if (last.sequence != m.sequence) {
        if (++moves_seen_ >= moves_to_learn) learned_ = sequence_style::moves;
    } else if (last.text != m.text) {
        learned_ = sequence_style::fixed;
        decided_ = true;
    }
}

mo_verdict ussd_routes::on_mo(ussd_message& m, clock::time_point now) {
    const key k{m.in.msisdn, m.in.session};
    auto found = records_.find(k);
    record* r = found == records_.end() ? nullptr : &found->second;

    // An SMSC that sends op 1 on every MO: within a dialog it is known (open,
    // or ended recently: a late answer should hear that the session ended),
    // anything but a service string answers it.
    if (m.in.kind == domain::ussd_kind::begin && profile_.open_begin == begin_while_open::answer &&
        r && !looks_like_service_string(m.in.text))
        m.in.kind = domain::ussd_kind::answer;

    const bool sequenced = m.route.its_session.has_value();
    const mark now_mark{m.route.its_sequence, fingerprint_(m.in.text), m.in.kind};
    if (r && sequenced && m.in.kind == domain::ussd_kind::answer) {
        if (style() == sequence_style::moves && repeats(*r, now_mark)) {
            touch(found, now);
            return mo_verdict::resend;
        }
        learn(*r, now_mark);
    }

    record& rec = r ? touch(found, now) : add(k, now);
    if (m.in.kind == domain::ussd_kind::begin) {
        // A new dialog: nothing of the old one with this key can be repeated in it.
        rec.marks = 0;
        rec.open = true;
    } else if (m.in.kind == domain::ussd_kind::release) {
        rec.open = false;
    } else {
        // An answer to a dialog we do not know (a restart) still needs a route
        // for the "session ended" screen.
        rec.open = true;
    }
    rec.route = m.route;
    if (sequenced) rec.recent[rec.marks++ % rec.recent.size()] = now_mark;
    return mo_verdict::fresh;
}

const ussd_route* ussd_routes::find(const std::string& msisdn, std::uint32_t session) const {
    auto it = records_.find(key{msisdn, session});
    return it == records_.end() ? nullptr : &it->second.route;
}

std::optional<ussd_routes::clock::time_point> ussd_routes::last_seen(const std::string& msisdn,
                                                                     std::uint32_t session) const {
    auto it = records_.find(key{msisdn, session});
    if (it == records_.end()) return std::nullopt;
    return it->second.touched;
}

void ussd_routes::on_screen(const std::string& msisdn, std::uint32_t session, bool end,
                            clock::time_point now) {
    auto it = records_.find(key{msisdn, session});
    if (it == records_.end()) return;
    record& r = touch(it, now);
    if (end) r.open = false;
}

void ussd_routes::sweep(clock::time_point now) {
    while (!by_age_.empty()) {
        auto it = records_.find(*by_age_.front());
        if (it != records_.end() && now - it->second.touched < keep_) break;
        if (it != records_.end()) records_.erase(it);
        by_age_.pop_front();
    }
}

}  // namespace ussdgw::smpp
