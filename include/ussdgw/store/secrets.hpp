#pragma once
// Password, PIN and PUK hashing with libsodium's crypto_pwhash (Argon2id).
// Hashing is deliberately slow; the runner calls it off the writer thread.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ussdgw/store/server_key.hpp"

namespace ussdgw::store {

/// Cost of one crypto_pwhash call.
struct pwhash_limits {
    unsigned long long ops = 0;  ///< opslimit
    std::size_t mem = 0;         ///< memlimit in bytes
    /// crypto_pwhash_OPSLIMIT/MEMLIMIT_INTERACTIVE: the production default.
    static pwhash_limits interactive();
    /// crypto_pwhash_OPSLIMIT/MEMLIMIT_MIN: for tests only.
    static pwhash_limits minimum();
};

/// Hashes and verifies secrets; thread-safe (no state besides the limits and key).
///
/// With a server key, what is hashed is HMAC-SHA256(key, secret), and the
/// stored string is "$p1" + the Argon2id string: without the key file a stolen
/// store cannot be brute-forced, not even a 4-digit PIN. Hashes made before the
/// store had a key (plain Argon2id) still verify, and are stale(): the actions
/// re-hash them under the key at their next successful use.
class hasher {
  public:
    /// Initialises libsodium; throws when it cannot.
    explicit hasher(pwhash_limits limits = pwhash_limits::interactive(),
                    std::optional<server_key> key = std::nullopt);
    /// A hash string with a random salt (keyed when there is a key); throws on out-of-memory.
    std::string hash(std::string_view secret) const;
    /// True when `secret` matches `hash` (keyed or plain).
    bool verify(const std::string& hash, std::string_view secret) const;
    /// True when `hash` should be replaced by hash(secret) once the secret is known:
    /// there is a key and `hash` was made without it.
    bool stale(const std::string& hash) const;
    /// The limits in use.
    const pwhash_limits& limits() const noexcept { return limits_; }
    /// The server key, when the store has one.
    const std::optional<server_key>& key() const noexcept { return key_; }

  private:
    pwhash_limits limits_;
    std::optional<server_key> key_;
};

/// A random password of `length` Latin letters and digits with at least one
/// upper-case letter, one lower-case letter and one digit, no character more
/// than `max_repeat` times.
std::string random_password(std::size_t length, std::size_t max_repeat = 5);

}  // namespace ussdgw::store
