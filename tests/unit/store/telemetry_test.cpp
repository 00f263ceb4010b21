// Packed telemetry: one row per sample, values expanded on read (sample_codec.h).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

using SqliteTelemetry = SqliteStoreTest;

// What an AC pile sends in one MeterValues: 8 values of one timestamp.
std::vector<domain::SampledValue> eight_values(double base) {
  std::vector<domain::SampledValue> v;
  for (const char* phase : {"L1", "L2", "L3"}) {
    v.push_back(sampled(base, "Current.Import"));
    v.back().phase = phase;
    v.back().unit = "A";
    v.push_back(sampled(230 + base, "Voltage"));
    v.back().phase = phase;
    v.back().unit = "V";
  }
  v.push_back(sampled(7200 + base));
  v.push_back(sampled(1000 + base, "Energy.Active.Import.Register"));
  v.back().unit = "Wh";
  return v;
}

TEST_F(SqliteTelemetry, SampleWithEightValuesIsOneRow) {
  must_write({insert_telemetry("CP-1", 1000, eight_values(1))});
  RawDb raw(options_.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry"), 1);
  // 2 header bytes + 8 values of 10 bytes (two one-byte ids and a double each).
  EXPECT_EQ(raw.scalar("SELECT length(sample) FROM telemetry"), 2 + 8 * 10);
  auto rows = store_->telemetry(telemetry_query("CP-1"));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 8u);
}

// The writer reuses the dictionary ids of the value at the same position in the previous
// sample when it reads the same: a value that moved, or differs in one attribute only, must
// still be stored with its own.
TEST_F(SqliteTelemetry, ValuesThatChangePlaceOrOneAttributeKeepTheirOwnIds) {
  domain::SampledValue l1 = sampled(16, "Current.Import"), l2 = l1;
  l1.phase = "L1";
  l2.phase = "L2";
  l2.value = 17;
  domain::SampledValue body = sampled(31, "Temperature"), ev = body;
  ev.location = "EV";
  ev.value = 29;
  must_write({insert_telemetry("CP-1", 1000, {l1, body})});
  must_write({insert_telemetry("CP-1", 2000, {l2, ev})});
  must_write({insert_telemetry("CP-1", 3000, {body, l1})});
  auto rows = store_->telemetry(telemetry_query("CP-1"));
  ASSERT_TRUE(rows);
  std::vector<std::string> got;
  for (const TelemetryRow& r : *rows)
    got.push_back(fmt::format("{} {} {} {} {}", to_millis(r.at), r.measurand, r.phase, r.location, r.value));
  EXPECT_THAT(got, ::testing::UnorderedElementsAre("1000 Current.Import L1 Outlet 16", "1000 Temperature  Outlet 31",
                                        "2000 Current.Import L2 Outlet 17", "2000 Temperature  EV 29",
                                        "3000 Temperature  Outlet 31", "3000 Current.Import L1 Outlet 16"));
}

TEST_F(SqliteTelemetry, RawValuesSurviveWithTheirAttributes) {
  domain::SampledValue signed_value = sampled(0, "Energy.Active.Import.Register");
  signed_value.raw = "OCMF|{\"FV\":\"1.0\"}|{\"SA\":\"ECDSA-secp256r1-SHA256\"}";
  signed_value.context = "Transaction.End";
  signed_value.unit = "Wh";
  must_write({insert_telemetry("CP-1", {{at(5), {sampled(42), signed_value}}}, 2, 9)});
  auto rows = store_->telemetry(telemetry_query("CP-1", "Energy.Active.Import.Register"));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  const TelemetryRow& r = rows->front();
  EXPECT_EQ(r.raw, signed_value.raw);
  EXPECT_EQ(r.value, 0);
  EXPECT_EQ(r.context, "Transaction.End");
  EXPECT_EQ(r.unit, "Wh");
  EXPECT_EQ(r.connector, 2);
  EXPECT_EQ(r.transaction, 9);
  auto numeric = store_->telemetry(telemetry_query("CP-1", "Power.Active.Import"));
  ASSERT_TRUE(numeric);
  ASSERT_EQ(numeric->size(), 1u);
  EXPECT_TRUE(numeric->front().raw.empty());
  EXPECT_DOUBLE_EQ(numeric->front().value, 42);
}

