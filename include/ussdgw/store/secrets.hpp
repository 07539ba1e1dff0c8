#pragma once
// Password, PIN and PUK hashing with libsodium's crypto_pwhash (Argon2id).
// Hashing is deliberately slow; the runner calls it off the writer thread.

#include <cstddef>
#include <string>
#include <string_view>

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

/// Hashes and verifies secrets; thread-safe (no state besides the limits).
class hasher {
  public:
    /// Initialises libsodium; throws when it cannot.
    explicit hasher(pwhash_limits limits = pwhash_limits::interactive());
    /// An Argon2id hash string with a random salt; throws on out-of-memory.
    std::string hash(std::string_view secret) const;
    /// True when `secret` matches `hash`.
    bool verify(const std::string& hash, std::string_view secret) const;
    /// The limits in use.
    const pwhash_limits& limits() const noexcept { return limits_; }

  private:
    pwhash_limits limits_;
};

/// A random password of `length` Latin letters and digits with at least one
/// upper-case letter, one lower-case letter and one digit, no character more
/// than `max_repeat` times.
std::string random_password(std::size_t length, std::size_t max_repeat = 5);

}  // namespace ussdgw::store
