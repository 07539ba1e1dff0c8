#pragma once
// Builds the front door the config asks for.

#include <memory>

#include "ussdgw/app/config.hpp"
#include "ussdgw/app/front_door.hpp"

namespace ussdgw::app {

/// The front door for this configuration, or every problem that prevents it.
util::result<std::unique_ptr<front_door>, config_errors> make_front_door(const config& cfg);

}  // namespace ussdgw::app
