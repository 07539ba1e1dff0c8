// The monthly full-trust review (docs/actions.md "Full trust review"): on the
// first day of a month (Moscow time) the credit limit becomes half the
// average monthly spend of the three months before, never below 300 RUB,
// once however often the daily job runs; a change is told by SMS.

#include <doctest/doctest.h>

#include "fixture.hpp"
#include "ussdgw/actions/calendar.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

constexpr std::int64_t day = 86400;
constexpr std::int64_t msk = 3 * 3600;
// Local (Moscow) midnights starting April and May 2030.
constexpr std::int64_t april = t0 + 90 * day - msk;
constexpr std::int64_t may = t0 + 120 * day - msk;

void pay(fixture& f, const std::string& msisdn, std::int64_t time, const std::string& kind,
         std::int64_t amount) {
    f.exec("INSERT INTO payments (msisdn, time, kind, amount, peer) VALUES ('" + msisdn + "', " +
           std::to_string(time) + ", '" + kind + "', " + std::to_string(amount) + ", '')");
}

void set_clock(fixture& f, std::int64_t t) {
    *f.now = t;
}

}  // namespace

TEST_CASE("calendar months in local time") {
    auto d = actions::local_date(april, msk);
    CHECK(d.year == 2030);
    CHECK(d.month == 4);
    CHECK(d.day == 1);
    CHECK(actions::local_date(april - 1, msk).month == 3);
    CHECK(actions::month_start(actions::month_index(2030, 4), msk) == april);
    CHECK(actions::month_start(actions::month_index(2030, 1), 0) == t0);
    CHECK(actions::local_month_index(t0, msk) == actions::month_index(2030, 1));
    CHECK(actions::parse_iso8601("2030-01-01T00:00:00Z") == t0);
    CHECK(actions::parse_iso8601("2030-01-01T03:00:00+03:00") == t0);
    CHECK_FALSE(actions::parse_iso8601("2030-02-30T00:00:00Z"));
    CHECK_FALSE(actions::parse_iso8601("2030-01-01T00:00:00"));
    CHECK_FALSE(actions::parse_iso8601("2030-01-01 00:00:00Z"));
}

