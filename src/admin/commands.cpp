#include "commands.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "catalog_import.hpp"
#include "ussdgw/actions/engine.hpp"
#include "ussdgw/actions/money.hpp"
#include "ussdgw/sms/front_doors.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/server_key.hpp"

namespace ussdgw::admin {

namespace {

/// An opened, up-to-date store with an engine on it.
struct session {
    std::unique_ptr<store::connection> conn;
    std::unique_ptr<store::accounts> db;
    actions::rules cfg;
    std::unique_ptr<store::hasher> hasher;
    std::unique_ptr<actions::engine> eng;
};

// Opens the store and checks its schema version and its server key; prints
// why not and returns nullptr.
std::unique_ptr<session> open(const store_files& files, bool migrate = false) {
    auto s = std::make_unique<session>();
    const std::string& path = files.db;
    if (auto p = store::check_private_files(path, files.key_file()); !p) {
        std::cerr << "error: " << p.error() << "\n";
        return nullptr;
    }
    std::optional<store::server_key> key;
    try {
        s->conn = std::make_unique<store::connection>(path);
        if (migrate) {
            auto m = store::migrate(*s->conn);
            if (!m) {
                std::cerr << "error: " << m.error() << "\n";
                return nullptr;
            }
        } else if (auto v = store::check_version(*s->conn); !v) {
            std::cerr << "error: " << v.error() << "\n";
            return nullptr;
        }
        auto k = store::open_server_key(*s->conn, files.key_file());
        if (!k) {
            std::cerr << "error: " << k.error() << "\n";
            return nullptr;
        }
        key = std::move(k).value();
        s->db = std::make_unique<store::accounts>(*s->conn);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return nullptr;
    }
    s->hasher = std::make_unique<store::hasher>(s->cfg.pwhash, std::move(key));
    s->eng = std::make_unique<actions::engine>(*s->db, actions::builtin_registry(), s->cfg,
                                               *s->hasher, actions::system_now);
    return s;
}

// Runs one action through the engine in its own transaction (admin channel).
actions::outcome run_action(session& s, const std::string& msisdn, const std::string& action,
                            actions::args a) {
    actions::request r;
    r.msisdn = msisdn;
    r.via = actions::channel::admin;
    r.action = action;
    r.arguments = std::move(a);
    store::transaction t(*s.conn);
    auto o = s.eng->execute(r);
    t.commit();
    return o;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string q(const std::string& s) {
    return "\"" + json_escape(s) + "\"";
}

bool valid_msisdn(const std::string& m) {
    if (m.size() < 5 || m.size() > 15) return false;
    for (char c : m)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string read_secret(std::istream& in) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace

std::string store_files::key_file() const {
    return key.empty() ? store::default_key_path(db) : key;
}

int cmd_init(const store_files& db) {
    try {
        if (auto p = store::check_private_files(db.db, db.key_file()); !p) {
            std::cerr << "error: " << p.error() << "\n";
            return exit_code::store;
        }
        store::connection c(db.db);
        auto m = store::migrate(c);
        if (!m) {
            std::cerr << "error: " << m.error() << "\n";
            return exit_code::store;
        }
        if (auto k = store::open_server_key(c, db.key_file()); !k) {
            std::cerr << "error: " << k.error() << "\n";
            return exit_code::store;
        }
        if (m->from == m->to)
            std::cout << db.db << ": schema version " << m->to << ", up to date\n";
        else
            std::cout << db.db << ": schema version " << m->from << " -> " << m->to << "\n";
        return exit_code::ok;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_code::store;
    }
}

int cmd_demo(const store_files& db) {
    auto s = open(db, true);
    if (!s) return exit_code::store;
    store::transaction t(*s->conn);
    int added = store::load_demo(*s->db, *s->hasher, actions::system_now());
    t.commit();
    std::cout << db.db << ": demo tariffs and services loaded; " << added
              << " demo subscribers added (79160000001..79160000005, PIN " << store::demo_pin
              << ", PUK " << store::demo_puk << ")\n";
    return exit_code::ok;
}

int cmd_subscriber_add(const store_files& db, const add_options& given) {
    add_options o = given;
    if (!o.codes_file.empty()) {
        // The codes come from a file or stdin, never from argv (which every
        // local user can read in /proc).
        std::ifstream file;
        if (o.codes_file != "-") {
            file.open(o.codes_file);
            if (!file) {
                std::cerr << "error: --codes-file " << o.codes_file << ": cannot open\n";
                return exit_code::usage;
            }
        }
        std::istream& in = o.codes_file == "-" ? std::cin : file;
        if (auto pin = read_secret(in); !pin.empty()) o.pin = pin;
        if (auto puk = read_secret(in); !puk.empty()) o.puk = puk;
    }
    if (!valid_msisdn(o.msisdn)) {
        std::cerr << "error: MSISDN '" << o.msisdn << "' must be 5 to 15 digits\n";
        return exit_code::usage;
    }
    std::optional<store::kopecks> balance;
    if (!o.balance.empty() && o.balance[0] == '-') {
        if (auto v = actions::parse_rub(o.balance.substr(1))) balance = -*v;
    } else {
        balance = actions::parse_rub(o.balance);
    }
    if (!balance) {
        std::cerr << "error: --balance '" << o.balance
                  << "' is not an amount in RUB (e.g. 250 or -10.50)\n";
        return exit_code::usage;
    }
    if (o.language != "en" && o.language != "ru") {
        std::cerr << "error: --language '" << o.language << "' must be en or ru\n";
        return exit_code::usage;
    }
    for (const auto* code : {&o.pin, &o.puk}) {
        if (*code && (code->value().empty() ||
                      code->value().find_first_not_of("0123456789") != std::string::npos)) {
            std::cerr << "error: the " << (code == &o.pin ? "PIN" : "PUK") << " must be digits\n";
            return exit_code::usage;
        }
    }
    auto s = open(db);
    if (!s) return exit_code::store;
    if (!s->db->find_tariff(o.tariff)) {
        std::cerr << "error: --tariff '" << o.tariff << "' does not exist; known tariffs:";
        for (const auto& t : s->db->all_tariffs()) std::cerr << " " << t.name;
        std::cerr << "\n";
        return exit_code::usage;
    }
    store::subscriber sub;
    sub.msisdn = o.msisdn;
    sub.tariff = o.tariff;
    sub.language = o.language;
    sub.balance = *balance;
    sub.created = actions::system_now();
    store::transaction t(*s->conn);
    if (!s->db->add_subscriber(sub)) {
        std::cerr << "error: subscriber " << o.msisdn << " already exists\n";
        return exit_code::refused;
    }
    if (o.pin || o.puk) {
        store::sim_row sim;
        sim.pin_hash = s->hasher->hash(o.pin.value_or("0000"));
        sim.puk_hash = s->hasher->hash(o.puk.value_or(store::random_password(16)));
        s->db->put_sim(o.msisdn, sim);
    }
    store::archive_row row;
    row.msisdn = o.msisdn;
    row.time = sub.created;
    row.channel = "admin";
    row.action = "subscriber_add";
    row.arguments = "tariff=" + o.tariff + "; balance=" + actions::format_rub(*balance);
    row.result = "ok";
    s->db->add_archive(row);
    t.commit();
    std::cout << "subscriber " << o.msisdn << " added: tariff " << o.tariff << ", balance "
              << actions::format_rub(*balance) << " RUB, language " << o.language << "\n";
    return exit_code::ok;
}

int cmd_subscriber_show(const store_files& db, const std::string& msisdn, bool json) {
    auto s = open(db);
    if (!s) return exit_code::store;
    auto sub = s->db->find_subscriber(msisdn);
    if (!sub) {
        std::cerr << "error: subscriber " << msisdn << " not found in " << db.db << "\n";
        return exit_code::refused;
    }
    auto& a = *s->db;
    auto services = a.connected(msisdn);
    auto perm = a.find_password(msisdn, "permanent");
    auto login = a.find_login(msisdn);
    auto sim = a.find_sim(msisdn);
    auto promised = a.open_promised(msisdn);
    auto blocking = a.open_blocking(msisdn);
    auto last = a.last_archive(msisdn, 5);
    const auto off = s->cfg.utc_offset_seconds;
    if (json) {
        std::ostringstream o;
        o << "{" << q("msisdn") << ":" << q(sub->msisdn) << "," << q("status") << ":"
          << q(sub->status) << "," << q("language") << ":" << q(sub->language) << ","
          << q("alphabet") << ":" << q(sub->alphabet) << "," << q("tariff") << ":" << q(sub->tariff)
          << "," << q("balance") << ":" << q(actions::format_rub(sub->balance)) << ","
          << q("balance_kopecks") << ":" << sub->balance << "," << q("credit_limit") << ":"
          << q(actions::format_rub(sub->credit_limit)) << "," << q("bonus") << ":" << sub->bonus
          << "," << q("number_management") << ":" << (sub->number_management ? "true" : "false")
          << "," << q("password_set") << ":" << (perm ? "true" : "false") << ","
          << q("login_locked") << ":" << (login.locked ? "true" : "false") << ","
          << q("sim_blocked") << ":" << (sim && sim->sim_blocked ? "true" : "false") << ","
          << q("pin_blocked") << ":" << (sim && sim->pin_blocked ? "true" : "false") << ","
          << q("services") << ":[";
        for (std::size_t i = 0; i < services.size(); ++i)
            o << (i ? "," : "") << q(services[i].svc.code);
        o << "]," << q("promised") << ":";
        if (promised)
            o << "{" << q("amount") << ":" << q(actions::format_rub(promised->amount)) << ","
              << q("due") << ":" << q(actions::format_date(promised->due, off)) << "}";
        else
            o << "null";
        o << "," << q("blocked_since") << ":"
          << (blocking ? q(actions::format_date(blocking->started, off)) : std::string("null"));
        o << "," << q("created") << ":" << sub->created << "}";
        std::cout << o.str() << "\n";
        return exit_code::ok;
    }
    std::cout << "Subscriber   " << sub->msisdn << " (" << sub->status << ")\n"
              << "Tariff       " << sub->tariff << "\n"
              << "Balance      " << actions::format_rub(sub->balance) << " RUB";
    if (sub->credit_limit)
        std::cout << " (credit limit " << actions::format_rub(sub->credit_limit) << ")";
    std::cout << "\nBonus        " << sub->bonus << " points\n"
              << "Language     " << sub->language << ", alphabet " << sub->alphabet << "\n"
              << "Password     " << (perm ? "set" : "none")
              << (login.locked ? ", login LOCKED" : "")
              << (login.failed && !login.locked ? ", " + std::to_string(login.failed) + " wrong"
                                                : "")
              << "\n"
              << "SIM          "
              << (!sim               ? "no codes"
                  : sim->sim_blocked ? "BLOCKED for good"
                  : sim->pin_blocked ? "PIN blocked (PUK needed)"
                                     : "ok")
              << "\n"
              << "Services     ";
    if (services.empty()) std::cout << "none";
    for (std::size_t i = 0; i < services.size(); ++i)
        std::cout << (i ? ", " : "") << services[i].svc.code
                  << (services[i].part_of_tariff ? " (in tariff)" : "");
    std::cout << "\n";
    if (promised)
        std::cout << "Promised     " << actions::format_rub(promised->amount) << " RUB due "
                  << actions::format_date(promised->due, off) << "\n";
    if (blocking)
        std::cout << "Blocked      since " << actions::format_date(blocking->started, off) << "\n";
    std::cout << "Number mgmt  " << (sub->number_management ? "on" : "off") << "\n";
    std::cout << "Last actions" << (last.empty() ? " none" : "") << "\n";
    for (const auto& r : last)
        std::cout << "  " << actions::format_stamp(r.time, off) << " " << std::left << std::setw(5)
                  << r.channel << " " << r.action << " " << r.result
                  << (r.amount ? " " + actions::format_rub(r.amount) : "") << "\n";
    return exit_code::ok;
}

int cmd_topup(const store_files& db, const std::string& msisdn, const std::string& rub) {
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, msisdn, "topup", {{"amount", rub}});
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << "\n";
        return o.error == "bad_argument" ? exit_code::usage : exit_code::refused;
    }
    std::cout << msisdn << ": +" << o.vars["amount"] << " RUB, balance " << o.vars["balance"]
              << " RUB\n";
    return exit_code::ok;
}

int cmd_archive(const store_files& db, const std::string& msisdn, int limit) {
    if (limit < 1) {
        std::cerr << "error: --limit must be at least 1\n";
        return exit_code::usage;
    }
    auto s = open(db);
    if (!s) return exit_code::store;
    auto rows = s->db->last_archive(msisdn, limit);
    if (rows.empty()) std::cout << "no archive entries for " << msisdn << "\n";
    for (const auto& r : rows)
        std::cout << actions::format_date(r.time, s->cfg.utc_offset_seconds) << " "
                  << actions::format_stamp(r.time, s->cfg.utc_offset_seconds).substr(6) << "  "
                  << std::left << std::setw(6) << r.channel << std::setw(20) << r.action
                  << std::setw(20) << r.result << std::right << std::setw(10)
                  << (r.amount ? actions::format_rub(r.amount) : "") << "  " << r.arguments << "\n";
    return exit_code::ok;
}

int cmd_password_check(const store_files& db, const std::string& msisdn, std::istream& in) {
    auto pw = read_secret(in);
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, msisdn, "password_check", {{"password", pw}});
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << "\n";
        return exit_code::refused;
    }
    std::cout << "accepted\n";
    return exit_code::ok;
}

