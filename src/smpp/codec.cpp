#include "ussdgw/smpp/codec.hpp"

#include <cstring>

namespace ussdgw::smpp {
namespace {

// Maximum sizes of C-octet strings, NUL included (SMPP 3.4 section 4).
constexpr std::size_t max_system_id = 16;
constexpr std::size_t max_password = 9;
constexpr std::size_t max_system_type = 13;
constexpr std::size_t max_address_range = 41;
constexpr std::size_t max_service_type = 6;
constexpr std::size_t max_sm_addr = 21;
constexpr std::size_t max_data_sm_addr = 65;
constexpr std::size_t max_time = 17;
constexpr std::size_t max_message_id = 65;
constexpr std::size_t max_short_message = 254;

std::uint32_t load_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// Which body layout a command id carries; nullopt for commands we do not speak.
enum class layout { empty, bind, bind_resp, sm, data_sm, message_id };

std::optional<layout> layout_of(std::uint32_t id) {
    switch (static_cast<command>(id)) {
        case command::generic_nack:
        case command::unbind:
        case command::unbind_resp:
        case command::enquire_link:
        case command::enquire_link_resp:
            return layout::empty;
        case command::bind_transceiver:
            return layout::bind;
        case command::bind_transceiver_resp:
            return layout::bind_resp;
        case command::submit_sm:
        case command::deliver_sm:
            return layout::sm;
        case command::data_sm:
            return layout::data_sm;
        case command::submit_sm_resp:
        case command::deliver_sm_resp:
        case command::data_sm_resp:
            return layout::message_id;
    }
    return std::nullopt;
}

// Cursor over the body; every read checks bounds and records the first error.
class reader {
  public:
    explicit reader(std::span<const std::uint8_t> b) : b_(b) {}

    bool at_end() const { return pos_ >= b_.size(); }
    std::optional<decode_error> error() const { return err_; }

    std::uint8_t u8() {
        if (!need(1)) return 0;
        return b_[pos_++];
    }
    std::uint16_t u16() {
        if (!need(2)) return 0;
        auto v = static_cast<std::uint16_t>((b_[pos_] << 8) | b_[pos_ + 1]);
        pos_ += 2;
        return v;
    }

    // A NUL-terminated string of at most `max` octets including the NUL.
    std::string cstring(std::size_t max) {
        if (err_) return {};
        std::size_t limit = std::min(max, b_.size() - pos_);
        const void* nul = std::memchr(b_.data() + pos_, 0, limit);
        if (!nul) {
            fail(limit == max ? decode_error::field_too_long : decode_error::unterminated_string);
            return {};
        }
        auto len =
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - (b_.data() + pos_));
        std::string s(reinterpret_cast<const char*>(b_.data() + pos_), len);
        pos_ += len + 1;
        return s;
    }

    // A C-octet string that some SMSCs omit entirely on error responses.
    std::string optional_cstring(std::size_t max) {
        return at_end() ? std::string{} : cstring(max);
    }

    std::string octets(std::size_t n) {
        if (!need(n)) return {};
        std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
        pos_ += n;
        return s;
    }

    tlv_list tlvs() {
        tlv_list out;
        while (!err_ && !at_end()) {
            if (b_.size() - pos_ < 4) {
                fail(decode_error::bad_tlv);
                break;
            }
            tlv t;
            t.tag = u16();
            std::uint16_t len = u16();
            if (b_.size() - pos_ < len) {
                fail(decode_error::bad_tlv);
                break;
            }
            t.value.assign(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                           b_.begin() + static_cast<std::ptrdiff_t>(pos_ + len));
            pos_ += len;
            out.push_back(std::move(t));
        }
        return out;
    }

    void fail(decode_error e) {
        if (!err_) err_ = e;
    }

