#pragma once
// TelemetryThrottle — per-pile coalescing of telemetry for live events (private to services).
// A pile may send many MeterValues per second; live clients get at most one `telemetry`
// event per pile per interval, carrying the newest value of every (connector, measurand,
// phase, location) — connector and domain::live_value_key — seen since the previous event. The first sample after a quiet interval goes out at
// once; samples inside the interval are merged and go out when it ends (the caller schedules
// that flush, `offer` says when). Pure: no clock, no timers, no I/O; times are passed in.
// Thread-safe (one mutex); memory is bounded per pile (kMaxKeysPerPile) and a pile's state is
// dropped by `forget` (pile offline).
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/events.h"

namespace cp::services::detail {

struct TelemetryValue {
  int connector = 0;
  std::optional<domain::TransactionId> transaction;
  std::string measurand;
  std::string phase;
  std::string location;  // "" = Outlet
  std::string unit;
  double value = 0;
  Timestamp at;  // the sample's time as the pile reported it
};

// What one `telemetry` event carries, sorted by connector, then live_value_key.
using TelemetrySnapshot = std::vector<TelemetryValue>;

class TelemetryThrottle {
 public:
  // Distinct (connector, live_value_key) keys kept per pile between two events; more are
  // ignored until the next event (OCPP 1.6 has 22 measurands and 10 phases, so a real pile
  // stays far below).
  static constexpr std::size_t kMaxKeysPerPile = 256;

  explicit TelemetryThrottle(std::chrono::milliseconds interval) : interval_(interval) {}

  struct Outcome {
    std::optional<TelemetrySnapshot> publish_now;
    // Set when values are held and no flush is scheduled yet: call flush() after this delay.
    std::optional<std::chrono::milliseconds> flush_after;
  };
  // Merges the sample's numeric values (non-numeric ones are skipped, as in the Registry).
  Outcome offer(const domain::TelemetrySampled& sample, Timestamp now);
  // The scheduled end of an interval: the held values, if any (then a new interval starts).
  std::optional<TelemetrySnapshot> flush(const domain::PileId& pile, Timestamp now);
  void forget(const domain::PileId& pile);
  std::size_t tracked_piles() const;

 private:
  using Key = std::tuple<int, std::string>;  // connector, domain::live_value_key
  struct PileState {
    Timestamp next_allowed{};
    bool flush_scheduled = false;
    std::map<Key, TelemetryValue> held;
  };
  static TelemetrySnapshot take(PileState& s);

  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::unordered_map<domain::PileId, PileState> piles_;
};

}  // namespace cp::services::detail