int cmd_password_set(const store_files& db, const std::string& msisdn, std::istream& in) {
    auto pw = read_secret(in);
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, msisdn, "password_set", {{"password", pw}});
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << "\n";
        return exit_code::refused;
    }
    std::cout << "password set for " << msisdn << "\n";
    return exit_code::ok;
}

int cmd_catalog_import(const store_files& db, const std::string& file) {
    auto c = read_catalog(file);
    if (!c) {
        std::cerr << c.error() << "\n";
        return exit_code::usage;
    }
    auto s = open(db);
    if (!s) return exit_code::store;
    store::transaction t(*s->conn);
    auto n = apply_catalog(*s->db, *c, file);
    if (!n) {
        std::cerr << n.error() << "\n";
        return exit_code::usage;
    }
    t.commit();
    std::cout << file << ": " << c->tariffs.size() << " tariffs and " << c->services.size()
              << " services imported into " << db.db << "\n";
    return exit_code::ok;
}

int cmd_daily(const store_files& db) {
    auto s = open(db);
    if (!s) return exit_code::store;
    store::transaction t(*s->conn);
    auto r = s->eng->daily();
    t.commit();
    std::cout << "blocking fees: " << r.blocking_charged << " subscribers, "
              << actions::format_rub(r.blocking_total)
              << " RUB; service fees: " << r.services_charged << " subscriptions, "
              << actions::format_rub(r.services_total)
              << " RUB; promised payments repaid: " << r.promised_repaid << ", "
              << actions::format_rub(r.promised_total)
              << " RUB; dedup keys purged: " << r.dedup_purged << "\n";
    return exit_code::ok;
}

int cmd_fix_permissions(const store_files& db) {
    auto done = store::make_files_private(db.db, db.key_file());
    if (!done) {
        std::cerr << "error: " << done.error() << "\n";
        return exit_code::store;
    }
    std::cout << (done->empty() ? db.db + ": no store files found\n" : *done);
    return done->empty() ? exit_code::store : exit_code::ok;
}

int cmd_check_menus(const std::string& dir) {
    // Menus and SMS commands together, exactly as the daemon loads them.
    auto r = sms::load_front_doors(dir, actions::builtin_registry());
    if (!r) {
        for (const auto& p : r.error()) std::cerr << p.to_string() << "\n";
        std::cerr << r.error().size() << " problem(s) in " << dir << "\n";
        return exit_code::refused;
    }
    std::cout << dir << ": menus and SMS commands OK\n";
    return exit_code::ok;
}

}  // namespace ussdgw::admin
