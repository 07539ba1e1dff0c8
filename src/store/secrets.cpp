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

hasher::hasher(pwhash_limits limits) : limits_(limits) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hasher::hash(std::string_view secret) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), limits_.ops, limits_.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("crypto_pwhash_str: out of memory");
    return out;
}

bool hasher::verify(const std::string& hash, std::string_view secret) const {
    return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
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