TEST_CASE("full trust is reviewed on the 1st to half the average spend - once") {
    fixture f;
    REQUIRE(f.call(en1, "full_trust", {{"state", "on"}}).ok);
    REQUIRE(f.call(ru2, "full_trust", {{"state", "on"}}).ok);
    REQUIRE(f.call(ru4, "full_trust", {{"state", "on"}}).ok);
    // Switching on counts as this month's review: nothing today.
    auto today = f.daily();
    CHECK(today.trust_reviewed == 0);
    CHECK(today.sms.empty());
    // en1 was charged 1500, 1000 and 1000 RUB in January to March.
    pay(f, en1, t0 + 14 * day, "service_fee", -150000);
    pay(f, en1, t0 + 45 * day, "tariff_change_fee", -50000);
    pay(f, en1, t0 + 46 * day, "blocking_fee", -50000);
    pay(f, en1, t0 + 73 * day, "promised_fee", -50000);
    pay(f, en1, t0 + 74 * day, "service_fee", -50000);
    // Not spend: money moved away, a loan returned, money in.
    pay(f, en1, t0 + 50 * day, "transfer_out", -1000000);
    pay(f, en1, t0 + 75 * day, "promised_repayment", -500000);
    pay(f, en1, t0 + 20 * day, "topup", 1000000);
    // Charged in April (01.04 00:30 Moscow): not in the April review.
    pay(f, en1, april + 1800, "service_fee", -900000);
    // ru4's limit was raised earlier and its spend fell.
    f.exec("UPDATE subscribers SET credit_limit = 80000 WHERE msisdn = '79160000004'");

    // 01.02 00:00 Moscow: January is the only month en1 existed in.
    set_clock(f, t0 + 31 * day - msk);
    auto feb = f.daily();
    CHECK(feb.trust_reviewed == 3);
    CHECK(feb.trust_changed == 2);
    CHECK(f.sub(en1).credit_limit == 75000);  // 1500 / 1, half
    CHECK(f.sub(ru2).credit_limit == 30000);  // no spend: the starting 300
    CHECK(f.sub(ru4).credit_limit == 30000);  // never below 300
    REQUIRE(feb.sms.size() == 2);
    CHECK(feb.sms[0].from == "111");
    CHECK(feb.sms[0].to == en1);
    CHECK(feb.sms[0].text ==
          "Full trust: your credit limit is now 750.00 RUB (it was 300.00 RUB).");
    CHECK(feb.sms[1].to == ru4);
    CHECK(feb.sms[1].text ==
          "«Полное доверие»: ваш кредитный лимит теперь 300,00 руб. (был 800,00 руб.).");
    CHECK(f.scalar("SELECT count(*) FROM archive WHERE action = 'trust_review' AND channel = "
                   "'system'") == 2);

    // 01.03: (1500 + 1000) / 2 months, half: 625 RUB.
    set_clock(f, t0 + 59 * day - msk);
    auto mar = f.daily();
    CHECK(mar.trust_changed == 1);
    CHECK(f.sub(en1).credit_limit == 62500);

    // 31.03 23:59 Moscow: still March.
    set_clock(f, april - 60);
    CHECK(f.daily().trust_reviewed == 0);
    CHECK(f.sub(en1).credit_limit == 62500);

    // 01.04 00:00 Moscow: (1500 + 1000 + 1000) / 3 = 1166.67; half is 583.33: 583 RUB.
    set_clock(f, april);
    auto apr = f.daily();
    CHECK(apr.ok);
    CHECK(apr.trust_reviewed == 3);
    CHECK(apr.trust_changed == 1);
    CHECK(f.sub(en1).credit_limit == 58300);
    REQUIRE(apr.sms.size() == 1);
    CHECK(apr.sms[0].text ==
          "Full trust: your credit limit is now 583.00 RUB (it was 625.00 RUB).");

    // Again the same day, and every hour of the month: nothing changes.
    for (std::int64_t hours : {0, 1, 5, 24 * 14}) {
        set_clock(f, april + hours * 3600);
        auto again = f.daily();
        CHECK(again.trust_reviewed == 0);
        CHECK(again.trust_changed == 0);
        CHECK(again.sms.empty());
    }
    CHECK(f.sub(en1).credit_limit == 58300);

    // 01.05: February to April, 1000 + 1000 + 9000 RUB (the charge of 01.04 00:30):
    // 3666.67 a month, half: 1833 RUB.
    set_clock(f, may);
    auto m = f.daily();
    CHECK(m.trust_reviewed == 3);
    CHECK(f.sub(en1).credit_limit == 183300);
    REQUIRE(m.sms.size() == 1);
    CHECK(m.sms[0].text == "Full trust: your credit limit is now 1833.00 RUB (it was 583.00 RUB).");
}

TEST_CASE("an account counts only the months it existed in - without full trust none is reviewed") {
    fixture f;
    // Provisioned on 10 March with full trust; charged 1000 RUB in March.
    f.exec(
        "INSERT INTO subscribers (msisdn, tariff, created, credit_limit, language) VALUES "
        "('79160000009', 'Basic', " +
        std::to_string(t0 + 68 * day) + ", 30000, 'en')");
    pay(f, "79160000009", t0 + 70 * day, "service_fee", -100000);
    // en5 was charged too but has no full trust.
    pay(f, en5, t0 + 70 * day, "service_fee", -900000);
    set_clock(f, april);
    auto r = f.daily();
    CHECK(r.trust_reviewed == 1);
    CHECK(f.sub("79160000009").credit_limit == 50000);  // 1000 / 1 month, half
    CHECK(f.sub(en5).credit_limit == 0);
    // An account provisioned this month has nothing to average yet.
    f.exec(
        "INSERT INTO subscribers (msisdn, tariff, created, credit_limit) VALUES "
        "('79160000008', 'Basic', " +
        std::to_string(april + day) + ", 30000)");
    set_clock(f, april + 2 * day);
    CHECK(f.daily().trust_reviewed == 0);
    CHECK(f.sub("79160000008").credit_limit == 30000);
}
