#include "session.hpp"

#include <cstdio>
#include <iostream>

#include "ussdgw/actions/money.hpp"
#include "ussdgw/actions/msisdn.hpp"
#include "ussdgw/store/schema.hpp"
#include "ussdgw/store/server_key.hpp"

namespace ussdgw::admin {

namespace {

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

}  // namespace

std::unique_ptr<session> open(const store_files& files, bool migrate) {
    auto s = std::make_unique<session>();
    s->cfg = files.rules;
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
        // SQLite's words ("file is not a database") do not say which file.
        std::cerr << "error: store " << path << ": " << store::explain(e) << "\n";
        return nullptr;
    }
    s->hasher = std::make_unique<store::hasher>(s->cfg.pwhash, std::move(key));
    s->eng = std::make_unique<actions::engine>(*s->db, actions::builtin_registry(), s->cfg,
                                               *s->hasher, actions::system_now);
    return s;
}

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

std::optional<std::string> msisdn_arg(const std::string& typed) {
    auto m = actions::normalize_msisdn(typed);
    if (!m) {
        std::cerr << "error: MSISDN '" << typed << "': " << actions::describe(m.error()) << "\n";
        return std::nullopt;
    }
    return *m;
}

std::string rub(store::kopecks k) {
    return actions::format_rub(k, "en");
}

std::string q(const std::string& s) {
    return "\"" + json_escape(s) + "\"";
}

}  // namespace ussdgw::admin
