#include "catalog_import.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "ussdgw/actions/money.hpp"

namespace ussdgw::admin {

namespace {

// Collects problems as "file:line: message" so the operator sees all at once.
struct reader {
    std::string path;
    std::vector<std::string> problems;

    void problem(const YAML::Node& n, const std::string& what) {
        problems.push_back(path + ":" + std::to_string(n.Mark().line + 1) + ": " + what);
    }

    // Refuses keys the format does not know (typos would otherwise be ignored).
    void only(const YAML::Node& n, const std::set<std::string>& keys, const std::string& where) {
        for (const auto& kv : n) {
            if (!kv.first.IsScalar()) {
                problem(kv.first, "a key in " + where + " must be a plain name");
                continue;
            }
            auto k = kv.first.Scalar();
            if (!keys.count(k)) problem(kv.first, "unknown key '" + k + "' in " + where);
        }
    }

    std::string text(const YAML::Node& parent, const char* key, const std::string& where,
                     bool required = true, const std::string& fallback = "") {
        auto n = parent[key];
        if (!n) {
            if (required) problem(parent, where + ": missing '" + key + "'");
            return fallback;
        }
        if (!n.IsScalar()) {
            problem(n, where + ": '" + key + "' must be a single value");
            return fallback;
        }
        return n.Scalar();
    }

    store::kopecks rub(const YAML::Node& parent, const char* key, const std::string& where) {
        auto n = parent[key];
        if (!n) return 0;
        auto v = n.IsScalar() ? actions::parse_rub(n.Scalar()) : std::nullopt;
        if (!v) problem(n, where + ": '" + key + "' must be an amount in RUB such as 2.50");
        return v.value_or(0);
    }

    std::int64_t count(const YAML::Node& parent, const char* key, const std::string& where) {
        auto n = parent[key];
        if (!n) return 0;
        auto v = n.IsScalar() ? actions::parse_count(n.Scalar()) : std::nullopt;
        if (!v) problem(n, where + ": '" + key + "' must be a whole number");
        return v.value_or(0);
    }

    std::vector<std::string> names(const YAML::Node& parent, const char* key,
                                   const std::string& where) {
        std::vector<std::string> out;
        auto n = parent[key];
        if (!n) return out;
        if (!n.IsSequence()) {
            problem(n, where + ": '" + key + "' must be a list of tariff names");
            return out;
        }
        for (const auto& x : n) {
            if (x.IsScalar())
                out.push_back(x.Scalar());
            else
                problem(x, where + ": '" + key + "' must list tariff names, not nested items");
        }
        return out;
    }
};

}  // namespace

util::result<catalog_file, std::string> read_catalog(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return util::fail(path + ": cannot open the file");
    } catch (const YAML::ParserException& e) {
        return util::fail(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    reader r{path, {}};
    catalog_file out;
    if (!root.IsMap()) return util::fail(path + ":1: expected keys 'tariffs' and 'services'");
    r.only(root, {"tariffs", "services"}, "the file");
    for (const char* list : {"tariffs", "services"})
        if (root[list] && !root[list].IsSequence())
            r.problem(root[list], std::string("'") + list + "' must be a list");
    if (!r.problems.empty()) return util::fail(r.problems.front());
    std::set<std::string> seen;
    for (const auto& t : root["tariffs"]) {
        if (!t.IsMap()) {
            r.problem(t, "a tariff must be a map with name, titles, fees and packages");
            continue;
        }
        store::tariff x;
        x.name = r.text(t, "name", "tariff");
        std::string where = "tariff '" + x.name + "'";
        r.only(
            t,
            {"name", "title_en", "title_ru", "monthly_fee", "change_fee", "minutes", "sms", "mb"},
            where);
        if (!x.name.empty() && !seen.insert("t:" + x.name).second)
            r.problem(t, where + " is declared twice");
        x.title_en = r.text(t, "title_en", where, false, x.name);
        x.title_ru = r.text(t, "title_ru", where, false, x.title_en);
        x.monthly_fee = r.rub(t, "monthly_fee", where);
        x.change_fee = r.rub(t, "change_fee", where);
        x.minutes = r.count(t, "minutes", where);
        x.sms = r.count(t, "sms", where);
        x.mb = r.count(t, "mb", where);
        out.tariffs.push_back(std::move(x));
    }
    for (const auto& s : root["services"]) {
        if (!s.IsMap()) {
            r.problem(s, "a service must be a map with code, titles, fee and period");
            continue;
        }
        service_entry x;
        x.svc.code = r.text(s, "code", "service");
        std::string where = "service '" + x.svc.code + "'";
        r.only(
            s,
            {"code", "title_en", "title_ru", "fee", "period", "incompatible_with", "included_in"},
            where);
        if (!x.svc.code.empty() && !seen.insert("s:" + x.svc.code).second)
            r.problem(s, where + " is declared twice");
        x.svc.title_en = r.text(s, "title_en", where, false, x.svc.code);
        x.svc.title_ru = r.text(s, "title_ru", where, false, x.svc.title_en);
        x.svc.fee = r.rub(s, "fee", where);
        x.svc.period = r.text(s, "period", where, false, "none");
        if (x.svc.period != "none" && x.svc.period != "daily" && x.svc.period != "monthly")
            r.problem(s["period"], where + ": period must be none, daily or monthly, not '" +
                                       x.svc.period + "'");
        x.incompatible_with = r.names(s, "incompatible_with", where);
        x.included_in = r.names(s, "included_in", where);
        out.services.push_back(std::move(x));
    }
    if (!r.problems.empty()) {
        std::string all;
        for (const auto& p : r.problems) all += (all.empty() ? "" : "\n") + p;
        return util::fail(all);
    }
    return out;
}

util::result<int, std::string> apply_catalog(store::accounts& a, const catalog_file& c,
                                             const std::string& path) {
    std::set<std::string> tariffs;
    for (const auto& t : c.tariffs) tariffs.insert(t.name);
    for (const auto& t : a.all_tariffs()) tariffs.insert(t.name);
    for (const auto& s : c.services)
        for (const auto* list : {&s.incompatible_with, &s.included_in})
            for (const auto& t : *list)
                if (!tariffs.count(t))
                    return util::fail(path + ": service '" + s.svc.code +
                                      "' names unknown tariff '" + t + "'");
    int n = 0;
    for (const auto& t : c.tariffs) {
        a.put_tariff(t);
        ++n;
    }
    for (const auto& s : c.services) {
        a.put_service(s.svc);
        a.clear_service_rules(s.svc.code);
        for (const auto& t : s.incompatible_with) a.put_service_rule(s.svc.code, t, "incompatible");
        for (const auto& t : s.included_in) a.put_service_rule(s.svc.code, t, "included");
        ++n;
    }
    return n;
}

}  // namespace ussdgw::admin
