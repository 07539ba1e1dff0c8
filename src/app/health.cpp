#include "ussdgw/app/health.hpp"

namespace ussdgw::app {

namespace asio = boost::asio;

void check_health(asio::any_io_executor executor, const daemon& gateway,
                  actions::store_runner& runner, std::chrono::milliseconds deadline,
                  std::function<void(bool, std::string)> done) {
    if (!gateway.any_bound()) {
        asio::post(executor, [done = std::move(done)] { done(false, "no SMSC bind is up"); });
        return;
    }
    // Whichever comes first answers: the store's commit, or the deadline.
    struct race {
        bool answered = false;
        std::function<void(bool, std::string)> done;
        asio::steady_timer timer;
    };
    auto r = std::make_shared<race>(race{false, std::move(done), asio::steady_timer(executor)});
    auto answer = [r](bool ok, std::string why) {
        if (r->answered) return;
        r->answered = true;
        r->timer.cancel();
        r->done(ok, std::move(why));
    };
    r->timer.expires_after(deadline);
    r->timer.async_wait([answer, deadline](boost::system::error_code ec) {
        if (!ec)
            answer(false, "the store did not take a write within " +
                              std::to_string(deadline.count()) + " ms");
    });
    // An empty job still takes the write lock and commits: the store answers a write.
    // A refusal says why (disk full, read-only, locked, ...): read on the
    // writer thread, right after the failure it describes.
    const auto& faults = runner.faults();
    runner.run_job([](store::accounts&) {},
                   [executor, answer, &faults](bool committed) {
                       std::string why = "ok";
                       if (!committed) {
                           why = "the store refused a write";
                           if (auto cause = faults.why_writes_fail(); !cause.empty())
                               why += ": " + cause;
                       }
                       asio::post(executor, [answer, committed, why = std::move(why)] {
                           answer(committed, why);
                       });
                   });
}

}  // namespace ussdgw::app
