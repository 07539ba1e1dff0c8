#include "options.hpp"

#include <algorithm>
#include <cctype>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace ussdgw::sim {
namespace {

// "HOST:PORT" or "[V6]:PORT"; throws CLI::ValidationError with the reason.
void split_listen(const std::string& text, options& o) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size()) {
        throw CLI::ValidationError("--listen", "expected HOST:PORT, got " + text);
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const std::string port = text.substr(colon + 1);
    if (host.empty() || !std::all_of(port.begin(), port.end(), ::isdigit) || port.size() > 5 ||
        std::stoul(port) > 65535) {
        throw CLI::ValidationError("--listen", "expected HOST:PORT, got " + text);
    }
    o.listen_host = host;
    o.listen_port = static_cast<std::uint16_t>(std::stoul(port));
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

// A ussd_service_op value: decimal or 0x hex, 0..255.
std::uint8_t op_value(const std::string& flag, const std::string& text) {
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::string digits = hex ? text.substr(2) : text;
    const bool ok = !digits.empty() && digits.size() <= 3 &&
                    std::all_of(digits.begin(), digits.end(), [hex](unsigned char c) {
                        return hex ? std::isxdigit(c) != 0 : std::isdigit(c) != 0;
                    });
    const unsigned long v = ok ? std::stoul(digits, nullptr, hex ? 16 : 10) : 256;
    if (v > 255) {
        throw CLI::ValidationError(flag, "expected 0..255 (decimal or 0x hex), got " + text);
    }
    return static_cast<std::uint8_t>(v);
}

}  // namespace

