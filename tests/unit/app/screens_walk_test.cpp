// Every screen of the shipped catalogue, walked with the real menu engine
// and the real actions on a real store, for an English and a Russian
// subscriber in the Cyrillic and the Latin alphabet. Each page must fit its
// encoding, show no identifier, speak one language, and never cut a word.

#include <doctest/doctest.h>

#include <deque>
#include <algorithm>
#include <future>
#include <regex>
#include <set>

#include "process.hpp"
#include "ussdgw/actions/store_runner.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/menu/loader.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/ussd/text.hpp"

using namespace ussdgw;
using namespace std::chrono_literals;

namespace {

struct who {
    std::string msisdn;
    menu::profile profile;
    const char* name;
};

// Words a Russian screen may carry in Latin letters: names of things that
// have none in Russian, and the SMS settings text of the catalogue.
const std::set<std::string> latin_allowed = {
    "SMS",   "SIM", "PIN",     "PUK", "MMS", "MMSC", "APN", "USSD",     "English", "Hello123",
    "https", "app", "example", "net", "get", "http", "mms", "internet", "proxy"};

// The language menu names each language in its own script.
const std::set<std::string> cyrillic_allowed = {"Русский"};

bool has_cyrillic(const std::string& s) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b == 0xD0 || b == 0xD1) return true;
    }
    return false;
}

std::vector<std::string> latin_words(const std::string& s) {
    static const std::regex word("[A-Za-z]{3,}[0-9]*");
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), word); it != std::sregex_iterator();
         ++it)
        out.push_back(it->str());
    return out;
}

// The body of a page: without its "99 More" line.
std::string body(const std::string& page, const std::string& more) {
    const std::string tail = "\n" + more;
    if (page.size() >= tail.size() &&
        page.compare(page.size() - tail.size(), tail.size(), tail) == 0)
        return page.substr(0, page.size() - tail.size());
    return page;
}

