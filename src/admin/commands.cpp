#include "commands.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "catalog_import.hpp"
#include "session.hpp"
#include "table.hpp"
#include "ussdgw/actions/engine.hpp"
#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/actions/usage.hpp"
#include "ussdgw/sms/front_doors.hpp"
#include "ussdgw/store/db.hpp"
#include "ussdgw/store/demo.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/server_key.hpp"
#include "ussdgw/util/first_line.hpp"

namespace ussdgw::admin {

namespace {

std::string read_secret(std::istream& in) {
    return util::first_line(in);
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
    auto number = msisdn_arg(o.msisdn);
    if (!number) return exit_code::usage;
    o.msisdn = *number;
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
    if (o.count > 1 && (o.pin || o.puk)) {
        std::cerr << "error: --pin/--puk/--codes-file provision one number; not with --count\n";
        return exit_code::usage;
    }
    const std::uint64_t first = std::stoull(o.msisdn);
    if (auto last = std::to_string(first + o.count - 1); o.count > 1 && [&] {
            auto n = actions::normalize_msisdn(last);
            return !n || n.value() != last;
        }()) {
        std::cerr << "error: --count " << o.count << " from " << o.msisdn
                  << " runs past the last number of that length\n";
        return exit_code::usage;
    }
    auto s = open(db);
    if (!s) return exit_code::store;
    if (!s->db->find_tariff(o.tariff)) {
        std::cerr << "error: --tariff '" << o.tariff << "' does not exist; known tariffs:";
        for (const auto& t : s->db->all_tariffs()) std::cerr << " " << t.name;
        std::cerr << "\n";
        return exit_code::usage;
    }
    store::transaction t(*s->conn);
    const auto created = actions::system_now();
    std::string last;
    for (std::uint64_t i = 0; i < o.count; ++i) {
        store::subscriber sub;
        sub.msisdn = o.count == 1 ? o.msisdn : std::to_string(first + i);
        sub.tariff = o.tariff;
        sub.language = o.language;
        sub.balance = *balance;
        sub.created = created;
        // All or nothing: one number taken leaves the whole block unprovisioned.
        if (!s->db->add_subscriber(sub)) {
            std::cerr << "error: subscriber " << sub.msisdn << " already exists"
                      << (o.count > 1 ? "; no number of the block was added" : "") << "\n";
            return exit_code::refused;
        }
        if (o.pin || o.puk) {
            store::sim_row sim;
            sim.pin_hash = s->hasher->hash(o.pin.value_or("0000"));
            sim.puk_hash = s->hasher->hash(o.puk.value_or(store::random_password(16)));
            s->db->put_sim(sub.msisdn, sim);
        }
        store::archive_row row;
        row.msisdn = sub.msisdn;
        row.time = created;
        row.channel = "admin";
        row.action = "subscriber_add";
        row.arguments = "tariff=" + o.tariff + "; balance=" + rub(*balance);
        row.result = "ok";
        s->db->add_archive(row);
        last = sub.msisdn;
    }
    t.commit();
    if (o.count == 1)
        std::cout << "subscriber " << o.msisdn << " added: tariff " << o.tariff << ", balance "
                  << rub(*balance) << " RUB, language " << o.language << "\n";
    else
        std::cout << o.count << " subscribers " << o.msisdn << ".." << last << " added: tariff "
                  << o.tariff << ", balance " << rub(*balance) << " RUB each, language "
                  << o.language << "\n";
    return exit_code::ok;
}

int cmd_subscriber_show(const store_files& db, const std::string& typed, bool json) {
    auto number = msisdn_arg(typed);
    if (!number) return exit_code::usage;
    const std::string& msisdn = *number;
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
    const auto left = actions::left_of(*sub, a.find_tariff(sub->tariff).value_or(store::tariff{}),
                                       actions::system_now());
    if (json) {
        std::ostringstream o;
        o << "{" << q("msisdn") << ":" << q(sub->msisdn) << "," << q("status") << ":"
          << q(sub->status) << "," << q("language") << ":" << q(sub->language) << ","
          << q("alphabet") << ":" << q(sub->alphabet) << "," << q("tariff") << ":" << q(sub->tariff)
          << "," << q("balance") << ":" << q(rub(sub->balance)) << "," << q("balance_kopecks")
          << ":" << sub->balance << "," << q("credit_limit") << ":" << q(rub(sub->credit_limit))
          << "," << q("bonus") << ":" << sub->bonus << "," << q("minutes_left") << ":"
          << left.minutes << "," << q("sms_left") << ":" << left.sms << "," << q("mb_left") << ":"
          << left.mb << "," << q("number_management") << ":"
          << (sub->number_management ? "true" : "false") << "," << q("password_set") << ":"
          << (perm ? "true" : "false") << "," << q("login_locked") << ":"
          << (login.locked ? "true" : "false") << "," << q("sim_blocked") << ":"
          << (sim && sim->sim_blocked ? "true" : "false") << "," << q("pin_blocked") << ":"
          << (sim && sim->pin_blocked ? "true" : "false") << "," << q("services") << ":[";
        for (std::size_t i = 0; i < services.size(); ++i)
            o << (i ? "," : "") << q(services[i].svc.code);
        o << "]," << q("promised") << ":";
        if (promised)
            o << "{" << q("amount") << ":" << q(rub(promised->amount)) << "," << q("due") << ":"
              << q(actions::format_date(promised->due, off)) << "}";
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
              << "Balance      " << rub(sub->balance) << " RUB";
    if (sub->credit_limit) std::cout << " (credit limit " << rub(sub->credit_limit) << ")";
    std::cout << "\nBonus        " << sub->bonus << " points\n"
              << "Package left " << left.minutes << " min, " << left.sms << " SMS, " << left.mb
              << " MB\n"
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
        std::cout << "Promised     " << rub(promised->amount) << " RUB due "
                  << actions::format_date(promised->due, off) << "\n";
    if (blocking)
        std::cout << "Blocked      since " << actions::format_date(blocking->started, off) << "\n";
    std::cout << "Number mgmt  " << (sub->number_management ? "on" : "off") << "\n";
    std::cout << "Last actions" << (last.empty() ? " none" : "") << "\n";
    if (!last.empty()) {
        text_table t({"TIME", "CHANNEL", "ACTION", "RESULT", "AMOUNT"});
        t.align_right(4);
        for (const auto& r : last)
            t.add({actions::format_stamp(r.time, off), r.channel, r.action, r.result,
                   r.amount ? rub(r.amount) : ""});
        t.print(std::cout, "  ");
    }
    return exit_code::ok;
}

int cmd_topup(const store_files& db, const std::string& typed, const std::string& amount) {
    auto number = msisdn_arg(typed);
    if (!number) return exit_code::usage;
    const std::string& msisdn = *number;
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, msisdn, "topup", {{"amount", amount}});
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << "\n";
        return o.error == "bad_argument" ? exit_code::usage : exit_code::refused;
    }
    // The outcome's amounts are in the subscriber's language; the operator's
    // line is the same for everyone.
    auto sub = s->db->find_subscriber(msisdn);
    std::cout << msisdn << ": +" << rub(actions::parse_rub(amount).value_or(0)) << " RUB, balance "
              << rub(sub ? sub->balance : 0) << " RUB\n";
    return exit_code::ok;
}

int cmd_password_check(const store_files& db, const std::string& typed, std::istream& in) {
    auto pw = read_secret(in);
    auto number = msisdn_arg(typed);
    if (!number) return exit_code::usage;
    const std::string& msisdn = *number;
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, msisdn, "password_check", {{"password", pw}});
    // A login alert went to the outbox with the check; the daemon sends it.
    const std::string alerts =
        o.sms.empty() ? "" : " (" + std::to_string(o.sms.size()) + " alert SMS queued)";
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << alerts << "\n";
        return exit_code::refused;
    }
    std::cout << "accepted" << alerts << "\n";
    return exit_code::ok;
}

