// The one doctest main shared by every test binary. With
// USSDGW_TEST_ENGINE=postgres (test_store.hpp) it leaves out the cases that
// test SQLite itself, and says so and passes when no PostgreSQL server can
// run here (Debian's postgresql package missing).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "pg_server.hpp"
#include "test_store.hpp"

int main(int argc, char** argv) {
    doctest::Context context;
    if (ussdgw::test::testing_postgres()) {
        // Started here, on the main thread: the server stops with this thread.
        auto* server = ussdgw::test::pg_server::shared();
        if (!server->available()) {
            std::printf("skipped: the PostgreSQL run needs a server: %s\n",
                        server->why_unavailable().c_str());
            return 0;
        }
        context.addFilter("test-suite-exclude", "sqlite_only");
    }
    context.applyCommandLine(argc, argv);
    return context.run();
}
