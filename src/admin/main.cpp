// ussdgw-admin: the operator's tool for the account store.

#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <iostream>
#include <optional>

#include "commands.hpp"
#include "ussdgw/app/config.hpp"
#include "ussdgw/store/db.hpp"

using namespace ussdgw::admin;

int main(int argc, char** argv) {
    // Everything this tool creates (store, -wal, -shm, key) is for its owner only.
    ::umask(077);
    CLI::App app{
        "ussdgw-admin: create and migrate the account store, provision and inspect "
        "subscribers, top up, list the archive, import the catalogue and package usage, check "
        "menus. MSISDN arguments take 10 digits (916...), 11 digits (7916... or 8916...) or "
        "+7916..."};
    app.footer(
        "Exit codes: 0 done/accepted; 1 refused (action refused, password refused, problems "
        "found); 2 bad command line or input; 3 database cannot be opened, is newer than this "
        "binary, or is not initialised.");
    store_files db;
    app.add_option("--db", db.db,
                   "The store: a SQLite file, or a postgresql:// URI (libpq syntax; the password "
                   "from PGPASSWORD or a PGPASSFILE, never in the URI)")
        ->capture_default_str();
    app.add_option("--key-file", db.key,
                   "Server key file keying secret hashes (default: the database path + .key; "
                   "created with the store, mode 0600; back it up with the store)");
    std::string config_path;
    auto* config_opt = app.add_option(
        "--config", config_path,
        "The daemon's config file: its [rules] (the hash cost, limits, senders) and [store] "
        "path and key_file apply here too; --db and --key-file override them");
    auto* db_opt = app.get_option("--db");
    auto* key_opt = app.get_option("--key-file");
    app.require_subcommand(1);
    app.fallthrough();  // --db may come after the subcommand too

    // The store to work on, with the config read once the command line is
    // whole (a subcommand's callback runs after every option is parsed).
    std::optional<int> config_failed;
    auto ready = [&](bool needs_key = true) -> const store_files& {
        if (*config_opt && !config_failed) {
            auto c = ussdgw::app::load_config_file(config_path);
            if (!c) {
                for (const auto& e : c.error()) std::cerr << "error: " << e << "\n";
                config_failed = exit_code::usage;
                throw CLI::RuntimeError(exit_code::usage);
            }
            db.rules = c->rules;
            if (!*db_opt) db.db = c->db_path;
            if (!*key_opt && !c->key_file.empty()) db.key = c->key_file;
            config_failed = 0;
        }
        if (needs_key && db.key.empty() &&
            ussdgw::store::engine_of(db.db) == ussdgw::store::engine::postgres) {
            std::cerr << "error: store " << ussdgw::store::printable_target(db.db)
                      << " is on PostgreSQL: give its server key file with --key-file (or "
                         "[store] key_file in --config)\n";
            throw CLI::RuntimeError(exit_code::usage);
        }
        return db;
    };

    int rc = exit_code::ok;

    auto* init = app.add_subcommand("init", "Create the database or migrate it to this version");
    init->callback([&] { rc = cmd_init(ready()); });

    auto* demo = app.add_subcommand("demo", "Load the demo tariffs, services and subscribers");
    demo->callback([&] { rc = cmd_demo(ready()); });

    auto* sub = app.add_subcommand("subscriber", "Add or show a subscriber");
    sub->require_subcommand(1);
    add_options add;
    auto* sadd = sub->add_subcommand("add", "Provision a subscriber");
    sadd->add_option("MSISDN", add.msisdn,
                     "Number: 79160000001, 89160000001, 9160000001 or +79160000001")
        ->required();
    sadd->add_option("--balance", add.balance, "Opening balance in RUB (may be negative)")
        ->capture_default_str();
    sadd->add_option("--tariff", add.tariff, "Tariff name")->capture_default_str();
    sadd->add_option("--language", add.language, "en or ru")->capture_default_str();
    sadd->add_option("--count", add.count,
                     "Provision a block of this many consecutive numbers from MSISDN on, in one "
                     "transaction (no --pin/--puk then)")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
    std::string pin, puk;
    auto* pin_opt = sadd->add_option(
        "--pin", pin,
        "SIM PIN (stored hashed). Visible to every local user in the process list: "
        "for tests; use --codes-file on a server");
    auto* puk_opt = sadd->add_option("--puk", puk, "SIM PUK (stored hashed); as --pin");
    sadd->add_option("--codes-file", add.codes_file,
                     "Read the PIN (first line) and PUK (second line) from FILE, or from stdin "
                     "with '-', so they never appear in the process list");
    sadd->callback([&] {
        if (*pin_opt) add.pin = pin;
        if (*puk_opt) add.puk = puk;
        rc = cmd_subscriber_add(ready(), add);
    });
    std::string show_msisdn;
    bool json = false;
    auto* sshow = sub->add_subcommand("show", "Show a subscriber on one screen");
    sshow->add_option("MSISDN", show_msisdn, "Number")->required();
    sshow->add_flag("--json", json, "Machine-readable output");
    sshow->callback([&] { rc = cmd_subscriber_show(ready(), show_msisdn, json); });

    std::string top_msisdn, top_rub;
    auto* top = app.add_subcommand("topup", "Record a payment (100..15000 RUB)");
    top->add_option("MSISDN", top_msisdn, "Number")->required();
    top->add_option("RUB", top_rub, "Amount in RUB (150 or 150.50)")->required();
    top->callback([&] { rc = cmd_topup(ready(), top_msisdn, top_rub); });

    std::string arch_msisdn;
    int limit = 20;
    bool arch_json = false;
    auto* arch =
        app.add_subcommand("archive", "List a subscriber's transaction archive, newest first");
    arch->add_option("MSISDN", arch_msisdn, "Number")->required();
    arch->add_option("--limit", limit, "How many entries")->capture_default_str();
    arch->add_flag("--json", arch_json, "One JSON array of objects instead of columns");
    arch->callback([&] { rc = cmd_archive(ready(), arch_msisdn, limit, arch_json); });

    auto* pw = app.add_subcommand("password", "Check or set a self-service password");
    pw->require_subcommand(1);
    std::string pw_msisdn;
    auto* pcheck = pw->add_subcommand(
        "check",
        "Check the password read from stdin (exit 0 accepted, 1 refused; applies the lockout)");
    pcheck->add_option("MSISDN", pw_msisdn, "Number")->required();
    pcheck->callback([&] { rc = cmd_password_check(ready(), pw_msisdn, std::cin); });
    auto* pset = pw->add_subcommand("set", "Set the permanent password read from stdin");
    pset->add_option("MSISDN", pw_msisdn, "Number")->required();
    pset->callback([&] { rc = cmd_password_set(ready(), pw_msisdn, std::cin); });

    auto* cat = app.add_subcommand("catalog", "Manage the tariff and service catalogue");
    cat->require_subcommand(1);
    std::string cat_file;
    auto* imp = cat->add_subcommand("import", "Import tariffs and services from a YAML file");
    imp->add_option("FILE", cat_file, "YAML file (see tests/data/store/catalog.yaml)")->required();
    imp->callback([&] { rc = cmd_catalog_import(ready(), cat_file); });

    auto* daily = app.add_subcommand(
        "daily",
        "Run the daily job: blocking and service fees, promised repayments, the monthly "
        "full-trust review, package periods (its SMS go to the outbox; the daemon sends them)");
    daily->callback([&] { rc = cmd_daily(ready()); });

    auto* usage = app.add_subcommand("usage", "Feed package usage (minutes, SMS, MB)");
    usage->require_subcommand(1);
    std::string usage_file;
    auto* uimp = usage->add_subcommand(
        "import",
        "Import usage records from CSV: msisdn,kind,amount,time (kind minutes|sms|mb, time unix "
        "seconds or ISO 8601 2026-11-28T10:00:00Z, header line allowed). Bad rows are reported "
        "as FILE:LINE and the good ones applied (exit 1 when any row was bad); a record imported "
        "twice counts once");
    uimp->add_option("FILE", usage_file, "CSV file")->required();
    uimp->callback([&] { rc = cmd_usage_import(ready(), usage_file); });

    std::string link_owner, link_other;
    for (bool linking : {true, false}) {
        auto* l = app.add_subcommand(
            linking ? "link" : "unlink",
            linking ? "Link OTHER to OWNER's account (number management must be on for OWNER)"
                    : "Unlink OTHER from OWNER's account");
        l->add_option("OWNER", link_owner, "The account's number")->required();
        l->add_option("OTHER", link_other, "The number linked to it")->required();
        l->callback([&, linking] { rc = cmd_link(ready(), link_owner, link_other, linking); });
    }

    auto* out = app.add_subcommand(
        "outbox", "List the SMS waiting in the outbox for the daemon to send (never their text)");
    out->callback([&] { rc = cmd_outbox(ready()); });

    std::string copy_target;
    auto* export_cmd = app.add_subcommand(
        "export",
        "Copy the whole store (--db) into a new one, e.g. from SQLite to PostgreSQL when one box "
        "is no longer enough; row counts and the sum of balances are compared after");
    export_cmd
        ->add_option("--to", copy_target, "The new store: a SQLite file or a postgresql:// URI")
        ->required();
    export_cmd->callback([&] { rc = cmd_copy_store(ready(false).db, copy_target); });
    auto* import_cmd = app.add_subcommand(
        "import", "Copy a whole store into the new, empty store --db (the reverse of export)");
    import_cmd
        ->add_option("--from", copy_target,
                     "The store to copy: a SQLite file or a postgresql:// URI")
        ->required();
    import_cmd->callback([&] { rc = cmd_copy_store(copy_target, ready(false).db); });

    auto* fix = app.add_subcommand(
        "fix-permissions",
        "Make the store, its -wal/-shm files and the server key readable by their owner only");
    fix->callback([&] { rc = cmd_fix_permissions(ready()); });

    std::string menu_dir;
    auto* cu = app.add_subcommand("console-user",
                                  "Manage the operator console's users ([console] users_file)");
    cu->require_subcommand(1);
    std::string cu_file, cu_name, cu_role = "viewer";
    auto* cu_add = cu->add_subcommand(
        "add", "Add a user, or set a user's role and password (read from stdin, 10+ characters)");
    cu_add->add_option("NAME", cu_name, "User name (letters, digits, '.', '_', '-')")->required();
    cu_add->add_option("--role", cu_role,
                       "viewer (tree, phone, statistics) or editor (also "
                       "upload, apply, roll back)");
    cu_add->add_option("--file", cu_file, "The users file")->required();
    cu_add->callback([&] { rc = cmd_console_user_add(cu_file, cu_name, cu_role, std::cin); });
    auto* cu_rm = cu->add_subcommand("remove", "Remove a user");
    cu_rm->add_option("NAME", cu_name, "User name")->required();
    cu_rm->add_option("--file", cu_file, "The users file")->required();
    cu_rm->callback([&] { rc = cmd_console_user_remove(cu_file, cu_name); });
    auto* cu_ls = cu->add_subcommand("list", "List the users and their roles");
    cu_ls->add_option("--file", cu_file, "The users file")->required();
    cu_ls->callback([&] { rc = cmd_console_user_list(cu_file); });

    auto* menus =
        app.add_subcommand("check-menus", "Validate the menu files and sms.yaml of a directory");
    menus->add_option("DIR", menu_dir, "Menu directory (menus/)")->required();
    menus->callback([&] { rc = cmd_check_menus(menu_dir); });

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_code::usage;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_code::store;
    }
    return rc;
}
