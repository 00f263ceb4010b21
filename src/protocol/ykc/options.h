#pragma once
// Per-pile YKC variants. Every place where the protocol notes (shared/protocols/ykc.md) flag
// sources that disagree (a ⚠ line) is a field here, defaulting to what the notes recommend; the
// gateway stores them per pile (JSON names = field names, see docs/ykc.md) and hands them to the
// codec. Pure data; the codec never reads global state.
#include <cstddef>
#include <cstdint>

namespace cp::ykc {

// §2 ⚠ "byte order in the wild": the spec stores the CRC low byte first, field frames high first.
enum class CrcByteOrder : unsigned char {
  Auto,    // receive: accept both; send: low first until the pile's first valid frame shows high first
  Little,  // receive: accept both; send low byte first
  Big,     // receive: accept both; send high byte first
};
// §1.2 ⚠ sequence byte order, for frames the platform originates (replies echo the request's bytes).
enum class SeqByteOrder : unsigned char { Little, Big };
// §5.2 ⚠ 0x13 hardware-fault bitmap: "bit n" means mask 1<<(n-1) (FromOne) or 1<<n (FromZero).
enum class FaultBitNumbering : unsigned char { FromOne, FromZero };
// §5.3 ⚠ 0x1B: order of the 2-bit fields inside each byte.
enum class BemBitOrder : unsigned char { LsbFirst, MsbFirst };
// §5.5 ⚠ resend rule for an unconfirmed 0x3B (pile side; used by the simulator).
enum class RecordRetryRule : unsigned char {
  Every30sThreeTimes,  // spec 8.7: resend after 30 s, at most 3 times
  OnceAfter5Min,       // spec 8.8: resend once after 5 min
};

inline constexpr std::uint8_t kVersion15 = 0x0F;
inline constexpr std::uint8_t kVersion16 = 0x10;

// The largest L the catalogue produces: 0x44 with 15 cards (body 248, a multiple of 8 so no
// padding) gives L = 252; every other frame, padded or not, is smaller.
inline constexpr std::size_t kDefaultMaxFrameBytes = 252 + 4;

struct Options {
  CrcByteOrder crc_byte_order = CrcByteOrder::Auto;
  SeqByteOrder seq_byte_order = SeqByteOrder::Little;
  FaultBitNumbering fault_bit_numbering = FaultBitNumbering::FromOne;
  bool vin_reversed = true;  // §1.1 ⚠: VIN in 0x31/0xA1 sent byte-reversed
  BemBitOrder bem_bit_order = BemBitOrder::LsbFirst;
  // §7: version byte from the pile's login (0x0F V1.5, 0x10 V1.6). V1.5 piles neither send nor
  // receive the parallel-charging frames 0xA1..0xA4.
  std::uint8_t protocol_version = kVersion16;
  RecordRetryRule record_retry = RecordRetryRule::Every30sThreeTimes;
};

}  // namespace cp::ykc
