#include "ussdgw/store/read_cache.hpp"

namespace ussdgw::store {

read_cache::read_cache(connection& c, std::size_t capacity)
    : c_(c), capacity_(capacity), version_stmt_(c.prepare("PRAGMA data_version")) {}

std::int64_t read_cache::data_version() {
    auto cur = version_stmt_.query();
    cur.next();
    return cur.int64(0);
}

void read_cache::forget() {
    subscribers_.clear();
    tariffs_.clear();
    connected_.clear();
    ++stats_.resets;
}

void read_cache::begin_read() {
    txn_.reset();
    served_ = 0;
}

bool read_cache::end_read() {
    if (txn_) {
        // Every row this read used was checked against its transaction.
        txn_->commit();
        txn_.reset();
        return true;
    }
    if (served_ == 0) return true;  // it read nothing from the store at all
    const auto now = data_version();
    if (now == version_) return true;
    // Someone committed after these rows were read: the answer may be stale.
    forget();
    version_ = now;
    ++stats_.reruns;
    served_ = 0;
    return false;
}

void read_cache::abandon_read() noexcept {
    txn_.reset();  // rolls back
    served_ = 0;
}

void read_cache::before_statement() {
    if (txn_) return;
    txn_.emplace(c_, false);
    // The statement opens the transaction's snapshot; its version is the
    // version of every row read from here on.
    const auto now = data_version();
    if (now == version_) return;
    forget();
    version_ = now;
    if (served_ > 0) {
        // Rows served earlier in this read are of an older state: run it
        // again, inside this transaction, from the store.
        served_ = 0;
        ++stats_.reruns;
        throw moved{};
    }
}

template <class Map>
auto* read_cache::lookup(Map& m, const std::string& key) {
    const auto it = m.find(key);
    if (it == m.end()) {
        ++stats_.misses;
        return static_cast<const typename Map::mapped_type*>(nullptr);
    }
    ++stats_.hits;
    ++served_;
    return static_cast<const typename Map::mapped_type*>(&it->second);
}

void read_cache::make_room() {
    // Forgetting everything at once keeps this simple and costs a refill, not
    // a wrong answer; the capacity is sized so that it is rare.
    if (rows() >= capacity_) forget();
}

const std::optional<subscriber>* read_cache::find_subscriber(const std::string& msisdn) {
    return lookup(subscribers_, msisdn);
}

void read_cache::keep_subscriber(const std::string& msisdn, const std::optional<subscriber>& s) {
    make_room();
    subscribers_.insert_or_assign(msisdn, s);
}

const std::optional<tariff>* read_cache::find_tariff(const std::string& name) {
    return lookup(tariffs_, name);
}

void read_cache::keep_tariff(const std::string& name, const std::optional<tariff>& t) {
    make_room();
    tariffs_.insert_or_assign(name, t);
}

const std::vector<connected_service>* read_cache::find_connected(const std::string& msisdn) {
    return lookup(connected_, msisdn);
}

void read_cache::keep_connected(const std::string& msisdn,
                                const std::vector<connected_service>& v) {
    make_room();
    connected_.insert_or_assign(msisdn, v);
}

std::size_t read_cache::rows() const noexcept {
    return subscribers_.size() + tariffs_.size() + connected_.size();
}

}  // namespace ussdgw::store
