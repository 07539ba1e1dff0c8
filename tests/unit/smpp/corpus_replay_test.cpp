// Replays the fuzz corpus (tests/data/fuzz/: seed PDUs, plus any reproducer the
// fuzzer found) through the fuzz target's property checks (tests/fuzz/
// codec_properties.hpp), so ctest covers them in the g++ ASan/UBSan build without
// clang or libFuzzer. Each file is also replayed truncated at every length and
// with every octet mutated, a small deterministic fuzz of its own.

#include <cstdint>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../fuzz/codec_properties.hpp"

namespace fs = std::filesystem;
using namespace ussdgw::smpp;

namespace {

struct corpus_file {
    std::string name;
    std::vector<std::uint8_t> data;
};

std::vector<corpus_file> load_corpus() {
    std::vector<corpus_file> out;
    const fs::path dir = fs::path(USSDGW_SOURCE_DIR) / "tests" / "data" / "fuzz";
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream f(entry.path(), std::ios::binary);
        corpus_file c{entry.path().filename().string(),
                      {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()}};
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(),
              [](const corpus_file& a, const corpus_file& b) { return a.name < b.name; });
    return out;
}

}  // namespace

TEST_CASE("fuzz corpus: every file satisfies the codec properties") {
    const auto corpus = load_corpus();
    REQUIRE(corpus.size() >= 20);
    int decoded = 0;
    int compared = 0;
    for (const auto& c : corpus) {
        CAPTURE(c.name);
        props::outcome o = props::check(c.data, true);
        CHECK_MESSAGE(o.violation.empty(), o.violation);
        decoded += o.decoded;
        compared += o.compared_lib;
    }
    // The seeds are valid PDUs, and most are ones libsmpp34 accepts too.
    CHECK(decoded >= 20);
    CHECK(compared >= 15);
}

TEST_CASE("fuzz corpus: truncations and single-octet mutations of every file") {
    const auto corpus = load_corpus();
    REQUIRE_FALSE(corpus.empty());
    long runs = 0;
    for (const auto& c : corpus) {
        CAPTURE(c.name);
        for (std::size_t k = 0; k < c.data.size(); ++k) {
            // Heap copies of exactly the tested size, so ASan sees any over-read.
            const std::vector<std::uint8_t> prefix(c.data.begin(), c.data.begin() + k);
            props::outcome o = props::check(prefix, true);
            CHECK_MESSAGE(o.violation.empty(), "prefix " << k << ": " << o.violation);
            ++runs;
            for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xFF},
                                   static_cast<std::uint8_t>(c.data[k] + 1)}) {
                std::vector<std::uint8_t> m = c.data;
                m[k] = v;
                props::outcome mo = props::check(m, true);
                CHECK_MESSAGE(mo.violation.empty(),
                              "octet " << k << " = " << int{v} << ": " << mo.violation);
                ++runs;
            }
        }
    }
    CHECK(runs > 3000);
}
