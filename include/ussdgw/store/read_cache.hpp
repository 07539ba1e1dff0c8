#pragma once
// Rows a read connection keeps in memory between its transactions, so that
// a read whose rows are all known costs one statement instead of a
// transaction and its lookups.
//
// Which rows: the subscriber (every action loads it), a tariff, and the
// services a subscriber has connected: the reads of the menus' most common
// screens. Each is a pure function of the store's contents.
//
// When they are trusted: SQLite's `PRAGMA data_version` on this connection
// changes whenever any other connection commits (our writer thread, the
// admin tool, a sqlite3 shell). The rows were read at one such version; a
// read may use them only while the store is still at it. So:
// - a read served wholly from memory checks the version once, at its end:
//   unchanged, its answer is the store's current state; changed, the rows
//   are forgotten and the read runs again;
// - a read that needs a statement opens a read transaction (the first
//   statement does), checks the version inside it, and keeps what it reads
//   for the next reads; when the version moved after rows were already
//   served to this read, it throws `moved` and runs again inside that
//   transaction, now from the store alone.
// A read therefore answers from one consistent state of the store, as a read
// transaction would. Writes never go through a cache.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/db.hpp"

namespace ussdgw::store {

/// Counters of a read_cache.
struct read_cache_stats {
    std::uint64_t hits = 0;    ///< rows served from memory
    std::uint64_t misses = 0;  ///< rows read from the store
    std::uint64_t resets = 0;  ///< times the rows were forgotten (the store changed, or full)
    std::uint64_t reruns = 0;  ///< reads run again because the store changed under them
};

/// A read connection's rows in memory and the read transaction it opens on a miss.
class read_cache {
  public:
    /// Out of a query: the store changed under rows already served; run the read again.
    struct moved {};

    /// Keeps at most `capacity` rows (then forgets them all and starts over).
    read_cache(connection& c, std::size_t capacity);
    read_cache(const read_cache&) = delete;
    read_cache& operator=(const read_cache&) = delete;

    /// Starts one read (an action's queries).
    void begin_read();
    /// Ends the read: true when its answer stands; false when the store
    /// changed under the rows it was served, so it must run again.
    bool end_read();
    /// Ends a read that failed: rolls its transaction back.
    void abandon_read() noexcept;

    /// Before any statement of the read: opens its transaction and checks the version.
    void before_statement();

    /// The subscriber row (nullopt inside: not provisioned), or nullptr when not kept.
    const std::optional<subscriber>* find_subscriber(const std::string& msisdn);
    /// Keeps a subscriber row just read.
    void keep_subscriber(const std::string& msisdn, const std::optional<subscriber>& s);
    /// The tariff, or nullptr when not kept.
    const std::optional<tariff>* find_tariff(const std::string& name);
    /// Keeps a tariff just read.
    void keep_tariff(const std::string& name, const std::optional<tariff>& t);
    /// The subscriber's connected services, or nullptr when not kept.
    const std::vector<connected_service>* find_connected(const std::string& msisdn);
    /// Keeps connected services just read.
    void keep_connected(const std::string& msisdn, const std::vector<connected_service>& v);

    /// Rows kept now.
    std::size_t rows() const noexcept;
    /// Counters so far.
    const read_cache_stats& stats() const noexcept { return stats_; }

  private:
    std::int64_t data_version();
    void forget();
    void make_room();
    template <class Map>
    auto* lookup(Map& m, const std::string& key);

    connection& c_;
    std::size_t capacity_;
    statement version_stmt_;
    std::optional<std::int64_t> version_;  // the store's version the rows were read at
    std::optional<transaction> txn_;       // the current read's, once a statement ran
    std::size_t served_ = 0;               // rows this read took from memory
    std::unordered_map<std::string, std::optional<subscriber>> subscribers_;
    std::unordered_map<std::string, std::optional<tariff>> tariffs_;
    std::unordered_map<std::string, std::vector<connected_service>> connected_;
    read_cache_stats stats_;
};

}  // namespace ussdgw::store
