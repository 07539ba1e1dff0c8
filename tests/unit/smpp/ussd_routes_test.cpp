// smpp/ussd_routes: the SMPP side of dialogs. A resend is recognised only
// where the sequence style proves it; nothing else is ever dropped.

#include <doctest/doctest.h>

#include <map>

#include "ussdgw/smpp/ussd_routes.hpp"

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace std::chrono_literals;

namespace {

using clock_t_ = ussd_routes::clock;
const clock_t_::time_point t0{};

// One MO as translate would give it.
ussd_message mo(domain::ussd_kind kind, const std::string& text,
                std::optional<std::uint8_t> sequence, std::uint32_t session = 5,
                const std::string& msisdn = "79160000001") {
    ussd_message m;
    m.in.msisdn = msisdn;
    m.in.text = text;
    m.in.kind = kind;
    m.in.session = session;
    if (sequence) {
        m.route.its_session = static_cast<std::uint8_t>(session);
        m.route.its_sequence = *sequence;
    }
    m.route.service_addr = "111";
    return m;
}

smsc_profile with_sequence(sequence_style s) {
    auto p = *profile_by_name("default");
    p.sequence = s;
    return p;
}

mo_verdict feed(ussd_routes& r, ussd_message m) {
    return r.on_mo(m, t0);
}

constexpr auto begin = domain::ussd_kind::begin;
constexpr auto answer = domain::ussd_kind::answer;

}  // namespace

TEST_CASE("routes: a fixed sequence proves nothing - the same digit twice is two answers") {
    ussd_routes r(with_sequence(sequence_style::fixed), 100, 120s);
    CHECK(feed(r, mo(begin, "*111#", 0)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "4", 0)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "4", 0)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "1", 0)) == mo_verdict::fresh);
}

TEST_CASE(
    "routes: a moving sequence proves a resend - the same text under a new sequence is not one") {
    ussd_routes r(with_sequence(sequence_style::moves), 100, 120s);
    CHECK(feed(r, mo(begin, "*111#", 0)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "4", 1)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "4", 2)) == mo_verdict::fresh);  // the same digit, a new step
    CHECK(feed(r, mo(answer, "4", 2)) == mo_verdict::resend);
    CHECK(feed(r, mo(answer, "4", 1)) == mo_verdict::resend);  // a late one, two steps back
    CHECK(feed(r, mo(answer, "1", 3)) == mo_verdict::fresh);
    // Another subscriber's dialog with the same session number is another dialog.
    CHECK(feed(r, mo(answer, "1", 3, 5, "79160000002")) == mo_verdict::fresh);
}

TEST_CASE("routes: begins are never dropped - not even an exact repeat") {
    ussd_routes r(with_sequence(sequence_style::moves), 100, 120s);
    CHECK(feed(r, mo(begin, "*111*4*4*79160000002*10*1#", 0)) == mo_verdict::fresh);
    CHECK(feed(r, mo(begin, "*111*4*4*79160000002*10*1#", 0)) == mo_verdict::fresh);
}

TEST_CASE("routes: no sequence at all proves nothing") {
    ussd_routes r(with_sequence(sequence_style::moves), 100, 120s);
    CHECK(feed(r, mo(begin, "*111#", std::nullopt)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "1", std::nullopt)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "1", std::nullopt)) == mo_verdict::fresh);
}

TEST_CASE("routes: auto learns a moving sequence after three moves and drops resends from then") {
    ussd_routes r(with_sequence(sequence_style::learn), 100, 120s);
    CHECK(r.style() == sequence_style::fixed);
    feed(r, mo(begin, "*111#", 0));
    CHECK(feed(r, mo(answer, "1", 1)) == mo_verdict::fresh);
    CHECK(feed(r, mo(answer, "1", 1)) == mo_verdict::fresh);  // not proven yet: processed
    feed(r, mo(answer, "2", 2));
    CHECK(r.style() == sequence_style::fixed);
    feed(r, mo(answer, "3", 3));
    CHECK(r.style() == sequence_style::moves);
    CHECK(feed(r, mo(answer, "3", 3)) == mo_verdict::resend);
    // A new bind may be another SMSC node: learn again.
    r.new_bind();
    CHECK(r.style() == sequence_style::fixed);
    CHECK(feed(r, mo(answer, "3", 3)) == mo_verdict::fresh);
}

TEST_CASE(
    "routes: auto settles on fixed at the first answer that keeps the sequence with new text") {
    ussd_routes r(with_sequence(sequence_style::learn), 100, 120s);
    feed(r, mo(begin, "*111#", 0));
    feed(r, mo(answer, "4", 0));  // "*111#" then "4" under one sequence: it never moves
    for (int i = 1; i <= 5; ++i)
        feed(r, mo(answer, std::to_string(i), static_cast<std::uint8_t>(i)));
    CHECK(r.style() == sequence_style::fixed);
    CHECK(feed(r, mo(answer, "5", 5)) == mo_verdict::fresh);
}

