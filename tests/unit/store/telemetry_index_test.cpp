// TelemetryIndexer (telemetry_index.h) on its own: when a run is due, and what one run does.
#include "store/sqlite/telemetry_index.h"

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;
using sqlite::TelemetryIndexer;
using sqlite::TelemetryIndexOptions;
using Clock = TelemetryIndexer::Clock;
using sqlite::TelemetryRowKey;

// `n` row keys with ids first.., on two piles, timestamps falling (the index must sort them).
std::vector<TelemetryRowKey> keys(std::int64_t first, std::int64_t n) {
  std::vector<TelemetryRowKey> out;
  for (std::int64_t id = first; id < first + n; ++id) out.push_back({1 + id % 2, 1000 - id, id});
  return out;
}

// A migrated database holding `rows` telemetry rows (none indexed), opened raw for the indexer.
struct Fixture {
  TempDir dir;
  SqliteOptions o = options_in(dir);
  sqlite::Db db;

  explicit Fixture(int rows) {
    o.telemetry_index_batch = 1'000'000'000;
    o.telemetry_index_delay_ms = 1'000'000'000;
    auto store = open_or_die(o);
    for (int i = 0; i < rows; ++i)
      EXPECT_TRUE(write(*store, {insert_telemetry("CP-" + std::to_string(i % 4), 100 - i, {sampled(i)})}));
    store->close();
    auto opened = sqlite::Db::open(o.path, SQLITE_OPEN_READWRITE);
    EXPECT_TRUE(opened);
    if (opened) db = std::move(*opened);
  }
  TelemetryIndexer indexer(TelemetryIndexOptions options, Clock::time_point now) {
    auto t = TelemetryIndexer::prepare(db.get(), options, now);
    EXPECT_TRUE(t) << t.error().message;
    return std::move(*t);
  }
  std::int64_t scalar(const std::string& sql) { return RawDb(o.path).scalar(sql); }
  // Inserts telemetry rows straight into the table, as the writer would, and returns their keys.
  std::vector<TelemetryRowKey> insert_rows(int n, std::int64_t pile_base = 1) {
    std::vector<TelemetryRowKey> out;
    for (int i = 0; i < n; ++i) {
      const std::int64_t pile = pile_base + i % 3, ts = 5000 - i;
      const std::string sql = "INSERT INTO telemetry (pile, ts, connector, transaction_id, sample) VALUES (" +
                              std::to_string(pile) + ", " + std::to_string(ts) + ", 1, NULL, x'00')";
      EXPECT_TRUE(db.exec(sql.c_str()));
      out.push_back({pile, ts, sqlite3_last_insert_rowid(db.get())});
    }
    return out;
  }
  // The index holds exactly one entry per telemetry row, under the row's own pile and ts.
  void expect_index_matches_table() {
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM telemetry_index"), scalar("SELECT COUNT(*) FROM telemetry"));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM telemetry_index i JOIN telemetry t"
                     " ON t.id = i.id AND t.pile = i.pile AND t.ts = i.ts"),
              scalar("SELECT COUNT(*) FROM telemetry"));
  }
};

TEST(TelemetryIndexer, StartsFromTheDurableWatermarkAndCountsRowsAboveIt) {
  Fixture f(10);
  const auto t0 = Clock::now();
  auto ix = f.indexer({5, std::chrono::seconds(30), 100}, t0);
  EXPECT_EQ(ix.watermark(), 0);
  EXPECT_EQ(ix.pending(), 10);
  EXPECT_TRUE(ix.due(t0));  // 10 >= 5
}

TEST(TelemetryIndexer, DueOnBatchSizeOrOnTheOldestRowsAge) {
  Fixture f(0);
  const auto t0 = Clock::now();
  auto ix = f.indexer({5, std::chrono::seconds(30), 100}, t0);
  EXPECT_FALSE(ix.due(t0));
  EXPECT_FALSE(ix.due(t0 + std::chrono::hours(1)));  // nothing waits: never due
  ix.committed(keys(1, 3), t0);
  EXPECT_FALSE(ix.due(t0 + std::chrono::seconds(29)));
  EXPECT_TRUE(ix.due(t0 + std::chrono::seconds(30)));
  ix.committed(keys(4, 2), t0 + std::chrono::seconds(1));
  EXPECT_TRUE(ix.due(t0 + std::chrono::seconds(1)));  // 5 rows: a batch
}

TEST(TelemetryIndexer, OneRunIsBoundedAndTheNextCarriesOn) {
  Fixture f(10);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 4}, t0);
  auto first = ix.run(t0);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 4);
  EXPECT_EQ(ix.watermark(), 4);
  EXPECT_EQ(ix.pending(), 6);
  EXPECT_EQ(f.scalar("SELECT indexed_up_to FROM telemetry_index_state"), 4);
  EXPECT_EQ(f.scalar("SELECT COUNT(*) FROM telemetry_index"), 4);
  ASSERT_TRUE(ix.run(t0));
  auto last = ix.run(t0);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, 2);
  EXPECT_EQ(ix.pending(), 0);
  EXPECT_FALSE(ix.due(t0 + std::chrono::hours(1)));
  // Every row indexed once, under its own pile and timestamp.
  EXPECT_EQ(f.scalar("SELECT COUNT(*) FROM telemetry_index"), 10);
  EXPECT_EQ(f.scalar("SELECT COUNT(*) FROM telemetry_index i JOIN telemetry t"
                     " ON t.id = i.id AND t.pile = i.pile AND t.ts = i.ts"), 10);
  auto idle = ix.run(t0);
  ASSERT_TRUE(idle);
  EXPECT_EQ(*idle, 0);
}

