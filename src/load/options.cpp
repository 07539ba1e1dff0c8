#include "options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace ussdgw::load {
namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

// A decimal number that fits; nullopt for anything else (signs, spaces, overflow).
std::optional<std::uint64_t> number(const std::string& s) {
    if (!all_digits(s)) return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// "HOST:PORT" or "[V6]:PORT"; throws CLI::ValidationError with the reason.
void split_listen(const std::string& text, options& o) {
    auto colon = text.rfind(':');
    std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    auto port = colon == std::string::npos ? std::nullopt : number(text.substr(colon + 1));
    if (host.empty() || !port || *port > 65535) {
        throw CLI::ValidationError("--listen", "expected HOST:PORT, got " + text);
    }
    o.listen_host = host;
    o.listen_port = static_cast<std::uint16_t>(*port);
}

// "FIRST:COUNT" or "FIRST" (one handset).
void split_subscribers(const std::string& text, options& o) {
    auto colon = text.find(':');
    auto first = number(text.substr(0, colon));
    auto count = colon == std::string::npos ? std::optional<std::uint64_t>(1)
                                            : number(text.substr(colon + 1));
    // An MSISDN is at most 15 digits (E.164); a range may not run past that.
    constexpr std::uint64_t limit = 999'999'999'999'999ULL;
    if (!first || !count || *first == 0 || *count == 0 || *first > limit ||
        *count > limit - *first + 1 || *count > 1'000'000) {
        throw CLI::ValidationError(
            "--subscribers",
            "expected FIRST:COUNT (an MSISDN of at most 15 digits, 1 to 1000000 handsets), got " +
                text);
    }
    o.first_msisdn = *first;
    o.subscribers = *count;
}

}  // namespace

std::variant<options, int> parse_options(int argc, char** argv) {
    options o;
    CLI::App app{
        "ussdgw-load: a load generator that plays the SMSC side of SMPP 3.4 against ussdgw.\n"
        "It listens, waits for the daemon's binds, keeps --window flows in flight per bind\n"
        "(closed loop) and prints one machine-readable line at the end:\n"
        "  bench: scenario= window= binds= n= rate= p50_ms= p99_ms= p999_ms= cpu_us= load_cpu_us=\n"
        "         rss_kb= errors=\n"
        "Exit 0 without errors, 1 with errors or no bind in time, 2 for a bad command line\n"
        "or scenario file. See docs/load.md."};
    app.get_formatter()->column_width(34);

    std::string listen = fmt::format("{}:{}", o.listen_host, o.listen_port);
    std::string subscribers = fmt::format("{}:{}", o.first_msisdn, o.subscribers);
    int pid = 0;
    app.add_option("--listen", listen,
                   "HOST:PORT to listen on for the daemon's binds; port 0 picks a free port "
                   "(printed on the first line: 'ussdgw-load listening on HOST:PORT')")
        ->capture_default_str();
    app.add_option("--binds", o.binds,
                   "bind_transceivers to wait for before the run starts; each gets --window "
                   "flows (the daemon's [smsc NAME] binds)")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    app.add_option("--scenario", o.scenario,
                   "a built-in scenario (menu-balance, direct-read, sms, transfer, mixed) or a "
                   "scenario file: one step per line, 'ussd TEXT', 'answer TEXT' or "
                   "'sms TO TEXT'; {next} = the next handset's MSISDN")
        ->required();
    app.add_option("--window", o.window,
                   "flows in flight per bind (closed loop: a flow starts when one ends); "
                   "capped by the handsets free, as a handset runs one flow at a time")
        ->check(CLI::Range(1u, 100000u))
        ->capture_default_str();
    auto* count = app.add_option("--count", o.count,
                                 "steps to complete (a step: one MO and the MT answering it); "
                                 "the last flows are cut short to make it exact")
                      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    auto* duration = app.add_option("--duration", o.duration,
                                    "seconds to start flows for; flows in flight then finish")
                         ->check(CLI::PositiveNumber);
    count->excludes(duration);
    app.add_option("--subscribers", subscribers,
                   "FIRST:COUNT, the handsets (MSISDNs FIRST, FIRST+1, ... taken round robin; "
                   "the store should know them)")
        ->capture_default_str();
    auto* pid_flag = app.add_option("--daemon-pid", pid,
                                    "the daemon's pid: report its CPU per step (cpu_us, from "
                                    "/proc/PID/stat) and peak RSS (rss_kb, VmHWM)")
                         ->check(CLI::PositiveNumber);
    app.add_option("--timeout", o.timeout,
                   "seconds a step may wait for its MT, the run for its binds, and the end for "
                   "the last deliver_sm_resp and unbind_resp")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--system-id", o.system_id, "the only system_id a bind may carry")
        ->capture_default_str();
    app.add_option("--password", o.password, "the only password a bind may carry (never printed)")
        ->capture_default_str();
    app.add_option("--notice-from", o.notice_from,
                   "sender of SMS notices the daemon sends on its own (a transfer's notice to "
                   "the recipient): counted, not errors, when no step waits for them")
        ->capture_default_str();

    try {
        app.parse(argc, argv);
        if (count->count() == 0 && duration->count() == 0) {
            throw CLI::ValidationError("--count", "give --count N or --duration SECONDS");
        }
        split_listen(listen, o);
        split_subscribers(subscribers, o);
        if (pid_flag->count() != 0) o.daemon_pid = pid;
        // SMPP 3.4 field sizes: a longer value could never match a bind.
        if (o.system_id.size() > 15) {
            throw CLI::ValidationError("--system-id", "at most 15 characters");
        }
        if (o.password.size() > 8) throw CLI::ValidationError("--password", "at most 8 characters");
        if (!all_digits(o.notice_from) || o.notice_from.size() > 20) {
            throw CLI::ValidationError("--notice-from", "1 to 20 digits");
        }
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return usage_exit;
    }
    return o;
}

}  // namespace ussdgw::load
