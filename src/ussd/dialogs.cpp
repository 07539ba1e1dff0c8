#include "ussdgw/ussd/dialogs.hpp"

namespace ussdgw::ussd {

std::size_t dialog_key_hash::operator()(const dialog_key& k) const noexcept {
    const std::size_t h = std::hash<std::string_view>{}(k.msisdn);
    return h ^
           (std::hash<std::uint32_t>{}(k.session) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

}  // namespace ussdgw::ussd
