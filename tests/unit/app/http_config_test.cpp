// app/config [http]: the listener address, the token file and the API limits,
// each refused with file:line when wrong; listen addresses parsed strictly.

#include <doctest/doctest.h>

#include <fstream>

#include "ussdgw/app/account_api.hpp"
#include "ussdgw/app/config.hpp"
#include "ussdgw/app/listen_address.hpp"
#include "process.hpp"

using namespace ussdgw::app;

TEST_CASE("http config: defaults are off with 5 and 60 per minute") {
    config c;
    CHECK(c.http.listen.empty());
    CHECK(c.http.token_file.empty());
    CHECK(c.http.api_rate_per_number == 5);
    CHECK(c.http.api_rate_per_client == 60);
}

TEST_CASE("http config: every key is read") {
    auto c = parse_config(
        "[http]\nlisten = 127.0.0.1:8080\ntoken_file = /etc/ussdgw/api-token\n"
        "api_rate_per_number = 3\napi_rate_per_client = 0\n",
        "t.conf");
    REQUIRE(c);
    CHECK(c->http.listen == "127.0.0.1:8080");
    CHECK(c->http.token_file == "/etc/ussdgw/api-token");
    CHECK(c->http.api_rate_per_number == 3);
    CHECK(c->http.api_rate_per_client == 0);
    auto off = parse_config("[http]\nlisten =\n", "t.conf");
    REQUIRE(off);
    CHECK(off->http.listen.empty());
}

TEST_CASE("http config: bad values are refused with file and line") {
    auto c = parse_config(
        "[http]\nlisten = localhost:8080\napi_rate_per_number = 0\napi_rate_per_client = -1\n"
        "tokenfile = x\n",
        "t.conf");
    REQUIRE_FALSE(c);
    const auto& e = c.error();
    REQUIRE(e.size() == 4);
    CHECK(e[0].rfind("t.conf:2: http.listen: expected IP:PORT", 0) == 0);
    CHECK(e[1] ==
          "t.conf:3: http.api_rate_per_number: expected a whole number from 1 to 10000, "
          "got '0'");
    CHECK(e[2].rfind("t.conf:4: http.api_rate_per_client: expected a whole number", 0) == 0);
    CHECK(e[3] == "t.conf:5: unknown key 'tokenfile' in [http]");
}

TEST_CASE("http config: listen addresses are IP and port only") {
    auto v4 = parse_listen_address("127.0.0.1:8080");
    REQUIRE(v4);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 8080);
    auto any = parse_listen_address("0.0.0.0:0");
    REQUIRE(any);
    CHECK(any->port == 0);
    auto v6 = parse_listen_address("[::1]:9090");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(to_string(*v6) == "[::1]:9090");
    CHECK(to_string(*v4) == "127.0.0.1:8080");
    for (const char* bad :
         {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80x",
          "localhost:80", "::1:80", "[::1]", "[]:80", "1.2.3:80", "127.0.0.1:-1"})
        CHECK_MESSAGE(!parse_listen_address(bad), bad);
}

TEST_CASE("http config: the token is the first line of its file and not short") {
    ussdgw::test::temp_dir dir;
    std::ofstream(dir.file("good")) << "0123456789abcdef0123\r\nignored\n";
    auto t = read_api_token(dir.file("good"));
    REQUIRE(t);
    CHECK(*t == "0123456789abcdef0123");
    std::ofstream(dir.file("short")) << "secret\n";
    CHECK(read_api_token(dir.file("short")).error().find("at least 16 characters") !=
          std::string::npos);
    CHECK(read_api_token(dir.file("missing")).error().find("cannot open") != std::string::npos);
}

TEST_CASE("http config: the shipped conf file lists every [http] key - listening on loopback") {
    const std::string path = std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.conf";
    auto c = load_config_file(path);
    REQUIRE(c);
    config defaults;
    // Off without a config; the shipped one listens on loopback for /metrics and /healthz.
    CHECK(defaults.http.listen.empty());
    CHECK(c->http.listen == "127.0.0.1:9111");
    CHECK(c->http.token_file == defaults.http.token_file);
    CHECK(c->http.api_rate_per_number == defaults.http.api_rate_per_number);
    CHECK(c->http.api_rate_per_client == defaults.http.api_rate_per_client);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* key : {"\nlisten =", "\ntoken_file =", "\napi_rate_per_number = 5",
                            "\napi_rate_per_client = 60"})
        CHECK_MESSAGE(text.find(key) != std::string::npos, key);
}
