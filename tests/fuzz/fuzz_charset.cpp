// libFuzzer target for util/charset: arbitrary octets as UTF-8, unpacked GSM7
// and UCS-2. Properties: nothing crashes; every output meant to be UTF-8 is
// well-formed; text that encodes to GSM7 decodes back to itself with as many
// septets as gsm7_septets says; whatever GSM7 decodes to can be sent back as
// GSM7; UCS-2 conversion keeps the code point count.
//
// Run: fuzz_charset -max_total_time=60 corpus_dir

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ussdgw/util/charset.hpp"

#include "utf8_check.hpp"

namespace {

using ussdgw::fuzz::valid_utf8;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "charset property violated: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ussdgw::util;
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    const std::size_t cps = utf8_length(in);
    if (cps > in.size()) violated("utf8_length > octets");
    const std::string ucs2 = utf8_to_ucs2(in);
    if (ucs2.size() != 2 * ucs2_units(in)) violated("utf8_to_ucs2 size != 2 * ucs2_units");
    const std::string clean = ucs2_to_utf8(ucs2);
    if (!valid_utf8(clean)) violated("ucs2_to_utf8(utf8_to_ucs2(x)) not UTF-8");
    if (utf8_length(clean) != cps) violated("UCS-2 round trip changed the code point count");
    if (ucs2_to_utf8(utf8_to_ucs2(clean)) != clean) violated("UCS-2 round trip not idempotent");
    if (valid_utf8(in) && clean != in) violated("valid UTF-8 did not survive UCS-2");

    auto septets = gsm7_septets(in);
    auto gsm = utf8_to_gsm7(in);
    if (septets.has_value() != gsm.has_value()) violated("gsm7_septets/utf8_to_gsm7 disagree");
    if (gsm) {
        if (gsm->size() != *septets) violated("septet count differs from encoding");
        if (!valid_utf8(in)) violated("invalid UTF-8 accepted as GSM7");
        if (gsm7_to_utf8(*gsm) != in) violated("GSM7 round trip changed the text");
    }

    const std::string from_gsm = gsm7_to_utf8(in);
    if (!valid_utf8(from_gsm)) violated("gsm7_to_utf8 not UTF-8");
    auto back = utf8_to_gsm7(from_gsm);
    if (!back) violated("gsm7_to_utf8 produced a character GSM7 cannot carry");
    if (gsm7_to_utf8(*back) != from_gsm) violated("GSM7 decode not stable");

    if (!valid_utf8(ucs2_to_utf8(in))) violated("ucs2_to_utf8 not UTF-8");
    if (!valid_utf8(latin1_to_utf8(in))) violated("latin1_to_utf8 not UTF-8");
    if (utf8_length(latin1_to_utf8(in)) != in.size()) violated("latin1 length");
    return 0;
}
