#pragma once
// An in-memory action catalog for tests: the names, parameters and
// placeholders of the real registry (docs/actions.md), without a store.

#include <map>
#include <string>

#include "ussdgw/actions/action.hpp"

namespace ussdgw::test {

/// A catalog filled by hand.
class fake_catalog : public actions::catalog {
  public:
    /// The real actions' facts as the registry declares them.
    fake_catalog() {
        add({"profile", {}, {}, {}, {"language", "alphabet", "status", "tariff"}});
        add({"balance",
             {},
             {},
             {},
             {"balance", "bonus", "tariff", "tariff_title", "credit_limit", "available",
              "minutes_left", "sms_left", "mb_left", "status"}});
        add({"tariff_info",
             {},
             {"tariff"},
             {},
             {"tariff", "tariff_title", "monthly_fee", "change_fee", "change_fee_now",
              "next_free_change", "minutes", "sms", "mb"}});
        add({"tariffs_list", {}, {}, {}, {"tariffs", "count"}});
        add({"tariff_change",
             {"tariff"},
             {},
             {},
             {"tariff", "tariff_title", "fee", "balance", "disconnected"}});
        add({"services_list", {}, {"filter"}, {}, {"services", "count"}});
        add({"service_connect",
             {"service"},
             {},
             {},
             {"service", "service_name", "fee", "fee_text", "balance"}});
        add({"service_disconnect", {"service"}, {}, {}, {"service", "service_name"}});
        add({"promised_payment", {"amount"}, {}, {}, {"amount", "fee", "due", "balance"}});
        add({"full_trust", {}, {"state"}, {}, {"credit_limit", "available", "state"}});
        add({"block_number", {}, {}, {}, {"status", "free_until", "daily_fee"}});
        add({"unblock_number", {}, {}, {}, {"status"}});
        add({"topup",
             {"amount"},
             {"reference"},
             {},
             {"amount", "balance", "bonus_earned", "bonus"}});
        add({"transfer", {"to", "amount"}, {}, {}, {"to", "amount", "balance"}});
        add({"bonus_balance", {}, {}, {}, {"bonus"}});
        add({"bonus_spend", {"package"}, {}, {}, {"package", "points", "bonus"}});
        add({"bonus_give", {"to", "points"}, {}, {}, {"to", "points", "bonus"}});
        add({"password_issue", {}, {}, {}, {"sender", "valid_hours"}});
        add({"password_set", {"password"}, {}, {"password"}, {"otp", "valid_hours"}});
        add({"password_check", {"password"}, {}, {"password"}, {"kind"}});
        add({"sms_archive_on", {}, {}, {}, {"archive_password"}});
        add({"number_management", {"state"}, {}, {}, {"state"}});
        add({"login_alerts", {"state"}, {}, {}, {"state"}});
        add({"language_set", {"language"}, {}, {}, {"language"}});
        add({"alphabet_set", {"alphabet"}, {}, {}, {"alphabet"}});
        add({"app_link", {}, {}, {}, {"url"}});
        add({"pin_change", {"old", "new", "new2"}, {}, {"old", "new", "new2"}, {}});
        add({"puk_unblock", {"puk", "new", "new2"}, {}, {"puk", "new", "new2"}, {}});
        add({"details_order", {"months"}, {"kind"}, {}, {"kind", "months", "from", "to"}});
        add({"archive_list", {}, {"limit"}, {}, {"archive", "count"}});
    }

    /// Adds or replaces an action; every success also provides "message", as in the registry.
    void add(actions::info i) {
        i.provides.push_back("message");
        infos_[i.name] = std::move(i);
    }

    const actions::info* find(std::string_view name) const override {
        auto it = infos_.find(std::string(name));
        return it == infos_.end() ? nullptr : &it->second;
    }

  private:
    std::map<std::string, actions::info> infos_;
};

}  // namespace ussdgw::test
