// util/first_line: a secret's file is its first line, without "\n" or "\r\n".

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "ussdgw/util/first_line.hpp"

using ussdgw::util::first_line;
using ussdgw::util::first_line_of_file;

TEST_CASE("first line: without its line end - the rest ignored - empty input gives empty") {
    std::istringstream crlf("s3cret\r\nsecond\n");
    CHECK(first_line(crlf) == "s3cret");
    std::istringstream lf("pw with spaces \n");
    CHECK(first_line(lf) == "pw with spaces ");
    std::istringstream none("no line end");
    CHECK(first_line(none) == "no line end");
    std::istringstream empty("");
    CHECK(first_line(empty).empty());
}

TEST_CASE("first line of a file: read - or cannot open it") {
    char name[] = "/tmp/ussdgw-first-line-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(name) << "token-0123456789\r\n";
    auto got = first_line_of_file(name);
    REQUIRE(got);
    CHECK(*got == "token-0123456789");
    std::remove(name);
    auto missing = first_line_of_file(name);
    REQUIRE_FALSE(missing);
    CHECK(missing.error() == "cannot open it");
}
