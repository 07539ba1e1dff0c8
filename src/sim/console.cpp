#include "console.hpp"

#include <cstdio>

namespace ussdgw::sim {
namespace {

// Only touched from the io_context thread, like everything that prints.
std::string current_prompt;
bool prompt_visible = false;

}  // namespace

void print_line(std::string_view line) {
    if (!current_prompt.empty()) {
        // Wipe the half-typed prompt line so the event does not land inside it.
        std::fputs("\r\033[K", stdout);
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    if (!current_prompt.empty()) {
        std::fputs(current_prompt.c_str(), stdout);
        prompt_visible = true;
    }
    std::fflush(stdout);
}

void set_prompt(std::string prompt) {
    if (prompt == current_prompt && prompt_visible) return;
    if (prompt_visible) std::fputs("\r\033[K", stdout);
    current_prompt = std::move(prompt);
    prompt_visible = !current_prompt.empty();
    std::fputs(current_prompt.c_str(), stdout);
    std::fflush(stdout);
}

void prompt_used() {
    prompt_visible = false;
}

std::string escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (u < 0x20 || u == 0x7F) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string unescape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out.push_back(text[i]);
            continue;
        }
        char n = text[++i];
        if (n == 'n') {
            out.push_back('\n');
        } else if (n == 'r') {
            out.push_back('\r');
        } else if (n == '\\') {
            out.push_back('\\');
        } else if (n == 'x' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
                   hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
        } else {
            // Unknown escapes stay as typed: a lone backslash is rarely meant as one.
            out.push_back('\\');
            out.push_back(n);
        }
    }
    return out;
}

}  // namespace ussdgw::sim
