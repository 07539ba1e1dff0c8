#include <doctest/doctest.h>

#include <stdexcept>

#include "fake_catalog.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/menu/loader.hpp"
#include "ussdgw/ussd/text.hpp"

using namespace ussdgw::menu;
using ussdgw::actions::outcome;

namespace {

std::shared_ptr<const tree> engine_tree() {
    static const std::shared_ptr<const tree> t = [] {
        ussdgw::test::fake_catalog cat;
        auto r = load_dir(USSDGW_SOURCE_DIR "/tests/data/menus/engine", cat);
        if (!r)
            for (const auto& p : r.error()) MESSAGE(p.to_string());
        REQUIRE(r.has_value());
        return *r;
    }();
    return t;
}

const profile en{"en", false};
const profile ru{"ru", false};
const profile ru_latin{"ru", true};

outcome ok(std::map<std::string, std::string> vars) {
    return {true, "", std::move(vars), {}, ""};
}

const std::string main_en =
    "Service *111#\n1 Balance\n2 Payments\n3 Language\n4 Long menu\n5 Help\n6 Password";

}  // namespace

TEST_CASE("engine: *111# shows the root menu and expects input") {
    dialog_state st;
    auto s = start(st, engine_tree(), en, "*111#");
    CHECK(s.text == main_en);
    CHECK_FALSE(s.end);
    CHECK_FALSE(s.call);
}

TEST_CASE("engine: Russian screens - and Latin for subscribers who chose it") {
    dialog_state st;
    auto s = start(st, engine_tree(), ru, "*111#");
    CHECK(s.text.rfind("Сервис *111#\n1 Баланс\n2 Платежи", 0) == 0);
    dialog_state lat;
    auto l = start(lat, engine_tree(), ru_latin, "*111#");
    CHECK(l.text.rfind("Servis *111#\n1 Balans\n2 Platezhi", 0) == 0);
    CHECK(ussdgw::ussd::encoding_for(l.text) == ussdgw::ussd::encoding::gsm7);
}

TEST_CASE("engine: an unknown language falls back to the first one") {
    dialog_state st;
    CHECK(start(st, engine_tree(), profile{"de", false}, "*111#").text == main_en);
}

TEST_CASE("engine: choosing an action runs it - then shows the outcome with the navigation keys") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    auto s = answer(st, "1");
    REQUIRE(s.call);
    CHECK(s.call->name == "balance");
    CHECK(s.call->args.empty());
    CHECK(s.text.empty());
    CHECK_THROWS_AS(answer(st, "1"), std::logic_error);
    auto f = on_outcome(st, ok({{"balance", "150.00"}}));
    CHECK(f.text == "Balance: 150.00 RUB\n0 Back 00 Main menu");
    CHECK_FALSE(f.end);
    CHECK_THROWS_AS(on_outcome(st, ok({})), std::logic_error);
    // 0, 00 and a wrong key work on a result as on any screen.
    CHECK(answer(st, "1").text == "Invalid choice.\nBalance: 150.00 RUB\n0 Back 00 Main menu");
    CHECK(answer(st, "0").text == main_en);
    answer(st, "1");
    on_outcome(st, ok({{"balance", "150.00"}}));
    CHECK(answer(st, "00").text == main_en);
}

TEST_CASE("engine: a result of a whole dialled string ends the dialog") {
    dialog_state st;
    auto s = start(st, engine_tree(), en, "*111*2*1*9161234567*150*1#");
    REQUIRE(s.call);
    auto f = on_outcome(st, ok({{"to", "9161234567"}, {"amount", "150.00"}}));
    CHECK(f.text == "Sent 150.00 RUB to 9161234567.");
    CHECK(f.end);
    CHECK(st.ended);
    CHECK_THROWS_AS(answer(st, "1"), std::logic_error);
}

TEST_CASE("engine: a refusal shows the node's refused text with the reason") {
    dialog_state st;
    start(st, engine_tree(), en, "*111*2*1*9161234567*100*1#");
    REQUIRE(st.waiting);
    outcome no{
        false, "insufficient_funds", {{"reason", "Not enough money: 20 RUB missing."}}, {}, ""};
    auto s = on_outcome(st, no);
    CHECK(s.text == "Transfer failed: Not enough money: 20 RUB missing.");
    CHECK(s.end);
}

