// Live events end to end: the real binary, a real OCPP client, a real SSE client.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <regex>
#include <thread>

#include "integration/support/server_process.h"
#include "unit/api/sse_client.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
const std::string kPassword = "integration-pile-secret-01";
const char* kBoot = R"({"chargePointVendor":"Acme","chargePointModel":"AC22","firmwareVersion":"1.2.3"})";

std::string ticket_for(unsigned short port, const std::string& token) {
  auto r = http_request(port, "POST", "/api/v1/events/ticket", {}, token);
  EXPECT_EQ(r.status, 200) << r.body;
  return std::string(json::parse(r.body).at("ticket").as_string());
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A metric's value from /metrics, -1 when absent.
double metric(unsigned short port, const std::string& series) {
  auto r = http_request(port, "GET", "/metrics");
  std::smatch m;
  const std::regex re("(^|\n)" + std::regex_replace(series, std::regex(R"([{}\"])"), R"(\$&)") + " ([0-9.e+]+)");
  return std::regex_search(r.body, m, re) ? std::stod(m[2]) : -1;
}

std::string meter_values(int values, const std::string& at) {
  static const char* measurands[] = {"Voltage", "Current.Import", "Power.Active.Import", "Current.Offered",
                                     "Power.Offered", "Temperature", "Frequency", "Power.Reactive.Import",
                                     "Current.Export", "Power.Factor"};
  static const char* phases[] = {"L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1"};
  json::array sampled;
  for (int i = 0; i < values; ++i)
    sampled.push_back(json::object{{"value", std::to_string(200 + i) + ".5"},
                                   {"measurand", measurands[i % 10]},
                                   {"phase", phases[(i / 10) % 10]}});
  json::object payload{{"connectorId", 1},
                       {"meterValue", json::array{json::object{{"timestamp", at}, {"sampledValue", sampled}}}}};
  return json::serialize(payload);
}

struct Events : ::testing::Test {
  std::unique_ptr<ServerProcess> server;
  std::string token;
  virtual std::vector<std::string> args() { return {}; }
  void SetUp() override {
    server = std::make_unique<ServerProcess>(args());
    token = login(server->api_port(), server->admin_password());
  }
  std::unique_ptr<SseClient> stream(const std::string& target, int receive_buffer = 0) {
    auto c = std::make_unique<SseClient>(server->api_port(), target, token, receive_buffer);
    EXPECT_EQ(c->read_head(), 200) << c->body;
    return c;
  }
  json::object next(SseClient& c, const std::string& type) {
    auto e = c.next_event();
    if (!e) throw std::runtime_error("no event, expected " + type);
    EXPECT_EQ(e->event, type) << e->data;
    return json::parse(e->data).as_object();
  }
};

TEST_F(Events, AnOperatorSeesAPilesLifeAsItHappens) {
  register_pile(server->api_port(), token, "CP-EV-1", kPassword);
  register_pile(server->api_port(), token, "CP-EV-2", kPassword);
  auto sse = stream("/api/v1/events?pile=CP-EV-1");
  OcppClient other;  // filtered out
  ASSERT_EQ(other.connect(server->ocpp_port(), "CP-EV-2", kPassword), 101);

  OcppClient pile;
  ASSERT_EQ(pile.connect(server->ocpp_port(), "CP-EV-1", kPassword), 101);
  auto online = next(*sse, "pile.online");
  EXPECT_EQ(online.at("pile").as_string(), "CP-EV-1");
  EXPECT_EQ(std::string(online.at("remote_address").as_string()).rfind("127.0.0.1:", 0), 0u);

  pile.call("1", "BootNotification", kBoot);
  auto booted = next(*sse, "pile.booted");
  EXPECT_EQ(booted.at("vendor").as_string(), "Acme");
  EXPECT_EQ(booted.at("registration").as_string(), "Accepted");

  pile.call("2", "StatusNotification", R"({"connectorId":1,"errorCode":"NoError","status":"Preparing"})");
  auto status = next(*sse, "connector.status");
  EXPECT_EQ(status.at("connector").as_int64(), 1);
  EXPECT_EQ(status.at("status").as_string(), "Preparing");

  pile.call("3", "MeterValues",
            R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[)"
            R"({"value":"231.5","measurand":"Voltage","phase":"L1-N","unit":"V"}]}]})");
  auto telemetry = next(*sse, "telemetry");
  auto v = telemetry.at("connectors").as_array().at(0).at("values").as_array().at(0);
  EXPECT_EQ(v.at("measurand").as_string(), "Voltage");
  EXPECT_EQ(v.at("value").as_double(), 231.5);
  EXPECT_EQ(v.at("at").as_string(), "2026-11-22T10:00:00.000Z");

  other.close();
  pile.close();
  auto offline = next(*sse, "pile.offline");
  EXPECT_EQ(offline.at("pile").as_string(), "CP-EV-1");
  // The counter moves when the write completes, which can be just after the client read it.
  double sent = 0;
  for (int i = 0; i < 100 && sent < 5; ++i) {
    sent = metric(server->api_port(), "chargeplane_events_sent_total");
    if (sent < 5) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(sent, 5);
}

TEST_F(Events, AReconnectWithLastEventIdGetsWhatItMissedThenLiveEvents) {
  register_pile(server->api_port(), token, "CP-RE-1", kPassword);
  const std::string target = "/api/v1/events?pile=CP-RE-1";
  std::string last_id;
  {
    auto first = stream(target);
    OcppClient warmup;  // something to see, so the client has an id
    ASSERT_EQ(warmup.connect(server->ocpp_port(), "CP-RE-1", kPassword), 101);
    auto online = first->next_event();
    ASSERT_TRUE(online && online->id);
    EXPECT_EQ(online->event, "pile.online");
    last_id = *online->id;
    warmup.close();
    auto offline = first->next_event();
    ASSERT_TRUE(offline && offline->id);
    last_id = *offline->id;
  }  // the client goes away
  OcppClient pile;  // what happens while it is away
  ASSERT_EQ(pile.connect(server->ocpp_port(), "CP-RE-1", kPassword), 101);
  pile.call("1", "BootNotification", kBoot);
  pile.call("2", "StatusNotification", R"({"connectorId":1,"errorCode":"NoError","status":"Preparing"})");

  // A browser's EventSource sends Last-Event-ID on its own when it reconnects.
  SseClient again(server->api_port(), target, token, 0, {{"Last-Event-ID", last_id}});
  ASSERT_EQ(again.read_head(), 200) << again.body;
  std::vector<std::string> ids;
  for (const char* type : {"pile.online", "pile.booted", "connector.status"}) {
    auto e = again.next_event();
    ASSERT_TRUE(e) << "missing " << type;
    EXPECT_EQ(e->event, type) << e->data;
    ASSERT_TRUE(e->id);
    ids.push_back(*e->id);
  }
  EXPECT_LT(std::stoull(last_id), std::stoull(ids[0]));
  EXPECT_LT(std::stoull(ids[0]), std::stoull(ids[1]));
  EXPECT_LT(std::stoull(ids[1]), std::stoull(ids[2]));
  pile.call("3", "StatusNotification", R"({"connectorId":1,"errorCode":"NoError","status":"Charging"})");
  auto live = next(again, "connector.status");  // then live, as usual
  EXPECT_EQ(live.at("status").as_string(), "Charging");

  // An id the server never handed out (another run, or made up): told to re-read the state,
  // then live events. `?last_event_id=` is for clients that cannot set the header.
  auto lost = stream(target + "&last_event_id=12");
  auto notice = lost->next_event();
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->event, "replay_unavailable");
  EXPECT_FALSE(notice->id);
  EXPECT_EQ(json::parse(notice->data).at("last_event_id").as_string(), "12");
  pile.call("4", "StatusNotification", R"({"connectorId":1,"errorCode":"NoError","status":"Finishing"})");
  EXPECT_EQ(next(*lost, "connector.status").at("status").as_string(), "Finishing");
}

TEST_F(Events, TelemetryBurstsAreThrottledPerPile) {
  register_pile(server->api_port(), token, "CP-EV-3", kPassword);
  auto sse = stream("/api/v1/events?type=telemetry");
  OcppClient pile;
  ASSERT_EQ(pile.connect(server->ocpp_port(), "CP-EV-3", kPassword), 101);
  pile.call("b", "BootNotification", kBoot);
  const int samples = 20;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= samples; ++i)
    pile.call(std::to_string(i), "MeterValues",
              R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[)"
              R"({"value":")" + std::to_string(i) + R"(","measurand":"Voltage","unit":"V"}]}]})");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_LT(took, 8s) << "too slow to tell throttled from unthrottled";
  std::vector<double> values;
  while (auto e = sse->next_event(2500ms))
    values.push_back(json::parse(e->data).at("connectors").at(0).at("values").at(0).at("value").as_double());
  // One event at the first sample, then at most one per started second of the burst.
  ASSERT_FALSE(values.empty());
  EXPECT_LE(values.size(), static_cast<std::size_t>(took / 1s) + 2) << "burst took " << took.count() << " ms";
  EXPECT_EQ(values.front(), 1);
  EXPECT_EQ(values.back(), samples) << "the newest value must follow the burst";
}

