#include "phone.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "console.hpp"

namespace ussdgw::sim {

namespace {

constexpr const char* help_text[] = {
    "type a USSD string (*111#) to dial it; while a dialog is open, a line answers it",
    "/as MSISDN      switch to another handset",
    "/sms TO TEXT    send an SMS from this handset",
    "/release        hang up the open USSD dialog",
    "/resend         send this handset's last MO again (same body, new sequence_number)",
    "/help           this text",
    "/quit           unbind and exit (end of input does the same)",
};

bool is_msisdn(const std::string& s) {
    return !s.empty() && s.size() <= 20 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

phone::phone(boost::asio::io_context& io, smsc& sim, const options& opts,
             std::function<void(int)> finish)
    : sim_(sim),
      msisdn_(opts.msisdn),
      finish_(std::move(finish)),
      tty_(::isatty(STDIN_FILENO) == 1),
      input_(io, [this](std::optional<std::string> line) { on_line(std::move(line)); }) {}

void phone::start() {
    refresh_prompt();
    input_.start();
}

void phone::refresh_prompt() {
    // Only a person at a terminal needs a prompt; a pipe would get noise.
    if (tty_) set_prompt(fmt::format("{}> ", msisdn_));
}

void phone::on_mt(const mt_message& m) {
    if (!tty_ || m.to != msisdn_ || m.text.find('\n') == std::string::npos) return;
    // The event line is escaped; a person wants to see the screen as a handset shows it.
    std::string_view rest = m.text;
    for (auto nl = rest.find('\n');; nl = rest.find('\n')) {
        print("  | {}", rest.substr(0, nl));
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
}

mo_done phone::report(std::string what) {
    return [what = std::move(what)](std::optional<std::uint32_t> st) {
        // A refusal is printed by the SMSC itself ("MO refused ...").
        if (!st) print("error: {}: the ESME connection closed before the deliver_sm_resp", what);
    };
}

void phone::on_line(std::optional<std::string> line) {
    if (quitting_) return;
    prompt_used();
    if (!line) {
        quitting_ = true;
        set_prompt("");
        finish_(0);
        return;
    }
    std::string text = *line;
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
    if (text.empty()) {
        refresh_prompt();
        return;
    }
    if (text.front() == '/') {
        command(text);
        return;
    }
    const bool answer = sim_.phones().dialog_open(msisdn_);
    if (auto err = sim_.send_ussd(msisdn_, answer ? ussd_action::answer : ussd_action::start, text,
                                  report("USSD"))) {
        print("error: {}", *err);
    }
    refresh_prompt();
}

void phone::command(const std::string& line) {
    auto space = line.find(' ');
    const std::string name = line.substr(0, space);
    std::string args = space == std::string::npos ? "" : line.substr(space + 1);
    while (!args.empty() && args.front() == ' ') args.erase(0, 1);

    if (name == "/quit") {
        quitting_ = true;
        set_prompt("");
        finish_(0);
        return;
    }
    if (name == "/help") {
        for (const char* h : help_text) print("{}", h);
    } else if (name == "/as") {
        if (is_msisdn(args)) {
            msisdn_ = args;
            print("handset {}", msisdn_);
        } else {
            print("error: usage: /as MSISDN (digits)");
        }
    } else if (name == "/sms") {
        auto sp = args.find(' ');
        if (sp == std::string::npos || sp == 0) {
            print("error: usage: /sms TO TEXT");
        } else if (auto err = sim_.send_sms(msisdn_, args.substr(0, sp), args.substr(sp + 1),
                                            report("SMS"))) {
            print("error: {}", *err);
        }
    } else if (name == "/release") {
        if (auto err = sim_.send_ussd(msisdn_, ussd_action::release, "", report("release"))) {
            print("error: {}", *err);
        }
    } else if (name == "/resend") {
        if (auto err = sim_.resend(msisdn_, report("resend"))) print("error: {}", *err);
    } else {
        print("error: unknown command {} (try /help)", name);
    }
    refresh_prompt();
}

}  // namespace ussdgw::sim
