// Fleet::transaction_recorded: a transaction reported in one record, idempotent on the pile's
// own reference (YKC 0x3B re-sent when its acknowledgement was lost).
#include <gtest/gtest.h>

#include "services/fleet.h"
#include "unit/services/capture.h"
#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

using cp::testing::Capture;
using cp::testing::FakeClock;
using cp::testing::FakeStore;

constexpr const char* kRef = "32010600019236012405201030000001";

struct FleetRecordsTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  Metrics metrics;
  Registry registry;
  Fleet fleet{store, registry, clock, metrics, FleetOptions{}};

  void SetUp() override {
    store::PileRecord p;
    p.id = "32010600019236";
    p.protocol = "ykc";
    store.submit({store::UpsertPile{p}}, [](const Status&) {});
    store.flush();
    registry.upsert_pile(p);
  }
  void TearDown() override { store.close(); }

  domain::TransactionRecorded record() {
    domain::TransactionRecorded r;
    r.pile = "32010600019236";
    r.connector = 1;
    r.external_id = kRef;
    r.meter_start_wh = 1000;
    r.meter_stop_wh = 6123;
    r.started = clock.now();
    r.stopped = clock.now() + std::chrono::minutes(30);
    r.reason = "Remote";
    return r;
  }
  Result<domain::TransactionId> recorded(domain::TransactionRecorded r) {
    Capture<Result<domain::TransactionId>> reply;
    fleet.transaction_recorded(std::move(r), reply.callback());
    return reply.wait();
  }
};

TEST_F(FleetRecordsTest, EndsTheTransactionStartedUnderTheSameReference) {
  Capture<Result<domain::TransactionDecision>> started;
  domain::TransactionStarted start{"32010600019236", 1, "CARD", 1000, std::nullopt, clock.now(), kRef};
  fleet.transaction_started(start, started.callback());
  const auto id = started.wait()->transaction;
  EXPECT_EQ(registry.get("32010600019236")->connectors.at(0).transaction, id);

  auto r = recorded(record());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, id);
  auto tx = *store.transaction(id);
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->meter_stop_wh, 6123);
  EXPECT_EQ(tx->stop_reason, "Remote");
  EXPECT_FALSE(registry.get("32010600019236")->connectors.at(0).transaction);
  EXPECT_EQ(store.ops<store::StartTransaction>().size(), 1u);
}

TEST_F(FleetRecordsTest, RecordsStartAndEndWhenTheStartWasNeverSeen) {
  auto r = recorded(record());
  ASSERT_TRUE(r);
  auto tx = *store.transaction(*r);
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->external_id, kRef);
  EXPECT_EQ(tx->meter_start_wh, 1000);
  EXPECT_EQ(tx->meter_stop_wh, 6123);
}

TEST_F(FleetRecordsTest, ARepeatedRecordIsAcknowledgedWithoutASecondTransaction) {
  auto first = recorded(record());
  auto second = recorded(record());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(store.ops<store::StartTransaction>().size(), 1u);  // start and end in one batch
  EXPECT_EQ(store.ops<store::StopTransaction>().size(), 0u);
  EXPECT_EQ(metrics.counter("chargeplane_transaction_records_total", "", {{"outcome", "repeat"}}).value(), 1u);
}

TEST_F(FleetRecordsTest, AStoreFailureIsNotAnAcknowledgement) {
  store.fail_next(1);
  EXPECT_FALSE(recorded(record()));
  auto again = recorded(record());  // the pile re-sends
  ASSERT_TRUE(again);
  EXPECT_TRUE((*store.transaction(*again))->stopped);
}

}  // namespace
}  // namespace cp::services
