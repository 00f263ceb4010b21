#include "services/fleet.h"

#include <gtest/gtest.h>

#include "unit/services/capture.h"
#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

using cp::testing::Capture;
using cp::testing::FakeClock;
using cp::testing::FakeStore;
using domain::AuthorizationStatus;

struct TestLink final : PileLink {
  void close(const std::string& reason) override { closed = reason; }
  void execute(cp::domain::Command, cp::domain::CommandObserver o) override { o.done({"Offline", "test link", "", {}, {}, {}}); }
  std::string remote_address() const override { return "127.0.0.1:1"; }
  std::string closed;
};

struct FleetTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  Metrics metrics;
  Registry registry;
  FleetOptions options;
  std::unique_ptr<Fleet> fleet;

  void SetUp() override { make_fleet(); }
  void TearDown() override { store.close(); }

  void make_fleet() {
    fleet = std::make_unique<Fleet>(store, registry, clock, metrics, options);
  }
  void add_pile(const std::string& id, const std::string& registration = "Accepted") {
    store::PileRecord p;
    p.id = id;
    p.protocol = "ocpp1.6";
    p.registration = registration;
    store.submit({store::UpsertPile{p}}, [](const Status&) {});
    store.flush();
    registry.upsert_pile(p);
  }
  void add_tag(const std::string& tag, const std::string& status, std::optional<Timestamp> expiry = {}) {
    store.submit({store::UpsertIdTag{{tag, status, expiry, std::nullopt}}}, [](const Status&) {});
    store.flush();
  }
  std::uint64_t counter(const std::string& name, Labels labels = {}) {
    return metrics.counter(name, "", std::move(labels)).value();
  }
  domain::SampledValue value(const std::string& measurand, double v, const std::string& phase = "") {
    domain::SampledValue s;
    s.measurand = measurand;
    s.phase = phase;
    s.value = v;
    s.unit = "W";
    return s;
  }
};

domain::PileBooted boot_of(const std::string& pile) {
  domain::PileBooted b;
  b.pile = pile;
  b.vendor = "ACME";
  b.model = "X1";
  b.firmware = "1.2.3";
  b.at = from_millis(1'700'000'000'000);
  return b;
}

TEST_F(FleetTest, BootRepliesOnlyAfterTheBootIsDurable) {
  add_pile("CP-1");
  store.hold();
  Capture<Result<domain::BootDecision>> reply;
  fleet->booted(boot_of("CP-1"), reply.callback());
  EXPECT_FALSE(reply.done());
  store.release();
  auto& r = reply.wait();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, domain::Registration::Accepted);
  EXPECT_EQ(r->heartbeat_interval_s, 300);
  EXPECT_EQ(r->now, clock.now());
  EXPECT_EQ(store.ops<store::RecordBoot>().size(), 1u);
  EXPECT_EQ(registry.get("CP-1")->vendor, "ACME");
  EXPECT_NE(reply.thread(), std::this_thread::get_id());  // ran on the writer thread
}

TEST_F(FleetTest, BootAnswersWithTheOperatorsRegistration) {
  add_pile("CP-1", "Pending");
  Capture<Result<domain::BootDecision>> reply;
  fleet->booted(boot_of("CP-1"), reply.callback());
  EXPECT_EQ(reply.wait()->status, domain::Registration::Pending);
}

TEST_F(FleetTest, BootOfAnUnregisteredPileIsRejected) {
  Capture<Result<domain::BootDecision>> reply;
  fleet->booted(boot_of("nobody"), reply.callback());
  EXPECT_EQ(reply.wait()->status, domain::Registration::Rejected);
}

TEST_F(FleetTest, BootWriteFailurePropagates) {
  add_pile("CP-1");
  store.fail_next(1, "storage_error");
  Capture<Result<domain::BootDecision>> reply;
  fleet->booted(boot_of("CP-1"), reply.callback());
  auto& r = reply.wait();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "storage_error");
  EXPECT_EQ(counter("chargeplane_fleet_write_failures_total"), 1u);
}

