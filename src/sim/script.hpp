#pragma once
// Script mode: a scenario file run line by line against the ESME, with
// expectations on what reaches the handsets. Exit 0 when every line passed.

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio.hpp>

#include "smsc.hpp"

namespace ussdgw::sim {

/// One meaningful script line.
struct script_line {
    /// What the line does.
    enum class verb {
        wait_bind,    ///< wait-bind
        ussd,         ///< MSISDN ussd TEXT
        answer,       ///< MSISDN answer TEXT
        release,      ///< MSISDN release
        resend,       ///< MSISDN resend
        sms,          ///< MSISDN sms TO TEXT
        expect_ussd,  ///< expect ussd MSISDN continue|end [TEXT]
        expect_sms,   ///< expect sms MSISDN FROM [TEXT]
        expect_none,  ///< expect-none SECONDS
        disconnect,   ///< disconnect
        timeout,      ///< timeout SECONDS
    };
    verb what = verb::wait_bind;  ///< The command.
    int number = 0;               ///< 1-based line number in the file.
    std::string msisdn;           ///< The handset (MO lines, expects).
    std::string peer;             ///< sms: TO; expect sms: FROM.
    bool ends = false;            ///< expect ussd: "end" rather than "continue".
    std::string text;             ///< Unescaped TEXT.
    double seconds = 0;           ///< expect-none, timeout.
};

/// A parse error: the line number and why.
struct script_syntax_error {
    int line;         ///< 1-based.
    std::string why;  ///< What is wrong.
};

/// Parses a script's text; blank lines and '#' comments are skipped.
std::variant<std::vector<script_line>, script_syntax_error> parse_script(const std::string& text);

/// Runs a parsed script against the SMSC.
class script_runner : public smsc_observer {
  public:
    /// `file` names the script in failure messages.
    script_runner(boost::asio::io_context& io, smsc& sim, const options& opts, std::string file,
                  std::vector<script_line> lines);

    /// Starts running; `finish(code)` is called once: 0 passed, 1 failed.
    void start(std::function<void(int)> finish);

    /// Wakes a wait-bind.
    void on_bound() override;
    /// Queues the MT for the expects and wakes the runner.
    void on_mt(const mt_message& m) override;

  private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> step(const script_line& line);
    boost::asio::awaitable<void> send(const script_line& line);
    boost::asio::awaitable<void> expect(const script_line& line);
    boost::asio::awaitable<void> expect_none(const script_line& line);
    boost::asio::awaitable<void> wait_bind();
    /// Sleeps until an event (bind, MT, MO answer) or `deadline`.
    boost::asio::awaitable<void> wait(std::chrono::steady_clock::time_point deadline);
    void wake();
    std::chrono::steady_clock::time_point deadline(double seconds) const;
    std::string unconsumed() const;

    boost::asio::io_context& io_;
    smsc& sim_;
    std::string file_;
    std::vector<script_line> lines_;
    double timeout_;
    std::function<void(int)> finish_;
    boost::asio::steady_timer wake_timer_;
    std::map<std::string, std::deque<mt_message>> ussd_;  // MT USSD per handset, unconsumed
    std::map<std::string, std::deque<mt_message>> sms_;   // MT SMS per handset, unconsumed
    std::uint64_t mt_count_ = 0;                          // every MT ever, for expect-none
    std::optional<mt_message> last_mt_;                   // the newest, for expect-none's message
};

}  // namespace ussdgw::sim
