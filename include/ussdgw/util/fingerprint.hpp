#pragma once
// Keyed fingerprints of texts that may hold secrets (a PIN typed as an
// answer, "25 <password>"): tables that must recognise a repeat keep these
// 64-bit SipHash values instead of the text, so neither memory nor a core
// dump holds the secret, and without the key a fingerprint cannot be
// brute-forced offline.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace ussdgw::util {

/// SipHash-2-4 (libsodium crypto_shorthash) under one key.
class fingerprinter {
  public:
    /// A fresh random key: fingerprints are comparable within this object only.
    fingerprinter();
    /// A key derived from `secret` (any length): stable across restarts.
    explicit fingerprinter(std::span<const unsigned char> secret);
    /// The fingerprint of `text`.
    std::uint64_t operator()(std::string_view text) const;

  private:
    std::array<unsigned char, 16> key_{};
};

}  // namespace ussdgw::util
