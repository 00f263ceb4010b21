#pragma once
// The deferred (pile, ts) index of telemetry (0006_telemetry_index.sql): telemetry rows are
// inserted in arrival order only; this adds the rows above the watermark
// (`telemetry_index_state.indexed_up_to`) to `telemetry_index` in (pile, ts, id) order, in one
// transaction that also moves the watermark, so a crash leaves either the old or the new state.
// Sorted batches write each pile's index leaf once per batch instead of once per row.
//
// Two ways to build a batch, same result:
//   - from memory: the writer hands over the (pile, ts, id) of every row it committed; when
//     those cover every row above the watermark (dense ids), a run sorts them and inserts the
//     entries directly, without reading the telemetry table back;
//   - from SQL: `INSERT … SELECT … ORDER BY pile, ts, id` over the rows above the watermark, for
//     rows committed before this process started (or whenever memory does not cover them).
//     Once a SQL run has caught up with the newest row, runs use memory again.
//
// Writer thread only, between group commits (the connection in autocommit mode). `due()` is a
// cheap check on counters; `run()` does the work. Reads (telemetry_reads.cpp) combine the index
// with a scan of the rows above the watermark, so how far the index lags changes only how much
// a read scans, never what it returns.
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "store/sqlite/db.h"

namespace cp::store::sqlite {

struct TelemetryIndexOptions {
  std::int64_t batch_rows = 8192;                      // index once this many rows are waiting
  std::chrono::milliseconds max_delay{30'000};         // … or once the oldest has waited this long
  std::int64_t max_rows_per_run = 65536;               // bounds one run (and the writer's pause)
};

// One committed telemetry row, keyed as the index keys it.
struct TelemetryRowKey {
  std::int64_t pile = 0;  // telemetry_piles.id
  std::int64_t ts = 0;    // the row's ts column (ms)
  std::int64_t id = 0;    // the row's id
};

class TelemetryIndexer {
 public:
  using Clock = std::chrono::steady_clock;
  // Reads the watermark and how many rows lie above it.
  static Result<TelemetryIndexer> prepare(sqlite3* db, const TelemetryIndexOptions& options,
                                          Clock::time_point now);

  // These rows were committed, in commit order (ascending ids).
  void committed(const std::vector<TelemetryRowKey>& rows, Clock::time_point now);
  bool due(Clock::time_point now) const;
  // Indexes up to max_rows_per_run rows above the watermark; returns how many it indexed.
  // On failure the transaction is rolled back and the next run is not due for max_delay.
  Result<std::int64_t> run(Clock::time_point now);

  std::int64_t watermark() const { return watermark_; }
  std::int64_t pending() const { return pending_; }
  // True when the next run builds its batch from memory.
  bool from_memory() const { return keys_complete_; }

 private:
  // One run's inserts; both return the new watermark (inside the caller's transaction).
  Result<std::int64_t> insert_from_memory(std::size_t rows);
  Result<std::int64_t> insert_from_sql(std::int64_t upto);

  TelemetryIndexOptions options_;
  static constexpr std::size_t kRowsPerInsert = 64;  // rows of `insert_many_`
  Stmt begin_, commit_, rollback_, max_id_, count_above_, insert_, insert_one_, insert_many_, set_watermark_;
  std::int64_t watermark_ = 0;
  std::int64_t pending_ = 0;                 // rows above the watermark
  std::vector<TelemetryRowKey> keys_;        // rows committed by this process above the watermark
  bool keys_complete_ = false;               // keys_ holds every row above the watermark
  std::vector<TelemetryRowKey> sorted_;      // scratch: one batch in index order
  Clock::time_point oldest_pending_{};       // when the first of them was committed
  Clock::time_point retry_after_{};          // after a failed run: not due before this
};

}  // namespace cp::store::sqlite