struct EventTickets : Events {
  std::vector<std::string> args() override { return {"--events-ticket-ttl", "1"}; }
};

TEST_F(EventTickets, ATicketWorksOnceAndExpires) {
  const auto t = ticket_for(server->api_port(), token);
  SseClient first(server->api_port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(first.read_head(), 200);
  SseClient reused(server->api_port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(reused.read_head(), 401);

  const auto late = ticket_for(server->api_port(), token);
  std::this_thread::sleep_for(1200ms);
  SseClient expired(server->api_port(), "/api/v1/events?ticket=" + late);
  EXPECT_EQ(expired.read_head(), 401);
  EXPECT_EQ(server->log().find(t), std::string::npos) << "a ticket was logged";
  EXPECT_EQ(server->log().find(late), std::string::npos) << "a ticket was logged";
}

struct SlowClient : Events {
  std::vector<std::string> args() override {
    return {"--events-queue-events", "64",       "--events-queue-bytes",  "262144",  "--events-telemetry-interval",
            "0",                     "--messages-per-second", "1000000", "--message-burst", "1000000",
            "--synchronous-full",    "false"};
  }
};

TEST_F(SlowClient, IsDroppedWithAFinalEventWhileServerMemoryStaysBounded) {
  register_pile(server->api_port(), token, "CP-EV-4", kPassword);
  OcppClient pile;
  ASSERT_EQ(pile.connect(server->ocpp_port(), "CP-EV-4", kPassword), 101);
  pile.call("b", "BootNotification", kBoot);
  const std::string payload = meter_values(100, "2026-11-22T10:00:00Z");  // ~8 KiB per telemetry event
  for (int i = 0; i < 200; ++i) pile.call("w" + std::to_string(i), "MeterValues", payload);  // warm up, unobserved
  const long before = rss_kib(server->pid());

  auto slow = stream("/api/v1/events", 4096);  // subscribed, then does not read
  const std::string dropped = R"(chargeplane_event_streams_dropped_total{reason="slow_consumer"})";
  int calls = 0;
  for (; calls < 2000; ++calls) {
    pile.call(std::to_string(calls), "MeterValues", payload);
    if (calls % 10 == 9 && metric(server->api_port(), dropped) == 1) break;
  }
  const long after = rss_kib(server->pid());
  RecordProperty("events_until_drop", calls + 1);
  RecordProperty("rss_growth_kib", static_cast<int>(after - before));
  ASSERT_EQ(metric(server->api_port(), dropped), 1) << "not dropped after " << calls << " events of ~8 KiB";
  EXPECT_LT(calls, 400) << "dropped only after " << calls << " events: the queue is not bounded as configured";
  // AddressSanitizer's redzones and quarantine inflate every allocation; the bound is still a bound.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long kRssBoundKib = 64 * 1024;
#else
  constexpr long kRssBoundKib = 16 * 1024;
#endif
  EXPECT_LT(after - before, kRssBoundKib) << "RSS grew from " << before << " KiB to " << after << " KiB";

  // Reading now (within the server's grace), the client learns why its stream ended.
  std::optional<SseBlock> last;
  int received = 0;
  while (auto e = slow->next_event(5s)) {
    last = e;
    ++received;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->event, "dropped") << "after " << received << " events";
  if (last->event == "dropped") {
    EXPECT_EQ(json::parse(last->data).at("reason").as_string(), "slow_consumer");
  }
  EXPECT_GT(received, 1);
  EXPECT_TRUE(slow->closed_by_server());
  EXPECT_EQ(metric(server->api_port(), "chargeplane_event_streams"), 0);
}

TEST_F(Events, SigtermClosesStreamsWithAClosingEvent) {
  auto sse = stream("/api/v1/events");
  ASSERT_TRUE(sse->next_block());  // retry
  std::thread stop([&] { EXPECT_EQ(server->terminate(), 0); });
  auto e = sse->next_event();
  stop.join();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event, "closing");
  EXPECT_TRUE(sse->closed_by_server());
}

}  // namespace
}  // namespace cp::testing
