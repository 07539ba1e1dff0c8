#pragma once
// The menu tree: every node, direct code and UI string of the operator's
// files, validated and with static screens already paged. Immutable once
// loaded; shared as std::shared_ptr<const tree> so a dialog keeps the tree it
// started on while a reload swaps in a new one.

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ussdgw/menu/template.hpp"
#include "ussdgw/ussd/text.hpp"

namespace ussdgw::menu {

/// Index of a node in tree::nodes.
using node_id = std::uint32_t;
/// No node (an optional reference that is absent).
inline constexpr node_id no_node = std::numeric_limits<node_id>::max();

/// One text per language, indexed like tree::languages.
using localized = std::vector<text_template>;

/// Pre-paged screens of one static text: [language][0 cyrillic | 1 latin] -> pages.
using screen_pages = std::vector<std::array<std::vector<std::string>, 2>>;

/// What a node is.
enum class node_kind {
    menu,     ///< numbered options
    input,    ///< a prompt whose answer is validated and stored in a variable
    confirm,  ///< a yes/no question
    action,   ///< runs a named action, then shows its ok or refused text (final)
    text,     ///< a final screen
};

/// "menu", "input", "confirm", "action" or "text".
const char* to_string(node_kind k);

/// One numbered item of a menu.
struct option {
    std::string key;                                       ///< what the subscriber types ("1")
    localized label;                                       ///< what the screen shows after the key
    node_id next = no_node;                                ///< where choosing it goes
    std::vector<std::pair<std::string, std::string>> set;  ///< variables it sets
    /// Shown only when this dialog variable is set and not "0" (e.g. "linked",
    /// from the subscriber's profile); empty: always shown.
    std::string when;
    /// True when the option is on the screen for these values.
    bool shown(const std::map<std::string, std::string>& values) const;
};

/// How an input node checks an answer.
struct input_check {
    bool digits = false;                ///< only 0-9
    std::size_t min_length = 0;         ///< shortest accepted answer
    std::size_t max_length = 182;       ///< longest accepted answer
    std::optional<std::regex> pattern;  ///< must match in full (ECMAScript)
    std::optional<long long> min;       ///< integer range, inclusive
    std::optional<long long> max;       ///< integer range, inclusive

    /// True when `answer` passes every check.
    bool accepts(std::string_view answer) const;
};

/// An argument of an action node: name and value template ("{amount}", "on").
struct arg_binding {
    std::string name;     ///< the action's parameter
    text_template value;  ///< filled from the dialog's variables
};

/// One node of the tree. Which fields matter depends on `kind`.
struct node {
    std::string id;                    ///< unique name in the files
    node_kind kind = node_kind::text;  ///< what it is
    std::string file;                  ///< where it is declared
    int line = 0;                      ///< 1-based line of its id

    localized text;               ///< menu title, input or confirm prompt, or the text
    std::vector<option> options;  ///< menu: its items

    std::string var;         ///< input: variable the answer is stored in
    input_check check;       ///< input: validation
    localized error;         ///< input: one-line hint on a bad answer (may be empty)
    bool secret = false;     ///< input: answer is redacted in logs
    node_id next = no_node;  ///< input: where a valid answer goes; action: where success goes

    node_id yes = no_node;  ///< confirm: on yes
    node_id no = no_node;   ///< confirm: on no (no_node: the "cancelled" screen)

    std::string action;             ///< action: registry name
    std::vector<arg_binding> args;  ///< action: arguments
    localized ok;                   ///< action: text on success (empty when `next` is set)
    localized refused;              ///< action: text on refusal (empty: strings "refused")

