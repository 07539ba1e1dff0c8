#pragma once
// Reassembly of concatenated MT SMS (UDH or SAR TLVs): parts are kept until
// the last one arrives, then the octets are joined in sequence order and
// decoded once, so a character split across parts survives.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace ussdgw::sim {

/// Collects the parts of concatenated messages.
class concat_buffer {
  public:
    /// A reassembled message.
    struct whole {
        std::uint8_t data_coding;  ///< Coding of the first part.
        std::string octets;        ///< All parts' bodies in order.
    };

    /// Adds one part; returns the whole message once every part arrived.
    /// Repeated parts replace earlier ones (an ESME retry after a fault).
    std::optional<whole> add(const std::string& from, const std::string& to,
                             std::uint16_t reference, std::uint8_t total, std::uint8_t sequence,
                             std::uint8_t data_coding, std::string octets);

    /// Messages still waiting for parts.
    std::size_t pending() const { return messages_.size(); }

  private:
    struct part {
        std::uint8_t data_coding;
        std::string octets;
    };
    struct message {
        std::uint8_t total = 0;
        std::map<std::uint8_t, part> parts;  // by sequence number
    };
    std::map<std::tuple<std::string, std::string, std::uint16_t>, message> messages_;
};

}  // namespace ussdgw::sim
