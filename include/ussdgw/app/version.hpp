#pragma once

namespace ussdgw::app {

/// The release version, printed by --version and at start.
inline constexpr const char* version = "0.1.0";

}  // namespace ussdgw::app
