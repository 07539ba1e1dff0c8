// libFuzzer target for the SMPP codec: check_frame and decode on arbitrary
// input; whatever decodes must encode, to the same octets, and decode back to
// the same value; refusals must carry the header fields; and a PDU we accept
// (deliver_sm, submit_sm, and the other types where libsmpp34 can safely be
// given it) with <= 16 TLVs is also unpacked by libsmpp34 and, where both
// accept it, compared field by field (differential). The properties
// live in codec_properties.hpp, which tests/unit/smpp/corpus_replay_test.cpp
// replays over tests/data/fuzz/ under ctest.
//
// Run: fuzz_codec -max_total_time=180 corpus_dir tests/data/fuzz

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "codec_properties.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libsmpp34 keeps global state: libFuzzer calls this from one thread.
    ussdgw::smpp::props::outcome o =
        ussdgw::smpp::props::check(std::span<const std::uint8_t>(data, size), true);
    if (!o.violation.empty()) {
        std::fprintf(stderr, "codec property violated: %s\n", o.violation.c_str());
        std::abort();
    }
    return 0;
}
