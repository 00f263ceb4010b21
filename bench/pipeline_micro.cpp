// pipeline_micro — CPU cost of each stage a MeterValues CALL goes through, in-process and
// without sockets, so the figures hold on a noisy shared machine (Google Benchmark reports
// thread CPU time; the store stage reports process CPU, writer thread included):
//   ocpp16_meter_values  frame parse + schema validation + decode + domain mapping + CALLRESULT
//                        (CentralSystemSession with a sink that completes at once)
//   registry_telemetry   live-state update after COMMIT (Registry::on_telemetry)
//   fleet_telemetry/G    the whole path without sockets: CentralSystemSession → Fleet → SQLite
//                        group commit → Registry → CALLRESULT, G calls in flight per commit
//   store_telemetry/G    SQLite group commit of G MeterValues per transaction (200 piles,
//                        8 values each), synchronous=FULL: process CPU per message
// Run: build/bench/pipeline_micro [--benchmark_filter=...]; figures go to BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "domain/sink.h"
#include "protocol/ocpp/v16/central_system.h"
#include "core/metrics.h"
#include "services/fleet.h"
#include "services/registry.h"
#include "store/store.h"

namespace {

using namespace cp;

// The frame bench/loadgen.js sends (meterValuesPayload there: same values, keys in the same
// order, which is not the schema's): one meterValue, 8 sampled values.
std::string meter_values_frame(int n) {
  const auto v = [](const std::string& value, const std::string& measurand, const std::string& unit,
                    const std::string& phase = "", const std::string& location = "Outlet") {
    return "{\"value\":\"" + value + "\",\"context\":\"Sample.Periodic\",\"measurand\":\"" + measurand +
           "\",\"unit\":\"" + unit + "\",\"location\":\"" + location + "\"" +
           (phase.empty() ? "" : ",\"phase\":\"" + phase + "\"") + "}";
  };
  return "[2,\"" + std::to_string(n) +
         "\",\"MeterValues\",{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2026-11-22T10:00:00.000Z\","
         "\"sampledValue\":[" +
         v(std::to_string(1000000 + n), "Energy.Active.Import.Register", "Wh") + "," +
         v("11000", "Power.Active.Import", "W") + "," + v("15.94", "Current.Import", "A", "L1") + "," +
         v("15.91", "Current.Import", "A", "L2") + "," + v("15.97", "Current.Import", "A", "L3") + "," +
         v("230.4", "Voltage", "V", "L1-N") + "," + v("31.2", "Temperature", "Celsius", "", "Body") + "," +
         v("57", "SoC", "Percent", "", "EV") + "]}]}]";
}

store::PileRecord pile_record(int n) {
  store::PileRecord pile;
  pile.id = "BENCH-" + std::to_string(n);
  pile.protocol = "ocpp1.6";
  return pile;
}

class FixedClock final : public Clock {
 public:
  Timestamp now() const override { return Timestamp{std::chrono::milliseconds(1'795'000'000'000)}; }
};

// Completes everything at once, as a store that has just committed would.
class InstantSink final : public domain::PileEventSink {
 public:
  domain::TelemetrySampled last;
  void booted(domain::PileBooted, domain::Reply<domain::BootDecision> r) override { r(domain::BootDecision{}); }
  void heartbeat(const domain::PileId&, domain::Reply<Timestamp> r) override { r(Timestamp{}); }
  void authorize(const domain::PileId&, const std::string&, domain::Reply<domain::Authorization> r) override {
    r(domain::Authorization{});
  }
  void connector_status(domain::ConnectorStatusChanged, domain::Done d) override { d(Status{}); }
  void transaction_started(domain::TransactionStarted, domain::Reply<domain::TransactionDecision> r) override {
    r(domain::TransactionDecision{});
  }
  void transaction_ended(domain::TransactionEnded, domain::Reply<std::optional<domain::Authorization>> r) override {
    r(std::optional<domain::Authorization>{});
  }
  void transaction_recorded(domain::TransactionRecorded, domain::Reply<domain::TransactionId> r) override {
    r(domain::TransactionId{1});
  }
  void telemetry(domain::TelemetrySampled s, domain::Done d) override {
    last = std::move(s);
    d(Status{});
  }
  void data_transfer(domain::DataTransferReceived, domain::Reply<DataTransferOutcome> r) override {
    r(DataTransferOutcome{"Accepted", {}});
  }
  void firmware_status(domain::FirmwareStatusReported, domain::Done d) override { d(Status{}); }
  void diagnostics_status(domain::DiagnosticsStatusReported, domain::Done d) override { d(Status{}); }
  void frame_rejected(domain::FrameRejected) override {}
};

// As the WebSocket gateway sets them: the transport has checked the text is UTF-8.
ocpp::v16::SessionOptions gateway_session_options() {
  ocpp::v16::SessionOptions o;
  o.utf8_checked = true;
  return o;
}

void ocpp16_meter_values(benchmark::State& state) {
  FixedClock clock;
  InstantSink sink;
  std::size_t sent = 0, bytes = 0;
  ocpp::v16::CentralSystemSession session(
      "BENCH-00001", sink, clock, [&](std::string frame) { ++sent; bytes += frame.size(); },
      [](std::function<void()> fn) { fn(); }, nullptr, gateway_session_options());
  std::vector<std::string> frames;
  for (int i = 0; i < 64; ++i) frames.push_back(meter_values_frame(i));
  std::size_t i = 0;
  for (auto _ : state) session.on_message(frames[i++ % frames.size()]);
  if (sent != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a CALL was not answered");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frames[0].size()));
}
BENCHMARK(ocpp16_meter_values);

domain::TelemetrySampled sample_for(int pile, Timestamp at) {
  FixedClock clock;
  InstantSink sink;
  ocpp::v16::CentralSystemSession session("BENCH-" + std::to_string(pile), sink, clock, [](std::string) {},
                                          [](std::function<void()> fn) { fn(); }, nullptr);
  session.on_message(meter_values_frame(1));
  for (auto& s : sink.last.samples) s.at = at;
  return std::move(sink.last);
}

void registry_telemetry(benchmark::State& state) {
  services::Registry registry;
  std::vector<store::PileRecord> piles;
  for (int p = 0; p < 200; ++p) piles.push_back(pile_record(p));
  registry.load(piles, {});
  std::vector<domain::TelemetrySampled> samples;
  for (int p = 0; p < 200; ++p) samples.push_back(sample_for(p, FixedClock{}.now()));
  std::size_t i = 0;
  for (auto _ : state) registry.on_telemetry(samples[i++ % samples.size()]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(registry_telemetry);

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// G MeterValues per commit: submit G batches, wait for their commit, repeat. Reports the
// process's CPU (writer thread, WAL writes, fsync) per message.
void store_telemetry(benchmark::State& state) {
  const auto group = static_cast<int>(state.range(0));
  const auto dir = std::filesystem::temp_directory_path() / ("cp-pipeline-micro-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SqliteOptions options;
  options.path = (dir / "bench.db").string();
  options.synchronous_full = std::getenv("CP_BENCH_SYNC_NORMAL") == nullptr;
  auto opened = store::open_sqlite(options);
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  auto& store = **opened;
  for (int p = 0; p < 200; ++p) {
    store.submit({store::UpsertPile{pile_record(p)}}, nullptr);
  }
  store.flush();
  std::vector<std::shared_ptr<const std::vector<domain::MeterSample>>> samples;
  for (int p = 0; p < 200; ++p)
    samples.push_back(std::make_shared<const std::vector<domain::MeterSample>>(sample_for(p, FixedClock{}.now()).samples));
  std::int64_t messages = 0;
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    std::atomic<int> done{0};
    for (int g = 0; g < group; ++g) {
      const int p = static_cast<int>((messages + g) % 200);
      store.submit({store::InsertTelemetry{"BENCH-" + std::to_string(p), 1, 42, samples[static_cast<std::size_t>(p)]}},
                   [&done](const Status&) { done.fetch_add(1, std::memory_order_relaxed); });
    }
    store.flush();
    messages += group;
  }
  const double cpu = process_cpu_seconds() - cpu0;
  state.counters["process_cpu_us_per_msg"] = cpu * 1e6 / double(messages);
  state.SetItemsProcessed(messages);
  store.close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(store_telemetry)->Arg(1)->Arg(10)->Arg(70)->Arg(500)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Everything a MeterValues call costs except the sockets: G sessions each send one call, then
// wait for every CALLRESULT (the writer commits them together). Process CPU per call.
void fleet_telemetry(benchmark::State& state) {
  const auto group = static_cast<int>(state.range(0));
  const auto dir = std::filesystem::temp_directory_path() / ("cp-pipeline-fleet-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Metrics metrics;
  store::SqliteOptions options;
  options.path = (dir / "bench.db").string();
  options.metrics = &metrics;
  auto opened = store::open_sqlite(options);
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  auto& store = **opened;
  services::Registry registry;
  std::vector<store::PileRecord> piles;
  for (int p = 0; p < group; ++p) {
    piles.push_back(pile_record(p));
    store.submit({store::UpsertPile{piles.back()}}, nullptr);
  }
  store.flush();
  registry.load(piles, {});
  SystemClock clock;
  services::Fleet fleet(store, registry, clock, metrics, services::FleetOptions{}, nullptr, nullptr);
  std::atomic<std::int64_t> answered{0};
  std::vector<std::unique_ptr<ocpp::v16::CentralSystemSession>> sessions;
  for (int p = 0; p < group; ++p)
    sessions.push_back(std::make_unique<ocpp::v16::CentralSystemSession>(
        piles[static_cast<std::size_t>(p)].id, fleet, clock,
        [&answered](std::string) { answered.fetch_add(1, std::memory_order_relaxed); },
        [](std::function<void()> fn) { fn(); }, &metrics, gateway_session_options()));
  std::vector<std::string> frames;
  for (int i = 0; i < 64; ++i) frames.push_back(meter_values_frame(i));
  std::int64_t messages = 0;
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    for (int p = 0; p < group; ++p)
      sessions[static_cast<std::size_t>(p)]->on_message(frames[static_cast<std::size_t>(messages + p) % frames.size()]);
    messages += group;
    store.flush();
    while (answered.load(std::memory_order_relaxed) < messages) std::this_thread::yield();
  }
  const double cpu = process_cpu_seconds() - cpu0;
  state.counters["process_cpu_us_per_msg"] = cpu * 1e6 / double(messages);
  state.SetItemsProcessed(messages);
  for (auto& s : sessions) s->on_closed();
  store.close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(fleet_telemetry)->Arg(10)->Arg(70)->Arg(200)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
