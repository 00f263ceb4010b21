#pragma once
// Reconnect back-off (pure): exponential growth, capped, with "equal jitter" so a fleet that
// lost the server at the same instant does not come back at the same instant.
#include <chrono>

namespace cp::sim {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{60000};
  double multiplier = 2.0;
};

// Upper bound of the delay before reconnect attempt `attempt` (0-based): initial * m^attempt, capped.
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& p, unsigned attempt);

// The delay actually waited: uniformly in [ceiling/2, ceiling); `unit_random` in [0, 1).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& p, unsigned attempt, double unit_random);

}  // namespace cp::sim