std::string last_word(const std::string& s) {
    auto end = s.find_last_not_of(" \n");
    if (end == std::string::npos) return {};
    auto start = s.find_last_of(" \n", end);
    return s.substr(start == std::string::npos ? 0 : start + 1,
                    end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string first_word(const std::string& s) {
    auto start = s.find_first_not_of(" \n");
    if (start == std::string::npos) return {};
    auto end = s.find_first_of(" \n", start);
    return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

struct walker {
    test::temp_dir dir;
    std::unique_ptr<actions::store_runner> runner;
    std::shared_ptr<const menu::tree> tree;   // real screens
    std::shared_ptr<const menu::tree> whole;  // the same files, one endless page per screen
    std::size_t screens = 0;
    std::set<std::string> seen;  // screen texts already checked

    walker() {
        const auto path = dir.file("walk.db");
        {
            store::connection c(path);
            REQUIRE(store::migrate(c));
            store::accounts a(c);
            store::hasher h(store::pwhash_limits::minimum());
            store::transaction t(c);
            store::load_demo(a, h, 1893456000);
            t.commit();
        }
        actions::runner_options o;
        o.db_path = path;
        o.cfg.pwhash = store::pwhash_limits::minimum();
        runner = std::make_unique<actions::store_runner>(std::move(o));
        auto loaded = menu::load_dir(USSDGW_SOURCE_DIR "/menus", actions::builtin_registry());
        REQUIRE(loaded.has_value());
        tree = *loaded;
        menu::load_options big;
        big.budget = {1'000'000, 1'000'000};
        auto loaded_big =
            menu::load_dir(USSDGW_SOURCE_DIR "/menus", actions::builtin_registry(), big);
        REQUIRE(loaded_big.has_value());
        whole = *loaded_big;
    }

    actions::outcome run(const std::string& msisdn, const menu::action_call& call) {
        actions::request r;
        r.msisdn = msisdn;
        r.via = actions::channel::ussd;
        r.action = call.name;
        r.arguments = call.args;
        std::promise<actions::outcome> p;
        auto f = p.get_future();
        runner->run(r, [&p](actions::outcome o) { p.set_value(std::move(o)); });
        REQUIRE(f.wait_for(30s) == std::future_status::ready);
        return f.get();
    }

    // Checks every page of the screen `st` shows, `full` being the same
    // screen on one endless page.
    void check(const who& w, const menu::dialog_state& st, const std::string& full,
               const std::string& path) {
        const auto& t = *tree;
        const std::string more = t.more_item(st.language, st.latin);
        for (std::size_t i = 0; i < st.pages.size(); ++i) {
            const std::string& page = st.pages[i];
            if (!seen.insert(std::string(w.name) + "\x1f" + page).second) continue;
            ++screens;
            const std::string person = w.name;
            CAPTURE(person);
            CAPTURE(path);
            CAPTURE(page);
            CHECK(ussd::fits(page, t.budget));
            // No identifier: no snake_case word, no placeholder left over.
            static const std::regex identifier("\\b[a-z]+_[a-z_]+\\b");
            CHECK_FALSE(std::regex_search(page, identifier));
            CHECK(page.find('{') == std::string::npos);
            CHECK(page.find('}') == std::string::npos);
            // One language (and alphabet) per screen.
            if (st.latin || st.menus->languages[st.language] == "en") {
                std::string rest = page;
                for (const auto& w2 : cyrillic_allowed)
                    if (auto at = rest.find(w2); at != std::string::npos) rest.erase(at, w2.size());
                CHECK_FALSE(has_cyrillic(rest));
            } else {
                // What the subscriber dialled may be echoed back.
                const auto typed = latin_words(path);
                for (const auto& word : latin_words(page)) {
                    CAPTURE(word);
                    CHECK((latin_allowed.contains(word) ||
                           std::find(typed.begin(), typed.end(), word) != typed.end()));
                }
            }
            // A page ends between two words of the whole text, never inside one.
            if (i + 1 < st.pages.size()) {
                const std::string a = last_word(body(page, more));
                const std::string b = first_word(st.pages[i + 1]);
                CAPTURE(a);
                CAPTURE(b);
                CHECK((full.find(a + " " + b) != std::string::npos ||
                       full.find(a + "\n" + b) != std::string::npos));
            }
        }
    }

    // Walks from `dialled` answering `answers`; explores every option,
    // input sample and yes/no from there, `depth` levels deep.
    void walk(const who& w, const std::string& dialled, std::vector<std::string> answers,
              int depth) {
        menu::dialog_state st, big;
        auto s = menu::start(st, tree, w.profile, dialled);
        auto sb = menu::start(big, whole, w.profile, dialled);
        std::string path = dialled;
        auto settle = [&] {
            // An action: run it once, feed the same outcome to both trees.
            while (s.call) {
                REQUIRE(sb.call);
                auto o = run(w.msisdn, *s.call);
                // The walk switches language and alphabet on its way: put the
                // subscriber's own back, so every screen after speaks theirs.
                if (s.call->name == "language_set" || s.call->name == "alphabet_set") {
                    run(w.msisdn, {"language_set", {{"language", w.profile.language}}});
                    run(w.msisdn,
                        {"alphabet_set", {{"alphabet", w.profile.latin ? "latin" : "cyrillic"}}});
                }
                s = menu::on_outcome(st, o);
                sb = menu::on_outcome(big, o);
            }
        };
        settle();
        for (const auto& a : answers) {
            if (st.ended) return;
            path += " " + a;
            s = menu::answer(st, a);
            sb = menu::answer(big, a);
            settle();
        }
        check(w, st, big.pages.empty() ? std::string() : big.pages.front(), path);
        // Every further page of a long screen.
        for (std::size_t p = 1; p < st.pages.size() && !st.ended; ++p) {
            menu::answer(st, tree->nav.next);
        }
        if (depth == 0 || st.ended || st.final_screen) return;
        const menu::node& n = tree->nodes[st.node];
        std::vector<std::string> next;
        if (n.kind == menu::node_kind::menu) {
            for (const auto& o : n.options)
                if (o.shown(st.values)) next.push_back(o.key);
        } else if (n.kind == menu::node_kind::confirm) {
            next = {tree->nav.yes, tree->nav.no};
        } else if (n.kind == menu::node_kind::input) {
            for (const char* sample : {"79160000003", "10", "1", "3"})
                if (n.check.accepts(sample)) {
                    next.push_back(sample);
                    break;
                }
        }
        for (const auto& key : next) {
            auto more = answers;
            more.push_back(key);
            walk(w, dialled, more, depth - 1);
        }
    }
};

}  // namespace

TEST_CASE(
    "every screen of the catalogue - en and ru - Cyrillic and Latin - fits - one language - no "
    "identifier - no cut word") {
    walker w;
    const std::vector<who> people = {
        {"79160000001", {"en", false, {}}, "en"},
        {"79160000002", {"ru", false, {}}, "ru"},
        {"79160000001", {"en", true, {}}, "en latin"},
        {"79160000002", {"ru", true, {}}, "ru latin"},
    };
    for (const auto& p : people) {
        w.walk(p, "*111#", {}, 6);
        // The direct codes, with sample captures where they take some.
        for (const char* code :
             {"*111*25#", "*111*1#", "*152#", "*152*2#", "*111*828*1#", "*111*828*2#", "*111*6*1#",
              "*111*6*2#", "**04*1234*5678*5678#", "**05*12345678*1111*1111#", "*999#",
              "*111*4*4*9160000003*10*1#", "hello"})
            w.walk(p, code, {}, 0);
        // The system screens in the subscriber's language.
        for (const auto& s : {menu::busy(*w.tree, p.profile), menu::expired(*w.tree, p.profile)}) {
            CAPTURE(s.text);
            CHECK(ussd::fits(s.text, w.tree->budget));
            if (p.profile.latin || p.profile.language == "en") CHECK_FALSE(has_cyrillic(s.text));
            if (!p.profile.latin && p.profile.language == "ru") CHECK(has_cyrillic(s.text));
        }
    }
    MESSAGE(w.screens << " distinct pages checked");
    CHECK(w.screens > 200);
}
