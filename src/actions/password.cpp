// Self-service passwords: password_issue (*111*25#, "Password" to 3339),
// password_set ("25 <password>" to 111), password_check (logins with the
// lockout rules and the owner's login alerts), sms_archive_on (archive
// password). Clear passwords exist only in memory and in the SMS to the
// owner; the store keeps Argon2id hashes.

#include "common.hpp"
#include "ussdgw/util/charset.hpp"

namespace ussdgw::actions {

namespace {

constexpr const char* permanent = "permanent";
constexpr const char* one_time = "one_time";

std::string hours(const rules& cfg) {
    return std::to_string(cfg.password_valid_seconds / 3600);
}

struct weakness {
    msg detail;
    std::map<std::string, std::string> vars;
};

// The password rules (docs/actions.md, password_set): 8..32 characters by
// USSD and admin, while the SMS route keeps the older 6..8 bounds (all four
// are rules fields); an upper-case and a lower-case Latin letter and a digit
// or punctuation mark; no character more than rules.password_max_repeat times.
// The alphabet is checked first: "25 Пароль" must hear that only Latin
// letters are allowed, not a length rule it may well meet. Lengths count
// characters (code points), never UTF-8 bytes.
std::optional<weakness> check_strength(const std::string& pw, channel via, const rules& cfg) {
    auto min = via == channel::sms ? cfg.password_min_sms : cfg.password_min_ussd;
    auto max = via == channel::sms ? cfg.password_max_sms : cfg.password_max_ussd;
    bool upper = false, lower = false, digit_or_punct = false;
    std::map<char32_t, std::size_t> counts;
    std::size_t length = 0;
    for (std::size_t pos = 0; pos < pw.size();) {
        const char32_t c = util::utf8_next(pw, pos);
        ++length;
        // Printable ASCII only: invalid UTF-8 decodes as U+FFFD and fails here too.
        if (c < 0x21 || c > 0x7e) return weakness{msg::pw_not_latin, {}};
        if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= 'a' && c <= 'z')
            lower = true;
        else
            digit_or_punct = true;
        ++counts[c];
    }
    if (length < min) return weakness{msg::pw_too_short, {{"min", std::to_string(min)}}};
    if (length > max) return weakness{msg::pw_too_long, {{"max", std::to_string(max)}}};
    if (!upper || !lower || !digit_or_punct) return weakness{msg::pw_classes, {}};
    for (const auto& [c, n] : counts)
        if (n > cfg.password_max_repeat)
            return weakness{msg::pw_repeats,
                            {{"max_repeat", std::to_string(cfg.password_max_repeat)}}};
    return std::nullopt;
}

// A new password replaces the old one and lifts the lockout.
void unlock(context& ctx) {
    ctx.db.put_login(ctx.req.msisdn, {});
}

outcome password_issue(context& ctx) {
    auto pw = ctx.generated(0, ctx.cfg.issued_password_length);
    store::password_row row{permanent, ctx.hash(pw), ctx.now,
                            ctx.now + ctx.cfg.password_valid_seconds, std::nullopt};
    ctx.db.put_password(ctx.req.msisdn, row);
    unlock(ctx);
    ctx.sms(ctx.cfg.password_sender,
            ctx.say(msg::sms_password, {{"password", pw}, {"hours", hours(ctx.cfg)}}));
    return ctx.ok({{"sender", ctx.cfg.password_sender}, {"valid_hours", hours(ctx.cfg)}},
                  msg::ok_password_issued);
}

outcome password_set(context& ctx) {
    const auto& pw = ctx.arg("password");
    if (auto w = check_strength(pw, ctx.req.via, ctx.cfg))
        return ctx.refuse("weak_password", msg::weak_password,
                          {{"detail", ctx.say(w->detail, w->vars)}});
    auto otp = ctx.generated(0, ctx.cfg.issued_password_length);
    ctx.db.put_password(ctx.req.msisdn,
                        {permanent, ctx.hash(pw), ctx.now, std::nullopt, std::nullopt});
    ctx.db.put_password(ctx.req.msisdn, {one_time, ctx.hash(otp), ctx.now,
                                         ctx.now + ctx.cfg.password_valid_seconds, std::nullopt});
    unlock(ctx);
    ctx.sms(ctx.cfg.password_sender, ctx.say(msg::sms_password_accepted));
    return ctx.ok({{"otp", otp}, {"valid_hours", hours(ctx.cfg)}}, msg::ok_password_set);
}

outcome password_check(context& ctx) {
    const auto& msisdn = ctx.req.msisdn;
    const auto& pw = ctx.arg("password");
    auto login = ctx.db.find_login(msisdn);
    auto max = std::to_string(ctx.cfg.max_failed_logins);
    if (login.locked) return ctx.refuse("password_locked", msg::password_locked, {{"max", max}});
    auto perm = ctx.db.find_password(msisdn, permanent);
    auto otp = ctx.db.find_password(msisdn, one_time);
    if (!perm && !otp) return ctx.refuse("no_password", msg::no_password);
    auto expired = [&](const store::password_row& r) { return r.expires && ctx.now >= *r.expires; };
    // A hash made before the store had a server key is re-made under the key
    // at its first successful use (docs/operations.md, "The server key").
    auto rekey = [&](store::password_row row) {
        if (auto fresh = ctx.rekey(row.hash, pw)) {
            row.hash = *fresh;
            ctx.db.put_password(msisdn, row);
        }
    };
    if (perm && ctx.verify(perm->hash, pw)) {
        if (expired(*perm)) return ctx.refuse("password_expired", msg::password_expired);
        rekey(*perm);
        // An issued password is valid 48 h if unused; once used it stays.
        if (perm->expires) ctx.db.clear_password_expiry(msisdn, permanent);
        unlock(ctx);
        return ctx.ok({{"kind", permanent}}, msg::ok_password_checked);
    }
    if (otp && ctx.verify(otp->hash, pw)) {
        if (otp->used) return ctx.refuse("password_used", msg::password_used);
        if (expired(*otp)) return ctx.refuse("password_expired", msg::password_expired);
        rekey(*otp);
        ctx.db.mark_password_used(msisdn, one_time, ctx.now);
        unlock(ctx);
        return ctx.ok({{"kind", one_time}}, msg::ok_password_checked);
    }
    // A wrong password counts towards the lock, and the count must survive
    // the refusal's rollback.
    ctx.keep_on_refusal = true;
    login.failed += 1;
    if (login.failed >= ctx.cfg.max_failed_logins) {
        login.locked = true;
        ctx.db.put_login(msisdn, login);
        return ctx.refuse("password_locked", msg::password_locked, {{"max", max}});
    }
    ctx.db.put_login(msisdn, login);
    return ctx.refuse(
        "wrong_password", msg::wrong_password,
        {{"attempts_left", std::to_string(ctx.cfg.max_failed_logins - login.failed)}});
}

// Why a login was refused, as a clause of the alert SMS. Built from the error
// code and the refusal's own vars (attempts left, the lock threshold), never
// from the arguments, so the password that was tried cannot leak into it.
std::string refusal_why(const outcome& o, const std::string& lang) {
    if (o.error == "wrong_password") return text(msg::word_login_wrong, lang, o.vars);
    if (o.error == "password_locked") return text(msg::word_login_locked, lang, o.vars);
    if (o.error == "password_expired") return text(msg::word_login_expired, lang);
    if (o.error == "password_used") return text(msg::word_login_used, lang);
    if (o.error == "no_password") return text(msg::word_login_no_password, lang);
    // A refusal added later: its reason sentence, without the full stop the
    // alert text supplies itself (never the error code: subscribers read it).
    auto it = o.vars.find("reason");
    std::string why = it == o.vars.end() ? text(msg::word_result_refused, lang) : it->second;
    if (!why.empty() && why.back() == '.') why.pop_back();
    return why;
}

// Login alerts (docs/actions.md, password_check): with them on, the owner
// hears of every login and of every refused one by SMS from the password
// sender, so that someone else trying passwords is noticed. The SMS is for
// the owner, so it is in the owner's stored language, whatever language the
// login asked for. Someone trying passwords on a locked account must not
// turn that into an SMS flood: at most rules.login_alerts_per_hour alerts go
// out per hour.
void alert_login(context& ctx, const outcome& o) {
    if (!ctx.sub || !ctx.sub->login_alerts) return;
    const auto& lang = ctx.sub->language;
    const auto& msisdn = ctx.req.msisdn;
    auto window = ctx.db.find_alert_window(msisdn);
    // Alerts beyond the cap are counted; the next one sent says how many since when.
    const bool send = detail::hourly_cap_allows(ctx.cfg.login_alerts_per_hour, window, ctx.now);
    std::string note;
    if (send && window.suppressed > 0) {
        note = " " +
               text(msg::sms_alerts_suppressed, lang,
                    {{"count", std::to_string(window.suppressed)},
                     {"since", format_stamp(window.suppressed_since, ctx.cfg.utc_offset_seconds)}});
        window.suppressed = 0;
        window.suppressed_since = 0;
    }
    ctx.db.put_alert_window(msisdn, window);
    // The window is the alert's own bookkeeping: it must outlive a refused
    // login's rollback, or a flood would never reach the cap.
    ctx.keep_on_refusal = true;
    if (!send) return;
    std::map<std::string, std::string> v{
        {"time", format_stamp(ctx.now, ctx.cfg.utc_offset_seconds)}};
    if (o.ok) {
        ctx.sms(ctx.cfg.password_sender, text(msg::sms_login_ok, lang, v) + note);
        return;
    }
    v["why"] = refusal_why(o, lang);
    ctx.sms(ctx.cfg.password_sender, text(msg::sms_login_refused, lang, v) + note);
}

// The alert rides on the outcome's SMS, which the engine delivers whether
// the check passed or not. All it writes is its own hourly count, so the
// lockout counters are exactly password_check's with alerts on or off.
outcome password_check_alerting(context& ctx) {
    auto o = password_check(ctx);
    alert_login(ctx, o);
    return o;
}

outcome sms_archive_on(context& ctx) {
    auto pw = ctx.generated(0, ctx.cfg.issued_password_length);
    ctx.db.put_sms_archive(ctx.req.msisdn, ctx.hash(pw), ctx.now);
    return ctx.ok({{"archive_password", pw}}, msg::ok_sms_archive);
}

}  // namespace