  private:
    bool need(std::size_t n) {
        if (err_) return false;
        if (b_.size() - pos_ < n) {
            fail(decode_error::truncated);
            return false;
        }
        return true;
    }

    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    std::optional<decode_error> err_;
};

body decode_body(layout l, reader& r) {
    switch (l) {
        case layout::empty:
            if (!r.at_end()) r.fail(decode_error::trailing_bytes);
            return empty_body{};
        case layout::bind: {
            bind_body b;
            b.system_id = r.cstring(max_system_id);
            b.password = r.cstring(max_password);
            b.system_type = r.cstring(max_system_type);
            b.interface_version = r.u8();
            b.addr_ton = r.u8();
            b.addr_npi = r.u8();
            b.address_range = r.cstring(max_address_range);
            if (!r.at_end()) r.fail(decode_error::trailing_bytes);
            return b;
        }
        case layout::bind_resp: {
            bind_resp_body b;
            b.system_id = r.optional_cstring(max_system_id);
            b.tlvs = r.tlvs();
            return b;
        }
        case layout::sm: {
            sm_body b;
            b.service_type = r.cstring(max_service_type);
            b.source_addr_ton = r.u8();
            b.source_addr_npi = r.u8();
            b.source_addr = r.cstring(max_sm_addr);
            b.dest_addr_ton = r.u8();
            b.dest_addr_npi = r.u8();
            b.destination_addr = r.cstring(max_sm_addr);
            b.esm_class = r.u8();
            b.protocol_id = r.u8();
            b.priority_flag = r.u8();
            b.schedule_delivery_time = r.cstring(max_time);
            b.validity_period = r.cstring(max_time);
            b.registered_delivery = r.u8();
            b.replace_if_present_flag = r.u8();
            b.data_coding = r.u8();
            b.sm_default_msg_id = r.u8();
            std::uint8_t sm_length = r.u8();
            if (sm_length > max_short_message) r.fail(decode_error::field_too_long);
            b.short_message = r.octets(sm_length);
            b.tlvs = r.tlvs();
            return b;
        }
        case layout::data_sm: {
            data_sm_body b;
            b.service_type = r.cstring(max_service_type);
            b.source_addr_ton = r.u8();
            b.source_addr_npi = r.u8();
            b.source_addr = r.cstring(max_data_sm_addr);
            b.dest_addr_ton = r.u8();
            b.dest_addr_npi = r.u8();
            b.destination_addr = r.cstring(max_data_sm_addr);
            b.esm_class = r.u8();
            b.registered_delivery = r.u8();
            b.data_coding = r.u8();
            b.tlvs = r.tlvs();
            return b;
        }
        case layout::message_id: {
            message_id_body b;
            b.message_id = r.optional_cstring(max_message_id);
            b.tlvs = r.tlvs();
            return b;
        }
    }
    return empty_body{};
}

// Appends big-endian integers and C-octet strings; `ok` turns false on overflow.
struct writer {
    std::vector<std::uint8_t>& out;
    bool ok = true;

