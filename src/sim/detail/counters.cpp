#include "sim/detail/counters.h"

#include <algorithm>
#include <cmath>

namespace cp::sim {
namespace {
std::size_t bucket_of(std::uint64_t us) {
  const double idx = 8.0 * std::log2(static_cast<double>(us) + 1.0);
  return std::min<std::size_t>(LatencyHistogram::kBuckets - 1, static_cast<std::size_t>(idx));
}
// Geometric middle of bucket i, in microseconds.
double bucket_mid_us(std::size_t i) {
  return std::pow(2.0, (static_cast<double>(i) + 0.5) / 8.0) - 1.0;
}
}  // namespace

void LatencyHistogram::record(std::chrono::microseconds d) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count()));
  buckets_[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
  auto prev = max_us_.load(std::memory_order_relaxed);
  while (us > prev && !max_us_.compare_exchange_weak(prev, us, std::memory_order_relaxed)) {
  }
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

double LatencyHistogram::quantile_ms(double q) const {
  const auto total = count();
  if (total == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(bucket_mid_us(i), static_cast<double>(max_us_.load())) / 1000.0;
  }
  return max_ms();
}

}  // namespace cp::sim
