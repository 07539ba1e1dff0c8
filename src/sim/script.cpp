#include "script.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

// Thrown inside the runner; caught once, where the line number is known.
struct script_failure {
    std::string why;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Cuts the next whitespace-separated word off `rest`.
std::string_view word(std::string_view& rest) {
    rest = trim(rest);
    auto end = std::find_if(rest.begin(), rest.end(), is_space);
    auto w = rest.substr(0, static_cast<std::size_t>(end - rest.begin()));
    rest.remove_prefix(w.size());
    rest = trim(rest);
    return w;
}

bool is_msisdn(std::string_view s) {
    return !s.empty() && s.size() <= 20 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<double> seconds_of(std::string_view s) {
    std::string text(s);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(v >= 0) || v > 86400) {
        return std::nullopt;
    }
    return v;
}

std::string describe(const mt_message& m) {
    if (m.ussd) {
        return fmt::format("MT ussd to={} {}: \"{}\"", m.to, m.ends ? "end" : "continue",
                           escape_text(m.text));
    }
    return fmt::format("MT sms from={} to={}: \"{}\"", m.from, m.to, escape_text(m.text));
}

// Parses one non-blank, non-comment line.
std::variant<script_line, std::string> parse_line(std::string_view rest) {
    script_line l;
    auto first = word(rest);
    if (first == "wait-bind" || first == "disconnect") {
        if (!rest.empty()) return fmt::format("{} takes no arguments", first);
        l.what =
            first == "wait-bind" ? script_line::verb::wait_bind : script_line::verb::disconnect;
        return l;
    }
    if (first == "timeout" || first == "expect-none") {
        auto s = seconds_of(word(rest));
        if (!s || !rest.empty() || (first == "timeout" && *s <= 0)) {
            return fmt::format("usage: {} SECONDS", first);
        }
        l.what = first == "timeout" ? script_line::verb::timeout : script_line::verb::expect_none;
        l.seconds = *s;
        return l;
    }
    if (first == "expect") {
        auto kind = word(rest);
        l.msisdn = std::string(word(rest));
        if (kind == "ussd") {
            auto state = word(rest);
            if (!is_msisdn(l.msisdn) || (state != "continue" && state != "end")) {
                return std::string("usage: expect ussd MSISDN continue|end [TEXT]");
            }
            l.what = script_line::verb::expect_ussd;
            l.ends = state == "end";
        } else if (kind == "sms") {
            l.peer = std::string(word(rest));
            if (!is_msisdn(l.msisdn) || l.peer.empty()) {
                return std::string("usage: expect sms MSISDN FROM [TEXT]");
            }
            l.what = script_line::verb::expect_sms;
        } else {
            return std::string("usage: expect ussd|sms ...");
        }
        l.text = unescape_text(rest);
        return l;
    }
    if (!is_msisdn(first)) return fmt::format("unknown command '{}'", first);
    l.msisdn = std::string(first);
    auto verb = word(rest);
    if (verb == "ussd" || verb == "answer") {
        if (rest.empty()) return fmt::format("usage: MSISDN {} TEXT", verb);
        l.what = verb == "ussd" ? script_line::verb::ussd : script_line::verb::answer;
    } else if (verb == "release" || verb == "resend") {
        if (!rest.empty()) return fmt::format("usage: MSISDN {}", verb);
        l.what = verb == "release" ? script_line::verb::release : script_line::verb::resend;
    } else if (verb == "sms") {
        l.peer = std::string(word(rest));
        if (l.peer.empty() || rest.empty()) return std::string("usage: MSISDN sms TO TEXT");
        l.what = script_line::verb::sms;
    } else {
        return fmt::format("unknown handset action '{}' (ussd, answer, release, resend, sms)",
                           verb);
    }
    l.text = unescape_text(rest);
    return l;
}

}  // namespace

std::variant<std::vector<script_line>, script_syntax_error> parse_script(const std::string& text) {
    std::vector<script_line> lines;
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        auto raw = trim(std::string_view(text).substr(pos, nl - pos));
        pos = nl + 1;
        ++number;
        if (raw.empty() || raw.front() == '#') continue;
        auto parsed = parse_line(raw);
        if (auto* why = std::get_if<std::string>(&parsed)) return script_syntax_error{number, *why};
        auto& l = std::get<script_line>(parsed);
        l.number = number;
        lines.push_back(std::move(l));
    }
    return lines;
}

script_runner::script_runner(asio::io_context& io, smsc& sim, const options& opts, std::string file,
                             std::vector<script_line> lines)
    : io_(io),
      sim_(sim),
      file_(std::move(file)),
      lines_(std::move(lines)),
      timeout_(opts.timeout),
      wake_timer_(io) {}

void script_runner::start(std::function<void(int)> finish) {
    finish_ = std::move(finish);
    asio::co_spawn(io_, run(), asio::detached);
}

void script_runner::on_bound() {
    wake();
}

void script_runner::on_mt(const mt_message& m) {
    (m.ussd ? ussd_ : sms_)[m.to].push_back(m);
    ++mt_count_;
    last_mt_ = m;
    wake();
}

void script_runner::wake() {
    wake_timer_.cancel();
}

clock::time_point script_runner::deadline(double seconds) const {
    return clock::now() +
           std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
}

