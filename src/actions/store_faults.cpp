#include "ussdgw/actions/store_faults.hpp"

#include <spdlog/spdlog.h>

#include "ussdgw/store/db.hpp"

namespace ussdgw::actions {

namespace {

constexpr auto remind_every = std::chrono::minutes(1);

const char* name(store_faults::op o) {
    return o == store_faults::op::write ? "write" : "read";
}

std::size_t index(store::fault_kind k) {
    return static_cast<std::size_t>(k);
}

}  // namespace

store::fault_kind store_faults::failed(op o, const std::exception& ex, std::size_t answered) {
    const auto kind = store::fault_of(ex);
    const auto now = std::chrono::steady_clock::now();
    const auto i = static_cast<std::size_t>(o);
    std::lock_guard lk(mu_);
    ++n_[i][index(kind)];
    auto& e = now_[i];
    failing_[i].store(true, std::memory_order_release);
    if (e.kind != kind) {
        // A fault begins (or turns into another): the line the operator acts on.
        e = episode{kind, now, now, 1, answered, ex.what()};
        spdlog::error(
            "store {}: {} failed, {}: {}; {} request(s) answered \"try later\" (logged again "
            "once a minute while it lasts)",
            path_, name(o), store::describe(kind), ex.what(), answered);
        return kind;
    }
    ++e.failures;
    e.answered += answered;
    e.last = ex.what();
    if (now - e.last_logged >= remind_every) {
        e.last_logged = now;
        spdlog::error(
            "store {}: {}s still failing, {}: {} failures, {} request(s) answered "
            "\"try later\" in {} s; last: {}",
            path_, name(o), store::describe(kind), e.failures, e.answered,
            std::chrono::duration_cast<std::chrono::seconds>(now - e.since).count(), ex.what());
    } else {
        spdlog::debug("store {}: {} failed again: {}", path_, name(o), ex.what());
    }
    return kind;
}

void store_faults::succeeded(op o) {
    const auto i = static_cast<std::size_t>(o);
    if (!failing_[i].load(std::memory_order_acquire)) return;
    std::lock_guard lk(mu_);
    auto& e = now_[i];
    if (!e.kind) return;
    const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - e.since);
    spdlog::warn(
        "store {}: {}s work again after {} failure(s) in {} ms ({}); {} request(s) were "
        "answered \"try later\"",
        path_, name(o), e.failures, lasted.count(), store::describe(*e.kind), e.answered);
    e = episode{};
    failing_[i].store(false, std::memory_order_release);
}

std::uint64_t store_faults::count(op o, store::fault_kind k) const {
    std::lock_guard lk(mu_);
    return n_[static_cast<std::size_t>(o)][index(k)];
}

std::optional<store::fault_kind> store_faults::writes_failing() const {
    std::lock_guard lk(mu_);
    return now_[static_cast<std::size_t>(op::write)].kind;
}

std::string store_faults::why_writes_fail() const {
    std::lock_guard lk(mu_);
    const auto& e = now_[static_cast<std::size_t>(op::write)];
    if (!e.kind) return {};
    return std::string(store::describe(*e.kind)) + ": " + e.last;
}

}  // namespace ussdgw::actions
