#include "load.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "console.hpp"

namespace ussdgw::sim {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

// Load handsets are 79990000000, 79990000001, ...: apart from the prompt's.
constexpr std::uint64_t first_load_msisdn = 79990000000ULL;
// Failures are counted; only the first few are described.
constexpr std::uint64_t failures_described = 10;

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

load_runner::load_runner(asio::io_context& io, smsc& sim, const options& opts)
    : io_(io), sim_(sim), opts_(opts), bind_timer_(io) {}

void load_runner::start(std::function<void(int)> finish) {
    finish_ = std::move(finish);
    asio::co_spawn(io_, run(), asio::detached);
}

void load_runner::on_bound() {
    bind_timer_.cancel();
    for (auto* t : std::exchange(waiting_for_bind_, {})) t->cancel();
}

void load_runner::on_mt(const mt_message& m) {
    if (!m.ussd) return;
    auto it = trips_.find(m.to);
    if (it == trips_.end()) return;  // late reply to a round trip that timed out
    it->second->replied = true;
    it->second->ends = m.ends;
    it->second->timer->cancel();
}

void load_runner::fail(const std::string& msisdn, const std::string& why) {
    if (++failed_ <= failures_described) print("load: round trip {} failed: {}", msisdn, why);
}

asio::awaitable<void> load_runner::run() {
    const auto until = clock::now() + seconds(opts_.timeout);
    while (!sim_.bound()) {
        if (clock::now() >= until) {
            print("load: no ESME bound within {} s", opts_.timeout);
            finish_(1);
            co_return;
        }
        boost::system::error_code ec;
        bind_timer_.expires_at(until);
        co_await bind_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    started_ = last_done_ = clock::now();
    latencies_us_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(opts_.load, 1u << 24)));
    workers_ = std::min(opts_.concurrency, opts_.load);
    for (std::uint64_t i = 0; i < workers_; ++i) asio::co_spawn(io_, worker(), asio::detached);
}

asio::awaitable<void> load_runner::worker() {
    asio::steady_timer timer(io_);
    while (next_ < opts_.load) co_await one(next_++, timer);
    if (--workers_ == 0) report();
}

asio::awaitable<void> load_runner::one(std::uint64_t index, asio::steady_timer& timer) {
    const auto msisdn = std::to_string(first_load_msisdn + index);
    trip t;
    t.timer = &timer;
    auto start = clock::now();
    const auto until = start + seconds(opts_.timeout);
    // After a lost link the ESME rebinds; round trips wait for it rather than
    // all failing at once.
    while (!sim_.bound() && clock::now() < until) {
        waiting_for_bind_.push_back(&timer);
        boost::system::error_code ec;
        timer.expires_at(until);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        std::erase(waiting_for_bind_, &timer);
    }
    // The resp callback may outlive this round trip (timeout), so it only
    // touches the trip through the table.
    auto err = sim_.send_ussd(msisdn, ussd_action::start, opts_.load_text,
                              [this, msisdn](std::optional<std::uint32_t> st) {
                                  auto it = trips_.find(msisdn);
                                  if (it == trips_.end()) return;
                                  if (!st) {
                                      it->second->link_lost = true;
                                  } else if (*st != 0) {
                                      it->second->refused = *st;
                                  } else {
                                      return;
                                  }
                                  it->second->timer->cancel();
                              });
    if (err) {
        fail(msisdn, *err);
        co_return;
    }
    trips_[msisdn] = &t;
    while (!t.replied && !t.refused && !t.link_lost && clock::now() < until) {
        boost::system::error_code ec;
        timer.expires_at(until);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    trips_.erase(msisdn);
    if (t.replied) {
        auto now = clock::now();
        last_done_ = now;
        latencies_us_.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - start).count()));
        // Hang up a dialog the gateway left open, so its table does not fill.
        if (!t.ends) sim_.send_ussd(msisdn, ussd_action::release, "", nullptr);
    } else if (t.refused) {
        fail(msisdn, fmt::format("deliver_sm refused with status 0x{:08x}", *t.refused));
    } else if (t.link_lost) {
        fail(msisdn, "the ESME connection closed");
    } else {
        fail(msisdn, fmt::format("no MT ussd within {} s", opts_.timeout));
    }
}

void load_runner::report() {
    auto& v = latencies_us_;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) -> std::uint32_t {
        if (v.empty()) return 0;
        auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
        return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
    };
    const double secs = std::chrono::duration<double>(last_done_ - started_).count();
    const double rate = secs > 0 ? static_cast<double>(v.size()) / secs : 0.0;
    if (failed_ != 0) print("load: {} of {} round trips failed", failed_, opts_.load);
    print("load: {} round trips in {:.3f} s = {:.0f}/s (p50 {} us, p99 {} us)", v.size(), secs,
          rate, pct(0.50), pct(0.99));
    finish_(failed_ == 0 ? 0 : 1);
}

}  // namespace ussdgw::sim
