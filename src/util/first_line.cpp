#include "ussdgw/util/first_line.hpp"

#include <fstream>

namespace ussdgw::util {

std::string first_line(std::istream& in) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

result<std::string, std::string> first_line_of_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail(std::string("cannot open it"));
    return first_line(in);
}

}  // namespace ussdgw::util
