// Fleet and the auth services over the real SQLite store: what they write reads back.
#include <gtest/gtest.h>

#include "services/auth.h"
#include "services/fleet.h"
#include "unit/services/capture.h"
#include "unit/services/fake_store.h"
#include "unit/services/temp_sqlite.h"

namespace cp::services {
namespace {

using cp::testing::Capture;

struct FleetSqlite : ::testing::Test {
  cp::testing::TempSqlite db;
  cp::testing::FakeClock clock;
  Metrics metrics;
  Registry registry;
  Fleet fleet{*db, registry, clock, metrics, FleetOptions{}};

  void add_pile(const std::string& id) {
    store::PileRecord p;
    p.id = id;
    p.protocol = "ocpp1.6";
    p.password_hash = hash_password("0123456789abcdef", 1000);
    p.created = clock.now();
    Capture<Status> done;
    db->submit({store::UpsertPile{p}}, done.callback());
    ASSERT_TRUE(done.wait().ok());
    registry.upsert_pile(p);
  }
};

TEST_F(FleetSqlite, BootIsStoredBeforeTheReply) {
  add_pile("CP-1");
  domain::PileBooted boot;
  boot.pile = "CP-1";
  boot.vendor = "Acme";
  boot.model = "AC22";
  boot.firmware = "1.0";
  boot.at = clock.now();
  Capture<Result<domain::BootDecision>> reply;
  fleet.booted(boot, reply.callback());
  ASSERT_TRUE(reply.wait().ok());
  // No flush: the reply itself promises the row is committed.
  auto stored = db->pile("CP-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->vendor, "Acme");
  EXPECT_EQ((*stored)->last_boot, clock.now());
}

TEST_F(FleetSqlite, TransactionLifecycleAndMeterValuesReadBack) {
  add_pile("CP-1");
  Capture<Status> tag;
  db->submit({store::UpsertIdTag{{"TAG1", "Accepted", std::nullopt, std::nullopt}}}, tag.callback());
  ASSERT_TRUE(tag.wait().ok());

  Capture<Status> status;
  fleet.connector_status({"CP-1", 1, "Preparing", "NoError", "", "", "", clock.now()}, status.callback());
  ASSERT_TRUE(status.wait().ok());
  auto connectors = db->connectors("CP-1");
  ASSERT_TRUE(connectors.ok());
  ASSERT_EQ(connectors->size(), 1u);
  EXPECT_EQ((*connectors)[0].status, "Preparing");

  Capture<Result<domain::TransactionDecision>> started;
  fleet.transaction_started({"CP-1", 1, "TAG1", 1000, std::nullopt, clock.now()}, started.callback());
  ASSERT_TRUE(started.wait().ok());
  const auto tx = started.wait()->transaction;
  EXPECT_EQ(started.wait()->authorization.status, domain::AuthorizationStatus::Accepted);

  domain::TelemetrySampled t;
  t.pile = "CP-1";
  t.connector = 1;
  t.transaction = tx;
  domain::SampledValue v;
  v.measurand = "Voltage";
  v.phase = "L1-N";
  v.unit = "V";
  v.value = 231.2;
  t.samples = {{clock.now(), {v}}};
  Capture<Status> sampled;
  fleet.telemetry(t, sampled.callback());
  ASSERT_TRUE(sampled.wait().ok());

  domain::TransactionEnded end;
  end.pile = "CP-1";
  end.transaction = tx;
  end.meter_stop_wh = 2500;
  end.reason = "EVDisconnected";
  end.at = clock.now() + std::chrono::minutes(30);
  Capture<Result<std::optional<domain::Authorization>>> ended;
  fleet.transaction_ended(end, ended.callback());
  ASSERT_TRUE(ended.wait().ok());

  auto record = db->transaction(tx);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->meter_start_wh, 1000);
  EXPECT_EQ((*record)->meter_stop_wh, 2500);
  EXPECT_EQ((*record)->stop_reason, "EVDisconnected");
  auto rows = db->telemetry({"CP-1", std::string("Voltage"), {}, {}, 10});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ((*rows)[0].value, 231.2);
  EXPECT_EQ((*rows)[0].phase, "L1-N");
  EXPECT_EQ((*rows)[0].transaction, tx);
}

TEST_F(FleetSqlite, TransactionIdsIncrease) {
  add_pile("CP-1");
  Capture<Result<domain::TransactionDecision>> a, b;
  fleet.transaction_started({"CP-1", 1, "X", 0, std::nullopt, clock.now()}, a.callback());
  fleet.transaction_started({"CP-1", 2, "X", 0, std::nullopt, clock.now()}, b.callback());
  ASSERT_TRUE(a.wait().ok() && b.wait().ok());
  EXPECT_LT(a.wait()->transaction, b.wait()->transaction);
  EXPECT_EQ(a.wait()->authorization.status, domain::AuthorizationStatus::Invalid);  // unknown tag, still recorded
}

TEST_F(FleetSqlite, PileAuthenticationAndApiUsersUseTheStore) {
  add_pile("CP-1");
  PileAuthenticator piles(*db);
  EXPECT_EQ(piles.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
  EXPECT_EQ(piles.verify("CP-1", "wrong-password-00"), PileAuthResult::BadPassword);
  EXPECT_EQ(piles.verify("CP-2", "0123456789abcdef"), PileAuthResult::UnknownPile);
  ApiAuth users(*db, clock, std::chrono::hours(1), 1000);
  ASSERT_TRUE(users.ensure_user("admin", "admin-pw", Role::Admin).ok());
  auto token = users.login("admin", "admin-pw");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(users.authenticate(*token)->role, Role::Admin);
}

TEST_F(FleetSqlite, HeartbeatLastSeenIsWrittenThrough) {
  add_pile("CP-1");
  Capture<Result<Timestamp>> hb;
  fleet.heartbeat("CP-1", hb.callback());
  ASSERT_TRUE(hb.wait().ok());
  db->flush();
  EXPECT_EQ((*db->pile("CP-1"))->last_seen, clock.now());
}

}  // namespace
}  // namespace cp::services