TEST_F(FleetTest, HeartbeatRepliesAtOnceWithNowEvenWhileTheStoreIsBusy) {
  add_pile("CP-1");
  store.hold();
  Capture<Result<Timestamp>> reply;
  fleet->heartbeat("CP-1", reply.callback());
  ASSERT_TRUE(reply.done());
  EXPECT_EQ(*reply.wait(), clock.now());
  EXPECT_EQ(registry.get("CP-1")->last_seen, clock.now());
  store.release();
}

TEST_F(FleetTest, HeartbeatsCoalesceDurableLastSeenWrites) {
  add_pile("CP-1");
  for (int i = 0; i < 10; ++i) {
    fleet->heartbeat("CP-1", [](Result<Timestamp>) {});
    clock.advance(std::chrono::seconds(5));
  }
  store.flush();
  EXPECT_EQ(store.ops<store::TouchPile>().size(), 1u);  // 45 s < 60 s
  clock.advance(std::chrono::seconds(20));
  fleet->heartbeat("CP-1", [](Result<Timestamp>) {});
  store.flush();
  EXPECT_EQ(store.ops<store::TouchPile>().size(), 2u);
  EXPECT_EQ(counter("chargeplane_pile_events_total", {{"event", "heartbeat"}}), 11u);
}

TEST_F(FleetTest, AuthorizeReportsTheStoredStatus) {
  add_tag("GOOD", "Accepted");
  add_tag("BAD", "Blocked");
  Capture<Result<domain::Authorization>> good, bad;
  fleet->authorize("CP-1", "GOOD", good.callback());
  fleet->authorize("CP-1", "BAD", bad.callback());
  EXPECT_EQ(good.wait()->status, AuthorizationStatus::Accepted);
  EXPECT_EQ(bad.wait()->status, AuthorizationStatus::Blocked);
}

TEST_F(FleetTest, AuthorizeExpiresATagPastItsExpiry) {
  add_tag("OLD", "Accepted", clock.now() - std::chrono::seconds(1));
  add_tag("FRESH", "Accepted", clock.now() + std::chrono::hours(1));
  Capture<Result<domain::Authorization>> old_tag, fresh;
  fleet->authorize("CP-1", "OLD", old_tag.callback());
  fleet->authorize("CP-1", "FRESH", fresh.callback());
  EXPECT_EQ(old_tag.wait()->status, AuthorizationStatus::Expired);
  EXPECT_EQ(fresh.wait()->status, AuthorizationStatus::Accepted);
  EXPECT_EQ(fresh.wait()->expiry, clock.now() + std::chrono::hours(1));
}

TEST_F(FleetTest, AuthorizeKeepsAStoredExpiredStatus) {
  add_tag("E", "Expired");
  Capture<Result<domain::Authorization>> r;
  fleet->authorize("CP-1", "E", r.callback());
  EXPECT_EQ(r.wait()->status, AuthorizationStatus::Expired);
}

TEST_F(FleetTest, UnknownTagIsInvalidByDefault) {
  Capture<Result<domain::Authorization>> r;
  fleet->authorize("CP-1", "WHO", r.callback());
  EXPECT_EQ(r.wait()->status, AuthorizationStatus::Invalid);
}

TEST_F(FleetTest, UnknownTagIsAcceptedOnFreeVendSites) {
  options.accept_unknown_id_tags = true;
  make_fleet();
  Capture<Result<domain::Authorization>> r;
  fleet->authorize("CP-1", "WHO", r.callback());
  EXPECT_EQ(r.wait()->status, AuthorizationStatus::Accepted);
}

TEST_F(FleetTest, AuthorizeStoreReadFailurePropagates) {
  store.fail_reads(true);
  Capture<Result<domain::Authorization>> r;
  fleet->authorize("CP-1", "GOOD", r.callback());
  EXPECT_FALSE(r.wait().ok());
}

TEST_F(FleetTest, StatusIsDurableBeforeDoneAndLiveAtOnce) {
  add_pile("CP-1");
  store.hold();
  domain::ConnectorStatusChanged c{"CP-1", 1, "Preparing", "", "", "", "", clock.now()};
  Capture<Status> done;
  fleet->connector_status(c, done.callback());
  EXPECT_FALSE(done.done());
  EXPECT_EQ(registry.get("CP-1")->connectors.at(0).status, "Preparing");
  store.release();
  EXPECT_TRUE(done.wait().ok());
  auto ops = store.ops<store::UpsertConnector>();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].connector.status, "Preparing");
  EXPECT_EQ(ops[0].connector.error_code, "NoError");
}