TEST_CASE("engine: a refusal without a node text uses the default with {reason}") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    answer(st, "1");
    auto s = on_outcome(st, outcome{false, "x", {{"reason", "Unknown subscriber."}}, {}, ""});
    CHECK(s.text == "Refused: Unknown subscriber.\n0 Back 00 Main menu");
    dialog_state st2;
    start(st2, engine_tree(), en, "*111#");
    answer(st2, "1");
    // No reason at all: a generic failure instead of a half-empty screen.
    auto e = on_outcome(st2, outcome{false, "storage_error", {}, {}, ""});
    CHECK(e.text == "Request failed, try later.\n0 Back 00 Main menu");
    CHECK_FALSE(e.end);
}

TEST_CASE("engine: input - validation hint - confirm and the action's arguments") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    CHECK(answer(st, "2").text == "Payments\n1 Transfer\n0 Back");
    CHECK(answer(st, "1").text == "Recipient's number (10 digits):");
    // A wrong answer repeats the prompt with the node's one-line hint.
    auto short_number = answer(st, "12345");
    CHECK(short_number.text == "Need 10 digits.\nRecipient's number (10 digits):");
    CHECK(short_number.refused == "input_rejected");
    CHECK(answer(st, "91612345ab").text == "Need 10 digits.\nRecipient's number (10 digits):");
    CHECK(answer(st, " 9161234567 ").text == "Amount, RUB (1-15000):");
    CHECK(answer(st, "20000").text == "Invalid value.\nAmount, RUB (1-15000):");
    CHECK(answer(st, "0x1").text == "Invalid value.\nAmount, RUB (1-15000):");
    CHECK(answer(st, "150").text == "Transfer 150 RUB to 9161234567?\n1 Yes\n2 No");
    CHECK(answer(st, "3").text == "Invalid choice.\nTransfer 150 RUB to 9161234567?\n1 Yes\n2 No");
    auto s = answer(st, "1");
    REQUIRE(s.call);
    CHECK(*s.call == action_call{"transfer", {{"to", "9161234567"}, {"amount", "150"}}});
    auto f = on_outcome(st, ok({{"to", "9161234567"}, {"amount", "150.00"}}));
    // Outcome values win over inputs.
    CHECK(f.text == "Sent 150.00 RUB to 9161234567.\n0 Back 00 Main menu");
    CHECK_FALSE(f.end);
    // Back from a result is the menu that led to it, never the confirmation.
    CHECK(answer(st, "0").text == "Payments\n1 Transfer\n0 Back");
}

TEST_CASE("engine: 'no' on a confirm without a target cancels") {
    dialog_state st;
    start(st, engine_tree(), en, "*111*2*1*9161234567*100#");
    auto s = answer(st, "2");
    CHECK(s.text == "Cancelled.\n0 Back 00 Main menu");
    CHECK_FALSE(s.end);
    CHECK(answer(st, "0").text == "Payments\n1 Transfer\n0 Back");
}

TEST_CASE("engine: 0 goes back - 00 goes to the main menu") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    answer(st, "2");
    answer(st, "1");
    CHECK(answer(st, "0").text == "Payments\n1 Transfer\n0 Back");
    CHECK(answer(st, "0").text == main_en);
    // At the root there is nothing to go back to.
    CHECK(answer(st, "0").text == "Invalid choice.\n" + main_en);
    answer(st, "2");
    answer(st, "1");
    CHECK(answer(st, "00").text == main_en);
    CHECK(st.history.empty());
}

TEST_CASE("engine: an invalid choice repeats the screen with a one-line hint") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    auto s = answer(st, "9");
    CHECK(s.text == "Invalid choice.\n" + main_en);
    CHECK_FALSE(s.end);
    CHECK(s.refused == "invalid_choice");
    CHECK(answer(st, "hello").text == "Invalid choice.\n" + main_en);
    CHECK(answer(st, "").text == "Invalid choice.\n" + main_en);
    // After the hint the menu still works, and a taken answer is no refusal.
    auto help = answer(st, "5");
    CHECK(help.text == "Support: 0890, 8 800 250 0890.\n0 Back 00 Main menu");
    CHECK(help.refused.empty());
}

