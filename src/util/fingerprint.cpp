#include "ussdgw/util/fingerprint.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace ussdgw::util {
namespace {

void init_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

fingerprinter::fingerprinter() {
    init_sodium();
    crypto_shorthash_keygen(key_.data());
}

fingerprinter::fingerprinter(std::span<const unsigned char> secret) {
    init_sodium();
    static_assert(sizeof(key_) == crypto_shorthash_KEYBYTES);
    // Derive rather than copy, so the same secret used elsewhere (the HMAC
    // pepper) is never the SipHash key itself.
    crypto_generichash(key_.data(), key_.size(), secret.data(), secret.size(),
                       reinterpret_cast<const unsigned char*>("ussdgw fingerprint"), 18);
}

std::uint64_t fingerprinter::operator()(std::string_view text) const {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     key_.data());
    std::uint64_t v;
    std::memcpy(&v, out, sizeof v);
    return v;
}

}  // namespace ussdgw::util
