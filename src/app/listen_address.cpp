#include "ussdgw/app/listen_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

namespace ussdgw::app {

util::result<listen_address, std::string> parse_listen_address(const std::string& text) {
    auto bad = [&] {
        return util::fail(fmt::format(
            "expected IP:PORT (127.0.0.1:8080, [::1]:8080; PORT 0 picks a free one), got '{}'",
            text));
    };
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
    std::string host = text.substr(0, colon);
    const std::string port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535) return bad();
    unsigned char probe[16];
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return bad();
        host = host.substr(1, host.size() - 2);
        if (inet_pton(AF_INET6, host.c_str(), probe) != 1) return bad();
    } else if (inet_pton(AF_INET, host.c_str(), probe) != 1) {
        return bad();
    }
    return listen_address{host, static_cast<std::uint16_t>(port)};
}

std::string to_string(const listen_address& a) {
    if (a.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", a.host, a.port);
    return fmt::format("{}:{}", a.host, a.port);
}

}  // namespace ussdgw::app
