#include "ussdgw/app/main.hpp"

int main(int argc, char** argv) {
    return ussdgw::app::run_main(argc, argv);
}
