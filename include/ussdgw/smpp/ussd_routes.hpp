#pragma once
// The SMPP side of USSD dialogs, one table per bind: what a reply must echo
// (addresses, its_session_info, user_message_reference), what a begin op
// means while a dialog is open, and whether an MO is a proven resend.
//
// The rule (docs/smsc-profiles.md): an MO is a resend only where the SMSC's
// sequence style proves it: the sequence moves on every MO of a dialog
// (configured "moves", or learned per bind under "auto"), and an answer
// repeats the sequence, the text and the kind of one of the dialog's last
// MOs. Where nothing proves it, every MO is processed: a dropped real answer
// kills the dialog, while money is guarded elsewhere (a confirmation runs once).
// Begins are never dropped: a new dialog must always be answered.
//
// Pure: the caller passes the time in; texts are kept as keyed fingerprints.

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "ussdgw/smpp/profile.hpp"
#include "ussdgw/smpp/translate.hpp"
#include "ussdgw/util/fingerprint.hpp"

namespace ussdgw::smpp {

/// What ussd_routes made of one MO.
enum class mo_verdict {
    fresh,   ///< hand it to the dialogs
    resend,  ///< the SMSC delivered an MO already processed: drop it (its resp went out)
};

/// Open and recently ended dialogs of one bind.
class ussd_routes {
  public:
    /// The clock the table is timed on.
    using clock = std::chrono::steady_clock;

    /// A table for `profile`, holding at most `capacity` dialogs, each kept
    /// `keep` after its last message (to recognise late resends).
    ussd_routes(smsc_profile profile, std::size_t capacity, clock::duration keep);

    /// Reads one MO: settles its kind (a begin op during an open dialog is an
    /// answer where the profile says so), decides whether it is a proven
    /// resend, learns the sequence style (auto), and records the route.
    mo_verdict on_mo(ussd_message& m, clock::time_point now);

    /// The route a reply in dialog (msisdn, session) must carry; nullptr when unknown.
    const ussd_route* find(const std::string& msisdn, std::uint32_t session) const;

    /// When the dialog last saw a message; nullopt when unknown. With several
    /// binds, a reply goes on the one that saw its dialog last.
    std::optional<clock::time_point> last_seen(const std::string& msisdn,
                                               std::uint32_t session) const;

    /// A screen went out in the dialog; a final one closes it (the record
    /// stays until swept, so a late resend of its last answer is still seen).
    void on_screen(const std::string& msisdn, std::uint32_t session, bool end,
                   clock::time_point now);

    /// Drops records untouched for `keep`.
    void sweep(clock::time_point now);

    /// A new bind: the learned sequence style starts again (the SMSC may differ).
    void new_bind();

    /// The sequence style in force: the profile's, or under auto what was learned so far.
    sequence_style style() const;

    /// True once "auto" has settled (on fixed, until the next bind).
    bool settled() const { return decided_; }

    /// Dialog records held.
    std::size_t size() const { return records_.size(); }

  private:
    // The hash is computed once per key: a lookup walks bucket chains that
    // rehash every node they pass, and the table holds ended dialogs too.
    struct key {
        key(std::string m, std::uint32_t s);
        std::string msisdn;
        std::uint32_t session = 0;
        std::size_t hash = 0;
        bool operator==(const key& o) const {
            return hash == o.hash && session == o.session && msisdn == o.msisdn;
        }
    };
    struct key_hash {
        std::size_t operator()(const key& k) const noexcept { return k.hash; }
    };
    // One MO as remembered: enough to recognise its resend, not its text.
    struct mark {
        std::uint8_t sequence = 0;
        std::uint64_t text = 0;
        domain::ussd_kind kind = domain::ussd_kind::begin;
    };
    struct record {
        ussd_route route;
        bool open = false;
        std::array<mark, 4> recent{};  // ring of the last MOs that carried a sequence
        std::size_t marks = 0;         // how many were written (ring index = marks % 4)
        clock::time_point touched;
        std::list<const key*>::iterator age;  // position in by_age_
    };
    using table = std::unordered_map<key, record, key_hash>;

    record& touch(table::iterator it, clock::time_point now);
    record& add(const key& k, clock::time_point now);
    bool repeats(const record& r, const mark& m) const;
    void learn(const record& r, const mark& m);

    smsc_profile profile_;
    std::size_t capacity_;
    clock::duration keep_;
    util::fingerprinter fingerprint_;
    table records_;
    std::list<const key*> by_age_;  // least recently touched first (keys live in records_)
    sequence_style learned_ = sequence_style::fixed;
    int moves_seen_ = 0;
    bool decided_ = false;
};

/// Answers in a row whose sequence moved before "auto" takes the SMSC's sequence as moving.
inline constexpr int moves_to_learn = 3;

}  // namespace ussdgw::smpp
