#include "protocol/ykc/frame.h"

#include <fmt/format.h>

namespace cp::ykc {

namespace {

// The reflected form of 0x8005 (the spec appendix's two-table Modbus routine computes the same).
constexpr std::array<std::uint16_t, 256> make_crc_table() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    std::uint16_t c = static_cast<std::uint16_t>(i);
    for (int k = 0; k < 8; ++k) c = (c & 1) ? static_cast<std::uint16_t>((c >> 1) ^ 0xA001) : static_cast<std::uint16_t>(c >> 1);
    t[i] = c;
  }
  return t;
}
constexpr auto kCrcTable = make_crc_table();

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::uint16_t crc16_modbus(std::span<const std::uint8_t> data) {
  std::uint16_t crc = 0xFFFF;
  for (auto b : data) crc = static_cast<std::uint16_t>((crc >> 8) ^ kCrcTable[(crc ^ b) & 0xFF]);
  return crc;
}

Seq make_seq(std::uint16_t counter, SeqByteOrder order) {
  const auto lo = static_cast<std::uint8_t>(counter & 0xFF), hi = static_cast<std::uint8_t>(counter >> 8);
  return order == SeqByteOrder::Little ? Seq{lo, hi} : Seq{hi, lo};
}

std::uint16_t seq_value(const Seq& seq, SeqByteOrder order) {
  return order == SeqByteOrder::Little ? static_cast<std::uint16_t>(seq[0] | (seq[1] << 8))
                                       : static_cast<std::uint16_t>(seq[1] | (seq[0] << 8));
}

Result<Bytes, CodecError> encode_frame(const Frame& frame) {
  if (frame.body.size() > kMaxBodyBytes)
    return fail(CodecError{Errc::body_too_large, fmt::format("body of {} bytes exceeds {}", frame.body.size(), kMaxBodyBytes)});
  Bytes out;
  out.reserve(kHeaderBytes + frame.body.size() + kCrcBytes);
  out.push_back(kStartByte);
  out.push_back(static_cast<std::uint8_t>(frame.body.size() + kMinLength));
  out.push_back(frame.seq[0]);
  out.push_back(frame.seq[1]);
  out.push_back(frame.encryption);
  out.push_back(frame.type);
  out.insert(out.end(), frame.body.begin(), frame.body.end());
  const auto crc = crc16_modbus(std::span(out).subspan(2));
  const auto lo = static_cast<std::uint8_t>(crc & 0xFF), hi = static_cast<std::uint8_t>(crc >> 8);
  if (frame.crc_order == CrcOrder::LowFirst) {
    out.push_back(lo);
    out.push_back(hi);
  } else {
    out.push_back(hi);
    out.push_back(lo);
  }
  return out;
}

Result<Frame, CodecError> decode_frame(std::span<const std::uint8_t> bytes, std::size_t max_frame_bytes) {
  if (bytes.empty()) return fail(CodecError{Errc::truncated, "empty input"});
  if (bytes[0] != kStartByte) return fail(CodecError{Errc::bad_start, fmt::format("start byte 0x{:02X}", bytes[0]), 1});
  if (bytes.size() < 2) return fail(CodecError{Errc::truncated, "no length byte", bytes.size()});
  const std::size_t len = bytes[1];
  if (len < kMinLength) return fail(CodecError{Errc::bad_length, fmt::format("L = {} < 4", len), 1});
  const std::size_t total = len + 4;
  if (total > max_frame_bytes)
    return fail(CodecError{Errc::oversized, fmt::format("frame of {} bytes exceeds {}", total, max_frame_bytes), 1});
  if (bytes.size() < total)
    return fail(CodecError{Errc::truncated, fmt::format("{} of {} bytes", bytes.size(), total), bytes.size()});
  if (bytes.size() > total)
    return fail(CodecError{Errc::trailing_bytes, fmt::format("{} bytes after the frame", bytes.size() - total),
                           bytes.size() - total});
  const auto crc = crc16_modbus(bytes.subspan(2, len));
  const auto lo = static_cast<std::uint8_t>(crc & 0xFF), hi = static_cast<std::uint8_t>(crc >> 8);
  const auto c0 = bytes[2 + len], c1 = bytes[3 + len];
  Frame f;
  if (c0 == lo && c1 == hi) {
    f.crc_order = CrcOrder::LowFirst;
  } else if (c0 == hi && c1 == lo) {
    f.crc_order = CrcOrder::HighFirst;
  } else {
    return fail(CodecError{Errc::bad_crc, fmt::format("type 0x{:02X}: CRC {:02X} {:02X}, expected {:04X} in either byte order",
                                                      bytes[5], c0, c1, crc), 1});
  }
  f.seq = {bytes[2], bytes[3]};
  f.encryption = bytes[4];
  f.type = bytes[5];
  f.body.assign(bytes.begin() + kHeaderBytes, bytes.begin() + 2 + static_cast<std::ptrdiff_t>(len));
  return f;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string s;
  s.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) s.push_back(' ');
    s += fmt::format("{:02X}", bytes[i]);
  }
  return s;
}

Result<Bytes, CodecError> from_hex(std::string_view text) {
  Bytes out;
  int pending = -1;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    const int d = hex_digit(c);
    if (d < 0) return fail(CodecError{Errc::bad_value, fmt::format("not a hex digit: '{}'", c)});
    if (pending < 0) {
      pending = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(pending << 4 | d));
      pending = -1;
    }
  }
  if (pending >= 0) return fail(CodecError{Errc::bad_value, "odd number of hex digits"});
  return out;
}

}  // namespace cp::ykc