TEST(TelemetryIndexer, AFailedRunRollsBackAndWaitsForTheDelay) {
  Fixture f(3);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 100}, t0);
  // Another connection holds the write lock: BEGIN IMMEDIATE fails (busy_timeout is 0 here).
  auto other = sqlite::Db::open(f.o.path, SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
  auto failed = ix.run(t0);
  EXPECT_FALSE(failed);
  EXPECT_EQ(ix.pending(), 3);
  EXPECT_FALSE(ix.due(t0 + std::chrono::seconds(29)));
  EXPECT_TRUE(ix.due(t0 + std::chrono::seconds(30)));
  ASSERT_TRUE(other->exec("ROLLBACK"));
  auto again = ix.run(t0 + std::chrono::seconds(30));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 3);
  EXPECT_EQ(f.scalar("SELECT indexed_up_to FROM telemetry_index_state"), 3);
}

TEST(TelemetryIndexer, BuildsBatchesFromTheCommittedRowKeysWhenTheyCoverEveryRow) {
  Fixture f(0);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 4}, t0);
  EXPECT_TRUE(ix.from_memory());  // nothing above the watermark at start
  ix.committed(f.insert_rows(6), t0);
  EXPECT_EQ(ix.pending(), 6);
  auto first = ix.run(t0);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 4);  // bounded by max_rows_per_run
  EXPECT_EQ(ix.watermark(), 4);
  EXPECT_EQ(ix.pending(), 2);
  EXPECT_TRUE(ix.from_memory());
  auto second = ix.run(t0);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 2);
  EXPECT_EQ(f.scalar("SELECT indexed_up_to FROM telemetry_index_state"), 6);
  f.expect_index_matches_table();
}

TEST(TelemetryIndexer, ABatchFromMemoryGoesInByWholeChunksAndTheRest) {
  Fixture f(0);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 1000}, t0);
  ix.committed(f.insert_rows(150), t0);  // two chunks of 64 rows, then 22 one by one
  auto run = ix.run(t0);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(*run, 150);
  EXPECT_EQ(ix.pending(), 0);
  f.expect_index_matches_table();
}

TEST(TelemetryIndexer, FallsBackToSqlWhenTheKeysMissARowAndReturnsToMemoryOnceCaughtUp) {
  Fixture f(0);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 100}, t0);
  auto rows = f.insert_rows(5);
  rows.erase(rows.begin() + 2);  // a row the indexer was not told about
  ix.committed(rows, t0);
  auto run = ix.run(t0);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(*run, 5);  // the SQL path found all five
  f.expect_index_matches_table();
  EXPECT_TRUE(ix.from_memory());  // caught up with the newest row
  ix.committed(f.insert_rows(3, 7), t0);
  ASSERT_TRUE(ix.run(t0));
  EXPECT_EQ(ix.watermark(), 8);
  f.expect_index_matches_table();
}

TEST(TelemetryIndexer, RowsFromBeforeTheStartAreIndexedBySqlThenNewRowsFromMemory) {
  Fixture f(10);  // 10 rows committed before this indexer existed
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 4}, t0);
  EXPECT_FALSE(ix.from_memory());
  ix.committed(f.insert_rows(3), t0);  // rows 11..13
  EXPECT_EQ(ix.pending(), 13);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ix.run(t0));  // 4 + 4 + 4 rows by SQL, up to 12
  EXPECT_EQ(ix.watermark(), 12);
  EXPECT_FALSE(ix.from_memory());
  ASSERT_TRUE(ix.run(t0));  // row 13, the newest: caught up
  EXPECT_TRUE(ix.from_memory());
  EXPECT_EQ(ix.pending(), 0);
  f.expect_index_matches_table();
}

TEST(TelemetryIndexer, AFailedRunFromMemoryKeepsTheKeysForTheNextRun) {
  Fixture f(0);
  const auto t0 = Clock::now();
  auto ix = f.indexer({1, std::chrono::seconds(30), 100}, t0);
  ix.committed(f.insert_rows(3), t0);
  auto other = sqlite::Db::open(f.o.path, SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
  EXPECT_FALSE(ix.run(t0));
  ASSERT_TRUE(other->exec("ROLLBACK"));
  auto again = ix.run(t0 + std::chrono::seconds(30));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 3);
  EXPECT_TRUE(ix.from_memory());
  f.expect_index_matches_table();
}

}  // namespace
}  // namespace cp::store
