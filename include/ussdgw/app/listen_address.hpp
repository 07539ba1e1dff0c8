#pragma once
// "HOST:PORT" for a listening socket, checked without touching the network:
// the config file and the command line are validated before anything binds.

#include <cstdint>
#include <string>

#include "ussdgw/util/result.hpp"

namespace ussdgw::app {

/// Where a listener binds: a literal IP address and a port (0 = any free port).
struct listen_address {
    std::string host;        ///< "127.0.0.1", "0.0.0.0", "::1" (no brackets)
    std::uint16_t port = 0;  ///< 0: the kernel picks one (the listener reports it)
};

/// Parses "127.0.0.1:8080" or "[::1]:8080". Host names are refused: a
/// listener binds one address, and resolving at start would hide which.
util::result<listen_address, std::string> parse_listen_address(const std::string& text);

/// "127.0.0.1:8080", or "[::1]:8080" for IPv6.
std::string to_string(const listen_address& a);

}  // namespace ussdgw::app
