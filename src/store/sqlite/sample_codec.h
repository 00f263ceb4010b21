#pragma once
// The packed form of one telemetry sample (`telemetry.sample`): every sampled value of one
// (pile, connector, transaction, timestamp) in one BLOB, so a MeterValues call is one table row
// and one index entry instead of one per value. Pure: bytes in, values out; no SQLite here.
//
// Format, version 1 (docs/storage.md repeats it):
//
//   sample  = version:u8 (= 1)  count:varint  value{count}
//   value   = measurand:varint  tagged:varint  payload
//   tagged  = attributes << 1 | kind            kind 0 = number, 1 = raw text
//   payload = kind 0: 8 bytes, IEEE-754 binary64, little-endian
//             kind 1: length:varint  bytes{length}   (the value as the pile sent it)
//   varint  = unsigned LEB128, at most 10 bytes, value < 2^64
//
// `measurand` is a telemetry_measurands.id, `attributes` a telemetry_attributes.id (the
// phase/unit/context/location combination). A value is raw text exactly when `raw` is non-empty
// (domain::SampledValue's rule). Nothing may follow the last value.
//
// Decoding never reads outside the given bytes: a truncated or corrupt blob (bad version, count
// larger than the bytes could hold, overlong varint, trailing bytes) is an error value with code
// "corrupt_sample", never undefined behaviour.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cp::store::sqlite {

inline constexpr std::uint8_t kSampleFormatVersion = 1;

struct PackedValue {
  std::uint64_t measurand = 0;   // telemetry_measurands.id
  std::uint64_t attributes = 0;  // telemetry_attributes.id; must be < 2^63 (room for the kind bit)
  double value = 0;              // 0 when `raw` is set
  std::string_view raw;          // non-empty: a non-numeric value, kept as sent
};

// Replaces `out` with the encoding of `values` (reuses its capacity).
void encode_sample(std::span<const PackedValue> values, std::string& out);

// Replaces `out` with the values of `blob`, in encoded order. `raw` views point into `blob`.
// On error `out` holds what was decoded before the fault; callers discard it.
Status decode_sample(std::span<const std::uint8_t> blob, std::vector<PackedValue>& out);

}  // namespace cp::store::sqlite
