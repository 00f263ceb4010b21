// Prints (does not assert) the telemetry ingest rate; the figure is informational, targets
// belong to bench/. The test still checks that every sample arrived.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

void measure(bool synchronous_full) {
  TempDir dir;
  auto o = options_in(dir);
  o.synchronous_full = synchronous_full;
  o.max_batches_per_commit = 1000;
  Metrics metrics;
  o.metrics = &metrics;
  auto store = open_or_die(o);
  // A batch is one MeterValues call: one sample of kValues sampled values.
  constexpr int kBatches = 20'000, kValues = 10;
  std::vector<WriteBatch> batches;
  batches.reserve(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    std::vector<domain::SampledValue> values;
    for (int r = 0; r < kValues; ++r) {
      values.push_back(sampled(r, r % 2 ? "Voltage" : "Power.Active.Import"));
      values.back().phase = r % 3 == 0 ? "L1" : "L2";
    }
    batches.push_back({insert_telemetry("CP-" + std::to_string(b % 100), b, std::move(values))});
  }
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (auto& b : batches) store->submit(std::move(b), nullptr);
  store->flush();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // CPU time of the whole process over the run: the writer plus a submitter that only moves
  // prebuilt batches. On a loaded machine it is a steadier figure than wall time.
  const double cpu = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const StoreStats st = store->stats();
  const Histogram& commit = metrics.histogram("chargeplane_store_commit_seconds", "");
  const double values = double(kBatches) * kValues;
  std::printf("[ figure   ] synchronous=%s: %.0f values (%d samples of %d) in %.3f s = %.0f values/s, "
              "%.2f us/value, %.2f us/value CPU = %.1f us/sample CPU, %.2f us/value inside "
              "BEGIN..COMMIT, %llu commits (%.0f batches/commit)\n",
              synchronous_full ? "FULL" : "NORMAL", values, kBatches, kValues, seconds, values / seconds,
              seconds * 1e6 / values, cpu * 1e6 / values, cpu * 1e6 / kBatches,
              commit.sum() * 1e6 / values, static_cast<unsigned long long>(st.commits),
              double(st.batches_committed) / double(st.commits));
  EXPECT_EQ(st.ops_committed, std::uint64_t(kBatches));
  store->close();
  RawDb raw(o.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry"), std::int64_t(kBatches));  // one row per sample
}

TEST(SqliteThroughput, ReportsTelemetryIngestRateWithSynchronousFull) { measure(true); }
TEST(SqliteThroughput, ReportsTelemetryIngestRateWithSynchronousNormal) { measure(false); }

}  // namespace
}  // namespace cp::store
