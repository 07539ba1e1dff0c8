#pragma once
// The registry of named actions: name -> {facts, handler}. Handlers run on
// the store's writer thread inside a savepoint (state-changing actions) or in
// a read transaction (read-only actions). The slow secret work (Argon2id)
// runs before, in a `prepare` step on a hashing thread, so it never holds up
// other subscribers' actions; its results reach the handler through context.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/actions/messages.hpp"
#include "ussdgw/actions/rules.hpp"
#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/secrets.hpp"

namespace ussdgw::actions {

/// Results of the slow secret work done before the store step. Held in
/// memory only, never stored or logged.
struct prepared {
    std::map<std::string, std::string> hashes;                     ///< secret -> fresh hash
    std::map<std::pair<std::string, std::string>, bool> verified;  ///< (hash, secret) -> match
    std::vector<std::string> generated;  ///< random passwords made for the handler
};

/// What a prepare step may use: a read-only view of the store and the hasher.
struct prepare_context {
    const request& req;           ///< the request being prepared
    store::accounts* reader;      ///< read-only queries (may be null: then only hash/generate)
    const store::hasher& hasher;  ///< Argon2id
    const rules& cfg;             ///< rules in force
    prepared& out;                ///< what the handler will find
    /// Hashes `secret` into out.hashes.
    void hash(const std::string& secret);
    /// Verifies `secret` against `hash` into out.verified; a match on a stale
    /// (unkeyed) hash also hashes `secret` for the handler's rekey().
    void verify(const std::string& hash, const std::string& secret);
    /// Generates a random password into out.generated and hashes it.
    void generate(std::size_t length);
};

/// Everything a handler sees while it runs.
class context {
  public:
    /// Built by the engine for one request.
    context(store::accounts& db, const rules& cfg, const store::hasher& h, const request& req,
            store::unix_time now, const prepared* prep);

    store::accounts& db;                   ///< typed queries, inside the action's savepoint
    const rules& cfg;                      ///< rules in force
    const request& req;                    ///< the request
    store::unix_time now;                  ///< the injected clock's time
    std::string lang;                      ///< language of replies ("en"/"ru")
    std::optional<store::subscriber> sub;  ///< the requester's row, loaded before the handler
    store::kopecks amount = 0;             ///< signed money change of this account, for the archive
    /// True: keep the changes even though the outcome is a refusal (lockout
    /// counters of wrong passwords, PINs and PUKs must survive the refusal).
    bool keep_on_refusal = false;

    /// The argument, or "" when absent.
    const std::string& arg(const std::string& name) const;
    /// The fresh hash of `secret` (from prepare, else computed now).
    std::string hash(const std::string& secret) const;
    /// Whether `secret` matches `hash` (from prepare, else verified now).
    bool verify(const std::string& hash, const std::string& secret) const;
    /// After a successful verify: the hash to store instead of `hash` when it was
    /// made before the store had a server key, else nullopt (keep `hash`).
    std::optional<std::string> rekey(const std::string& hash, const std::string& secret) const;
    /// The i-th generated password (from prepare, else made now).
    std::string generated(std::size_t i, std::size_t length);
    /// A text in the request's language.
    std::string say(msg id, const std::map<std::string, std::string>& vars = {}) const;
    /// An amount in the request's language: "12.50" in English, "12,50" in Russian.
    std::string rub(store::kopecks k) const;
    /// A success outcome; vars["message"] is `id`'s text filled from `vars`.
    outcome ok(std::map<std::string, std::string> vars, msg id);
    /// A refusal: error `code`, vars["reason"] is `id`'s text filled from `vars`.
    outcome refuse(std::string code, msg id, std::map<std::string, std::string> vars = {});
    /// The refusal "bad_argument": vars["param"] names the argument for
    /// programs, the reason says in words what was wrong (never the name).
    outcome bad_argument(const std::string& param);
    /// Queues an SMS to `to` (default: the requester) sent once the outcome is durable.
    void sms(const std::string& from, const std::string& text, const std::string& to = "");
    /// Refusal "insufficient_funds" when balance plus credit does not cover `price`.
    std::optional<outcome> need_funds(store::kopecks price);
    /// Charges (negative) or credits (positive) the requester and counts it for the archive.
    void move_money(store::kopecks delta);

  private:
    const store::hasher& hasher_;
    const prepared* prep_;
    std::vector<domain::sms_out> sms_;
    std::vector<std::string> extra_generated_;
    friend class engine;
};

/// A handler: does the action's work on the store, returns the outcome.
using handler = std::function<outcome(context&)>;
/// A prepare step: slow secret work before the handler, off the writer thread.
using preparer = std::function<void(prepare_context&)>;

/// One registered action.
struct entry {
    info facts;                            ///< name, params, secrets, placeholders
    handler run;                           ///< the work
    preparer prepare;                      ///< optional slow secret work
    bool read_only = false;                ///< changes nothing: runs without a write transaction
    bool archived = true;                  ///< written to the transaction archive
    bool needs_subscriber = true;          ///< refused with unknown_subscriber when not provisioned
    std::vector<std::string> secret_vars;  ///< vars never stored for dedup replays
    bool secret_sms = false;               ///< SMS carry secrets: not stored for dedup replays
    std::vector<std::string> errors;       ///< error codes it can return (documentation)
};

/// Name -> entry. Implements catalog for the menu loader.
class registry : public catalog {
  public:
    /// Adds (or replaces) an action.
    void add(entry e);
    /// The action's facts, or nullptr.
    const info* find(std::string_view name) const override;
    /// The full entry, or nullptr.
    const entry* lookup(std::string_view name) const;
    /// All names, sorted.
    std::vector<std::string> names() const;

  private:
    std::map<std::string, entry, std::less<>> entries_;
};

/// Every built-in action.
const registry& builtin_registry();

// Families register themselves into a registry (one file each).
/// balance, profile, tariff_info, tariffs_list, bonus_balance (read-only).
void add_balance_actions(registry& r);
/// password_issue, password_set, password_check, sms_archive_on.
void add_password_actions(registry& r);
/// tariff_change.
void add_tariff_actions(registry& r);
/// services_list, service_connect, service_disconnect.
void add_service_actions(registry& r);
/// topup, transfer, promised_payment, full_trust.
void add_payment_actions(registry& r);
/// block_number, unblock_number.
void add_blocking_actions(registry& r);
/// pin_change, puk_unblock.
void add_sim_actions(registry& r);
/// bonus_spend, bonus_give.
void add_bonus_actions(registry& r);
/// details_order, archive_list, payment_history.
void add_details_actions(registry& r);
/// number_management, login_alerts, language_set, alphabet_set, app_link.
void add_misc_actions(registry& r);
/// number_link, number_unlink (admin channel), linked_balances.
void add_link_actions(registry& r);

}  // namespace ussdgw::actions