TEST_CASE("engine: a text node ends a dialled string - and keeps a walked dialog open") {
    dialog_state st;
    auto dialled = start(st, engine_tree(), en, "*111*5#");
    CHECK(dialled.text == "Support: 0890, 8 800 250 0890.");
    CHECK(dialled.end);
    start(st, engine_tree(), en, "*111#");
    auto s = answer(st, "5");
    CHECK_FALSE(s.end);
    CHECK(answer(st, "0").text == main_en);
}

TEST_CASE("engine: long menus page with 99 - and 0 pages back") {
    dialog_state st;
    start(st, engine_tree(), ru, "*111#");
    answer(st, "99");  // the Russian main menu is two pages
    auto s = answer(st, "4");
    REQUIRE(st.pages.size() >= 2);
    CHECK(s.text == st.pages[0]);
    CHECK(s.text.find("\n99 Далее") != std::string::npos);
    for (const auto& p : st.pages) CHECK(ussdgw::ussd::fits(p, {}));
    auto second = answer(st, "99");
    CHECK(second.text == st.pages[1]);
    CHECK_FALSE(second.end);
    // Options are numbered across pages: 1 still works from page two.
    CHECK(answer(st, "0").text == st.pages[0]);
    auto last = st.pages.size();
    for (std::size_t i = 1; i < last; ++i) answer(st, "99");
    CHECK(st.page == last - 1);
    // No next page after the last: a hint.
    CHECK(answer(st, "99").text.rfind("Неверный выбор.\n", 0) == 0);
    CHECK(answer(st, "1").text.rfind("Поддержка", 0) == 0);
}

TEST_CASE("engine: a hint that does not fit with the page re-pages it") {
    dialog_state st;
    start(st, engine_tree(), ru, "*111*4#");
    const auto before = st.pages.size();
    auto s = answer(st, "8");
    CHECK(s.text.rfind("Неверный выбор.\n", 0) == 0);
    CHECK(ussdgw::ussd::fits(s.text, {}));
    CHECK(st.pages.size() >= before);
    // Every option is still reachable by paging on.
    std::string all = s.text;
    while (st.page + 1 < st.pages.size()) all += "\n" + answer(st, "99").text;
    for (int k = 1; k <= 7; ++k)
        CHECK(all.find("\n" + std::to_string(k) + " ") != std::string::npos);
    // A second bad answer on the re-paged screen shows one hint, not two.
    while (st.page > 0) answer(st, "0");
    auto again = answer(st, "8");
    CHECK(again.text == s.text);
    CHECK(again.text.find("Неверный выбор.\nНеверный") == std::string::npos);
}

TEST_CASE("engine: *111*N*M# walks the tree") {
    dialog_state st;
    CHECK(start(st, engine_tree(), en, "*111*2#").text == "Payments\n1 Transfer\n0 Back");
    CHECK(start(st, engine_tree(), en, "*111*2*1#").text == "Recipient's number (10 digits):");
    CHECK(start(st, engine_tree(), en, "*111*2*1*9161234567*100#").text ==
          "Transfer 100 RUB to 9161234567?\n1 Yes\n2 No");
    auto s = start(st, engine_tree(), en, "*111*2*1*9161234567*100*1#");
    REQUIRE(s.call);
    CHECK(s.call->name == "transfer");
    // Back from a walked screen goes up the walked path.
    start(st, engine_tree(), en, "*111*2*1#");
    CHECK(answer(st, "0").text == "Payments\n1 Transfer\n0 Back");
}

TEST_CASE("engine: a walk stops with a hint where the dialled string went wrong") {
    dialog_state st;
    auto s = start(st, engine_tree(), en, "*111*9*1#");
    CHECK(s.text == "Invalid choice.\n" + main_en);
    CHECK_FALSE(s.end);
    auto t = start(st, engine_tree(), en, "*111*2*1*123*100#");
    CHECK(t.text == "Need 10 digits.\nRecipient's number (10 digits):");
}

TEST_CASE("engine: a declared code wins over the walk") {
    dialog_state st;
    auto s = start(st, engine_tree(), en, "*111*1#");
    REQUIRE(s.call);
    CHECK(s.call->name == "app_link");
    CHECK(on_outcome(st, ok({{"url", "https://x"}})).text == "Link sent: https://x");
}

