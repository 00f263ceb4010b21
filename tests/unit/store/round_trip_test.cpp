// Every WriteOp, written through the group-commit writer and read back through the matching query.
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

using SqliteRoundTrip = SqliteStoreTest;

TEST_F(SqliteRoundTrip, UpsertPileIsReadBackAndUpdatesOnlyRegistrationFields) {
  PileRecord p = pile_record("CP-1");
  p.vendor = "Acme";
  must_write({UpsertPile{p}});
  auto got = store_->pile("CP-1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->protocol, "ocpp1.6");
  EXPECT_EQ((*got)->password_hash, p.password_hash);
  EXPECT_EQ((*got)->vendor, "Acme");
  EXPECT_EQ((*got)->created, p.created);
  EXPECT_FALSE((*got)->last_seen);

  PileRecord changed = p;
  changed.registration = "Rejected";
  changed.protocol = "ocpp2.0.1";
  changed.vendor = "Other";
  changed.created = at(5);
  must_write({UpsertPile{changed}});
  got = store_->pile("CP-1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->registration, "Rejected");
  EXPECT_EQ((*got)->protocol, "ocpp2.0.1");
  EXPECT_EQ((*got)->vendor, "Acme");  // boot-reported, not a registration field
  EXPECT_EQ((*got)->created, p.created);
  auto all = store_->piles();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(SqliteRoundTrip, RejectsUnknownRegistrationValue) {
  PileRecord p = pile_record("CP-1");
  p.registration = "Maybe";
  auto s = write(*store_, {UpsertPile{p}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "constraint");
}

TEST_F(SqliteRoundTrip, RecordBootFillsBootFieldsAndLastSeen) {
  must_write({UpsertPile{pile_record("CP-1")}});
  domain::PileBooted boot{"CP-1", "Acme", "X1", "SN-9", "1.2.3", "8986", "4600", "M-T", "M-S", at(42)};
  must_write({RecordBoot{boot}});
  auto got = store_->pile("CP-1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->vendor, "Acme");
  EXPECT_EQ((*got)->model, "X1");
  EXPECT_EQ((*got)->serial, "SN-9");
  EXPECT_EQ((*got)->firmware, "1.2.3");
  EXPECT_EQ((*got)->last_boot, at(42));
  EXPECT_EQ((*got)->last_seen, at(42));
  store_->close();
  RawDb raw(options_.path);
  EXPECT_EQ(raw.text("SELECT iccid || '/' || imsi || '/' || meter_type || '/' || meter_serial"
                     " FROM piles"),
            "8986/4600/M-T/M-S");
}

TEST_F(SqliteRoundTrip, TouchPileMovesLastSeenForwardOnly) {
  must_write({UpsertPile{pile_record("CP-1")}});
  must_write({TouchPile{"CP-1", at(2000)}});
  must_write({TouchPile{"CP-1", at(1000)}});  // late, out-of-order message
  auto got = store_->pile("CP-1");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->last_seen, at(2000));
}

TEST_F(SqliteRoundTrip, UpdateOfUnknownPileIsANoOp) {
  must_write({TouchPile{"GHOST", at(1)}});
  auto got = store_->pile("GHOST");
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST_F(SqliteRoundTrip, UpsertConnectorInsertsThenUpdates) {
  must_write({UpsertPile{pile_record("CP-1")}});
  must_write({UpsertConnector{{"CP-1", 2, "Available", "NoError", "", "", at(1)}},
              UpsertConnector{{"CP-1", 1, "Charging", "NoError", "", "", at(1)}}});
  must_write({UpsertConnector{{"CP-1", 2, "Faulted", "GroundFailure", "E42", "leak", at(2)}}});
  auto got = store_->connectors("CP-1");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].connector, 1);
  EXPECT_EQ((*got)[1].status, "Faulted");
  EXPECT_EQ((*got)[1].error_code, "GroundFailure");
  EXPECT_EQ((*got)[1].vendor_error_code, "E42");
  EXPECT_EQ((*got)[1].info, "leak");
  EXPECT_EQ((*got)[1].updated, at(2));
}

TEST_F(SqliteRoundTrip, DeletePileRemovesConnectorsAndKeepsHistory) {
  must_write({UpsertPile{pile_record("CP-1")},
              UpsertConnector{{"CP-1", 1, "Available", "NoError", "", "", at(1)}},
              StartTransaction{tx_record(7, "CP-1", 1, "TAG", 100, at(1))},
              insert_telemetry("CP-1", 1, {sampled(1.0)})});
  must_write({DeletePile{"CP-1"}});
  auto p = store_->pile("CP-1");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
  auto c = store_->connectors("CP-1");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->empty());
  auto tx = store_->transaction(7);
  ASSERT_TRUE(tx);
  EXPECT_TRUE(tx->has_value());
  auto t = store_->telemetry(telemetry_query("CP-1"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->size(), 1u);
}

TEST_F(SqliteRoundTrip, StartAndStopTransactionAreReadBack) {
  const TransactionId id = store_->next_transaction_id();
  must_write({StartTransaction{tx_record(id, "CP-1", 2, "TAG-1", 1500, at(10))}});
  auto open = store_->transaction(id);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->meter_start_wh, 1500);
  EXPECT_FALSE((*open)->stopped);
  EXPECT_FALSE((*open)->meter_stop_wh);

  must_write({StopTransaction{id, 9100, at(20), "EVDisconnected", ""}});
  auto closed = store_->transaction(id);
  ASSERT_TRUE(closed && closed->has_value());
  const TransactionRecord& t = **closed;
  EXPECT_EQ(t.pile, "CP-1");
  EXPECT_EQ(t.connector, 2);
  EXPECT_EQ(t.id_tag, "TAG-1");
  EXPECT_EQ(t.started, at(10));
  EXPECT_EQ(t.meter_stop_wh, 9100);
  EXPECT_EQ(t.stopped, at(20));
  EXPECT_EQ(t.stop_reason, "EVDisconnected");
  EXPECT_FALSE(t.stop_id_tag);  // empty id tag is "absent"
}

TEST_F(SqliteRoundTrip, TransactionsFilterByPileAndPageWithBeforeCursor) {
  WriteBatch batch;
  for (TransactionId id = 1; id <= 6; ++id)
    batch.push_back(StartTransaction{tx_record(id, id % 2 ? "CP-A" : "CP-B", 1, "T", 0, at(id))});
  must_write(std::move(batch));

  auto page1 = store_->transactions({"CP-A", 2, std::nullopt});
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].id, 5);
  EXPECT_EQ((*page1)[1].id, 3);
  auto page2 = store_->transactions({"CP-A", 2, (*page1)[1].id});
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, 1);

  auto all = store_->transactions({std::nullopt, 100, std::nullopt});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ(all->front().id, 6);
  auto before4 = store_->transactions({std::nullopt, 100, 4});
  ASSERT_TRUE(before4);
  EXPECT_EQ(before4->size(), 3u);
}

