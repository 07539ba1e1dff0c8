// libFuzzer target for the dialled-string parser (ussd/code: ussd::parse), the
// first thing an SMSC's begin text reaches. Invariants, beyond "no crash":
//  - an accepted string has the shape ussd/code.hpp promises: a prefix of one
//    or two '*'/'#' marks and the service code's digits; segments that are
//    digits, optionally after one leading '+';
//  - its normalized() spelling parses back to the same code, and is a fixed
//    point (parse(normalized()).normalized() == normalized());
//  - blanks and control characters do not matter: the input padded with
//    them, or without them, parses to the same result;
//  - a refusal has a message that is printable ASCII (it goes to logs as it
//    is), and says "empty" exactly for blank input.
//
// Run: scripts/fuzz fuzz_ussd_code 300

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ussdgw/ussd/code.hpp"

namespace {

[[noreturn]] void violated(const char* what, std::string_view input) {
    std::fprintf(stderr, "ussd code invariant violated: %s\ninput (%zu bytes): ", what,
                 input.size());
    for (unsigned char c : input) std::fprintf(stderr, "\\x%02x", c);
    std::fprintf(stderr, "\n");
    std::abort();
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

bool digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!digit(c)) return false;
    return true;
}

// The input without ASCII blanks and controls, which the parser skips anywhere.
std::string without_blanks(std::string_view in) {
    std::string out;
    for (char c : in)
        if (static_cast<unsigned char>(c) > 0x20 && c != 0x7F) out.push_back(c);
    return out;
}

bool same(const ussdgw::util::result<ussdgw::ussd::code, ussdgw::ussd::code_error>& a,
          const ussdgw::util::result<ussdgw::ussd::code, ussdgw::ussd::code_error>& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
}

void check_shape(const ussdgw::ussd::code& c, std::string_view in) {
    const std::string& p = c.prefix;
    std::size_t marks = 0;
    while (marks < p.size() && (p[marks] == '*' || p[marks] == '#')) ++marks;
    if (marks < 1 || marks > 2) violated("prefix does not start with one or two '*'/'#'", in);
    if (!digits(std::string_view(p).substr(marks))) violated("service code is not digits", in);
    for (const auto& s : c.segments) {
        const std::string_view body = !s.empty() && s[0] == '+' ? std::string_view(s).substr(1) : s;
        if (!digits(body)) violated("a segment is not digits (after an optional '+')", in);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ussdgw::ussd;
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    const auto r = parse(in);
    // The raw length limit counts the octets before stripping, on purpose
    // (a flood of padding is refused before any work).
    const bool raw_ok = in.size() + 4 <= 4 * max_dialled_length;
    if (raw_ok && !same(parse(" \t" + std::string(in) + "\r\n"), r))
        violated("blanks around the input change the result", in);
    // Blanks inside do not matter either. Not where removing them would join
    // the two octets of an NBSP (0xC2 0xA0), which is skipped only whole.
    const std::string bare = without_blanks(in);
    if (raw_ok && in.find('\xC2') == std::string_view::npos && !same(parse(bare), r))
        violated("the input without blanks parses differently", in);
    if (!r) {
        const code_error& e = r.error();
        if (e.message.empty()) violated("refusal without a message", in);
        for (unsigned char c : e.message)
            if (c < 0x20 || c > 0x7E) violated("refusal message is not printable ASCII", in);
        // (An NBSP, skipped too, counts as blank only where the parser sees it whole.)
        const bool blank_only = bare.empty() && in.size() <= 4 * max_dialled_length;
        if (in.find('\xC2') == std::string_view::npos &&
            (e.what == code_error::kind::empty) != blank_only)
            violated("kind 'empty' is not the same as blank input", in);
        return 0;
    }

    check_shape(*r, in);
    const std::string canonical = r->normalized();
    const auto back = parse(canonical);
    if (!back) violated("normalized() of an accepted code is refused", in);
    if (!(*back == *r)) violated("normalized() parses to another code", in);
    if (back->normalized() != canonical) violated("normalized() is not a fixed point", in);
    return 0;
}