TEST_CASE("engine: a pattern code binds its arguments") {
    dialog_state st;
    auto s = start(st, engine_tree(), en, "**04*1234*5678*5678#");
    REQUIRE(s.call);
    CHECK(*s.call ==
          action_call{"pin_change", {{"old", "1234"}, {"new", "5678"}, {"new2", "5678"}}});
    CHECK(on_outcome(st, ok({})).text == "PIN changed.");
    // A different number of parts is another code, and the screen (which the
    // SMSC logs too) repeats it with the PINs masked.
    CHECK(start(st, engine_tree(), en, "**04*1234*5678#").text == "Unknown request **04*xxx*xxx#.");
    CHECK(start(st, engine_tree(), en, "**04*12a4*5678#").text == "Not a USSD request: **04*...");
}

TEST_CASE("engine: codes set variables") {
    dialog_state st;
    auto all = start(st, engine_tree(), en, "*152#");
    REQUIRE(all.call);
    CHECK(all.call->args.at("filter") == "all");
    auto paid = start(st, engine_tree(), en, "*152*2#");
    REQUIRE(paid.call);
    CHECK(paid.call->args.at("filter") == "paid");
}

TEST_CASE("engine: unknown and malformed strings get a final screen - never silence") {
    dialog_state st;
    auto u = start(st, engine_tree(), en, "*999#");
    CHECK(u.text == "Unknown request *999#.");
    CHECK(u.end);
    CHECK(u.refused == "unknown_code");
    auto r = start(st, engine_tree(), ru, "*999*1#");
    CHECK(r.text == "Неизвестный запрос *999*1#.");
    auto m = start(st, engine_tree(), en, "hello");
    CHECK(m.text == "Not a USSD request: hello");
    CHECK(m.end);
    CHECK(m.refused == "bad_request");
    auto e = start(st, engine_tree(), en, "");
    CHECK(e.text == "Not a USSD request:");
    CHECK(e.end);
    // A walk past a final screen is unknown too, not a crash.
    CHECK(start(st, engine_tree(), en, "*111*5*1#").end);
}

TEST_CASE("engine: language_set switches the dialog's language at once") {
    dialog_state st;
    start(st, engine_tree(), en, "*111*3#");
    auto s = answer(st, "2");
    REQUIRE(s.call);
    CHECK(s.call->args.at("language") == "ru");
    outcome o = ok({{"language", "ru"}});
    o.language = "ru";
    CHECK(on_outcome(st, o).text == "Язык: русский\n0 Назад 00 Меню");
}

TEST_CASE("engine: an alphabet outcome switches to Latin at once") {
    dialog_state st;
    start(st, engine_tree(), ru, "*111#");
    answer(st, "1");
    auto s = on_outcome(st, ok({{"alphabet", "latin"}, {"balance", "5"}}));
    CHECK(s.text == "Balans: 5 rub.\n0 Nazad 00 Meniu");
}

TEST_CASE("engine: a long outcome is paged - the dialog ends on its last page") {
    dialog_state st;
    start(st, engine_tree(), en, "*152#");
    std::string services;
    for (int i = 1; i <= 12; ++i)
        services += "Service number " + std::to_string(i) + " (10 RUB/month)\n";
    auto s = on_outcome(st, ok({{"services", services}}));
    REQUIRE(st.pages.size() == 3);
    CHECK_FALSE(s.end);
    CHECK(s.text.find("\n99 More") != std::string::npos);
    CHECK_FALSE(answer(st, "99").end);
    auto last = answer(st, "99");
    CHECK(last.end);
    CHECK(last.text.find("Service number 12") != std::string::npos);
}

TEST_CASE("engine: busy screen") {
    auto s = busy(*engine_tree(), ru);
    CHECK(s.text == "Сервис занят, попробуйте позже.");
    CHECK(s.end);
    CHECK(busy(*engine_tree(), ru_latin).text == "Servis zaniat, poprobuite pozzhe.");
}

