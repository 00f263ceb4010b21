#pragma once
// YKC frame layer (notes §1, §2): 0x68 | L | seq(2) | encryption flag | type | body | CRC16.
// `L` = body size + 4; the CRC-16/MODBUS covers the L bytes from the sequence number through
// the body as transmitted (ciphertext when encrypted). Receivers accept the CRC in either byte
// order and record which one verified; senders pick the order. The sequence number is two
// opaque bytes (§1.2 ⚠): replies echo the request's bytes, originated frames use `make_seq`.
// Pure functions over bytes; errors are `CodecError` values (errors.h), never exceptions.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "protocol/ykc/errors.h"
#include "protocol/ykc/options.h"

namespace cp::ykc {

using Bytes = std::vector<std::uint8_t>;
using Seq = std::array<std::uint8_t, 2>;  // as on the wire

inline constexpr std::uint8_t kStartByte = 0x68;
inline constexpr std::size_t kHeaderBytes = 6;  // start, L, seq(2), flag, type
inline constexpr std::size_t kCrcBytes = 2;
inline constexpr std::size_t kMinLength = 4;    // smallest L: empty body
inline constexpr std::size_t kMaxBodyBytes = 255 - 4;

inline constexpr std::uint8_t kFlagClear = 0x00;
inline constexpr std::uint8_t kFlagEncrypted = 0x01;

enum class CrcOrder : unsigned char { LowFirst, HighFirst };

struct Frame {
  Seq seq{};
  std::uint8_t encryption = kFlagClear;  // flag byte as received / to send
  std::uint8_t type = 0;
  Bytes body;                            // as transmitted (ciphertext when encrypted)
  CrcOrder crc_order = CrcOrder::LowFirst;  // receive: the order that verified; send: the order to write
  bool operator==(const Frame&) const = default;
};

// CRC-16/MODBUS: poly 0x8005 reflected (0xA001), init 0xFFFF, no final xor. CRC("123456789") = 0x4B37.
std::uint16_t crc16_modbus(std::span<const std::uint8_t> data);

// Our counter written in the pile's sequence byte order, and read back.
Seq make_seq(std::uint16_t counter, SeqByteOrder order = SeqByteOrder::Little);
std::uint16_t seq_value(const Seq& seq, SeqByteOrder order = SeqByteOrder::Little);

// Whole frame bytes; fails with body_too_large when the body exceeds 251 bytes.
Result<Bytes, CodecError> encode_frame(const Frame& frame);
// Exactly one frame (no leading or trailing bytes). Errors: bad_start, truncated, bad_length,
// oversized (above `max_frame_bytes`), bad_crc, trailing_bytes.
Result<Frame, CodecError> decode_frame(std::span<const std::uint8_t> bytes,
                                       std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

// Hex helpers for tests, logs of non-secret frames and golden files: "68 0C 00 ..." (decoding
// ignores whitespace, case-insensitive; nullopt-like failure returns bad_value).
std::string to_hex(std::span<const std::uint8_t> bytes);
Result<Bytes, CodecError> from_hex(std::string_view text);

}  // namespace cp::ykc
