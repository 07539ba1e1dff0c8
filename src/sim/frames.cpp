#include "frames.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace ussdgw::sim {
namespace {

constexpr std::uint32_t submit_sm_id = 0x00000004;
constexpr std::uint32_t deliver_sm_id = 0x00000005;
constexpr std::uint32_t data_sm_id = 0x00000103;

// Walks a PDU body field by field; a failed step leaves ok_ false for good.
class body_reader {
  public:
    explicit body_reader(std::span<const std::uint8_t> frame)
        : frame_(frame), pos_(pdu_header_size) {}

    void cstring() {
        if (!ok_) return;
        const auto* start = frame_.data() + pos_;
        const auto* nul = std::find(start, frame_.data() + frame_.size(), std::uint8_t{0});
        if (nul == frame_.data() + frame_.size()) {
            ok_ = false;
            return;
        }
        pos_ += static_cast<std::size_t>(nul - start) + 1;
    }
    void skip(std::size_t n) {
        if (!ok_ || frame_.size() - pos_ < n) {
            ok_ = false;
            return;
        }
        pos_ += n;
    }
    std::uint8_t octet() {
        if (!ok_ || pos_ >= frame_.size()) {
            ok_ = false;
            return 0;
        }
        return frame_[pos_++];
    }
    bool ok() const { return ok_; }
    std::size_t pos() const { return pos_; }

  private:
    std::span<const std::uint8_t> frame_;
    std::size_t pos_;
    bool ok_ = true;
};

// How libsmpp34 reads a TLV's value: a fixed-size integer, or octets up to a
// limit. Its unpacker reads integers at their own size whatever the length
// field says, so a mismatch would desynchronise it.
struct tlv_shape {
    std::uint16_t fixed = 0;   // 1, 2 or 4 for integers; 0 for octets
    std::uint16_t max = 1024;  // octet limit
};

// From libsmpp34 1.14.1's def_frame/submit_sm.tlv and data_sm.tlv (deliver_sm
// is laid out like submit_sm). Tags not listed are octets up to 1024.
tlv_shape shape_of(std::uint32_t command_id, std::uint16_t tag) {
    const bool data_sm = command_id == data_sm_id;
    switch (tag) {
        case 0x0204:  // user_message_reference
        case 0x020A:  // source_port
        case 0x020B:  // destination_port
        case 0x020C:  // sar_msg_ref_num
        case 0x1203:  // sms_signal
        case 0x1383:  // its_session_info
            return {2, 0};
        case 0x0008:  // dest_telematics_id
            return data_sm ? tlv_shape{2, 0} : tlv_shape{};
        case 0x0017:  // qos_time_to_live
            return data_sm ? tlv_shape{4, 0} : tlv_shape{};
        case 0x000D:
        case 0x0005:
        case 0x020E:
        case 0x020F:
        case 0x0426:
        case 0x0019:
        case 0x0201:
        case 0x0302:
        case 0x0205:
        case 0x1201:
        case 0x1204:
        case 0x0030:
        case 0x0304:
        case 0x020D:
        case 0x1380:
            return {1, 0};
        case 0x000E:
        case 0x000F:
        case 0x0010:
        case 0x0006:
        case 0x0007:
        case 0x0421:
        case 0x0427:
            return data_sm ? tlv_shape{1, 0} : tlv_shape{};
        case 0x0381:  // callback_num
            return {0, 19};
        case 0x0303:  // callback_num_atag
            return {0, 65};
        case 0x0202:  // source_subaddress
        case 0x0203:  // dest_subaddress
            return {0, 23};
        case 0x130C:  // alert_on_message_delivery
            return {0, 0};
        case 0x0501:  // ussd_service_op
            return {0, data_sm ? std::uint16_t{1024} : std::uint16_t{1}};
        case 0x001E:  // receipted_message_id
            return data_sm ? tlv_shape{0, 65} : tlv_shape{};
        case 0x0423:  // network_error_code
            return data_sm ? tlv_shape{0, 3} : tlv_shape{};
        default:
            return {};
    }
}

}  // namespace

std::uint32_t read_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

pdu_header read_header(std::span<const std::uint8_t> frame) {
    return {read_u32(frame.data()), read_u32(frame.data() + 4), read_u32(frame.data() + 8),
            read_u32(frame.data() + 12)};
}

std::span<std::uint8_t> frame_buffer::prepare(std::size_t n) {
    if (begin_ == end_) begin_ = end_ = 0;
    if (buf_.size() - end_ < n) {
        if (begin_ > 0) {
            // Slide the partial PDU to the front before growing.
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (buf_.size() - end_ < n) buf_.resize(end_ + n);
    }
    return {buf_.data() + end_, buf_.size() - end_};
}

void frame_buffer::commit(std::size_t n) {
    end_ += n;
}

frame_buffer::status frame_buffer::next(std::span<const std::uint8_t>& frame,
                                        std::uint32_t& length) {
    if (end_ - begin_ < 4) return status::need_more;
    length = read_u32(buf_.data() + begin_);
    if (length < pdu_header_size || length > max_pdu_size) return status::bad_length;
    if (end_ - begin_ < length) return status::need_more;
    frame = {buf_.data() + begin_, length};
    begin_ += length;
    return status::frame;
}

std::optional<std::string> precheck_pdu(std::span<const std::uint8_t> frame) {
    const auto id = read_u32(frame.data() + 4);
    if (id != submit_sm_id && id != deliver_sm_id && id != data_sm_id) return std::nullopt;

    body_reader r(frame);
    r.cstring();  // service_type
    r.skip(2);    // source ton, npi
    r.cstring();  // source_addr
    r.skip(2);    // dest ton, npi
    r.cstring();  // destination_addr
    if (id == data_sm_id) {
        r.skip(3);  // esm_class, registered_delivery, data_coding
    } else {
        r.skip(3);    // esm_class, protocol_id, priority_flag
        r.cstring();  // schedule_delivery_time
        r.cstring();  // validity_period
        r.skip(4);    // registered_delivery, replace_if_present, data_coding, sm_default_msg_id
        std::size_t sm_length = r.octet();
        r.skip(sm_length);
    }
    if (!r.ok()) return "mandatory fields run past the end of the PDU";

    std::size_t count = 0;
    for (std::size_t pos = r.pos(); pos < frame.size();) {
        if (frame.size() - pos < 4) return "truncated TLV header";
        const auto tag = read_u16(frame.data() + pos);
        const auto len = read_u16(frame.data() + pos + 2);
        if (frame.size() - pos - 4 < len) {
            return fmt::format("TLV 0x{:04x} length {} runs past the end of the PDU", tag, len);
        }
        if (++count > max_tlvs) return fmt::format("more than {} TLVs", max_tlvs);
        const auto shape = shape_of(id, tag);
        if (shape.fixed != 0 && len != shape.fixed) {
            return fmt::format("TLV 0x{:04x} has length {}, expected {}", tag, len, shape.fixed);
        }
        if (shape.fixed == 0 && len > shape.max) {
            return fmt::format("TLV 0x{:04x} has length {}, at most {} allowed", tag, len,
                               shape.max);
        }
        pos += 4 + std::size_t{len};
    }
    return std::nullopt;
}

std::optional<std::size_t> bind_interface_version_offset(std::span<const std::uint8_t> frame) {
    body_reader r(frame);
    r.cstring();  // system_id
    r.cstring();  // password
    r.cstring();  // system_type
    if (!r.ok() || r.pos() >= frame.size()) return std::nullopt;
    return r.pos();
}

}  // namespace ussdgw::sim