TEST_CASE("engine: secrets are redacted for logs") {
    const auto& t = *engine_tree();
    CHECK(redact_dialled(t, "**04*1234*5678*5678#") == "**04*xxx*xxx*xxx#");
    CHECK(redact_dialled(t, "*111*2*1#") == "*111*2*1#");
    // Walked into the password input: masked too.
    CHECK(redact_dialled(t, "*111*6*12345678#") == "*111*6*xxx#");
    // Malformed: nothing says which part is secret, so everything after the code goes.
    CHECK(redact_dialled(t, "**04*12a4*5678*5678#") == "**04*...");
    CHECK(redact_dialled(t, "*999*1#") == "*999*1#");
    // A near miss of a code with secrets, whatever it matched: every part masked
    // that no code has as a literal there.
    CHECK(redact_dialled(t, "**04*1234*5678#") == "**04*xxx*xxx#");
    CHECK(redact_dialled(t, "**04*1234*5678*5678*9#") == "**04*xxx*xxx*xxx*xxx#");
    // A walk that leaves the tree of a prefix with secret inputs: the rest is masked.
    CHECK(redact_dialled(t, "*111*6*12345678*1#") == "*111*6*xxx*xxx#");
    CHECK(redact_dialled(t, "*111*9*12345678#") == "*111*xxx*xxx#");
    CHECK(redact_dialled(t, "*111*9*Secret12#") == "*111*...");
    // Text that is not a code at all: printable and short, control bytes dropped.
    CHECK(redact_dialled(t, "hello\x01\x1b[2J") == "hello[2J");
    CHECK(redact_dialled(t, std::string(60000, 'A')).size() == 27);
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    CHECK(redact_input(st, "6") == "6");
    answer(st, "6");
    CHECK(redact_input(st, "Secret123") == "***");
    answer(st, "Secret123");
    CHECK(st.waiting);
}

TEST_CASE("engine: a dialog keeps the tree it started on after a reload") {
    ussdgw::test::fake_catalog cat;
    auto first = load_dir(USSDGW_SOURCE_DIR "/tests/data/menus/engine", cat);
    REQUIRE(first.has_value());
    std::shared_ptr<const tree> current = *first;
    dialog_state st;
    start(st, current, en, "*111*2#");
    // The daemon swaps in a new tree; the old one lives on in the dialog.
    auto second = load_dir(USSDGW_SOURCE_DIR "/tests/data/menus/engine", cat);
    REQUIRE(second.has_value());
    std::weak_ptr<const tree> old = current;
    current = *second;
    first = second;
    CHECK_FALSE(old.expired());
    CHECK(answer(st, "1").text == "Recipient's number (10 digits):");
    st = dialog_state{};
    CHECK(old.expired());
}

TEST_CASE("engine: start resets a reused state") {
    dialog_state st;
    start(st, engine_tree(), en, "*111*2*1*9161234567#");
    CHECK_FALSE(st.values.empty());
    start(st, engine_tree(), en, "*111#");
    CHECK(st.values.empty());
    CHECK(st.history.empty());
    CHECK_FALSE(st.ended);
}

TEST_CASE("engine: 00 from a paged final text goes back to the main menu") {
    dialog_state st;
    start(st, engine_tree(), en, "*152#");
    std::string services;
    for (int i = 1; i <= 12; ++i) services += "Service number " + std::to_string(i) + "\n";
    on_outcome(st, ok({{"services", services}}));
    REQUIRE(st.pages.size() > 1);
    auto s = answer(st, "00");
    CHECK(s.text == main_en);
    CHECK_FALSE(s.end);
}

TEST_CASE("engine: random input always gets a screen that fits - never silence") {
    const std::vector<std::string> alphabet = {"0", "1", "2", "3",  "9",  "*",    "#",
                                               " ", "a", "Ж", "00", "99", "*111", "**04"};
    std::uint32_t seed = 12345;
    auto next = [&] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    auto random_text = [&] {
        std::string s;
        for (std::uint32_t n = next() % 8; n > 0; --n) s += alphabet[next() % alphabet.size()];
        return s;
    };
    for (int i = 0; i < 3000; ++i) {
        dialog_state st;
        const profile who{next() % 2 ? "en" : "ru", next() % 3 == 0};
        std::string first = next() % 2 ? "*111" + random_text() : random_text();
        auto s = start(st, engine_tree(), who, first);
        for (int k = 0; k < 6; ++k) {
            if (s.call) s = on_outcome(st, ok({{"balance", "1"}, {"services", "x"}}));
            REQUIRE_MESSAGE(!s.text.empty(), first);
            CHECK(ussdgw::ussd::fits(s.text, engine_tree()->budget));
            if (s.end) break;
            s = answer(st, random_text());
        }
    }
}

