// Every loader rule has a folder in tests/data/bad_menus/ holding one broken
// menu set and expected.txt with the exact problems, one per line, with
// paths relative to that folder.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fake_catalog.hpp"
#include "ussdgw/menu/loader.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> read_lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::vector<std::string> problems_of(const fs::path& dir) {
    ussdgw::test::fake_catalog cat;
    auto r = ussdgw::menu::load_dir(dir.string(), cat);
    std::vector<std::string> out;
    if (r) return out;
    const std::string prefix = dir.string() + "/";
    for (const auto& p : r.error()) {
        auto s = p.to_string();
        if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
        if (s.rfind(dir.string(), 0) == 0) s = "." + s.substr(dir.string().size());
        out.push_back(s);
    }
    return out;
}

}  // namespace

TEST_CASE("loader: each broken folder reports exactly its expected problems") {
    const fs::path root = USSDGW_SOURCE_DIR "/tests/data/bad_menus";
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_directory()) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    REQUIRE(dirs.size() >= 20);
    for (const auto& dir : dirs) {
        CAPTURE(dir.filename().string());
        const auto expected = read_lines(dir / "expected.txt");
        const auto actual = problems_of(dir);
        CHECK_FALSE(expected.empty());
        std::string want, got;
        for (const auto& l : expected) want += l + "\n";
        for (const auto& l : actual) got += l + "\n";
        CHECK(got == want);
    }
}