TEST_F(FleetTest, InvalidTransitionIsAppliedButCounted) {
  add_pile("CP-1");
  Capture<Status> a, b;
  fleet->connector_status({"CP-1", 1, "Available", "NoError", "", "", "", clock.now()}, a.callback());
  fleet->connector_status({"CP-1", 1, "Finishing", "NoError", "", "", "", clock.now()}, b.callback());
  EXPECT_TRUE(a.wait().ok());
  EXPECT_TRUE(b.wait().ok());
  EXPECT_EQ(registry.get("CP-1")->connectors.at(0).status, "Finishing");
  EXPECT_EQ(counter("chargeplane_connector_invalid_transitions_total"), 1u);
}

TEST_F(FleetTest, StatusWriteFailurePropagates) {
  add_pile("CP-1");
  store.fail_next(1);
  Capture<Status> done;
  fleet->connector_status({"CP-1", 1, "Available", "NoError", "", "", "", clock.now()}, done.callback());
  EXPECT_FALSE(done.wait().ok());
}

TEST_F(FleetTest, StartTransactionIssuesAnIdAfterDurable) {
  add_pile("CP-1");
  add_tag("GOOD", "Accepted");
  store.hold();
  Capture<Result<domain::TransactionDecision>> reply;
  fleet->transaction_started({"CP-1", 2, "GOOD", 1000, std::nullopt, clock.now()}, reply.callback());
  EXPECT_FALSE(reply.done());
  store.release();
  auto& r = reply.wait();
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->transaction, 0);
  EXPECT_EQ(r->authorization.status, AuthorizationStatus::Accepted);
  auto tx = store.transaction(r->transaction);
  ASSERT_TRUE(tx.ok() && tx->has_value());
  EXPECT_EQ((*tx)->connector, 2);
  EXPECT_EQ((*tx)->meter_start_wh, 1000);
  EXPECT_EQ(registry.get("CP-1")->connectors.at(0).transaction, r->transaction);
}

TEST_F(FleetTest, StartTransactionWithABlockedTagIsStillRecorded) {
  add_pile("CP-1");
  add_tag("BAD", "Blocked");
  Capture<Result<domain::TransactionDecision>> reply;
  fleet->transaction_started({"CP-1", 1, "BAD", 0, std::nullopt, clock.now()}, reply.callback());
  auto& r = reply.wait();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->authorization.status, AuthorizationStatus::Blocked);
  EXPECT_EQ(store.ops<store::StartTransaction>().size(), 1u);
}

TEST_F(FleetTest, StartTransactionWriteFailurePropagates) {
  add_pile("CP-1");
  store.fail_next(1);
  Capture<Result<domain::TransactionDecision>> reply;
  fleet->transaction_started({"CP-1", 1, "X", 0, std::nullopt, clock.now()}, reply.callback());
  EXPECT_FALSE(reply.wait().ok());
  EXPECT_EQ(registry.get("CP-1")->connectors.size(), 0u);
}

TEST_F(FleetTest, StopTransactionStoresMeterDataOnTheTransactionsConnector) {
  add_pile("CP-1");
  add_tag("GOOD", "Accepted");
  Capture<Result<domain::TransactionDecision>> started;
  fleet->transaction_started({"CP-1", 2, "GOOD", 0, std::nullopt, clock.now()}, started.callback());
  const auto tx = started.wait()->transaction;
  domain::TransactionEnded end;
  end.pile = "CP-1";
  end.transaction = tx;
  end.id_tag = "GOOD";
  end.meter_stop_wh = 5000;
  end.at = clock.now();
  end.transaction_data = {{clock.now(), {value("Energy.Active.Import.Register", 5000)}}};
  store.hold();
  Capture<Result<std::optional<domain::Authorization>>> reply;
  fleet->transaction_ended(end, reply.callback());
  EXPECT_FALSE(reply.done());
  store.release();
  auto& r = reply.wait();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->status, AuthorizationStatus::Accepted);
  auto stored = store.transaction(tx);
  EXPECT_EQ((*stored)->meter_stop_wh, 5000);
  EXPECT_EQ((*stored)->stop_reason, "Local");
  auto rows = store.telemetry({"CP-1", {}, {}, {}, 10});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].connector, 2);
  EXPECT_EQ((*rows)[0].transaction, tx);
  EXPECT_EQ(registry.get("CP-1")->connectors.at(0).transaction, std::nullopt);
}