int cmd_password_set(const store_files& db, const std::string& typed, std::istream& in) {
    auto pw = read_secret(in);
    auto number = msisdn_arg(typed);
    if (!number) return exit_code::usage;
    const std::string& msisdn = *number;
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
              << rub(r.blocking_total) << " RUB; service fees: " << r.services_charged
              << " subscriptions, " << rub(r.services_total)
              << " RUB; promised payments repaid: " << r.promised_repaid << ", "
              << rub(r.promised_total) << " RUB; full trust reviewed: " << r.trust_reviewed
              << ", limits changed: " << r.trust_changed
              << "; package periods started: " << r.usage_periods_rolled
              << "; dedup keys purged: " << r.dedup_purged
              << "; SMS queued in the outbox: " << r.sms.size() << "\n";
    return exit_code::ok;
}

int cmd_link(const store_files& db, const std::string& typed_owner, const std::string& typed_other,
             bool link) {
    auto owner = msisdn_arg(typed_owner);
    auto other = msisdn_arg(typed_other);
    if (!owner || !other) return exit_code::usage;
    auto s = open(db);
    if (!s) return exit_code::store;
    auto o = run_action(*s, *owner, link ? "number_link" : "number_unlink", {{"other", *other}});
    if (!o.ok) {
        std::cerr << "refused (" << o.error << "): " << o.vars["reason"] << "\n";
        return exit_code::refused;
    }
    std::cout << o.vars["message"] << "\n";
    return exit_code::ok;
}

int cmd_outbox(const store_files& db) {
    auto s = open(db);
    if (!s) return exit_code::store;
    // Who and when, never the text: it may hold a password.
    auto st = s->conn->prepare(
        "SELECT id, created, sender, recipient, attempts, expires FROM outbox "
        "WHERE state = 'pending' ORDER BY id");
    auto c = st.query();
    const auto off = s->cfg.utc_offset_seconds;
    std::size_t n = 0;
    while (c.next()) {
        if (n++ == 0) std::cout << "pending SMS (oldest first):\n";
        std::cout << "  #" << c.int64(0) << " " << actions::format_stamp(c.int64(1), off)
                  << " from " << c.text(2) << " to " << c.text(3) << ", " << c.int64(4)
                  << " failed attempt(s), given up at " << actions::format_stamp(c.int64(5), off)
                  << "\n";
    }
    std::cout << n << " SMS pending in the outbox\n";
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
    // The texts are checked with the default rules' values ({rules.*}).
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
