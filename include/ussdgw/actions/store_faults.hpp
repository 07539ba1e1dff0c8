#pragma once
// The store's failures as the operator sees them: counted by kind for the
// metrics, and logged as one error line when a fault begins (naming the
// file, the kind and SQLite's and the system's words for it), a reminder
// once a minute while it lasts, and one line when it clears. Repeats in
// between go to the debug log: a full disk under load must not fill the log
// too. Safe to call from any thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include "ussdgw/store/fault.hpp"

namespace ussdgw::actions {

/// Failures of the store's reads and writes, by kind, with episode logging.
class store_faults {
  public:
    /// What failed: a write transaction (actions, a job, archive rows) or a read.
    enum class op { write, read };

    /// `path` is the store file the log lines name.
    explicit store_faults(std::string path) : path_(std::move(path)) {}

    /// Records a failed `o`; `answered` requests were told "try later" for
    /// it. Returns the failure's kind.
    store::fault_kind failed(op o, const std::exception& ex, std::size_t answered);
    /// Records a successful `o`: a fault of that kind of operation ends here.
    void succeeded(op o);

    /// Failures so far of `o` with kind `k`.
    std::uint64_t count(op o, store::fault_kind k) const;
    /// The kind of failure writes are in now; nullopt while the last write worked.
    std::optional<store::fault_kind> writes_failing() const;
    /// Why writes fail now, one line ("disk full: COMMIT: ..."); "" while they work.
    std::string why_writes_fail() const;

  private:
    // One run of failures of one operation, from the first to the next success.
    struct episode {
        std::optional<store::fault_kind> kind;  // set while failing
        std::chrono::steady_clock::time_point since, last_logged;
        std::uint64_t failures = 0;
        std::uint64_t answered = 0;
        std::string last;  // the latest failure's message
    };
    static constexpr std::size_t kinds = store::all_fault_kinds.size();

    std::string path_;
    mutable std::mutex mu_;
    std::array<episode, 2> now_;                           // by op, under mu_
    std::array<std::array<std::uint64_t, kinds>, 2> n_{};  // by op and kind, under mu_
    // Set while an operation fails, so each success costs one atomic load.
    std::array<std::atomic<bool>, 2> failing_{};
};

}  // namespace ussdgw::actions
