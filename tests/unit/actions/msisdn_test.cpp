// One normalisation of subscriber numbers (actions/msisdn.hpp): what people
// type becomes the stored 11 digits starting with 7, everywhere a number is
// taken; anything else is refused saying what is accepted.

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "fixture.hpp"
#include "ussdgw/actions/msisdn.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::msisdn_problem;

namespace {

std::string norm(const std::string& typed) {
    auto r = actions::normalize_msisdn(typed);
    return r ? *r : "refused";
}

msisdn_problem problem(const std::string& typed) {
    auto r = actions::normalize_msisdn(typed);
    REQUIRE_FALSE(r);
    return r.error();
}

// The `regex:` of an input node in a shipped menu file, YAML escapes undone.
std::string menu_regex(const std::string& file, const std::string& node) {
    std::ifstream in(std::string(USSDGW_SOURCE_DIR) + "/menus/" + file);
    REQUIRE(in);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.rfind("  " + node + ":", 0) == 0) inside = true;
        auto at = line.find("regex: \"");
        if (inside && at != std::string::npos) {
            auto body = line.substr(at + 8, line.rfind('"') - at - 8);
            std::string out;
            for (std::size_t i = 0; i < body.size(); ++i) {
                if (body[i] == '\\' && i + 1 < body.size()) ++i;
                out += body[i];
            }
            return out;
        }
    }
    FAIL("no regex in node " << node << " of " << file);
    return {};
}

}  // namespace

TEST_CASE("numbers typed with 10 or 11 digits or +7 become 11 digits starting with 7") {
    CHECK(norm("9160000005") == "79160000005");
    CHECK(norm("79160000005") == "79160000005");
    CHECK(norm("89160000005") == "79160000005");
    CHECK(norm("+79160000005") == "79160000005");
    CHECK(norm(" 9160000005 ") == "79160000005");
    CHECK(norm("74951234567") == "74951234567");  // 11 digits from 7: any number
    CHECK(problem("") == msisdn_problem::empty);
    CHECK(problem("916000000") == msisdn_problem::wrong_length);
    CHECK(problem("791600000051") == msisdn_problem::wrong_length);
    CHECK(problem("69160000005") == msisdn_problem::wrong_length);
    CHECK(problem("4951234567") == msisdn_problem::not_mobile);
    CHECK(problem("+89160000005") == msisdn_problem::not_russian);
    CHECK(problem("+380441234567") == msisdn_problem::not_russian);
    CHECK(problem("+7916000000") == msisdn_problem::wrong_length);
    CHECK(problem("916-000-00-05") == msisdn_problem::not_digits);
    CHECK(problem("+") == msisdn_problem::not_digits);
    CHECK(actions::describe(msisdn_problem::wrong_length).find("10 digits starting with 9") !=
          std::string::npos);
}

TEST_CASE("transfer to a 10-digit number reaches the subscriber *111*4*4*9160000005*10*1#") {
    fixture f;
    auto o = f.call(en1, "transfer", {{"to", "9160000005"}, {"amount", "10"}});
    REQUIRE_MESSAGE(o.ok, o.vars["reason"]);
    CHECK(o.vars["to"] == en5);
    CHECK(o.vars["message"] == "10.00 RUB sent to 79160000005. Balance: 240.00 RUB.");
    CHECK(f.balance(en5) == 1000);
    REQUIRE(o.sms.size() == 1);
    CHECK(o.sms[0].to == en5);
    CHECK(f.scalar("SELECT count(*) FROM payments WHERE kind='transfer_in' AND "
                   "msisdn='79160000005' AND peer='79160000001'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM payments WHERE kind='transfer_out' AND "
                   "peer='79160000005'") == 1);
    // The other accepted forms reach the same account.
    CHECK(f.call(en1, "transfer", {{"to", "+79160000005"}, {"amount", "1"}}).ok);
    CHECK(f.call(en1, "transfer", {{"to", "89160000005"}, {"amount", "1"}}).ok);
    CHECK(f.balance(en5) == 1200);
    // The own number in another form is still the own number.
    CHECK(f.call(en1, "transfer", {{"to", "9160000001"}, {"amount", "1"}}).error == "same_number");
}

TEST_CASE("bonus_give takes the same number forms") {
    fixture f;
    f.call(en1, "topup", {{"amount", "1000"}}, actions::channel::admin);  // 100 points
    auto g = f.call(en1, "bonus_give", {{"to", "9160000002"}, {"points", "10"}});
    REQUIRE_MESSAGE(g.ok, g.vars["reason"]);
    CHECK(g.vars["to"] == ru2);
    CHECK(f.call(en1, "bonus_give", {{"to", "+79160000002"}, {"points", "5"}}).ok);
    CHECK(f.sub(ru2).bonus == 15);
    CHECK(f.call(en1, "bonus_give", {{"to", "9160000001"}, {"points", "1"}}).error ==
          "same_number");
}

TEST_CASE("a number in no accepted form is refused saying what is accepted - nothing moves") {
    fixture f;
    for (const char* typed : {"4951234567", "916000000", "+89160000005", "7916abc0000"}) {
        CAPTURE(typed);
        auto o = f.call(en1, "transfer", {{"to", typed}, {"amount", "10"}});
        CHECK(o.error == "bad_number");
        CHECK(o.vars["reason"].find(typed) == 0);
        CHECK(o.vars["reason"].find("10 digits starting with 9, 11 digits starting with 7 or 8, "
                                    "or +7 and 10 digits") != std::string::npos);
        auto b = f.call(en1, "bonus_give", {{"to", typed}, {"points", "1"}});
        CHECK(b.error == "bad_number");
    }
    auto ru = f.call(ru2, "transfer", {{"to", "4951234567"}, {"amount", "10"}});
    CHECK(ru.error == "bad_number");
    CHECK(ru.vars["reason"].find("Введите 10 цифр, начиная с 9") != std::string::npos);
    CHECK(f.balance(en1) == 25000);
    CHECK(f.balance(ru2) == 100000);
}

TEST_CASE("the transfer and gift screens accept exactly the numbers the actions accept") {
    const std::pair<std::string, std::string> screens[] = {{"payments.yaml", "transfer_to"},
                                                           {"bonus.yaml", "bonus_to"}};
    for (const auto& screen_of : screens) {
        const std::string node = screen_of.second;
        CAPTURE(node);
        const std::regex re(menu_regex(screen_of.first, node), std::regex::ECMAScript);
        for (const char* typed : {"9160000005", "79160000005", "89160000005", "+79160000005",
                                  "4951234567", "916000000", "69160000005", "+89160000005",
                                  "791600000051", "+7916000000", "9160000005x", "79160000005 "}) {
            CAPTURE(typed);
            const bool screen = std::regex_match(typed, re);
            const bool action = static_cast<bool>(actions::normalize_msisdn(typed));
            // A blank the screen refuses is trimmed by the menu engine before.
            if (std::string(typed).back() != ' ') CHECK(screen == action);
        }
    }
}
