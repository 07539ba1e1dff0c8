#pragma once
// The table of live USSD dialogs: bounded, keyed by the SMSC's dialog
// identity, with one guard deadline per dialog. Pure: the caller passes the
// time in and arms one timer at next_deadline(); nothing here sleeps or locks.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ussdgw::ussd {

/// The SMSC's identity of one dialog: the subscriber and the session number
/// (its_session_info or user_message_reference, per SMSC profile).
struct dialog_key {
    std::string msisdn;         ///< subscriber number
    std::uint32_t session = 0;  ///< the SMSC's session number for this dialog
    /// Same subscriber and session.
    bool operator==(const dialog_key&) const = default;
};

/// Hash for dialog_key.
struct dialog_key_hash {
    /// Combines the hashes of msisdn and session.
    std::size_t operator()(const dialog_key& k) const noexcept;
};

/// The clock dialogs are timed on; callers pass now() in.
using dialog_clock = std::chrono::steady_clock;

/// Live dialogs, each holding a `State` (the daemon uses menu::dialog_state).
/// At most one dialog per msisdn: a new one replaces the old.
template <class State>
class dialog_table {
  public:
    /// What open() did.
    struct opened {
        State* state = nullptr;              ///< the fresh state; nullptr when the table is full
        std::optional<dialog_key> replaced;  ///< the same subscriber's dialog it replaced
    };

    /// A table of at most `capacity` dialogs, each idle for at most `guard`.
    dialog_table(std::size_t capacity, dialog_clock::duration guard)
        : capacity_(capacity), guard_(guard) {}
    dialog_table(const dialog_table&) = delete;
    dialog_table& operator=(const dialog_table&) = delete;

    /// Starts a dialog with a default-constructed State and a deadline of now + guard.
    /// A dialog of the same msisdn (any session) is dropped first, so a second
    /// "*111#" starts afresh even when the table is full. When the table is full
    /// and the msisdn has no dialog, nothing changes and `state` is nullptr.
    opened open(const dialog_key& key, dialog_clock::time_point now) {
        opened out;
        if (auto it = by_msisdn_.find(std::string_view(key.msisdn)); it != by_msisdn_.end()) {
            out.replaced = *it->second;
            erase(*it->second);
        } else if (entries_.size() >= capacity_) {
            return out;
        }
        auto [it, inserted] = entries_.try_emplace(key);
        entry& e = it->second;
        e.deadline = now + guard_;
        e.slot = deadlines_.emplace(e.deadline, &it->first);
        by_msisdn_.emplace(std::string_view(it->first.msisdn), &it->first);
        out.state = &e.state;
        return out;
    }

    /// The dialog's state, re-arming its guard deadline to now + guard; nullptr
    /// when there is no such dialog or it has already timed out (it is then dropped).
    State* find(const dialog_key& key, dialog_clock::time_point now) {
        auto it = entries_.find(key);
        if (it == entries_.end()) return nullptr;
        entry& e = it->second;
        if (e.deadline <= now) {
            erase(key);
            return nullptr;
        }
        deadlines_.erase(e.slot);
        e.deadline = now + guard_;
        e.slot = deadlines_.emplace(e.deadline, &it->first);
        return &e.state;
    }

    /// The dialog's state without touching its deadline; nullptr when absent.
    State* peek(const dialog_key& key) {
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second.state;
    }

    /// Drops the dialog (ended or released); false when there was none.
    bool close(const dialog_key& key) {
        if (!entries_.contains(key)) return false;
        erase(key);
        return true;
    }

    /// Drops every dialog whose deadline is at or before `now`; returns their keys.
    std::vector<dialog_key> expire(dialog_clock::time_point now) {
        return expire(now, [](const dialog_key&, const State&) {});
    }

    /// As expire(now), showing each dialog to `last_look(key, state)` before it goes.
    template <class F>
    std::vector<dialog_key> expire(dialog_clock::time_point now, F&& last_look) {
        std::vector<dialog_key> gone;
        while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
            const dialog_key& k = *deadlines_.begin()->second;
            last_look(k, entries_.find(k)->second.state);
            gone.push_back(k);
            erase(gone.back());
        }
        return gone;
    }

    /// The earliest deadline, for the one timer the caller arms; nullopt when empty.
    std::optional<dialog_clock::time_point> next_deadline() const {
        if (deadlines_.empty()) return std::nullopt;
        return deadlines_.begin()->first;
    }

    /// Number of live dialogs.
    std::size_t size() const { return entries_.size(); }
    /// Most dialogs the table holds.
    std::size_t capacity() const { return capacity_; }
    /// Changes the bound (a reload); existing dialogs beyond it are kept until they end.
    void set_capacity(std::size_t capacity) { capacity_ = capacity; }
    /// Changes the guard time for deadlines armed from now on.
    void set_guard(dialog_clock::duration guard) { guard_ = guard; }

  private:
    using deadline_map = std::multimap<dialog_clock::time_point, const dialog_key*>;
    struct entry {
        State state{};
        dialog_clock::time_point deadline;
        typename deadline_map::iterator slot;
    };

    // Unordered-map nodes never move, so the key pointers and views held in
    // deadlines_ and by_msisdn_ stay valid until the entry is erased.
    void erase(const dialog_key& key_in) {
        const dialog_key key = key_in;  // key_in may live inside the entry
        auto it = entries_.find(key);
        if (it == entries_.end()) return;
        deadlines_.erase(it->second.slot);
        by_msisdn_.erase(std::string_view(key.msisdn));
        entries_.erase(it);
    }

    std::size_t capacity_;
    dialog_clock::duration guard_;
    std::unordered_map<dialog_key, entry, dialog_key_hash> entries_;
    deadline_map deadlines_;
    std::unordered_map<std::string_view, const dialog_key*> by_msisdn_;
};

}  // namespace ussdgw::ussd
