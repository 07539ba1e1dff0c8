#pragma once
// The simulator's stdout: one event per line, flushed at once, because tests
// and operators read it through a pipe while the simulator keeps running.

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace ussdgw::sim {

/// Writes `line` and a newline to stdout and flushes; redraws the prompt if one is shown.
void print_line(std::string_view line);

/// Formats and prints one line (see print_line).
template <typename... Args>
void print(fmt::format_string<Args...> format, Args&&... args) {
    print_line(fmt::format(format, std::forward<Args>(args)...));
}

/// Shows `prompt` now (unless it is already on screen) and again after every
/// printed line (interactive TTY only); empty turns it off.
void set_prompt(std::string prompt);

/// Notes that the user ended the prompt's line (pressed Enter), so the next
/// set_prompt() must draw it again.
void prompt_used();

/// Makes a message text printable on one line: backslash, newline, CR and other
/// control characters become \\, \n, \r and \xNN, so one event stays one line.
std::string escape_text(std::string_view text);

/// Reverses escape_text, so script lines can name texts that span lines.
std::string unescape_text(std::string_view text);

}  // namespace ussdgw::sim