std::variant<options, int> parse_options(int argc, char** argv) {
    options o;
    CLI::App app{
        "ussdgw-smsc-sim: an SMSC simulator. Accepts SMPP 3.4 binds, plays handsets (phone\n"
        "prompt, scripts, load) and injects faults. See docs/smsc-sim.md."};
    app.set_version_flag("--version", fmt::format("ussdgw-smsc-sim {}", version));

    std::string listen = fmt::format("{}:{}", o.listen_host, o.listen_port);
    std::string profile = "default";
    std::string key = "session";
    std::string sequence = "count";
    std::string begin_op = "1";
    std::string answer_op = "18";
    std::string release_op = "0x81";
    app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
        ->capture_default_str();
    app.add_option("--system-id", o.system_id, "system_id a bind must carry")
        ->capture_default_str();
    app.add_option("--password", o.password, "password a bind must carry")->capture_default_str();
    app.add_option("--msisdn", o.msisdn, "handset the phone prompt starts as")
        ->capture_default_str();
    app.add_option("--ussd-code-service-type", o.ussd_service_type,
                   "service_type of MO USSD deliver_sm")
        ->capture_default_str();
    auto* key_flag =
        app.add_option("--dialog-key", key,
                       "how MOs carry the dialog: session (its_session_info 0x1383), umr "
                       "(user_message_reference 0x0204) or msisdn (no dialog TLV)")
            ->check(CLI::IsMember({"session", "umr", "msisdn"}))
            ->capture_default_str();
    auto* profile_flag =
        app.add_option("--profile", profile,
                       "deprecated alias of --dialog-key: default = session, umr = umr")
            ->check(CLI::IsMember({"default", "umr"}))
            ->capture_default_str();
    auto* sequence_flag =
        app.add_option("--its-sequence", sequence,
                       "its_session_info octet 2 on MOs (--dialog-key session): count (the "
                       "dialog's message count), echo (the last MT's), fixed (always 0) or none "
                       "(no its_session_info: the same as --dialog-key msisdn)")
            ->check(CLI::IsMember({"count", "echo", "fixed", "none"}))
            ->capture_default_str();
    app.add_option("--begin-op", begin_op,
                   "ussd_service_op of the MO that starts a dialog (0..255, decimal or 0x hex)")
        ->type_name("OP")
        ->capture_default_str();
    app.add_option("--answer-op", answer_op, "ussd_service_op of an answer to a screen")
        ->type_name("OP")
        ->capture_default_str();
    app.add_option("--release-op", release_op, "ussd_service_op of a user release")
        ->type_name("OP")
        ->capture_default_str();
    auto* script = app.add_option("--script", o.script, "run a scenario file, exit 0/1")
                       ->check(CLI::ExistingFile);
    auto* load =
        app.add_option("--load", o.load, "run N USSD round trips after a bind, print the rate");
    script->excludes(load);
    app.add_option("--concurrency", o.concurrency, "round trips in flight in load mode")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))
        ->capture_default_str();
    app.add_option("--load-text", o.load_text, "USSD string load mode sends")
        ->capture_default_str();
    app.add_option("--throttle-every", o.throttle_every,
                   "answer every Nth submit_sm with ESME_RTHROTTLED (0x58)");
    app.add_option("--queue-full-every", o.queue_full_every,
                   "answer every Nth submit_sm with ESME_RMSGQFUL (0x14)");
    app.add_option("--drop-resp-every", o.drop_resp_every, "never answer every Nth submit_sm");
    app.add_option("--disconnect-after", o.disconnect_after,
                   "close the ESME connection when the Nth submit_sm arrives (once)");
    app.add_option("--duplicate-every", o.duplicate_every,
                   "send every Nth MO deliver_sm again, same body, new sequence_number, once "
                   "its deliver_sm_resp arrives (an SMSC that lost the resp)");
    app.add_option("--enquire-link-interval", o.enquire_link_interval,
                   "seconds between enquire_links the simulator sends; 0 = never")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_flag("--route-by-handset", o.route_by_handset,
                 "send each handset's MOs to the bound ESME its number picks (the number modulo "
                 "the count of bound ESMEs, oldest bind first; a handset moves when its ESME goes "
                 "away) instead of to the most recently bound one");
    app.add_option("--timeout", o.timeout, "seconds an expect or a wait may take")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    try {
        app.parse(argc, argv);
        split_listen(listen, o);
        if (profile_flag->count() != 0 && key_flag->count() != 0) {
            throw CLI::ValidationError(
                "--profile", "is the deprecated name of --dialog-key: give only --dialog-key");
        }
        if (profile_flag->count() != 0) key = profile == "umr" ? "umr" : "session";
        o.key = key == "umr"      ? dialog_key::umr
                : key == "msisdn" ? dialog_key::msisdn
                                  : dialog_key::session;
        if (sequence_flag->count() != 0 && o.key != dialog_key::session &&
            !(sequence == "none" && o.key == dialog_key::msisdn)) {
            throw CLI::ValidationError(
                "--its-sequence", fmt::format("sets octet 2 of its_session_info, which MOs carry "
                                              "only with --dialog-key session (not {})",
                                              key));
        }
        if (sequence == "none") o.key = dialog_key::msisdn;  // no TLV: nothing keys but the msisdn
        o.sequence = sequence == "echo"    ? its_sequence::echo
                     : sequence == "fixed" ? its_sequence::fixed
                                           : its_sequence::count;
        o.begin_op = op_value("--begin-op", begin_op);
        o.answer_op = op_value("--answer-op", answer_op);
        o.release_op = op_value("--release-op", release_op);
        // SMPP 3.4 field sizes: a longer value could never match a bind.
        if (o.system_id.size() > 15) {
            throw CLI::ValidationError("--system-id", "at most 15 characters");
        }
        if (o.password.size() > 8) throw CLI::ValidationError("--password", "at most 8 characters");
        if (o.ussd_service_type.size() > 5) {
            throw CLI::ValidationError("--ussd-code-service-type", "at most 5 characters");
        }
        if (!all_digits(o.msisdn) || o.msisdn.size() > 20) {
            throw CLI::ValidationError("--msisdn", "1 to 20 digits");
        }
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return o;
}

}  // namespace ussdgw::sim
