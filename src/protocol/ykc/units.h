#pragma once
// Conversions between YKC wire units and plain values (§1.1): CP56Time2a <-> Unix time at a
// fixed UTC offset (YKC piles run on Beijing time, UTC+8), "+50" temperatures, "−400 A" BMS
// currents. Pure functions.
#include <cstdint>
#include <optional>

#include "protocol/ykc/messages.h"

namespace cp::ykc {

inline constexpr int kBeijingOffsetMinutes = 8 * 60;

Cp56Time cp56_from_unix_ms(std::int64_t unix_ms, int utc_offset_minutes = kBeijingOffsetMinutes);
// nullopt when a field is out of range (minute > 59, month 0, ...) or the IV bit is set.
std::optional<std::int64_t> cp56_to_unix_ms(const Cp56Time& time, int utc_offset_minutes = kBeijingOffsetMinutes);

inline int temperature_c(std::uint8_t raw) { return int(raw) - 50; }
inline std::uint8_t temperature_raw(int celsius) {
  return std::uint8_t(celsius < -50 ? 0 : celsius > 205 ? 255 : celsius + 50);
}
inline double bms_current_a(std::uint16_t raw) { return raw * 0.1 - 400.0; }

}  // namespace cp::ykc
