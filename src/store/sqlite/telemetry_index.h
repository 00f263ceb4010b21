#pragma once
// The deferred (pile, ts) index of telemetry (0006_telemetry_index.sql): telemetry rows are
// inserted in arrival order only; this adds the rows above the watermark
// (`telemetry_index_state.indexed_up_to`) to `telemetry_index` in (pile, ts, id) order, in one
// transaction that also moves the watermark, so a crash leaves either the old or the new state.
// Sorted batches write each pile's index leaf once per batch instead of once per row.
//
// Writer thread only, between group commits (the connection in autocommit mode). `due()` is a
// cheap check on counters; `run()` does the work. Reads (telemetry_reads.cpp) combine the index
// with a scan of the rows above the watermark, so how far the index lags changes only how much
// a read scans, never what it returns.
#include <chrono>
#include <cstdint>

#include "core/result.h"
#include "store/sqlite/db.h"

namespace cp::store::sqlite {

struct TelemetryIndexOptions {
  std::int64_t batch_rows = 8192;                      // index once this many rows are waiting
  std::chrono::milliseconds max_delay{30'000};         // … or once the oldest has waited this long
  std::int64_t max_rows_per_run = 65536;               // bounds one run (and the writer's pause)
};

class TelemetryIndexer {
 public:
  using Clock = std::chrono::steady_clock;
  // Reads the watermark and how many rows lie above it.
  static Result<TelemetryIndexer> prepare(sqlite3* db, const TelemetryIndexOptions& options,
                                          Clock::time_point now);

  // `rows` telemetry rows were committed (a hint: an over-count only makes a run come early).
  void committed(std::int64_t rows, Clock::time_point now);
  bool due(Clock::time_point now) const;
  // Indexes up to max_rows_per_run rows above the watermark; returns how many it indexed.
  // On failure the transaction is rolled back and the next run is not due for max_delay.
  Result<std::int64_t> run(Clock::time_point now);

  std::int64_t watermark() const { return watermark_; }
  std::int64_t pending() const { return pending_; }

 private:
  TelemetryIndexOptions options_;
  Stmt begin_, commit_, rollback_, max_id_, count_above_, insert_, set_watermark_;
  std::int64_t watermark_ = 0;
  std::int64_t pending_ = 0;                 // rows above the watermark (estimate)
  Clock::time_point oldest_pending_{};       // when the first of them was committed
  Clock::time_point retry_after_{};          // after a failed run: not due before this
};

}  // namespace cp::store::sqlite
