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
  ix.committed(3, t0);
  EXPECT_FALSE(ix.due(t0 + std::chrono::seconds(29)));
  EXPECT_TRUE(ix.due(t0 + std::chrono::seconds(30)));
  ix.committed(2, t0 + std::chrono::seconds(1));
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

}  // namespace
}  // namespace cp::store
