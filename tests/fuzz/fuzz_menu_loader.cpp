// libFuzzer target for the operator's YAML loaders (menu/loader: load_dir,
// sms/loader: load_file, together as sms::load_front_doors, what a SIGHUP
// reload and `ussdgw-admin check-menus` run) against the real action
// registry. A copy of the shipped menus/ directory is made once; each input
// replaces one of its files (the one a first line "#@NAME.yaml" names, else
// main.yaml; the line is a YAML comment), is loaded, and the file restored.
// Invariants, beyond "never throws":
//  - a load gives a tree and a router, or problems: not empty, sorted and
//    without repeats, each naming the directory (no line: it is about the
//    set) or one of its files and a line of that file;
//  - a tree that loads is whole (root, every link a node) and every static
//    screen fits the budget; the engine then runs every declared code on it
//    (start, the outcome of any action, then "1", "99", "0", "00"), and each
//    screen sent fits the budget in its encoding.
//
// Run: scripts/fuzz fuzz_menu_loader 300

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include "ussdgw/actions/registry.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/sms/front_doors.hpp"
#include "ussdgw/ussd/text.hpp"

using namespace ussdgw;
namespace fs = std::filesystem;

namespace {

std::string_view current_input;
std::string dir;                           // the copy of menus/
std::map<std::string, std::string> files;  // file name -> shipped text

[[noreturn]] void violated(const std::string& what) {
    std::fprintf(stderr, "menu loader invariant violated: %s\ninput (%zu bytes): ", what.c_str(),
                 current_input.size());
    for (unsigned char c : current_input) std::fprintf(stderr, "\\x%02x", c);
    std::fprintf(stderr, "\n");
    std::abort();
}

void write(const std::string& name, std::string_view text) {
    std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) {
        std::fprintf(stderr, "fuzz_menu_loader: cannot write %s/%s\n", dir.c_str(), name.c_str());
        std::exit(1);
    }
}

void remove_copy() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
}

void make_copy() {
    std::string tmpl = (fs::temp_directory_path() / "ussdgw-fuzz-menus-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("fuzz_menu_loader: mkdtemp");
        std::exit(1);
    }
    dir = tmpl;
    std::atexit(remove_copy);
    for (const auto& e : fs::directory_iterator(USSDGW_SOURCE_DIR "/menus")) {
        if (e.path().extension() != ".yaml") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const auto name = e.path().filename().string();
        write(name, text);
        files[name] = std::move(text);
    }
    if (!files.contains("main.yaml") || !files.contains("sms.yaml")) {
        std::fprintf(stderr, "fuzz_menu_loader: menus/ lacks main.yaml or sms.yaml\n");
        std::exit(1);
    }
}

std::size_t lines_of(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) n += c == '\n';
    return n + (!text.empty() && text.back() != '\n');
}

void check_problems(const menu::problems& ps, const std::map<std::string, std::string>& now) {
    if (ps.empty()) violated("refused without a problem");
    if (!std::is_sorted(ps.begin(), ps.end())) violated("problems are not in file and line order");
    if (std::adjacent_find(ps.begin(), ps.end()) != ps.end()) violated("a problem is repeated");
    for (const auto& p : ps) {
        if (p.message.empty()) violated("a problem without a message: " + p.to_string());
        if (p.file == dir) {
            if (p.line != 0) violated("a problem of the directory has a line: " + p.to_string());
            continue;
        }
        const std::string lead = dir + "/";
        const auto it = p.file.compare(0, lead.size(), lead) == 0
                            ? now.find(p.file.substr(lead.size()))
                            : now.end();
        if (it == now.end()) violated("a problem names no file of the set: " + p.to_string());
        // A file's last line may be reported one past its end (the end of the stream).
        if (p.line < 1 || static_cast<std::size_t>(p.line) > lines_of(it->second) + 1)
            violated("a problem's line is not a line of its file: " + p.to_string());
    }
}