asio::awaitable<void> script_runner::wait(clock::time_point deadline) {
    // A timer used as an event: wake() cancels it. Single-threaded, so nothing
    // can happen between a caller's check and this wait.
    boost::system::error_code ec;
    wake_timer_.expires_at(deadline);
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> script_runner::run() {
    int current = 0;
    try {
        for (const auto& line : lines_) {
            current = line.number;
            co_await step(line);
        }
    } catch (const script_failure& f) {
        print("script failed at {}:{}: {}", file_, current, f.why);
        finish_(1);
        co_return;
    } catch (const std::exception& e) {
        print("script failed at {}:{}: {}", file_, current, e.what());
        finish_(1);
        co_return;
    }
    print("script passed: {}", file_);
    finish_(0);
}

asio::awaitable<void> script_runner::step(const script_line& line) {
    using verb = script_line::verb;
    switch (line.what) {
        case verb::wait_bind:
            co_await wait_bind();
            break;
        case verb::ussd:
        case verb::answer:
        case verb::release:
        case verb::resend:
        case verb::sms:
            co_await send(line);
            break;
        case verb::expect_ussd:
        case verb::expect_sms:
            co_await expect(line);
            break;
        case verb::expect_none:
            co_await expect_none(line);
            break;
        case verb::disconnect:
            if (!sim_.disconnect_current()) throw script_failure{"no ESME is bound"};
            break;
        case verb::timeout:
            timeout_ = line.seconds;
            break;
    }
}

asio::awaitable<void> script_runner::wait_bind() {
    const auto until = deadline(timeout_);
    while (!sim_.bound()) {
        if (clock::now() >= until) {
            throw script_failure{fmt::format("no ESME bound within {} s", timeout_)};
        }
        co_await wait(until);
    }
}

asio::awaitable<void> script_runner::send(const script_line& line) {
    // The answer lands in shared state: it may come after a failed wait.
    auto answer = std::make_shared<std::optional<std::optional<std::uint32_t>>>();
    auto done = [this, answer](std::optional<std::uint32_t> st) {
        *answer = st;
        wake();
    };
    std::optional<std::string> err;
    using verb = script_line::verb;
    switch (line.what) {
        case verb::ussd:
            err = sim_.send_ussd(line.msisdn, ussd_action::start, line.text, done);
            break;
        case verb::answer:
            err = sim_.send_ussd(line.msisdn, ussd_action::answer, line.text, done);
            break;
        case verb::release:
            err = sim_.send_ussd(line.msisdn, ussd_action::release, "", done);
            break;
        case verb::resend:
            err = sim_.resend(line.msisdn, done);
            break;
        default:
            err = sim_.send_sms(line.msisdn, line.peer, line.text, done);
            break;
    }
    if (err) throw script_failure{*err};
    const auto until = deadline(timeout_);
    while (!answer->has_value()) {
        if (clock::now() >= until) {
            throw script_failure{fmt::format("no deliver_sm_resp within {} s", timeout_)};
        }
        co_await wait(until);
    }
    const auto& st = **answer;
    if (!st) throw script_failure{"the ESME connection closed before the deliver_sm_resp"};
    if (*st != 0) {
        throw script_failure{fmt::format("deliver_sm refused with status 0x{:08x}", *st)};
    }
}

std::string script_runner::unconsumed() const {
    std::vector<std::string> items;
    for (const auto* queues : {&ussd_, &sms_}) {
        for (const auto& [to, q] : *queues) {
            for (const auto& m : q) items.push_back(describe(m));
        }
    }
    if (items.empty()) return "nothing else arrived";
    std::string out = fmt::format("unconsumed: {}", items.front());
    for (std::size_t i = 1; i < items.size() && i < 3; ++i) out += "; " + items[i];
    if (items.size() > 3) out += fmt::format("; and {} more", items.size() - 3);
    return out;
}

asio::awaitable<void> script_runner::expect(const script_line& line) {
    const bool want_ussd = line.what == script_line::verb::expect_ussd;
    auto& queue = (want_ussd ? ussd_ : sms_)[line.msisdn];
    const auto until = deadline(timeout_);
    while (queue.empty()) {
        if (clock::now() >= until) {
            throw script_failure{fmt::format("no MT {} to {} within {} s ({})",
                                             want_ussd ? "ussd" : "sms", line.msisdn, timeout_,
                                             unconsumed())};
        }
        co_await wait(until);
    }
    auto m = std::move(queue.front());
    queue.pop_front();
    const bool text_ok = m.text.find(line.text) != std::string::npos;
    if (want_ussd) {
        if (m.ends != line.ends || !text_ok) {
            throw script_failure{fmt::format("expected MT ussd to={} {} containing \"{}\", got {}",
                                             line.msisdn, line.ends ? "end" : "continue",
                                             escape_text(line.text), describe(m))};
        }
    } else if (m.from != line.peer || !text_ok) {
        throw script_failure{fmt::format("expected MT sms from={} to={} containing \"{}\", got {}",
                                         line.peer, line.msisdn, escape_text(line.text),
                                         describe(m))};
    }
}

asio::awaitable<void> script_runner::expect_none(const script_line& line) {
    // An MT still unconsumed counts as arrived: whether it came just before
    // this line or during it is a race the script should not depend on.
    for (const auto* queues : {&ussd_, &sms_}) {
        for (const auto& [to, q] : *queues) {
            if (!q.empty()) {
                throw script_failure{
                    fmt::format("expected no MT, but {} is unconsumed", describe(q.front()))};
            }
        }
    }
    const auto before = mt_count_;
    const auto until = deadline(line.seconds);
    for (;;) {
        if (mt_count_ != before) {
            throw script_failure{
                fmt::format("expected no MT for {} s, got {}", line.seconds, describe(*last_mt_))};
        }
        if (clock::now() >= until) co_return;
        co_await wait(until);
    }
}

}  // namespace ussdgw::sim
