// Password rules count characters, not UTF-8 bytes, and say "Latin letters,
// digits and punctuation only" before any length rule; no other text a
// subscriber or operator reads is cut by bytes.

#include <doctest/doctest.h>

#include "fixture.hpp"
#include "ussdgw/actions/engine.hpp"
#include "ussdgw/util/charset.hpp"

using namespace ussdgw;
using namespace ussdgw::test;
using actions::channel;

namespace {

actions::outcome set_by_sms(fixture& f, const std::string& msisdn, const std::string& pw) {
    return f.call(msisdn, "password_set", {{"password", pw}}, channel::sms);
}

// True when `s` is valid UTF-8 (every sequence decodes to a real code point).
bool valid_utf8(const std::string& s) {
    for (std::size_t pos = 0; pos < s.size();) {
        const std::size_t at = pos;
        const char32_t c = util::utf8_next(s, pos);
        if (c == 0xFFFD && s.compare(at, 3, "\xEF\xBF\xBD") != 0) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("25 Пароль - six Cyrillic characters - is refused for the alphabet not the length") {
    fixture f;
    auto o = set_by_sms(f, en1, "Пароль");
    CHECK(o.error == "weak_password");
    CHECK(o.vars["reason"] ==
          "Password change error: use Latin letters, digits and punctuation only.");
    auto ru = set_by_sms(f, ru2, "Пароль");
    CHECK(ru.vars["reason"] ==
          "Ошибка смены пароля: используйте только латинские буквы, цифры и знаки препинания.");
    // Also when it is long or short in bytes, and by USSD.
    for (const char* pw : {"Hello€1", "Пароль12", "Пар1", "Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ж"}) {
        CAPTURE(pw);
        CHECK(set_by_sms(f, en1, pw)
                  .vars["reason"]
                  .find("Latin letters, digits and punctuation "
                        "only") != std::string::npos);
        CHECK(
            f.call(en1, "password_set", {{"password", pw}}).vars["reason"].find("Latin letters") !=
            std::string::npos);
    }
    // A space or a control character is no punctuation either.
    CHECK(set_by_sms(f, en1, "Hello 12").vars["reason"].find("Latin letters") != std::string::npos);
    // Invalid UTF-8 is not Latin.
    CHECK(set_by_sms(f, en1, std::string("Hello1\xC3", 7)).vars["reason"].find("Latin letters") !=
          std::string::npos);
    // Nothing was stored.
    CHECK(f.scalar("SELECT count(*) FROM passwords") == 0);
}

TEST_CASE("the length rules count characters") {
    fixture f;
    // 8 characters is the SMS maximum; 9 is too long, 5 too short.
    CHECK(set_by_sms(f, en1, "Hello123").ok);
    CHECK(set_by_sms(f, en1, "Hello1234").vars["reason"] ==
          "Password change error: the password must have at most 8 characters.");
    CHECK(set_by_sms(f, en1, "Hel12").vars["reason"] ==
          "Password change error: the password must have at least 6 characters.");
}

TEST_CASE("the archive cuts long arguments on characters - never inside one") {
    const auto* e = actions::builtin_registry().lookup("topup");
    REQUIRE(e);
    std::string ref = "x";
    for (int i = 0; i < 100; ++i) ref += "Ж";
    auto row = actions::archive_arguments(e, {{"reference", ref}});
    CHECK(valid_utf8(row));
    const std::string value = row.substr(row.find('=') + 1);
    CHECK(value.size() > 3);
    CHECK(value.substr(value.size() - 3) == "...");
    CHECK(util::utf8_length(value.substr(0, value.size() - 3)) == 64);
    // Short values are kept whole.
    CHECK(actions::archive_arguments(e, {{"reference", "Платёж 42"}}) == "reference=Платёж 42");
}
