#pragma once
// Internal to the menu library: how a node becomes screen text, shared by the
// loader (which pages static screens once) and the engine (dynamic ones).

#include <string>
#include <vector>

#include "ussdgw/menu/tree.hpp"

namespace ussdgw::menu::detail {

/// Title, "key label" lines and, below the root and when `with_back`, the back
/// item. With `values`, options whose `when` is unset there are left out;
/// without, every option is shown (the longest the screen can be).
std::string menu_text(const tree& t, const node& n, std::size_t lang, bool with_back,
                      const vars* values = nullptr);
/// The prompt followed by the yes and no items.
std::string confirm_text(const tree& t, std::string prompt, std::size_t lang);
/// `text` transliterated when `latin`, then paged with the language's more item.
ussd::paged page_text(const tree& t, const std::string& text, std::size_t lang, bool latin,
                      ussd::break_at mode);

}  // namespace ussdgw::menu::detail
