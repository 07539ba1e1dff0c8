#include "ussdgw/app/console_phone.hpp"

#include "ussdgw/app/self_service.hpp"
#include "ussdgw/store/copy.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/ussd/text.hpp"

namespace ussdgw::app {

namespace {

// The rows a phone's copy takes: the whole catalogue, and the subscriber's
// own rows. Never passwords, sim codes or login counters (secrets and the
// lockout that guards them), the archive or the outbox.
constexpr const char* catalogue_tables[] = {"tariffs", "services", "service_rules"};
constexpr const char* own_tables[] = {"subscribers", "subscriptions", "payments", "promised",
                                      "blocking"};

void copy_subscriber(store::connection& db, const std::string& db_path, const std::string& msisdn) {
    store::connection src(db_path, store::open_mode::read_only);
    store::transaction read(src, false);  // one snapshot for every table
    for (const char* t : catalogue_tables) store::copy_rows(src, db, t);
    for (const char* t : own_tables) store::copy_rows(src, db, t, "msisdn = ?", msisdn);
}

// Another subscriber a dialog names (a transfer's recipient): their account
// row alone, so the action sees them as the store would.
void copy_peer(store::connection& db, const std::string& db_path, const std::string& msisdn) {
    store::connection src(db_path, store::open_mode::read_only);
    store::copy_rows(src, db, "subscribers", "msisdn = ?", msisdn, store::on_existing::keep);
}

bool looks_like_msisdn(const std::string& s) {
    return s.size() >= 10 && s.size() <= 15 &&
           s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

console_phone::console_phone(const actions::rules& rules, const actions::registry& registry)
    : rules_(rules), registry_(registry) {}

console_phone::~console_phone() = default;

util::result<phone_screen, std::string> console_phone::dial(std::shared_ptr<const menu::tree> menus,
                                                            const std::string& db_path,
                                                            const std::string& msisdn,
                                                            const std::string& language,
                                                            const std::string& dialled) {
    engine_.reset();
    accounts_.reset();
    db_.reset();
    open_ = false;
    ran_.clear();
    outbox_seen_ = 0;
    db_path_ = db_path;
    try {
        db_ = std::make_unique<store::connection>(":memory:");
        if (auto m = store::migrate(*db_); !m) return util::fail(m.error());
        accounts_ = std::make_unique<store::accounts>(*db_);
        if (msisdn.empty()) {
            copy_subscriber(*db_, db_path, "");  // the catalogue alone
            auto tariffs = accounts_->all_tariffs();
            store::subscriber demo;
            demo.msisdn = demo_phone_msisdn;
            demo.tariff = tariffs.empty() ? std::string() : tariffs.front().name;
            demo.language = language == "ru" ? "ru" : "en";
            demo.balance = 10'000;
            accounts_->add_subscriber(demo);
            msisdn_ = demo_phone_msisdn;
        } else {
            copy_subscriber(*db_, db_path, msisdn);
            if (!accounts_->find_subscriber(msisdn))
                return util::fail("no subscriber " + msisdn + " in the store");
            msisdn_ = msisdn;
        }
    } catch (const std::exception& e) {
        return util::fail(std::string("cannot copy the subscriber: ") + e.what());
    }
    engine_ = std::make_unique<actions::engine>(*accounts_, registry_, rules_, hasher_,
                                                actions::system_now);
    state_ = {};
    open_ = true;
    const auto who = profile_from(act({"profile", {}}));
    ran_.clear();  // the daemon's own lookup, not the subscriber's
    return run(menu::start(state_, std::move(menus), who, dialled));
}

util::result<phone_screen, std::string> console_phone::answer(const std::string& input) {
    if (!open_ || state_.ended) return util::fail(std::string("dial a code first"));
    ran_.clear();
    try {
        return run(menu::answer(state_, input));
    } catch (const std::logic_error& e) {
        return util::fail(std::string("the dialog cannot take an answer now: ") + e.what());
    }
}

actions::outcome console_phone::act(const menu::action_call& call) {
    actions::request req;
    req.msisdn = msisdn_;
    req.via = actions::channel::ussd;
    req.action = call.name;
    req.arguments = call.args;
    for (const auto& [name, value] : call.args)
        if (looks_like_msisdn(value) && value != msisdn_) copy_peer(*db_, db_path_, value);
    actions::outcome o;
    {
        // Kept in the copy, as the store would keep it: the next screen sees it.
        store::transaction t(*db_);
        o = engine_->execute(req);
        t.commit();
    }
    ran_.push_back({call.name, o.ok, o.error});
    return o;
}

phone_screen console_phone::run(menu::step s) {
    // An action's screen may ask for another action (a walk that goes on
    // after it): run them in turn, as the daemon does.
    while (s.call) s = menu::on_outcome(state_, act(*s.call));
    if (s.end) state_.ended = true;
    phone_screen out;
    out.text = s.text;
    out.end = s.end;
    const bool gsm = ussd::encoding_for(s.text) == ussd::encoding::gsm7;
    out.encoding = gsm ? "GSM 7-bit" : "UCS-2";
    out.units = ussd::screen_units(s.text);
    const auto& budget = state_.menus ? state_.menus->budget : ussd::screen_budget{};
    out.limit = gsm ? budget.gsm7_septets : budget.ucs2_units;
    out.pages = std::max<std::size_t>(1, state_.pages.size());
    out.page = std::min(state_.page + 1, out.pages);
    out.actions = ran_;
    // What the actions queued in the copy's outbox: shown, never sent.
    auto rows = db_->prepare("SELECT id, sender, recipient, body FROM outbox WHERE id > ?");
    for (auto c = rows.query(outbox_seen_); c.next();) {
        outbox_seen_ = c.int64(0);
        out.sms.push_back({c.text(1), c.text(2), c.text(3)});
    }
    return out;
}

}  // namespace ussdgw::app