void check_screen(const menu::tree& t, const menu::step& s, const char* where) {
    if (s.call) {
        if (!actions::builtin_registry().find(s.call->name))
            violated(std::string(where) + ": calls an unknown action " + s.call->name);
        return;
    }
    if (!ussd::fits(s.text, t.budget))
        violated(std::string(where) + ": a screen does not fit its budget: " + s.text);
}

// A fixed outcome for any action: success with every placeholder it provides.
actions::outcome outcome_for(const menu::action_call& call, bool ok) {
    actions::outcome o;
    o.ok = ok;
    if (!ok) {
        o.error = "refused";
        o.vars["reason"] = "Not now.";
        return o;
    }
    if (const auto* info = actions::builtin_registry().find(call.name))
        for (const auto& p : info->provides) o.vars[p] = "12";
    return o;
}

menu::step settle(menu::dialog_state& st, const menu::tree& t, menu::step s, const char* where,
                  bool ok) {
    check_screen(t, s, where);
    if (s.call) {
        s = menu::on_outcome(st, outcome_for(*s.call, ok));
        check_screen(t, s, where);
        // An action with `next` may lead to another one at once; one more is enough here.
        if (s.call) {
            s = menu::on_outcome(st, outcome_for(*s.call, ok));
            check_screen(t, s, where);
        }
    }
    return s;
}

void check_tree(const std::shared_ptr<const menu::tree>& tp) {
    const menu::tree& t = *tp;
    if (t.languages.empty()) violated("a tree without languages");
    if (t.root >= t.nodes.size()) violated("a tree without a root node");
    const auto valid = [&](menu::node_id id, bool optional) {
        return id < t.nodes.size() || (optional && id == menu::no_node);
    };
    for (const auto& n : t.nodes) {
        for (const auto& o : n.options)
            if (!valid(o.next, false)) violated("an option leads nowhere: " + n.id);
        if (!valid(n.next, true) || !valid(n.yes, true) || !valid(n.no, true))
            violated("a node links outside the tree: " + n.id);
        for (const auto& lang : n.pages)
            for (const auto& alphabet : lang)
                for (const auto& page : alphabet)
                    if (!ussd::fits(page, t.budget))
                        violated("a static screen does not fit: " + n.id + ": " + page);
    }
    for (const auto& c : t.codes)
        if (!valid(c.target, false)) violated("a code leads nowhere: " + c.source);

    std::size_t runs = 0;
    for (const auto& c : t.codes) {
        if (++runs > 16) break;
        std::string dialled = c.prefix;
        for (const auto& seg : c.segments) dialled += "*" + (seg.capture ? "1234" : seg.value);
        dialled += "#";
        for (bool ok : {true, false}) {
            menu::dialog_state st;
            menu::profile who;
            who.language = t.languages[runs % t.languages.size()];
            who.latin = runs % 2 == 0;
            menu::step s = settle(st, t, menu::start(st, tp, who, dialled), "start", ok);
            for (const char* input : {"1", "99", "0", "00"}) {
                if (s.end || st.ended || st.waiting) break;
                s = settle(st, t, menu::answer(st, input), "answer", ok);
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_copy();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    current_input = std::string_view(reinterpret_cast<const char*>(data), size);
    std::string target = "main.yaml";
    if (current_input.starts_with("#@")) {
        const auto name = current_input.substr(2, current_input.find('\n') - 2);
        if (files.contains(std::string(name))) target = name;
    }
    write(target, current_input);
    auto now = files;
    now[target] = std::string(current_input);
    try {
        auto loaded = sms::load_front_doors(dir, actions::builtin_registry());
        if (loaded) {
            if (!loaded->menus || !loaded->commands) violated("loaded without a tree or a router");
            check_tree(loaded->menus);
        } else {
            check_problems(loaded.error(), now);
        }
    } catch (const std::exception& e) {
        violated(std::string("threw: ") + e.what());
    }
    write(target, files[target]);
    return 0;
}
