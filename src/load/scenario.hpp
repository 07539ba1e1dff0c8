#pragma once
// Scenarios: what each handset does, as steps. A step sends one MO and waits
// for the daemon's MT that answers it. Built-in scenarios are written in the
// same line format as scenario files, so both take one road. Pure: no I/O
// but reading the file.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ussdgw/util/result.hpp"

namespace ussdgw::load {

/// An MO text, encoded once when the scenario is read: the octets around each
/// {next} placeholder, which becomes the next handset's MSISDN when sent.
struct text_template {
    std::uint8_t data_coding = 0;       ///< 0x0F/0x00 GSM 7-bit unpacked, 8 UCS-2.
    bool ucs2 = false;                  ///< Placeholders are written as UCS-2 too.
    std::vector<std::string> literals;  ///< Encoded octets; a {next} between each two.
    std::string written;                ///< The text as the scenario wrote it (messages).

    /// True when the text holds {next}.
    bool uses_next() const { return literals.size() > 1; }
    /// Replaces `out` with the octets, {next} written as `next_msisdn`
    /// (reuses out's capacity: no allocation once it is large enough).
    void render(std::string& out, std::string_view next_msisdn) const;
};

/// What a step sends.
enum class step_kind {
    ussd,    ///< Dial a string: a new dialog (ussd_service_op 1).
    answer,  ///< Answer the open dialog's screen (ussd_service_op 18).
    sms,     ///< An SMS to a short number.
};

/// One step of a flow.
struct step {
    step_kind kind = step_kind::ussd;  ///< What is sent.
    std::string address;               ///< ussd: the service code ("111"); sms: the number.
    text_template text;                ///< What the MO carries.
};

/// The steps one handset runs in order.
struct flow {
    std::string name;         ///< The built-in's name, or the file's.
    std::vector<step> steps;  ///< At least one.
};

/// What --scenario names: one flow, or a weighted mix of flows.
struct scenario {
    std::string name;                ///< For the bench line.
    std::vector<flow> flows;         ///< At least one.
    std::vector<unsigned> per_mill;  ///< Cumulative weights of flows, the last is 1000.

    /// True when some step writes {next} (a range of one handset sends to itself).
    bool uses_next() const;
};

/// Why a scenario cannot be used: where (FILE:LINE, LINE 0 = the whole file) and why.
struct scenario_problem {
    std::string where;  ///< "FILE:LINE"
    std::string why;    ///< What is wrong, in words.
};

/// Longest MSISDN a {next} may expand to (E.164), for the length checks.
inline constexpr std::size_t max_msisdn_digits = 15;

/// Parses scenario text (one step per line: `ussd TEXT`, `answer TEXT`,
/// `sms TO TEXT`; blank lines and lines starting with `#` skipped) into a flow
/// named `name`; problems name `file`:LINE.
util::result<flow, scenario_problem> parse_flow(std::string_view text, const std::string& name,
                                                const std::string& file);

/// The built-in scenario names, in the order --help lists them.
std::span<const std::string_view> builtin_names();

/// A built-in scenario by name, else the scenario file at that path.
util::result<scenario, scenario_problem> load_scenario(const std::string& name_or_file);

}  // namespace ussdgw::load
