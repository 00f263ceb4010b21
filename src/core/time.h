#pragma once
// Time as the platform sees it: UTC milliseconds since the epoch, RFC 3339 on the wire.
// `Clock` is injected wherever "now" matters so domain logic and tests stay deterministic.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cp {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// "2026-11-22T10:00:00.123Z" (milliseconds always printed, always UTC).
std::string format_rfc3339(Timestamp t);
// Accepts RFC 3339 / ISO 8601 date-times as OCPP piles send them: 'T' or ' ' separator,
// optional fraction (any precision, truncated to ms), 'Z' or ±hh:mm offset. nullopt if invalid.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

inline std::int64_t to_millis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_millis(std::int64_t ms) { return Timestamp{std::chrono::milliseconds{ms}}; }

}  // namespace cp