    void u8(std::uint8_t v) { out.push_back(v); }
    void u16(std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void cstring(const std::string& s, std::size_t max) {
        // An embedded NUL would end the field early on the wire: refuse it.
        if (s.size() + 1 > max || s.find('\0') != std::string::npos) {
            ok = false;
            return;
        }
        out.insert(out.end(), s.begin(), s.end());
        out.push_back(0);
    }
    void tlvs(const tlv_list& list, bool& tlv_ok) {
        for (const auto& t : list) {
            if (t.value.size() > 0xFFFF) {
                tlv_ok = false;
                return;
            }
            u16(t.tag);
            u16(static_cast<std::uint16_t>(t.value.size()));
            out.insert(out.end(), t.value.begin(), t.value.end());
        }
    }
};

}  // namespace

const char* to_string(decode_error e) {
    switch (e) {
        case decode_error::length_too_small:
            return "command_length below 16";
        case decode_error::length_too_large:
            return "command_length above the limit";
        case decode_error::truncated:
            return "truncated";
        case decode_error::unterminated_string:
            return "unterminated string";
        case decode_error::field_too_long:
            return "field too long";
        case decode_error::bad_tlv:
            return "malformed optional parameter";
        case decode_error::unknown_command:
            return "unknown command_id";
        case decode_error::trailing_bytes:
            return "unexpected bytes after the body";
    }
    return "unknown decode error";
}

const char* to_string(encode_error e) {
    switch (e) {
        case encode_error::field_too_long:
            return "field too long";
        case encode_error::tlv_too_long:
            return "optional parameter too long";
        case encode_error::body_mismatch:
            return "body does not match command_id";
        case encode_error::unknown_command:
            return "unknown command_id";
    }
    return "unknown encode error";
}

frame_check check_frame(std::span<const std::uint8_t> buffered, std::size_t max_pdu) {
    if (buffered.size() < 4) return {};
    std::size_t len = load_u32(buffered.data());
    if (len < header_size) return {frame_check::invalid, len, decode_error::length_too_small};
    if (len > max_pdu) return {frame_check::invalid, len, decode_error::length_too_large};
    if (buffered.size() < len) return {frame_check::need_more, len, {}};
    return {frame_check::complete, len, {}};
}

util::result<pdu, decode_failure> decode(std::span<const std::uint8_t> frame) {
    if (frame.size() < header_size)
        return util::fail(decode_failure{decode_error::length_too_small});
    std::size_t len = load_u32(frame.data());
    pdu p;
    p.command_id = load_u32(frame.data() + 4);
    p.command_status = load_u32(frame.data() + 8);
    p.sequence_number = load_u32(frame.data() + 12);
    decode_failure failure{decode_error::truncated, p.command_id, p.sequence_number};
    if (len < header_size) {
        failure.error = decode_error::length_too_small;
        return util::fail(failure);
    }
    if (len != frame.size()) {
        failure.error = len > frame.size() ? decode_error::truncated : decode_error::trailing_bytes;
        return util::fail(failure);
    }
    auto l = layout_of(p.command_id);
    if (!l) {
        failure.error = decode_error::unknown_command;
        return util::fail(failure);
    }
    reader r(frame.subspan(header_size));
    p.body = decode_body(*l, r);
    if (auto e = r.error()) {
        failure.error = *e;
        return util::fail(failure);
    }
    return p;
}

util::result<std::size_t, encode_error> encode(const pdu& p, std::vector<std::uint8_t>& out) {
    auto l = layout_of(p.command_id);
    if (!l) return util::fail(encode_error::unknown_command);
    const std::size_t start = out.size();
    writer w{out};
    w.u32(0);  // command_length, patched below
    w.u32(p.command_id);
    w.u32(p.command_status);
    w.u32(p.sequence_number);
    bool tlv_ok = true;
    bool matches = true;
    switch (*l) {
        case layout::empty:
            matches = std::holds_alternative<empty_body>(p.body);
            break;
        case layout::bind:
            if (auto* b = std::get_if<bind_body>(&p.body)) {
                w.cstring(b->system_id, max_system_id);
                w.cstring(b->password, max_password);
                w.cstring(b->system_type, max_system_type);
                w.u8(b->interface_version);
                w.u8(b->addr_ton);
                w.u8(b->addr_npi);
                w.cstring(b->address_range, max_address_range);
            } else {
                matches = false;
            }
            break;
        case layout::bind_resp:
            if (auto* b = std::get_if<bind_resp_body>(&p.body)) {
                w.cstring(b->system_id, max_system_id);
                w.tlvs(b->tlvs, tlv_ok);
            } else {
                matches = false;
            }
            break;
        case layout::sm:
            if (auto* b = std::get_if<sm_body>(&p.body)) {
                w.cstring(b->service_type, max_service_type);
                w.u8(b->source_addr_ton);
                w.u8(b->source_addr_npi);
                w.cstring(b->source_addr, max_sm_addr);
                w.u8(b->dest_addr_ton);
                w.u8(b->dest_addr_npi);
                w.cstring(b->destination_addr, max_sm_addr);
                w.u8(b->esm_class);
                w.u8(b->protocol_id);
                w.u8(b->priority_flag);
                w.cstring(b->schedule_delivery_time, max_time);
                w.cstring(b->validity_period, max_time);
                w.u8(b->registered_delivery);
                w.u8(b->replace_if_present_flag);
                w.u8(b->data_coding);
                w.u8(b->sm_default_msg_id);
                if (b->short_message.size() > max_short_message) {
                    w.ok = false;
                } else {
                    w.u8(static_cast<std::uint8_t>(b->short_message.size()));
                    out.insert(out.end(), b->short_message.begin(), b->short_message.end());
                }
                w.tlvs(b->tlvs, tlv_ok);
            } else {
                matches = false;
            }
            break;
        case layout::data_sm:
            if (auto* b = std::get_if<data_sm_body>(&p.body)) {
                w.cstring(b->service_type, max_service_type);
                w.u8(b->source_addr_ton);
                w.u8(b->source_addr_npi);
                w.cstring(b->source_addr, max_data_sm_addr);
                w.u8(b->dest_addr_ton);
                w.u8(b->dest_addr_npi);
                w.cstring(b->destination_addr, max_data_sm_addr);
                w.u8(b->esm_class);
                w.u8(b->registered_delivery);
                w.u8(b->data_coding);
                w.tlvs(b->tlvs, tlv_ok);
            } else {
                matches = false;
            }
            break;
        case layout::message_id:
            if (auto* b = std::get_if<message_id_body>(&p.body)) {
                w.cstring(b->message_id, max_message_id);
                w.tlvs(b->tlvs, tlv_ok);
            } else {
                matches = false;
            }
            break;
    }
    const std::size_t len = out.size() - start;
    if (!matches || !w.ok || !tlv_ok || len > 0xFFFFFFFFu) {
        out.resize(start);
        if (!matches) return util::fail(encode_error::body_mismatch);
        return util::fail(tlv_ok ? encode_error::field_too_long : encode_error::tlv_too_long);
    }
    for (int i = 0; i < 4; ++i)
        out[start + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
    return len;
}

util::result<std::vector<std::uint8_t>, encode_error> encode(const pdu& p) {
    std::vector<std::uint8_t> out;
    auto r = encode(p, out);
    if (!r) return util::fail(r.error());
    return out;
}

}  // namespace ussdgw::smpp
