// Fleet's live events: what it publishes on the EventBus, when (after durable), and that it
// renders nothing while nobody listens.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "services/fleet.h"
#include "unit/services/capture.h"
#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

using namespace std::chrono_literals;
using cp::testing::Capture;
using cp::testing::FakeClock;
using cp::testing::FakeStore;
namespace json = boost::json;

struct TestLink final : PileLink {
  void close(const std::string&) override {}
  void execute(cp::domain::Command, cp::domain::CommandObserver o) override { o.done({"Offline", "", "", {}, {}, {}}); }
  std::string remote_address() const override { return "10.0.0.7:5555"; }
};

// Records what the bus delivers (publishers run on the store's writer thread).
struct Recorder {
  std::mutex mu;
  std::vector<std::shared_ptr<const LiveEvent>> events;
  void operator()(const std::shared_ptr<const LiveEvent>& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  }
  std::vector<std::shared_ptr<const LiveEvent>> snapshot() {
    std::lock_guard lock(mu);
    return events;
  }
  std::vector<std::string> types() {
    std::vector<std::string> out;
    for (auto& e : snapshot()) out.push_back(e->type);
    return out;
  }
  json::object last() {
    auto all = snapshot();
    if (all.empty()) throw std::runtime_error("no event");
    return json::parse(all.back()->json).as_object();
  }
};

struct FleetEventsTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  Metrics metrics;
  Registry registry;
  EventBus bus{metrics};
  ManualScheduler timers;
  Recorder recorder;
  FleetOptions options;
  std::unique_ptr<Fleet> fleet;

  void SetUp() override {
    options.telemetry_event_interval = 1000ms;
    fleet = std::make_unique<Fleet>(store, registry, clock, metrics, options, &bus, &timers);
    store::PileRecord p;
    p.id = "CP-1";
    p.protocol = "ocpp1.6";
    store.submit({store::UpsertPile{p}}, [](const Status&) {});
    store.flush();
    registry.upsert_pile(p);
  }
  void TearDown() override { store.close(); }
  void listen() {
    bus.subscribe([this](const auto& e) { recorder(e); });
  }
  domain::TelemetrySampled sample(double voltage, Timestamp at) {
    domain::TelemetrySampled s;
    s.pile = "CP-1";
    s.connector = 1;
    s.transaction = 42;
    domain::SampledValue v;
    v.measurand = "Voltage";
    v.phase = "L1-N";
    v.unit = "V";
    v.value = voltage;
    s.samples.push_back({at, {v}});
    return s;
  }
  void telemetry(double voltage) {
    Capture<Status> done;
    fleet->telemetry(sample(voltage, clock.now()), done.callback());
    ASSERT_TRUE(done.wait().ok());
  }
};

TEST_F(FleetEventsTest, OnlineAndOfflineCarryThePileAndRemoteAddress) {
  listen();
  auto link = std::make_shared<TestLink>();
  fleet->connected("CP-1", link);
  fleet->disconnected("CP-1", link.get());
  EXPECT_EQ(recorder.types(), (std::vector<std::string>{"pile.online", "pile.offline"}));
  auto online = json::parse(recorder.snapshot()[0]->json).as_object();
  EXPECT_EQ(online.at("type").as_string(), "pile.online");
  EXPECT_EQ(online.at("pile").as_string(), "CP-1");
  EXPECT_EQ(online.at("at").as_string(), format_rfc3339(clock.now()));
  EXPECT_EQ(online.at("remote_address").as_string(), "10.0.0.7:5555");
  EXPECT_EQ(online.at("replaced").as_bool(), false);
  EXPECT_EQ(recorder.snapshot()[1]->pile, "CP-1");
}

TEST_F(FleetEventsTest, ConnectorStatusIsPublishedOnlyOnceDurable) {
  listen();
  store.hold();
  domain::ConnectorStatusChanged c{"CP-1", 1, "Charging", "", "E12", "", "plugged", clock.now() - 2s};
  Capture<Status> done;
  fleet->connector_status(c, done.callback());
  EXPECT_TRUE(recorder.types().empty());
  store.release();
  ASSERT_TRUE(done.wait().ok());
  ASSERT_EQ(recorder.types(), std::vector<std::string>{"connector.status"});
  auto j = recorder.last();
  EXPECT_EQ(j.at("connector").as_int64(), 1);
  EXPECT_EQ(j.at("status").as_string(), "Charging");
  EXPECT_EQ(j.at("previous_status").as_string(), "Unknown");
  EXPECT_EQ(j.at("error_code").as_string(), "NoError");
  EXPECT_EQ(j.at("vendor_error_code").as_string(), "E12");
  EXPECT_EQ(j.at("info").as_string(), "plugged");
  EXPECT_EQ(j.at("reported_at").as_string(), format_rfc3339(clock.now() - 2s));
}

TEST_F(FleetEventsTest, AFailedWritePublishesNothing) {
  listen();
  store.fail_next(1);
  Capture<Status> done;
  fleet->connector_status({"CP-1", 1, "Faulted", "GroundFailure", "", "", "", clock.now()}, done.callback());
  EXPECT_FALSE(done.wait().ok());
  EXPECT_TRUE(recorder.types().empty());
}

