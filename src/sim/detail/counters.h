#pragma once
// Fleet-wide counters the piles update from any thread (relaxed atomics), and a log-scale
// latency histogram (8 buckets per octave, so percentiles are within ~9 %). Pure.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace cp::sim {

class LatencyHistogram {
 public:
  static constexpr std::size_t kBuckets = 256;
  void record(std::chrono::microseconds d);
  std::uint64_t count() const;
  // Milliseconds at quantile q in [0, 1]; 0 when empty.
  double quantile_ms(double q) const;
  double max_ms() const { return static_cast<double>(max_us_.load(std::memory_order_relaxed)) / 1000.0; }

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> max_us_{0};
};

struct Counters {
  std::atomic<std::int64_t> connected{0};
  std::atomic<std::int64_t> booted{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> handshake_rejected{0};
  std::atomic<std::uint64_t> disconnects{0};
  std::atomic<std::uint64_t> calls_ok{0};
  std::atomic<std::uint64_t> calls_error{0};
  std::atomic<std::uint64_t> calls_timeout{0};
  std::atomic<std::uint64_t> server_calls{0};
  std::atomic<std::uint64_t> transactions_started{0};
  std::atomic<std::uint64_t> transactions_stopped{0};
  std::atomic<std::uint64_t> meter_values{0};
  LatencyHistogram latency;
};

}  // namespace cp::sim