TEST_F(FleetTest, StopTransactionWithoutIdTagHasNoIdTagInfo) {
  add_pile("CP-1");
  domain::TransactionEnded end;
  end.pile = "CP-1";
  end.transaction = 99;
  end.at = clock.now();
  Capture<Result<std::optional<domain::Authorization>>> reply;
  fleet->transaction_ended(end, reply.callback());
  auto& r = reply.wait();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST_F(FleetTest, TelemetryStoresEveryValueIncludingRawOnesWithoutCopyingThem) {
  add_pile("CP-1");
  domain::TelemetrySampled t;
  t.pile = "CP-1";
  t.connector = 1;
  auto signed_value = value("Energy.Active.Import.Register", 0);
  signed_value.raw = "3045022100...";
  t.samples = {{clock.now(), {value("Power.Active.Import", 7200), value("Voltage", 231, "L1"), signed_value}}};
  store.hold();
  Capture<Status> done;
  fleet->telemetry(t, done.callback());
  EXPECT_FALSE(done.done());
  store.release();
  ASSERT_TRUE(done.wait().ok());
  auto ops = store.ops<store::InsertTelemetry>();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].pile, "CP-1");
  EXPECT_EQ(ops[0].connector, 1);
  ASSERT_TRUE(ops[0].samples);
  ASSERT_EQ(ops[0].samples->size(), 1u);
  ASSERT_EQ(ops[0].samples->front().values.size(), 3u);
  EXPECT_EQ(ops[0].samples->front().values[2].raw, "3045022100...");
  auto live = registry.get("CP-1")->connectors.at(0).last_values;
  EXPECT_EQ(live.at("Voltage.L1").value, 231);
  EXPECT_EQ(live.at("Power.Active.Import").value, 7200);
  EXPECT_EQ(live.count("Energy.Active.Import.Register"), 0u) << "a raw value is not a live number";
  EXPECT_EQ(counter("chargeplane_telemetry_values_total"), 3u);
}

TEST_F(FleetTest, TelemetryWriteFailurePropagatesAndLeavesLiveValuesAlone) {
  add_pile("CP-1");
  domain::TelemetrySampled t;
  t.pile = "CP-1";
  t.connector = 1;
  t.samples = {{clock.now(), {value("Power.Active.Import", 7200)}}};
  store.fail_next(1);
  Capture<Status> done;
  fleet->telemetry(t, done.callback());
  EXPECT_FALSE(done.wait().ok());
  EXPECT_TRUE(registry.get("CP-1")->connectors.empty());
  EXPECT_EQ(registry.get("CP-1")->last_seen, clock.now());  // the pile was seen all the same
}

TEST_F(FleetTest, TelemetryRaisesLastSeenWithTheLiveValues) {
  add_pile("CP-1");
  EXPECT_FALSE(registry.get("CP-1")->last_seen);
  domain::TelemetrySampled t;
  t.pile = "CP-1";
  t.connector = 1;
  t.samples = {{clock.now(), {value("Power.Active.Import", 7200)}}};
  Capture<Status> done;
  fleet->telemetry(t, done.callback());
  ASSERT_TRUE(done.wait().ok());
  EXPECT_EQ(registry.get("CP-1")->last_seen, clock.now());
  // A MeterValues with no values at all stores nothing but still counts as seen.
  clock.advance(std::chrono::seconds(5));
  domain::TelemetrySampled empty;
  empty.pile = "CP-1";
  Capture<Status> done_empty;
  fleet->telemetry(empty, done_empty.callback());
  ASSERT_TRUE(done_empty.wait().ok());
  EXPECT_EQ(registry.get("CP-1")->last_seen, clock.now());
}

