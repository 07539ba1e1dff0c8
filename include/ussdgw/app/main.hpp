#pragma once

namespace ussdgw::app {

/// The ussdgw daemon's entry point: parses flags, loads config, runs until SIGTERM.
int run_main(int argc, char** argv);

}  // namespace ussdgw::app