TEST_CASE("engine: a wrong key on a paged text repeats the page with the hint - and 99 goes on") {
    dialog_state st;
    start(st, engine_tree(), en, "*152#");
    // One paragraph, no line breaks: the page must be split again at words.
    std::string services;
    for (int i = 1; i <= 12; ++i)
        services += "Service number " + std::to_string(i) + " costs 10 RUB a month; ";
    auto first = on_outcome(st, ok({{"services", services}}));
    REQUIRE(first.text.find("Service number 1 ") != std::string::npos);
    auto hinted = answer(st, "5");
    CHECK(hinted.text.rfind("Invalid choice.\nService number 1 ", 0) == 0);
    CHECK(hinted.text.find("\n99 More") != std::string::npos);
    CHECK(ussdgw::ussd::fits(hinted.text, engine_tree()->budget));
    // 99 shows what the hint pushed off the page, then the rest, in order.
    // Pages joined without their "99 More" lines read as the whole text.
    auto body = [](std::string page) {
        const std::string more = "\n99 More";
        if (page.size() >= more.size() &&
            page.compare(page.size() - more.size(), more.size(), more) == 0)
            page.erase(page.size() - more.size());
        return page;
    };
    std::string seen = body(hinted.text);
    for (int i = 0; i < 6 && !st.ended; ++i) seen += " " + body(answer(st, "99").text);
    INFO(seen);
    for (int i = 1; i <= 12; ++i) {
        CAPTURE(i);
        CHECK(seen.find("number " + std::to_string(i) + " costs") != std::string::npos);
    }
    CHECK(st.ended);
}

TEST_CASE(
    "engine: 0 on the first page of a paged result goes back - 0 on a later page pages back") {
    dialog_state st;
    start(st, engine_tree(), en, "*111#");
    answer(st, "1");
    std::string lines;
    for (int i = 1; i <= 12; ++i) lines += "Line number " + std::to_string(i) + " of the balance\n";
    auto first = on_outcome(st, ok({{"balance", lines}}));
    REQUIRE(st.pages.size() >= 2);
    auto second = answer(st, "99");
    CHECK(answer(st, "0").text == first.text);
    CHECK(answer(st, "0").text == main_en);
    (void)second;
}

TEST_CASE(
    "engine: an action with next feeds its values to the next screen - a quote before a confirm") {
    dialog_state st;
    start(st, engine_tree(), en, "*111*7#");
    auto quote = answer(st, "1");
    REQUIRE(quote.call);
    CHECK(*quote.call == action_call{"tariff_info", {{"tariff", "smart"}}});
    CHECK_FALSE(quote.dialled);
    auto confirm = on_outcome(st, ok({{"tariff_title", "Smart"}, {"change_fee_now", "100.00"}}));
    CHECK(confirm.text == "Change to Smart for 100.00 RUB?\n1 Yes\n2 No");
    CHECK_FALSE(confirm.end);
    auto change = answer(st, "1");
    REQUIRE(change.call);
    CHECK(change.call->name == "tariff_change");
    auto done = on_outcome(st, ok({{"tariff_title", "Smart"}, {"fee", "100.00"}}));
    CHECK(done.text == "Now on Smart, charged 100.00 RUB.\n0 Back 00 Main menu");
    // Back from the result is the menu, not the quote or the confirmation.
    CHECK(answer(st, "0").text == "Tariffs\n1 Smart\n0 Back");
}

TEST_CASE("engine: a dialled string walks on after a quote - and its calls are marked dialled") {
    dialog_state st;
    auto quote = start(st, engine_tree(), en, "*111*7*1*1#");
    REQUIRE(quote.call);
    CHECK(quote.call->name == "tariff_info");
    CHECK(quote.dialled);
    // The rest of the string ("1": yes) is walked once the quote is back.
    auto change = on_outcome(st, ok({{"tariff_title", "Smart"}, {"change_fee_now", "0.00"}}));
    REQUIRE(change.call);
    CHECK(change.call->name == "tariff_change");
    CHECK(change.dialled);
    auto done = on_outcome(st, ok({{"tariff_title", "Smart"}, {"fee", "0.00"}}));
    CHECK(done.end);
    // A refused quote ends with its refusal; nothing after it runs.
    dialog_state no;
    start(no, engine_tree(), en, "*111*7*1*1#");
    auto refused = on_outcome(no, outcome{false, "unknown_tariff", {{"reason", "gone"}}, {}, ""});
    CHECK(refused.text == "No such tariff: gone");
    CHECK(refused.end);
}