TEST_F(FleetEventsTest, BootCarriesIdentityAndRegistration) {
  listen();
  domain::PileBooted b;
  b.pile = "CP-1";
  b.vendor = "ACME";
  b.model = "X1";
  b.serial = "S-9";
  b.firmware = "1.2.3";
  b.at = clock.now();
  Capture<Result<domain::BootDecision>> reply;
  fleet->booted(b, reply.callback());
  ASSERT_TRUE(reply.wait().ok());
  auto j = recorder.last();
  EXPECT_EQ(j.at("type").as_string(), "pile.booted");
  EXPECT_EQ(j.at("vendor").as_string(), "ACME");
  EXPECT_EQ(j.at("model").as_string(), "X1");
  EXPECT_EQ(j.at("serial").as_string(), "S-9");
  EXPECT_EQ(j.at("firmware").as_string(), "1.2.3");
  EXPECT_EQ(j.at("registration").as_string(), "Accepted");
}

TEST_F(FleetEventsTest, TransactionsStartAndEnd) {
  listen();
  Capture<Result<domain::TransactionDecision>> started;
  fleet->transaction_started({"CP-1", 2, "TAG1", 1000, std::nullopt, clock.now()}, started.callback());
  ASSERT_TRUE(started.wait().ok());
  const auto tx = started.wait()->transaction;
  auto s = recorder.last();
  EXPECT_EQ(s.at("type").as_string(), "transaction.started");
  EXPECT_EQ(s.at("transaction").as_int64(), tx);
  EXPECT_EQ(s.at("connector").as_int64(), 2);
  EXPECT_EQ(s.at("id_tag").as_string(), "TAG1");
  EXPECT_EQ(s.at("authorization").as_string(), "Invalid");  // unknown tag
  EXPECT_EQ(s.at("meter_start_wh").as_int64(), 1000);

  Capture<Result<std::optional<domain::Authorization>>> ended;
  fleet->transaction_ended({"CP-1", tx, "", 2500, "EVDisconnected", clock.now(), {}}, ended.callback());
  ASSERT_TRUE(ended.wait().ok());
  auto e = recorder.last();
  EXPECT_EQ(e.at("type").as_string(), "transaction.ended");
  EXPECT_EQ(e.at("transaction").as_int64(), tx);
  EXPECT_EQ(e.at("connector").as_int64(), 2);
  EXPECT_EQ(e.at("meter_stop_wh").as_int64(), 2500);
  EXPECT_EQ(e.at("reason").as_string(), "EVDisconnected");
}

TEST_F(FleetEventsTest, FirmwareAndDiagnosticsStatus) {
  listen();
  Capture<Status> a, b;
  fleet->firmware_status({"CP-1", "Downloading", clock.now()}, a.callback());
  ASSERT_TRUE(a.wait().ok());
  fleet->diagnostics_status({"CP-1", "Uploaded", clock.now()}, b.callback());
  ASSERT_TRUE(b.wait().ok());
  auto events = recorder.snapshot();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]->type, "pile.firmware_status");
  EXPECT_EQ(json::parse(events[0]->json).at("status").as_string(), "Downloading");
  EXPECT_EQ(events[1]->type, "pile.diagnostics_status");
  EXPECT_EQ(json::parse(events[1]->json).at("status").as_string(), "Uploaded");
}

TEST_F(FleetEventsTest, TelemetryIsThrottledPerPileAndTheLatestValuesFollow) {
  listen();
  telemetry(230);  // first: at once
  ASSERT_EQ(recorder.types(), std::vector<std::string>{"telemetry"});
  auto first = recorder.last();
  auto c = first.at("connectors").as_array().at(0).as_object();
  EXPECT_EQ(c.at("connector").as_int64(), 1);
  EXPECT_EQ(c.at("transaction").as_int64(), 42);
  auto v = c.at("values").as_array().at(0).as_object();
  EXPECT_EQ(v.at("measurand").as_string(), "Voltage");
  EXPECT_EQ(v.at("phase").as_string(), "L1-N");
  EXPECT_EQ(v.at("location").as_string(), "");
  EXPECT_EQ(v.at("unit").as_string(), "V");
  EXPECT_EQ(v.at("value").as_double(), 230);

  for (int i = 1; i <= 50; ++i) {  // a burst inside the interval: held, not one event each
    clock.advance(10ms);
    telemetry(230 + i);
  }
  EXPECT_EQ(recorder.snapshot().size(), 1u);
  clock.advance(490ms);
  timers.advance(1000ms);  // the end of the interval
  ASSERT_EQ(recorder.snapshot().size(), 2u);
  auto flushed = recorder.last();
  EXPECT_EQ(flushed.at("connectors").as_array().at(0).at("values").as_array().at(0).at("value").as_double(), 280);
  EXPECT_EQ(flushed.at("at").as_string(), format_rfc3339(clock.now()));
  timers.advance(5000ms);
  EXPECT_EQ(recorder.snapshot().size(), 2u);  // nothing more held
}

TEST_F(FleetEventsTest, NothingIsRenderedOrHeldWhileNobodyListens) {
  telemetry(230);  // nobody listens: must not open a throttle interval
  EXPECT_EQ(timers.pending_timers(), 0u);
  listen();
  telemetry(231);
  ASSERT_EQ(recorder.snapshot().size(), 1u) << "an interval was started while nobody listened";
  EXPECT_EQ(metrics.counter("chargeplane_events_published_total", "", {{"type", "telemetry"}}).value(), 1u);
}

TEST_F(FleetEventsTest, GoingOfflineDropsHeldTelemetry) {
  listen();
  auto link = std::make_shared<TestLink>();
  fleet->connected("CP-1", link);
  telemetry(230);
  clock.advance(100ms);
  telemetry(231);  // held
  fleet->disconnected("CP-1", link.get());
  timers.advance(1000ms);
  EXPECT_EQ(recorder.types(), (std::vector<std::string>{"pile.online", "telemetry", "pile.offline"}));
}

}  // namespace
}  // namespace cp::services
