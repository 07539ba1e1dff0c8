#pragma once
// Interactive mode: a phone prompt on stdin. A line is a USSD string (an
// answer when the handset's dialog is open) unless it is a /command.

#include <functional>
#include <optional>
#include <string>

#include "smsc.hpp"
#include "stdin_lines.hpp"

namespace ussdgw::sim {

/// The phone prompt.
class phone : public smsc_observer {
  public:
    /// Starts as handset `opts.msisdn`; `finish(0)` on /quit or end of input.
    phone(boost::asio::io_context& io, smsc& sim, const options& opts,
          std::function<void(int)> finish);

    /// Starts reading stdin.
    void start();

    /// On a terminal, shows a multi-line screen to the current handset as a handset would.
    void on_mt(const mt_message& m) override;

  private:
    void on_line(std::optional<std::string> line);
    void command(const std::string& line);
    void refresh_prompt();
    mo_done report(std::string what);

    smsc& sim_;
    std::string msisdn_;
    std::function<void(int)> finish_;
    bool tty_;
    bool quitting_ = false;  // lines typed after /quit are ignored
    stdin_lines input_;
};

}  // namespace ussdgw::sim