TEST_CASE("routes: an SMSC sending op 1 on every MO - a begin during a dialog is an answer") {
    auto p = with_sequence(sequence_style::fixed);
    p.open_begin = begin_while_open::answer;
    ussd_routes r(p, 100, 120s);
    auto first = mo(begin, "*111#", 0);
    r.on_mo(first, t0);
    CHECK(first.in.kind == begin);
    auto digit = mo(begin, "1", 0);
    r.on_mo(digit, t0);
    CHECK(digit.in.kind == answer);
    auto redial = mo(begin, "*111*2#", 0);
    r.on_mo(redial, t0);
    CHECK(redial.in.kind == begin);  // a service string starts afresh
    r.on_screen("79160000001", 5, true, t0);
    auto late = mo(begin, "1", 0);
    r.on_mo(late, t0);
    CHECK(late.in.kind == answer);  // a late answer to the ended dialog: it hears so
    auto unknown = mo(begin, "1", 0, 6);
    r.on_mo(unknown, t0);
    CHECK(unknown.in.kind == begin);  // no such dialog at all: a begin (not recognised)
}

TEST_CASE("routes: replies find their route - records are swept and bounded") {
    ussd_routes r(with_sequence(sequence_style::fixed), 2, 120s);
    auto m = mo(begin, "*111#", 3, 9);
    r.on_mo(m, t0);
    const ussd_route* route = r.find("79160000001", 9);
    REQUIRE(route);
    CHECK(route->its_sequence == 3);
    CHECK(r.find("79160000001", 8) == nullptr);
    auto a = mo(begin, "*111#", 0, 1, "79160000002");
    auto b = mo(begin, "*111#", 0, 1, "79160000003");
    r.on_mo(a, t0 + 1s);
    r.on_mo(b, t0 + 2s);
    CHECK(r.size() == 2);  // capacity 2: the oldest went
    CHECK(r.find("79160000001", 9) == nullptr);
    r.sweep(t0 + 1s + 120s);
    CHECK(r.find("79160000002", 1) == nullptr);  // untouched for the keep time
    CHECK(r.find("79160000003", 1) != nullptr);
}

TEST_CASE("routes: the table agrees with a plain model through many adds - touches - sweeps") {
    // The index is hand-made (open addressing, backward-shift removal): a
    // simple ordered model of the same rules checks it over a long random
    // walk, through growth, eviction at capacity and sweeps.
    constexpr std::size_t capacity = 300;
    const auto keep = 50s;
    ussd_routes r(with_sequence(sequence_style::fixed), capacity, keep);
    struct entry {
        clock_t_::time_point touched;
        std::uint64_t order;  // higher: touched later
        std::uint8_t sequence;
    };
    std::map<std::pair<std::string, std::uint32_t>, entry> model;
    std::uint64_t order = 0;
    auto evict_oldest = [&] {
        auto oldest = model.begin();
        for (auto it = model.begin(); it != model.end(); ++it)
            if (it->second.order < oldest->second.order) oldest = it;
        model.erase(oldest);
    };
    std::uint64_t seed = 12345;
    auto next = [&] {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(seed >> 33);
    };
    auto now = t0;
    for (int step = 0; step < 60'000; ++step) {
        now += std::chrono::milliseconds(next() % 20);
        // Few enough numbers that keys come back, many enough to fill the table.
        const std::string msisdn = "7916" + std::to_string(next() % 700);
        const std::uint32_t session = next() % 3;
        const auto key = std::make_pair(msisdn, session);
        switch (next() % 4) {
            case 0:
            case 1: {  // an MO
                const auto seq = static_cast<std::uint8_t>(next() % 200);
                auto m = mo(begin, "*111#", seq, session, msisdn);
                r.on_mo(m, now);
                if (!model.contains(key) && model.size() >= capacity) evict_oldest();
                model[key] = {now, ++order, seq};
                break;
            }
            case 2: {  // a screen
                r.on_screen(msisdn, session, next() % 2 == 0, now);
                if (auto it = model.find(key); it != model.end()) {
                    it->second.touched = now;
                    it->second.order = ++order;
                }
                break;
            }
            default:
                r.sweep(now);
                std::erase_if(model,
                              [&](const auto& kv) { return now - kv.second.touched >= keep; });
        }
        REQUIRE(r.size() == model.size());
        const auto* route = r.find(msisdn, session);
        const auto it = model.find(key);
        REQUIRE((route != nullptr) == (it != model.end()));
        if (route) {
            CHECK(route->its_sequence == it->second.sequence);
            CHECK(r.last_seen(msisdn, session) == it->second.touched);
        }
    }
    // Every key the model holds is found, and nothing else.
    std::size_t found = 0;
    for (int n = 0; n < 700; ++n)
        for (std::uint32_t s = 0; s < 3; ++s)
            if (r.find("7916" + std::to_string(n), s)) {
                ++found;
                CHECK(model.contains({"7916" + std::to_string(n), s}));
            }
    CHECK(found == model.size());
}
