#include "sim/detail/backoff.h"

#include <algorithm>
#include <cmath>

namespace cp::sim {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& p, unsigned attempt) {
  const double max_ms = static_cast<double>(p.max.count());
  // Computed in floating point and clamped before the cast: m^attempt overflows quickly.
  const double ms = static_cast<double>(p.initial.count()) * std::pow(p.multiplier, static_cast<double>(attempt));
  return std::chrono::milliseconds{static_cast<long long>(std::min(ms, max_ms))};
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& p, unsigned attempt, double unit_random) {
  const double ceiling = static_cast<double>(backoff_ceiling(p, attempt).count());
  const double u = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds{static_cast<long long>(ceiling / 2 + ceiling / 2 * u)};
}

}  // namespace cp::sim