TEST_F(SqliteTelemetry, MeasurandFilterAndLimitCountValuesAcrossPackedRows) {
  for (int i = 0; i < 10; ++i) must_write({insert_telemetry("CP-1", 1000 + i, eight_values(i))});
  // Three Voltage values per row: a limit of 7 ends inside the third-newest row.
  TelemetryQuery q = telemetry_query("CP-1", "Voltage");
  q.limit = 7;
  auto rows = store_->telemetry(q);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 7u);
  for (const auto& r : *rows) EXPECT_EQ(r.measurand, "Voltage");
  EXPECT_EQ((*rows)[0].at, at(1009));
  EXPECT_EQ((*rows)[0].phase, "L3");  // last value of a sample first, as with a row per value
  EXPECT_EQ((*rows)[2].phase, "L1");
  EXPECT_EQ((*rows)[3].at, at(1008));
  EXPECT_EQ((*rows)[6].at, at(1007));
  EXPECT_EQ((*rows)[6].phase, "L3");

  q.from = at(1002);
  q.to = at(1004);
  q.limit = 100;
  auto window = store_->telemetry(q);
  ASSERT_TRUE(window);
  ASSERT_EQ(window->size(), 6u);
  EXPECT_EQ(window->front().at, at(1003));
  EXPECT_EQ(window->back().at, at(1002));

  q = telemetry_query("CP-1");
  q.limit = 0;
  auto none = store_->telemetry(q);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteTelemetry, SamplesWithoutValuesAreNotStored) {
  must_write({insert_telemetry("CP-1", {{at(1), {}}, {at(2), {sampled(1)}}})});
  RawDb raw(options_.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry"), 1);
  must_write({InsertTelemetry{"CP-2", 1, std::nullopt, nullptr}});
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry_piles WHERE pile = 'CP-2'"), 0);
}

TEST_F(SqliteTelemetry, ReadWalksThePileTimeIndexWithoutSorting) {
  RawDb raw(options_.path);
  const std::string plan = raw.lines(
      "EXPLAIN QUERY PLAN SELECT t.id, t.ts, t.connector, t.transaction_id, t.sample"
      " FROM telemetry_index i JOIN telemetry t ON t.id = i.id"
      " WHERE i.pile = ?1 AND i.ts >= ?2 AND i.ts <= ?3 AND i.id <= ?4"
      " ORDER BY i.ts DESC, i.id DESC", 3);
  EXPECT_NE(plan.find("SEARCH i USING PRIMARY KEY"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  // Rows above the watermark are found by rowid range, not by scanning the table.
  const std::string tail = raw.lines(
      "EXPLAIN QUERY PLAN SELECT id, ts, connector, transaction_id, sample FROM telemetry"
      " WHERE id > ?4 AND pile = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC, id DESC", 3);
  EXPECT_NE(tail.find("INTEGER PRIMARY KEY (rowid>?)"), std::string::npos) << tail;
}

// --- The deferred (pile, ts) index (telemetry_index.h) -------------------------------------

std::string describe(const std::vector<TelemetryRow>& rows) {
  std::string out;
  for (const TelemetryRow& r : rows)
    out += r.pile + "|" + std::to_string(to_millis(r.at)) + "|" + r.measurand + "|" + r.phase + "|" +
           std::to_string(r.value) + "|" + std::to_string(r.connector) + "|" +
           std::to_string(r.transaction.value_or(-1)) + "\n";
  return out;
}

// The writer indexes between groups, after the group's `done`s: a later (empty) batch returns
// only once that run is over.
void barrier(Store& store) { ASSERT_TRUE(write(store, {})); }

// The watermark and the index agree: exactly the rows up to `n` are indexed.
void expect_indexed_up_to(const RawDb& raw, std::int64_t n) {
  EXPECT_EQ(raw.scalar("SELECT indexed_up_to FROM telemetry_index_state"), n);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry_index"), n);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry_index WHERE id > " + std::to_string(n)), 0);
}

// The same writes, three ways: indexed after every commit, never indexed, indexed every 11
// rows (so the watermark falls inside each pile's history).
struct IndexVariants {
  TempDir dir_all, dir_none, dir_some;
  std::unique_ptr<Store> all, none, some;
  SqliteOptions o_all = options_in(dir_all), o_none = options_in(dir_none), o_some = options_in(dir_some);

  IndexVariants() {
    o_all.telemetry_index_delay_ms = 0;
    o_none.telemetry_index_batch = 1'000'000'000;
    o_none.telemetry_index_delay_ms = 1'000'000'000;
    o_some.telemetry_index_batch = 11;
    o_some.telemetry_index_delay_ms = 1'000'000'000;
    all = open_or_die(o_all);
    none = open_or_die(o_none);
    some = open_or_die(o_some);
  }
  void write_all(const WriteBatch& batch) {
    for (Store* s : {all.get(), none.get(), some.get()}) {
      auto st = write(*s, batch);
      ASSERT_TRUE(st) << st.error().message;
    }
  }
};

TEST(SqliteTelemetryIndex, IndexedAndUnindexedRowsReadTheSame) {
  IndexVariants v;
  // Three piles interleaved, timestamps repeating (two samples per ms), one or two per batch.
  for (int i = 0; i < 60; ++i) {
    const std::string pile = "CP-" + std::to_string(i % 3);
    WriteBatch batch{insert_telemetry(pile, 1000 + i / 2, eight_values(i))};
    if (i % 5 == 0) batch.push_back(insert_telemetry(pile, 1000 + i / 2, {sampled(-i)}));
    v.write_all(batch);
  }
  for (Store* s : {v.all.get(), v.none.get(), v.some.get()}) barrier(*s);
  RawDb all(v.o_all.path), none(v.o_none.path), some(v.o_some.path);
  const std::int64_t rows = all.scalar("SELECT COUNT(*) FROM telemetry");
  EXPECT_EQ(rows, 72);
  expect_indexed_up_to(all, rows);
  expect_indexed_up_to(none, 0);
  expect_indexed_up_to(some, 68);  // batches of 11 or 12 rows; the last 4 rows wait

  std::vector<TelemetryQuery> queries;
  for (const char* pile : {"CP-0", "CP-1", "CP-2", "CP-404"}) {
    for (std::optional<std::string> m :
         {std::optional<std::string>{}, std::optional<std::string>{"Voltage"},
          std::optional<std::string>{"Power.Active.Import"}}) {
      for (int limit : {1, 2, 7, 9, 25, 1000}) {
        TelemetryQuery q = telemetry_query(pile, m);
        q.limit = limit;
        queries.push_back(q);
        q.from = at(1010);
        q.to = at(1025);
        queries.push_back(q);
      }
    }
  }
  std::size_t non_empty = 0;
  for (const TelemetryQuery& q : queries) {
    auto a = v.all->telemetry(q), n = v.none->telemetry(q), s = v.some->telemetry(q);
    ASSERT_TRUE(a && n && s);
    const std::string expected = describe(*a);
    EXPECT_EQ(describe(*n), expected) << q.pile << " limit " << q.limit;
    EXPECT_EQ(describe(*s), expected) << q.pile << " limit " << q.limit;
    non_empty += a->empty() ? 0 : 1;
  }
  EXPECT_GT(non_empty, queries.size() / 2);
  // Newest first; within one ms the sample written last first, its last value first.
  TelemetryQuery q = telemetry_query("CP-0", "Power.Active.Import");
  q.limit = 3;
  auto newest = v.some->telemetry(q);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].at, at(1028));  // i = 57
  EXPECT_EQ((*newest)[0].value, 7200 + 57);
  EXPECT_EQ((*newest)[1].at, at(1027));  // i = 54
  EXPECT_EQ((*newest)[2].at, at(1025));  // i = 51
}

