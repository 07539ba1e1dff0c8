#include "test_store.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "pg_server.hpp"

namespace ussdgw::test {

bool testing_postgres() {
    const char* e = std::getenv("USSDGW_TEST_ENGINE");
    return e && std::string_view(e) == "postgres";
}

std::string fresh_store(const temp_dir& dir, const std::string& name) {
    if (!testing_postgres()) return dir.file(name);
    auto* server = pg_server::shared();
    if (!server->available())
        throw std::runtime_error("USSDGW_TEST_ENGINE=postgres, but " + server->why_unavailable());
    return server->create_database();
}

}  // namespace ussdgw::test
