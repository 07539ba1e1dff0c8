#pragma once
// Demo catalogue and subscribers: what `ussdgw-admin demo`, the demo script
// and the tests start from.

#include "ussdgw/store/accounts.hpp"
#include "ussdgw/store/secrets.hpp"

namespace ussdgw::store {

/// The demo SIM PIN of every demo subscriber.
inline constexpr const char* demo_pin = "1234";
/// The demo SIM PUK of every demo subscriber.
inline constexpr const char* demo_puk = "12345678";

/// Loads the demo tariffs ("Basic", "Smart", "Premium") and services.
/// Idempotent; runs in the caller's transaction if one is open.
void load_demo_catalog(accounts& a);

/// Loads the catalogue and the five demo subscribers 79160000001..5 (PIN 1234,
/// PUK 12345678, no password). Existing subscribers are left as they are.
/// Returns the number of subscribers added.
int load_demo(accounts& a, const hasher& h, unix_time now);

/// Provisions one subscriber with hashed SIM codes; false when it exists.
bool provision(accounts& a, const hasher& h, subscriber s, const std::string& pin,
               const std::string& puk);

}  // namespace ussdgw::store
