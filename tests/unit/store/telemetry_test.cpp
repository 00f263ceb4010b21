// Packed telemetry: one row per sample, values expanded on read (sample_codec.h).
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
      "EXPLAIN QUERY PLAN SELECT id, ts, connector, transaction_id, sample FROM telemetry"
      " WHERE pile = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC, id DESC", 3);
  EXPECT_NE(plan.find("USING INDEX telemetry_by_pile"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
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
