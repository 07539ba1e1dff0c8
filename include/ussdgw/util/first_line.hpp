#pragma once
// Secrets kept in files (the bind password, the API token, SIM codes on
// stdin) are one line: the first, without its line end ("\n" or "\r\n").

#include <istream>
#include <string>

#include "ussdgw/util/result.hpp"

namespace ussdgw::util {

/// The first line of `in`, without "\r" or "\n" (empty at end of input).
std::string first_line(std::istream& in);

/// The first line of the file at `path`, or "cannot open it" when it cannot be read.
result<std::string, std::string> first_line_of_file(const std::string& path);

}  // namespace ussdgw::util