TEST_F(SqliteRoundTrip, TelemetryIsNewestFirstWithMeasurandTimeRangeAndLimit) {
  std::vector<domain::MeterSample> samples;
  for (int i = 0; i < 10; ++i) {
    samples.push_back({at(1000 + i), {sampled(i)}});
    if (i < 5) samples.back().values.push_back(sampled(100 + i, "Voltage"));
  }
  domain::SampledValue full = sampled(12.5, "Current.Import");
  full.phase = "L2";
  full.unit = "A";
  full.context = "Transaction.End";
  full.location = "Inlet";
  must_write({insert_telemetry("CP-1", std::move(samples)), insert_telemetry("CP-2", 1005, {sampled(999)}),
              insert_telemetry("CP-1", {{at(2000), {full}}}, 2, 77)});

  auto all = store_->telemetry(telemetry_query("CP-1"));
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 16u);
  EXPECT_EQ(all->front().at, at(2000));
  for (std::size_t i = 1; i < all->size(); ++i) EXPECT_GE((*all)[i - 1].at, (*all)[i].at);

  const TelemetryRow& r = all->front();
  EXPECT_EQ(r.pile, "CP-1");
  EXPECT_EQ(r.connector, 2);
  EXPECT_EQ(r.transaction, 77);
  EXPECT_EQ(r.measurand, "Current.Import");
  EXPECT_EQ(r.phase, "L2");
  EXPECT_EQ(r.unit, "A");
  EXPECT_EQ(r.context, "Transaction.End");
  EXPECT_EQ(r.location, "Inlet");
  EXPECT_DOUBLE_EQ(r.value, 12.5);
  EXPECT_FALSE(all->back().transaction);

  TelemetryQuery q{"CP-1", "Power.Active.Import", at(1002), at(1008), 3};
  auto ranged = store_->telemetry(q);
  ASSERT_TRUE(ranged);
  ASSERT_EQ(ranged->size(), 3u);
  EXPECT_EQ((*ranged)[0].at, at(1007));  // `to` is exclusive
  EXPECT_DOUBLE_EQ((*ranged)[0].value, 7);
  EXPECT_EQ((*ranged)[2].at, at(1005));
  q.limit = 100;
  auto from_inclusive = store_->telemetry(q);
  ASSERT_TRUE(from_inclusive);
  EXPECT_EQ(from_inclusive->back().at, at(1002));

  auto voltage = store_->telemetry(telemetry_query("CP-1", "Voltage"));
  ASSERT_TRUE(voltage);
  EXPECT_EQ(voltage->size(), 5u);
  auto unknown = store_->telemetry(telemetry_query("CP-1", "No.Such.Measurand"));
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->empty());
  auto nobody = store_->telemetry(telemetry_query("CP-404"));
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());
}

