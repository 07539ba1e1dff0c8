#include "harness.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace ussdgw::test {

sim_process start_sim(const std::vector<std::string>& args, std::uint16_t port) {
    std::vector<std::string> argv{binary_path("ussdgw-smsc-sim"), "--listen",
                                  "127.0.0.1:" + std::to_string(port)};
    if (std::find(args.begin(), args.end(), "--password") == args.end()) {
        argv.push_back("--password");
        argv.push_back(bind_password);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    sim_process s;
    s.proc = std::make_unique<child_process>(argv);
    auto line = s.proc->wait_for("listening on", patience);
    if (!line) throw std::runtime_error("simulator did not start: " + s.proc->output());
    s.port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    return s;
}

std::string write_script(const temp_dir& dir, const std::string& name, const std::string& body) {
    auto path = dir.file(name);
    std::ofstream(path) << body;
    return path;
}

std::unique_ptr<child_process> start_daemon(std::uint16_t port,
                                            const std::vector<std::string>& args,
                                            std::map<std::string, std::string> env) {
    std::vector<std::string> argv{binary_path("ussdgw"), "--smsc",
                                  "127.0.0.1:" + std::to_string(port)};
    auto given = [&](const char* flag) {
        for (auto& a : args)
            if (a == flag) return true;
        return false;
    };
    if (!given("--log-level")) {
        argv.push_back("--log-level");
        argv.push_back("debug");
    }
    if (!given("--password") && !given("--password-file")) {
        argv.push_back("--password");
        argv.push_back(bind_password);
    }
    // Tests run from the build directory: never fall back to a relative "menus".
    if (!given("--menus")) {
        argv.push_back("--menus");
        argv.push_back(shipped_menus());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    // A preloaded shim comes before an ASan daemon's runtime, which ASan
    // refuses unless told otherwise (a plain build ignores ASAN_OPTIONS).
    if (env.contains("LD_PRELOAD") && !env.contains("ASAN_OPTIONS")) {
        const char* given = std::getenv("ASAN_OPTIONS");
        env["ASAN_OPTIONS"] =
            (given && *given ? std::string(given) + ":" : "") + "verify_asan_link_order=0";
    }
    return std::make_unique<child_process>(argv, std::move(env));
}

std::string demo_store(const temp_dir& dir) {
    auto db = dir.file("demo.db");
    for (const char* cmd : {"init", "demo"}) {
        child_process admin({binary_path("ussdgw-admin"), cmd, "--db", db});
        auto rc = admin.wait_exit(patience);
        if (rc != 0)
            throw std::runtime_error(std::string("ussdgw-admin ") + cmd +
                                     " failed: " + admin.output());
    }
    return db;
}

run_result admin(const std::vector<std::string>& args, const std::string& stdin_text) {
    std::vector<std::string> argv{binary_path("ussdgw-admin")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    if (!stdin_text.empty()) p.write(stdin_text);
    p.close_stdin();
    while (p.read_line(std::chrono::seconds(20))) {
    }
    auto code = p.wait_exit(std::chrono::seconds(30));
    if (!code) throw std::runtime_error("ussdgw-admin did not exit: " + p.output());
    return {*code, p.output()};
}

std::string shipped_menus() {
    return std::string(USSDGW_SOURCE_DIR) + "/menus";
}

}  // namespace ussdgw::test
