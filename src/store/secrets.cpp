#include "ussdgw/store/secrets.hpp"

#include <sodium.h>

#include <map>
#include <stdexcept>

namespace ussdgw::store {

pwhash_limits pwhash_limits::interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

pwhash_limits pwhash_limits::minimum() {
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

namespace {

// Marks a hash of the keyed secret; plain Argon2id strings start with "$argon2".
constexpr std::string_view keyed_prefix = "$p1";

std::string argon2(std::string_view input, const pwhash_limits& limits) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, input.data(), input.size(), limits.ops, limits.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("crypto_pwhash_str: out of memory");
    return out;
}

bool keyed(const std::string& hash) {
    return hash.compare(0, keyed_prefix.size(), keyed_prefix) == 0 &&
           hash.size() > keyed_prefix.size() && hash[keyed_prefix.size()] == '$';
}

}  // namespace

hasher::hasher(pwhash_limits limits, std::optional<server_key> key)
    : limits_(limits), key_(std::move(key)) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hasher::hash(std::string_view secret) const {
    if (!key_) return argon2(secret, limits_);
    auto mac = key_->mac(secret);
    auto out = std::string(keyed_prefix) +
               argon2({reinterpret_cast<const char*>(mac.data()), mac.size()}, limits_);
    sodium_memzero(mac.data(), mac.size());
    return out;
}

bool hasher::verify(const std::string& hash, std::string_view secret) const {
    if (!keyed(hash))
        return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
    if (!key_) return false;  // a keyed hash cannot be checked without the key
    auto mac = key_->mac(secret);
    bool ok = crypto_pwhash_str_verify(hash.c_str() + keyed_prefix.size(),
                                       reinterpret_cast<const char*>(mac.data()), mac.size()) == 0;
    sodium_memzero(mac.data(), mac.size());
    return ok;
}

bool hasher::stale(const std::string& hash) const {
    return key_.has_value() && !keyed(hash);
}

std::string random_password(std::size_t length, std::size_t max_repeat) {
    static constexpr std::string_view upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static constexpr std::string_view lower = "abcdefghijkmnopqrstuvwxyz";
    static constexpr std::string_view digits = "23456789";
    static constexpr std::string_view all =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    if (length < 3) length = 3;
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    auto pick = [](std::string_view from) {
        return from[randombytes_uniform(static_cast<uint32_t>(from.size()))];
    };
    for (;;) {
        std::string p;
        p += pick(upper);
        p += pick(lower);
        p += pick(digits);
        while (p.size() < length) p += pick(all);
        // Shuffle so the classes are not always in front (Fisher-Yates).
        for (std::size_t i = p.size() - 1; i > 0; --i)
            std::swap(p[i], p[randombytes_uniform(static_cast<uint32_t>(i + 1))]);
        std::map<char, std::size_t> counts;
        bool ok = true;
        for (char ch : p)
            if (++counts[ch] > max_repeat) ok = false;
        if (ok) return p;
    }
}

}  // namespace ussdgw::store
