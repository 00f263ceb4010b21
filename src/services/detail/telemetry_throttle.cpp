#include "services/detail/telemetry_throttle.h"

namespace cp::services::detail {

TelemetrySnapshot TelemetryThrottle::take(PileState& s) {
  TelemetrySnapshot out;
  out.reserve(s.held.size());
  for (auto& [key, v] : s.held) out.push_back(std::move(v));
  s.held.clear();
  return out;
}

TelemetryThrottle::Outcome TelemetryThrottle::offer(const domain::TelemetrySampled& sample, Timestamp now) {
  std::lock_guard lock(mu_);
  auto& s = piles_[sample.pile];
  for (const auto& m : sample.samples) {
    for (const auto& v : m.values) {
      if (!v.raw.empty()) continue;
      Key key{sample.connector, domain::live_value_key(v)};
      auto it = s.held.find(key);
      if (it == s.held.end()) {
        if (s.held.size() >= kMaxKeysPerPile) continue;
        it = s.held.emplace(std::move(key), TelemetryValue{}).first;
      } else if (it->second.at > m.at) {
        continue;  // a late, older sample never hides a newer value
      }
      it->second = TelemetryValue{sample.connector, sample.transaction, v.measurand, v.phase, v.location, v.unit, v.value, m.at};
    }
  }
  Outcome out;
  if (s.held.empty()) return out;
  if (now >= s.next_allowed && !s.flush_scheduled) {
    s.next_allowed = now + interval_;
    out.publish_now = take(s);
  } else if (!s.flush_scheduled) {
    s.flush_scheduled = true;
    out.flush_after = std::chrono::duration_cast<std::chrono::milliseconds>(s.next_allowed - now);
  }
  return out;
}

std::optional<TelemetrySnapshot> TelemetryThrottle::flush(const domain::PileId& pile, Timestamp now) {
  std::lock_guard lock(mu_);
  auto it = piles_.find(pile);
  if (it == piles_.end()) return std::nullopt;  // forgotten meanwhile (pile went offline)
  auto& s = it->second;
  s.flush_scheduled = false;
  if (s.held.empty()) return std::nullopt;
  s.next_allowed = now + interval_;
  return take(s);
}

void TelemetryThrottle::forget(const domain::PileId& pile) {
  std::lock_guard lock(mu_);
  piles_.erase(pile);
}

std::size_t TelemetryThrottle::tracked_piles() const {
  std::lock_guard lock(mu_);
  return piles_.size();
}

}  // namespace cp::services::detail
