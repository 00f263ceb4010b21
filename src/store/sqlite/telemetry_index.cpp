#include "store/sqlite/telemetry_index.h"

#include <algorithm>
#include <utility>

namespace cp::store::sqlite {

Result<TelemetryIndexer> TelemetryIndexer::prepare(sqlite3* db, const TelemetryIndexOptions& options,
                                                   Clock::time_point now) {
  TelemetryIndexer t;
  t.options_ = options;
  t.options_.batch_rows = std::max<std::int64_t>(options.batch_rows, 1);
  t.options_.max_rows_per_run = std::max<std::int64_t>(options.max_rows_per_run, 1);
  const std::pair<Stmt*, const char*> statements[] = {
      {&t.begin_, "BEGIN IMMEDIATE"},
      {&t.commit_, "COMMIT"},
      {&t.rollback_, "ROLLBACK"},
      {&t.max_id_, "SELECT COALESCE(MAX(id), 0) FROM telemetry"},
      {&t.count_above_, "SELECT indexed_up_to, (SELECT COUNT(*) FROM telemetry WHERE id > indexed_up_to)"
                        " FROM telemetry_index_state WHERE id = 1"},
      // The ORDER BY makes the inserts walk each pile's part of the index once, in key order.
      {&t.insert_, "INSERT INTO telemetry_index (pile, ts, id) SELECT pile, ts, id FROM telemetry"
                   " WHERE id > ?1 AND id <= ?2 ORDER BY pile, ts, id"},
      {&t.set_watermark_, "UPDATE telemetry_index_state SET indexed_up_to = ?1 WHERE id = 1"},
  };
  for (const auto& [stmt, sql] : statements) {
    auto s = Stmt::prepare(db, sql);
    if (!s) return fail(s.error());
    *stmt = std::move(*s);
  }
  StmtReset guard(t.count_above_);
  auto row = t.count_above_.step();
  if (!row) return fail(row.error());
  if (!*row) return fail("storage_error", "telemetry_index_state has no row");
  t.watermark_ = t.count_above_.int64(0);
  t.pending_ = t.count_above_.int64(1);
  t.oldest_pending_ = now;
  return t;
}

void TelemetryIndexer::committed(std::int64_t rows, Clock::time_point now) {
  if (rows <= 0) return;
  if (pending_ == 0) oldest_pending_ = now;
  pending_ += rows;
}

bool TelemetryIndexer::due(Clock::time_point now) const {
  if (now < retry_after_) return false;
  return pending_ >= options_.batch_rows ||
         (pending_ > 0 && now - oldest_pending_ >= options_.max_delay);
}

Result<std::int64_t> TelemetryIndexer::run(Clock::time_point now) {
  auto failed = [&](Error e) -> Result<std::int64_t> {
    (void)rollback_.run();  // fails harmlessly when nothing is open
    retry_after_ = now + options_.max_delay;  // not on every group: one warning per delay
    return fail(std::move(e));
  };
  if (auto s = begin_.run(); !s) return failed(s.error());
  std::int64_t top = 0;
  {
    StmtReset guard(max_id_);
    auto row = max_id_.step();
    if (!row) return failed(row.error());
    top = max_id_.int64(0);
  }
  const std::int64_t upto = std::min(top, watermark_ + options_.max_rows_per_run);
  if (upto > watermark_) {
    insert_.bind(1, watermark_);
    insert_.bind(2, upto);
    if (auto s = insert_.run(); !s) return failed(s.error());
    set_watermark_.bind(1, upto);
    if (auto s = set_watermark_.run(); !s) return failed(s.error());
  }
  if (auto s = commit_.run(); !s) return failed(s.error());
  // Row ids are dense in practice (rows are never deleted), so the id range is the row count.
  const std::int64_t indexed = std::max<std::int64_t>(upto - watermark_, 0);
  watermark_ = std::max(watermark_, upto);
  pending_ = std::max<std::int64_t>(top - watermark_, 0);
  oldest_pending_ = now;
  return indexed;
}

}  // namespace cp::store::sqlite