    /// Static screens paged at load (menus always; inputs, confirms and texts
    /// without placeholders); empty when the screen depends on variables.
    screen_pages pages;
};

/// One segment of a declared code: literal digits or a named capture.
struct code_segment {
    bool capture = false;  ///< true: binds whatever was dialled here to `value`
    std::string value;     ///< the digits, or the variable name
};

/// A declared direct code: "*111*25#", "**04*{old}*{new}*{new2}#".
struct code_route {
    std::string source;                                    ///< as written in the file
    std::string file;                                      ///< where declared
    int line = 0;                                          ///< 1-based
    std::string prefix;                                    ///< "*111", "**04"
    std::vector<code_segment> segments;                    ///< after the prefix
    node_id target = no_node;                              ///< where it goes
    std::vector<std::pair<std::string, std::string>> set;  ///< variables it sets
    std::size_t literals = 0;  ///< literal segments (more wins on overlap)
    /// The file says this code may lead elsewhere than walking the menu by
    /// the same digits would (`override: true`); else the loader refuses that.
    bool override_walk = false;
};

/// Keys with a fixed meaning on every screen.
struct navigation {
    std::string back = "0";   ///< previous page, else previous screen
    std::string main = "00";  ///< the root menu
    std::string next = "99";  ///< next page
    std::string yes = "1";    ///< confirm: yes
    std::string no = "2";     ///< confirm: no
};

/// UI strings every tree has, one text per language.
enum class ui : std::size_t {
    more,            ///< the paging item's label ("More")
    back,            ///< the back item's label on sub-menus ("Back")
    yes,             ///< confirm item ("Yes")
    no,              ///< confirm item ("No")
    invalid_choice,  ///< hint on a choice that is not on the screen
    invalid_input,   ///< hint on an answer an input node refused
    unknown_code,    ///< final screen for a code nobody declared; {code}
    bad_request,     ///< final screen for a string that is not a code; {code}
    busy,            ///< final screen when the dialog table is full
    cancelled,       ///< final screen after "no" on a confirm without a `no`
    refused,         ///< default refusal screen; {reason}
    failed,          ///< screen when a refusal has no reason to show
    expired,         ///< final screen for an answer to a dialog that already ended
    repeated,        ///< line above a replayed outcome: "already carried out"
    home,            ///< label of the main-menu key under results ("Main menu"); optional
    count_,
};

/// The key of `s` in the `strings` section ("invalid_choice").
const char* to_string(ui s);

/// Where the digits of a direct code lead when walked through the menus.
struct code_walk {
    node_id at = no_node;                    ///< the node choosing those items reaches
    std::map<std::string, std::string> set;  ///< the variables the items set on the way
    std::string path;                        ///< the items chosen, "6, 1"
};

struct tree;

/// The walk a direct code spells ("*111*6*1#": the main menu, 6, then 1),
/// when its prefix is the main code's and every segment is an item on the
/// way; nullopt when it spells no walk (captures, other prefixes, no item).
std::optional<code_walk> walk_of(const tree& t, const code_route& c);

/// The loaded, validated menu tree.
struct tree {
    std::vector<std::string> languages;  ///< "en", "ru"; the first is the default
    std::vector<node> nodes;             ///< every node
    node_id root = no_node;              ///< the main menu ("00" goes here)
    std::vector<code_route> codes;       ///< declared direct codes
    /// prefix -> indexes into `codes`, so a step looks at a handful of routes.
    std::unordered_map<std::string, std::vector<std::size_t>> codes_by_prefix;
    navigation nav;                                                       ///< navigation keys
    std::array<localized, static_cast<std::size_t>(ui::count_)> strings;  ///< UI strings
    /// UI strings pre-rendered: [string][language][0 cyrillic | 1 latin].
    std::array<std::vector<std::array<std::string, 2>>, static_cast<std::size_t>(ui::count_)>
        rendered;
    ussd::screen_budget budget;         ///< one screen's size
    std::set<std::string> secret_vars;  ///< variables redacted in logs (PINs, passwords)

    /// Index of `language` in `languages`; 0 (the default) when unknown.
    std::size_t language_index(std::string_view language) const;
    /// The node with that id, or nullptr.
    const node* find(std::string_view id) const;
    /// A static UI string, rendered for a language and alphabet.
    const std::string& say(ui s, std::size_t language, bool latin) const;
    /// The paging item: nav.next + " " + the "more" label.
    std::string more_item(std::size_t language, bool latin) const;
};

}  // namespace ussdgw::menu
