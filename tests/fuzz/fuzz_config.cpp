// libFuzzer target for the daemon's config reader (app/config: parse_config,
// the INI parser with every key's validation and the [profile NAME] and
// [smsc NAME] sections). The whole input is one config file's text.
// Invariants, beyond "never throws":
//  - every problem names the file and a line of it: "fuzz.conf:N: ..." with
//    1 <= N <= the number of lines (README: "every problem is reported as
//    file:line: message");
//  - a text accepted once is accepted again, identically (the same raw keys,
//    the same settings, profiles and binds): a reload of an unchanged file
//    changes nothing;
//  - what is accepted holds the cross-key rules (minimum <= maximum).
//
// Run: scripts/fuzz fuzz_config 300

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "ussdgw/actions/rule_constants.hpp"
#include "ussdgw/app/config.hpp"

using namespace ussdgw;

namespace {

std::string_view current_input;
const std::string file_name = "fuzz.conf";
// USSDGW_FUZZ_TRACE=1: print the problems, or "accepted", to see what an input does.
const bool trace = std::getenv("USSDGW_FUZZ_TRACE") != nullptr;

[[noreturn]] void violated(const std::string& what) {
    std::fprintf(stderr, "config invariant violated: %s\ninput (%zu bytes): ", what.c_str(),
                 current_input.size());
    for (unsigned char c : current_input) std::fprintf(stderr, "\\x%02x", c);
    std::fprintf(stderr, "\n");
    std::abort();
}

std::size_t lines_of(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) n += c == '\n';
    return n + (!text.empty() && text.back() != '\n');
}

// "fuzz.conf:N: message" with N a line of the text.
void check_problem(const std::string& e, std::size_t lines) {
    const std::string lead = file_name + ":";
    if (e.compare(0, lead.size(), lead) != 0) violated("a problem without the file name: " + e);
    std::size_t i = lead.size();
    std::size_t line = 0;
    const std::size_t digits_at = i;
    while (i < e.size() && e[i] >= '0' && e[i] <= '9' && i - digits_at < 9)
        line = line * 10 + static_cast<std::size_t>(e[i++] - '0');
    if (i == digits_at || i + 1 >= e.size() || e[i] != ':' || e[i + 1] != ' ')
        violated("a problem without a line number: " + e);
    if (line < 1 || line > lines) violated("a problem's line is not a line of the file: " + e);
}

// Every setting of a snapshot, for comparing two reads of one text.
std::string summary(const app::config& c) {
    std::string s;
    for (const auto& l : c.links()) {
        const auto& o = l.smsc;
        s += fmt::format(
            "link {} {}:{} id={} pw={} pwfile={} type={} backoff={}-{} connect={} submit={} "
            "retry={} drain={} pdu={} window={} resp={} enquire={} queue={} profile={}\n",
            l.name, o.host, o.port, o.system_id, o.password, o.password_file, o.system_type,
            o.backoff_min.count(), o.backoff_max.count(), o.connect_timeout.count(),
            o.submit_deadline.count(), o.retry_delay.count(), o.drain_timeout.count(),
            o.session.max_pdu, o.session.window, o.session.response_timeout.count(),
            o.session.enquire_link_interval.count(), o.session.max_queued_requests, l.profile.name);
    }
    s += fmt::format(
        "store {} {} {} {} {} menus {} log {} {} ussd {} {} {} outbox {} {} http {} {} {} {}\n",
        c.db_path, c.key_file, c.hash_threads, c.hash_queue, c.hash_queue_per_number, c.menus_dir,
        c.log_level, c.log_format, c.dialog_timeout.count(), c.max_dialogs,
        c.duplicate_window.count(), c.outbox.poll.count(), c.outbox.batch, c.http.listen,
        c.http.token_file, c.http.api_rate_per_number, c.http.api_rate_per_client);
    for (const auto& [k, v] : actions::rule_constants(c.rules)) s += k + "=" + v + "\n";
    s += fmt::format("pwhash {} {} lang {} utc {}\n", c.rules.pwhash.ops, c.rules.pwhash.mem,
                     c.rules.default_language, c.rules.utc_offset_seconds);
    return s;
}

void check_accepted(const app::config& c) {
    const auto& r = c.rules;
    if (r.password_min_ussd > r.password_max_ussd || r.password_min_sms > r.password_max_sms ||
        r.pin_min > r.pin_max || r.topup_min > r.topup_max || r.transfer_min > r.transfer_max)
        violated("an accepted config breaks a minimum <= maximum rule");
    const auto links = c.links();
    for (const auto& l : links)
        if (l.smsc.backoff_min > l.smsc.backoff_max)
            violated("an accepted bind reconnects at most sooner than at least: " + l.name);
    for (std::size_t i = 0; i < links.size(); ++i)
        for (std::size_t k = i + 1; k < links.size(); ++k)
            if (links[i].name == links[k].name) violated("two binds share a name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    current_input = std::string_view(reinterpret_cast<const char*>(data), size);
    const std::string text(current_input);
    // [smsc NAME] password_file is read while parsing: keep the fuzzer off
    // device and kernel files (an endless /dev/zero line is not a parser bug).
    for (const char* off : {"/dev", "/proc", "/sys", "/run"})
        if (text.find(off) != std::string::npos) return 0;
    try {
        auto first = app::parse_config(text, file_name);
        if (trace) {
            if (first) std::fprintf(stderr, "accepted\n");
            for (const auto& e : first ? app::config_errors{} : first.error())
                std::fprintf(stderr, "%s\n", e.c_str());
        }
        if (!first) {
            if (first.error().empty()) violated("refused without a problem");
            const std::size_t lines = lines_of(text);
            for (const auto& e : first.error()) check_problem(e, lines);
            return 0;
        }
        check_accepted(*first);
        auto second = app::parse_config(text, file_name);
        if (!second) violated("accepted once, refused when read again");
        if (second->raw != first->raw) violated("read again, the raw keys differ");
        if (summary(*second) != summary(*first)) violated("read again, the settings differ");
        if (!(second->profile == first->profile)) violated("read again, the profile differs");
        const auto a = first->links(), b = second->links();
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!(a[i].profile == b[i].profile)) violated("read again, a bind's profile differs");
    } catch (const std::exception& e) {
        violated(std::string("threw: ") + e.what());
    }
    return 0;
}