TEST_F(FleetTest, DataTransferWithoutHandlerIsStoredAndUnknownVendor) {
  Capture<Result<domain::PileEventSink::DataTransferOutcome>> reply;
  fleet->data_transfer({"CP-1", "com.acme", "Ping", "{}", clock.now()}, reply.callback());
  EXPECT_EQ(reply.wait()->status, "UnknownVendorId");
  EXPECT_EQ(store.ops<store::InsertDataTransfer>().size(), 1u);
}

TEST_F(FleetTest, DataTransferUsesTheRegisteredVendorHandler) {
  fleet->register_vendor("com.acme", [](const domain::DataTransferReceived& m) {
    return domain::PileEventSink::DataTransferOutcome{"Accepted", "pong:" + m.data};
  });
  Capture<Result<domain::PileEventSink::DataTransferOutcome>> reply;
  fleet->data_transfer({"CP-1", "com.acme", "Ping", "7", clock.now()}, reply.callback());
  EXPECT_EQ(reply.wait()->status, "Accepted");
  EXPECT_EQ(reply.wait()->data, "pong:7");
}

TEST_F(FleetTest, FirmwareAndDiagnosticsStatusAreStored) {
  Capture<Status> fw, diag;
  fleet->firmware_status({"CP-1", "Downloading", clock.now()}, fw.callback());
  fleet->diagnostics_status({"CP-1", "Uploaded", clock.now()}, diag.callback());
  EXPECT_TRUE(fw.wait().ok());
  EXPECT_TRUE(diag.wait().ok());
  auto reports = store.ops<store::RecordPileStatusReport>();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].kind, "firmware");
  EXPECT_EQ(reports[1].kind, "diagnostics");
  EXPECT_EQ(reports[1].status, "Uploaded");
}

TEST_F(FleetTest, RejectedFramesAreAuditedAndBounded) {
  options.max_pending_rejected_frames = 2;
  make_fleet();
  store.hold();
  for (int i = 0; i < 3; ++i)
    fleet->frame_rejected({"CP-1", domain::Protocol::Ocpp16, "FormationViolation", "bad", "[2,", clock.now()});
  store.release();
  store.flush();
  auto frames = store.ops<store::InsertRejectedFrame>();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].frame.protocol, "ocpp1.6");
  EXPECT_EQ(counter("chargeplane_rejected_frames_dropped_total"), 1u);
}

TEST_F(FleetTest, ConnectionGaugeFollowsTheNewestSession) {
  add_pile("CP-1");
  auto& gauge = metrics.gauge("chargeplane_connected_piles", "");
  auto first = std::make_shared<TestLink>();
  auto second = std::make_shared<TestLink>();
  EXPECT_EQ(fleet->connected("CP-1", first), nullptr);
  EXPECT_EQ(gauge.value(), 1);
  EXPECT_EQ(fleet->connected("CP-1", second), first);
  EXPECT_EQ(gauge.value(), 1);
  fleet->disconnected("CP-1", first.get());  // stale session: no effect
  EXPECT_EQ(gauge.value(), 1);
  EXPECT_TRUE(registry.get("CP-1")->online);
  clock.advance(std::chrono::seconds(3));
  fleet->disconnected("CP-1", second.get());
  EXPECT_EQ(gauge.value(), 0);
  EXPECT_FALSE(registry.get("CP-1")->online);
  store.flush();
  auto touches = store.ops<store::TouchPile>();
  ASSERT_FALSE(touches.empty());
  EXPECT_EQ(touches.back().at, clock.now());  // last_seen is durable at disconnect
}

TEST_F(FleetTest, GaugeDropsWhenAConnectedPileIsDeleted) {
  add_pile("CP-1");
  auto link = std::make_shared<TestLink>();
  fleet->connected("CP-1", link);
  registry.remove_pile("CP-1");  // the API deletes the pile, then its session closes
  fleet->disconnected("CP-1", link.get());
  EXPECT_EQ(metrics.gauge("chargeplane_connected_piles", "").value(), 0);
}

}  // namespace
}  // namespace cp::services
