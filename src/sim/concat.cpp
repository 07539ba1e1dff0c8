#include "concat.hpp"

namespace ussdgw::sim {

std::optional<concat_buffer::whole> concat_buffer::add(
    const std::string& from, const std::string& to, std::uint16_t reference, std::uint8_t total,
    std::uint8_t sequence, std::uint8_t data_coding, std::string octets) {
    if (total <= 1) return whole{data_coding, std::move(octets)};
    auto key = std::make_tuple(from, to, reference);
    auto& m = messages_[key];
    if (m.total != total) {
        // A new total means a new message reusing the reference: start over.
        m.total = total;
        m.parts.clear();
    }
    m.parts[sequence] = part{data_coding, std::move(octets)};
    for (std::uint8_t s = 1; s <= total; ++s) {
        if (!m.parts.count(s)) return std::nullopt;
        if (s == total) break;  // avoid wrapping when total == 255
    }
    whole w{m.parts.at(1).data_coding, {}};
    for (auto& [s, p] : m.parts) {
        if (s >= 1 && s <= total) w.octets += p.octets;
    }
    messages_.erase(key);
    return w;
}

}  // namespace ussdgw::sim
