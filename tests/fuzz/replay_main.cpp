// A main() for the libFuzzer targets in builds without libFuzzer (g++, the
// ASan+UBSan flavour): it feeds every file of the directories (or the files)
// given as arguments to LLVMFuzzerTestOneInput, once each, in name order, so
// ctest replays the seed corpora and the reproducers of past findings under
// the sanitizers without clang. A target's invariants abort on their own; this
// only fails when there is nothing to replay, so a moved corpus cannot pass
// silently.
//
// Usage: fuzz_replay_TARGET DIR_OR_FILE...

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional in a target, as with libFuzzer: weak, so it is null when absent.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs(int argc, char** argv) {
    std::vector<fs::path> out;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        if (fs::is_directory(arg)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(arg))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
            out.insert(out.end(), files.begin(), files.end());
        } else if (fs::is_regular_file(arg)) {
            out.push_back(arg);
        } else {
            std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
            std::exit(2);
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    const auto files = inputs(argc, argv);
    if (files.empty()) {
        std::fprintf(stderr, "replay: no input files (usage: %s DIR_OR_FILE...)\n", argv[0]);
        return 2;
    }
    for (const auto& path : files) {
        std::ifstream f(path, std::ios::binary);
        const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(f),
                                             std::istreambuf_iterator<char>()};
        // Named before the run: when an invariant aborts, the log says which input.
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), data.size());
        LLVMFuzzerTestOneInput(data.data(), data.size());
    }
    std::printf("replay: %zu inputs, no invariant broken\n", files.size());
    return 0;
}