TEST(SqliteTelemetryIndex, WatermarkSurvivesRestartAndCatchesUp) {
  TempDir dir;
  SqliteOptions o = options_in(dir);
  o.telemetry_index_batch = 1'000'000;
  o.telemetry_index_delay_ms = 1'000'000;
  auto store = open_or_die(o);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(write(*store, {insert_telemetry("CP-1", i, {sampled(i)})}));
  store->close();
  {
    RawDb raw(o.path);
    EXPECT_EQ(raw.scalar("SELECT indexed_up_to FROM telemetry_index_state"), 0);
  }
  o.telemetry_index_batch = 11;  // the 10 waiting rows count: one more makes a batch
  store = open_or_die(o);
  ASSERT_TRUE(write(*store, {insert_telemetry("CP-1", 10, {sampled(10)})}));
  barrier(*store);
  expect_indexed_up_to(RawDb(o.path), 11);
  auto rows = store->telemetry(telemetry_query("CP-1"));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 11u);
  EXPECT_EQ(rows->front().value, 10);
  EXPECT_EQ(rows->back().value, 0);
}

TEST(SqliteTelemetryIndex, MigrationIndexesRowsWrittenBeforeIt) {
  TempDir dir;
  SqliteOptions o = options_in(dir);
  auto store = open_or_die(o);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(write(*store, {insert_telemetry("CP-" + std::to_string(i % 2), i, {sampled(i)})}));
  store->close();
  store.reset();
  {
    // Back to the schema before 0006: the per-row index, no telemetry_index.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE telemetry_index; DROP TABLE telemetry_index_state;"
                           " CREATE INDEX telemetry_by_pile ON telemetry (pile, ts);"
                           " DELETE FROM schema_migrations WHERE version = 6;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  store = open_or_die(o);
  RawDb raw(o.path);
  expect_indexed_up_to(raw, 5);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_by_pile'"), 0);
  auto rows = store->telemetry(telemetry_query("CP-0"));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(rows->front().value, 4);
}

TEST_F(SqliteTelemetry, CorruptSampleIsAStorageErrorNotACrash) {
  must_write({insert_telemetry("CP-1", 1, {sampled(1)})});
  store_->close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE telemetry SET sample = x'0101050a0000'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto rows = store_->telemetry(telemetry_query("CP-1"));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, "storage_error");
  EXPECT_NE(rows.error().message.find("truncated"), std::string::npos) << rows.error().message;
}

}  // namespace
}  // namespace cp::store
