#include "transcript.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ussdgw::test {

namespace {

// Unique within the run: several test processes write at once (ctest -j).
std::string unique_name(const std::string& kind) {
    static std::atomic<unsigned> n{0};
    return kind + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

}  // namespace

const std::string& transcript_dir() {
    static const std::string dir = [] {
        const char* d = std::getenv("USSDGW_TEST_TRANSCRIPTS");
        return std::string(d ? d : "");
    }();
    return dir;
}

void save_transcript(const std::string& kind, const std::string& text) {
    if (transcript_dir().empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(transcript_dir(), ec);
    std::ofstream(transcript_dir() + "/" + unique_name(kind) + ".txt", std::ios::binary) << text;
}

void save_files(const std::string& dir) {
    if (transcript_dir().empty()) return;
    namespace fs = std::filesystem;
    const auto to = fs::path(transcript_dir()) / unique_name("files");
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code fe;
        if (!it->is_regular_file(fe) || it->file_size(fe) > (16u << 20)) continue;
        const auto target = to / fs::relative(it->path(), dir, fe);
        fs::create_directories(target.parent_path(), fe);
        fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, fe);
    }
}

}  // namespace ussdgw::test
