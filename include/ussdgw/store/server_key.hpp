#pragma once
// The server key (a "pepper"): a secret kept outside the database that keys
// every password, PIN and PUK hash (HMAC before Argon2id) and the daemon's
// remembered-request fingerprints. A stolen database alone then cannot be
// brute-forced offline, not even a 4-digit PIN. The database keeps a check
// value, so a store is never used with a key it was not created with.
//
// Also here: the file-permission rules for the store and the key.

#include <array>
#include <optional>
#include <span>
#include <string>

#include "ussdgw/store/db.hpp"
#include "ussdgw/util/result.hpp"

namespace ussdgw::store {

/// The 32-byte key derived from the key file's contents.
class server_key {
  public:
    /// Reads the key file (its contents, trailing whitespace dropped, at least
    /// 32 bytes). Refuses a file that group or others may read.
    static util::result<server_key, std::string> read(const std::string& path);
    /// Creates a key file with 64 random hex digits, mode 0600, refusing to
    /// overwrite one that exists.
    static util::result<server_key, std::string> create(const std::string& path);
    /// A key from given bytes (tests).
    static server_key from_bytes(std::span<const unsigned char> bytes);

    /// The key.
    std::span<const unsigned char> bytes() const { return key_; }
    /// What the database stores to recognise this key (a MAC of a fixed text, hex).
    std::string check_value() const;
    /// HMAC-SHA256 of `message` under the key: what is hashed instead of a secret.
    std::array<unsigned char, 32> mac(std::string_view message) const;
    /// `text` encrypted and authenticated (XSalsa20-Poly1305, a fresh nonce),
    /// as hex: for texts the store keeps a while that may hold a secret.
    std::string seal(std::string_view text) const;
    /// The text sealed by seal() under this key; nullopt when damaged or another key's.
    std::optional<std::string> unseal(std::string_view sealed) const;

  private:
    std::array<unsigned char, 32> key_{};
};

/// Where the key lives when the config names no file: beside the store, "<db>.key".
std::string default_key_path(const std::string& db_path);

/// Ties `key_path` to the store: a store without a check value gets the key's
/// (the key file is created when missing); a store with one must match. An
/// error names the file to restore. The store must be at the latest schema.
util::result<server_key, std::string> open_server_key(connection& db, const std::string& key_path);

/// The key the store was tied to, read without creating or writing anything
/// (readers, --check-config). An error when the store has a check value and
/// the key is missing or another; nullopt-like empty key when the store has none.
util::result<std::string, std::string> check_server_key(connection& db,
                                                        const std::string& key_path);

/// Refuses a store (and its -wal, -shm) that others may read or write, and a
/// key file that group or others may read; the message says how to fix it.
util::result<bool, std::string> check_private_files(const std::string& db_path,
                                                    const std::string& key_path);

/// chmod 0600 the store, its -wal and -shm and the key file where they exist;
/// returns what was changed, one line per file.
util::result<std::string, std::string> make_files_private(const std::string& db_path,
                                                          const std::string& key_path);

}  // namespace ussdgw::store