void add_password_actions(registry& r) {
    entry issue;
    issue.facts = {"password_issue", {}, {}, {}, {"sender", "valid_hours", "message"}};
    issue.run = password_issue;
    issue.prepare = [](prepare_context& p) { p.generate(p.cfg.issued_password_length); };
    issue.secret_sms = true;
    r.add(std::move(issue));

    entry set;
    set.facts = {"password_set", {"password"}, {}, {"password"}, {"otp", "valid_hours", "message"}};
    set.run = password_set;
    set.prepare = [](prepare_context& p) {
        auto it = p.req.arguments.find("password");
        if (it == p.req.arguments.end() || check_strength(it->second, p.req.via, p.cfg)) return;
        p.hash(it->second);
        p.generate(p.cfg.issued_password_length);
    };
    set.secret_vars = {"otp", "message"};
    set.errors = {"weak_password"};
    r.add(std::move(set));

    entry check;
    check.facts = {"password_check", {"password"}, {}, {"password"}, {"kind", "message"}};
    check.run = password_check_alerting;
    check.prepare = [](prepare_context& p) {
        auto it = p.req.arguments.find("password");
        if (it == p.req.arguments.end() || !p.reader) return;
        if (p.reader->find_login(p.req.msisdn).locked) return;
        for (const char* kind : {permanent, one_time})
            if (auto row = p.reader->find_password(p.req.msisdn, kind))
                p.verify(row->hash, it->second);
    };
    check.errors = {"password_locked", "no_password", "wrong_password", "password_expired",
                    "password_used"};
    r.add(std::move(check));

    entry archive;
    archive.facts = {"sms_archive_on", {}, {}, {}, {"archive_password", "message"}};
    archive.run = sms_archive_on;
    archive.prepare = [](prepare_context& p) { p.generate(p.cfg.issued_password_length); };
    archive.secret_vars = {"archive_password", "message"};
    r.add(std::move(archive));
}

}  // namespace ussdgw::actions