TEST_F(SqliteRoundTrip, IdTagUpsertIsReadBack) {
  must_write({UpsertIdTag{{"TAG-1", "Accepted", at(99), "PARENT"}},
              UpsertIdTag{{"TAG-0", "Blocked", std::nullopt, std::nullopt}}});
  must_write({UpsertIdTag{{"TAG-1", "Expired", std::nullopt, std::nullopt}}});
  auto t = store_->id_tag("TAG-1");
  ASSERT_TRUE(t && t->has_value());
  EXPECT_EQ((*t)->status, "Expired");
  EXPECT_FALSE((*t)->expiry);
  EXPECT_FALSE((*t)->parent_id_tag);
  auto all = store_->id_tags();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id_tag, "TAG-0");
  EXPECT_EQ((*all)[0].status, "Blocked");
  auto missing = store_->id_tag("NOPE");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SqliteRoundTrip, DataTransferAndStatusReportsAreStored) {
  must_write({InsertDataTransfer{{"CP-1", "com.acme", "Temp", "{\"c\":41}", at(5)}},
              RecordPileStatusReport{"CP-1", "firmware", "Downloading", at(6)},
              RecordPileStatusReport{"CP-1", "diagnostics", "Uploaded", at(7)}});
  store_->close();
  RawDb raw(options_.path);
  EXPECT_EQ(raw.text("SELECT pile || '|' || vendor_id || '|' || message_id || '|' || data || '|' ||"
                     " at FROM data_transfers"),
            "CP-1|com.acme|Temp|{\"c\":41}|5");
  EXPECT_EQ(raw.text("SELECT status FROM pile_status_reports WHERE kind = 'firmware'"),
            "Downloading");
  EXPECT_EQ(raw.scalar("SELECT at FROM pile_status_reports WHERE kind = 'diagnostics'"), 7);
}

TEST_F(SqliteRoundTrip, StatusReportOfUnknownKindIsRejected) {
  auto s = write(*store_, {RecordPileStatusReport{"CP-1", "weather", "Sunny", at(1)}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "constraint");
}

TEST_F(SqliteRoundTrip, RejectedFramesAreReadNewestFirst) {
  must_write({InsertRejectedFrame{{"CP-1", at(1), "ocpp1.6", "FormationViolation", "bad", "[2,"}},
              InsertRejectedFrame{{"CP-2", at(2), "ykc", "BadCrc", "crc", "68"}}});
  auto got = store_->rejected_frames(10);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].pile, "CP-2");
  EXPECT_EQ((*got)[0].protocol, "ykc");
  EXPECT_EQ((*got)[1].error_code, "FormationViolation");
  EXPECT_EQ((*got)[1].detail, "bad");
  EXPECT_EQ((*got)[1].raw, "[2,");
  EXPECT_EQ((*got)[1].at, at(1));
}

TEST_F(SqliteRoundTrip, UsersAreUpsertedReadAndDeleted) {
  must_write({UpsertUser{{"alice", "h1", "admin", at(1)}}, UpsertUser{{"bob", "h2", "viewer", at(2)}}});
  must_write({UpsertUser{{"bob", "h3", "operator", at(9)}}});
  auto bob = store_->user("bob");
  ASSERT_TRUE(bob && bob->has_value());
  EXPECT_EQ((*bob)->password_hash, "h3");
  EXPECT_EQ((*bob)->role, "operator");
  EXPECT_EQ((*bob)->created, at(2));
  must_write({DeleteUser{"alice"}});
  auto all = store_->users();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].username, "bob");
  auto bad = write(*store_, {UpsertUser{{"eve", "h", "root", at(1)}}});
  EXPECT_FALSE(bad);
}

}  // namespace
}  // namespace cp::store
