// GET /api/v1/events (Server-Sent Events) and POST /api/v1/events/ticket against the real
// ApiServer: framing, filters, tickets, keep-alive, slow-consumer drop, disconnect and stop.
#include <boost/json/parse.hpp>

#include "unit/api/api_fixture.h"
#include "unit/api/sse_client.h"

namespace cp::testing {
namespace {

using namespace std::chrono_literals;

struct EventsTest : ApiTest {
  void configure(api::ApiOptions& o) override {
    o.events.keep_alive = keep_alive;
    o.events.max_queue_events = max_queue_events;
    o.events.max_queue_bytes = max_queue_bytes;
    o.events.max_clients = max_clients;
  }
  std::chrono::milliseconds keep_alive = 60s;
  std::size_t max_queue_events = 4096;
  std::size_t max_queue_bytes = 4 * 1024 * 1024;
  std::size_t max_clients = 256;

  // An open stream: 200 and subscribed (the server subscribes before writing its header).
  std::unique_ptr<SseClient> open(const std::string& target, const std::string& token, int receive_buffer = 0) {
    auto c = std::make_unique<SseClient>(server->port(), target, token, receive_buffer);
    EXPECT_EQ(c->read_head(), 200) << c->body;
    return c;
  }
  void publish(const std::string& type, const std::string& pile, const std::string& extra = {}) {
    events.publish(type, pile, clock.now(),
                   R"({"type":")" + type + R"(","pile":")" + pile + R"(","at":")" + format_rfc3339(clock.now()) +
                       "\"" + extra + "}");
  }
  std::string ticket(const std::string& token) {
    auto r = call("POST", "/api/v1/events/ticket", {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("ticket").as_string());
  }
  std::uint64_t counter(const std::string& name, Labels labels = {}) {
    return metrics.counter(name, "", std::move(labels)).value();
  }
  template <class F>
  bool eventually(F f, std::chrono::milliseconds limit = 10s) {
    for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(5ms))
      if (f()) return true;
    return f();
  }
};

TEST_F(EventsTest, StreamAnswersEventStreamHeadersThenRetry) {
  auto c = open("/api/v1/events", admin);
  EXPECT_EQ(c->headers["content-type"], "text/event-stream");
  EXPECT_EQ(c->headers["cache-control"], "no-store");
  EXPECT_EQ(c->headers.count("content-length"), 0u);
  auto first = c->next_block();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->retry, "3000");
  EXPECT_TRUE(first->event.empty());
}

TEST_F(EventsTest, EachEventIsFramedWithIdTypeAndJsonData) {
  auto c = open("/api/v1/events", admin);
  publish("pile.online", "CP-1", R"(,"remote_address":"10.0.0.1:5000")");
  publish("pile.offline", "CP-1");
  auto a = c->next_event();
  auto b = c->next_event();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->event, "pile.online");
  auto j = boost::json::parse(a->data);
  EXPECT_EQ(j.at("type").as_string(), "pile.online");
  EXPECT_EQ(j.at("remote_address").as_string(), "10.0.0.1:5000");
  ASSERT_TRUE(a->id && b->id);
  EXPECT_LT(std::stoull(*a->id), std::stoull(*b->id));
  EXPECT_EQ(b->event, "pile.offline");
}

TEST_F(EventsTest, MultiLineDataIsSplitIntoDataLines) {
  auto c = open("/api/v1/events", admin);
  events.publish("custom.thing", "", clock.now(), "{\"a\":1,\n\"b\":2}");
  auto e = c->next_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->data, "{\"a\":1,\n\"b\":2}");
}

TEST_F(EventsTest, NeedsABearerTokenOrATicket) {
  SseClient none(server->port(), "/api/v1/events");
  EXPECT_EQ(none.read_head(), 401);
  EXPECT_NE(none.body.find("unauthorized"), std::string::npos);
  SseClient bad(server->port(), "/api/v1/events?ticket=not-a-ticket");
  EXPECT_EQ(bad.read_head(), 401);
  SseClient bad_token(server->port(), "/api/v1/events", "made-up-token");
  EXPECT_EQ(bad_token.read_head(), 401);
}

TEST_F(EventsTest, ATicketOpensOneStreamOnce) {
  const auto t = ticket(viewer);
  EXPECT_EQ(t.size(), 43u);
  SseClient first(server->port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(first.read_head(), 200);
  SseClient again(server->port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(again.read_head(), 401);
}

TEST_F(EventsTest, AnExpiredTicketIsRefused) {
  const auto t = ticket(viewer);
  clock.advance(61s);
  SseClient c(server->port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(c.read_head(), 401);
}

TEST_F(EventsTest, TicketNeedsAuthenticationAndIsNotABearerToken) {
  EXPECT_EQ(call("POST", "/api/v1/events/ticket").status, 401);
  const auto t = ticket(viewer);
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, t).status, 401);
  auto r = call("GET", "/api/v1/piles?ticket=" + t);  // only the events route takes tickets
  EXPECT_EQ(r.status, 401);
  SseClient still_valid(server->port(), "/api/v1/events?ticket=" + t);
  EXPECT_EQ(still_valid.read_head(), 200);
}

TEST_F(EventsTest, PileFilterPassesOnlyThosePiles) {
  auto c = open("/api/v1/events?pile=CP-2,CP-3", admin);
  publish("pile.online", "CP-1");
  publish("config_job.state", "");
  publish("pile.online", "CP-3");
  auto e = c->next_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(boost::json::parse(e->data).at("pile").as_string(), "CP-3");
}

TEST_F(EventsTest, TypeFilterMatchesExactTypesAndPrefixes) {
  auto c = open("/api/v1/events?type=connector.status,config_job.*,command", admin);
  for (const char* t : {"pile.online", "connector.status", "connector.statuses", "config_job.parameter",
                        "config_jobs.state", "command.result", "commander"})
    publish(t, "CP-1");
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i)
    if (auto e = c->next_event()) seen.push_back(e->event);
  EXPECT_EQ(seen, (std::vector<std::string>{"connector.status", "config_job.parameter", "command.result"}));
  EXPECT_FALSE(c->next_event(300ms));
}

TEST_F(EventsTest, MalformedFiltersAre400) {
  for (const char* target : {"/api/v1/events?pile=bad%20id", "/api/v1/events?type=Pile.Online",
                             "/api/v1/events?pile=CP-1,,CP-2", "/api/v1/events?type=.x"}) {
    SseClient c(server->port(), target, admin);
    EXPECT_EQ(c.read_head(), 400) << target;
    EXPECT_NE(c.body.find("invalid_parameter"), std::string::npos) << c.body;
  }
}

struct KeepAlive : EventsTest {
  KeepAlive() { keep_alive = 50ms; }
};

TEST_F(KeepAlive, IdleStreamGetsKeepAliveComments) {
  auto c = open("/api/v1/events", admin);
  ASSERT_TRUE(c->next_block());  // retry
  auto b = c->next_block(2s);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->comments, std::vector<std::string>{"keep-alive"});
  EXPECT_TRUE(b->event.empty());
}

struct SlowConsumer : EventsTest {
  SlowConsumer() {
    max_queue_events = 16;
    max_queue_bytes = 64 * 1024;
  }
};

TEST_F(SlowConsumer, ClientThatDoesNotReadIsDroppedWithAFinalEvent) {
  auto c = open("/api/v1/events", admin, 4096);
  const std::string padding(2000, 'x');
  const auto dropped = [&] { return counter("chargeplane_event_streams_dropped_total", {{"reason", "slow_consumer"}}); };
  // While the socket has room, events are written as they come.
  for (std::uint64_t i = 1; i <= 10; ++i) {
    publish("telemetry", "CP-1", R"(,"pad":")" + padding + "\"");
    ASSERT_TRUE(eventually([&] { return counter("chargeplane_events_sent_total") == i; }));
  }
  // Then far more than the socket buffers and the queue hold: the queue overflows.
  for (int i = 0; i < 4000 && dropped() == 0; ++i) publish("telemetry", "CP-1", R"(,"pad":")" + padding + "\"");
  EXPECT_EQ(dropped(), 1u);
  EXPECT_EQ(events.subscriber_count(), 0u);  // unsubscribed at once, before the client catches up
  std::optional<SseBlock> last;
  std::size_t delivered = 0;
  while (auto e = c->next_event(5s)) {
    if (e->event == "dropped") {
      last = e;
      break;
    }
    ++delivered;
  }
  ASSERT_TRUE(last) << "after " << delivered << " events";
  EXPECT_FALSE(last->id);
  auto j = boost::json::parse(last->data);
  EXPECT_EQ(j.at("type").as_string(), "dropped");
  EXPECT_EQ(j.at("reason").as_string(), "slow_consumer");
  EXPECT_EQ(j.at("max_queue_events").as_int64(), 16);
  EXPECT_GE(delivered, 10u);
  EXPECT_LT(delivered, 4000u);
  EXPECT_TRUE(c->closed_by_server());
  EXPECT_TRUE(eventually([&] { return metrics.gauge("chargeplane_event_streams", "").value() == 0; }));
}

TEST_F(EventsTest, DisconnectUnsubscribes) {
  auto c = open("/api/v1/events", admin);
  EXPECT_EQ(events.subscriber_count(), 1u);
  EXPECT_EQ(server->event_streams(), 1u);
  c->close();
  EXPECT_TRUE(eventually([&] { return events.subscriber_count() == 0 && server->event_streams() == 0; }));
  EXPECT_EQ(metrics.gauge("chargeplane_event_streams", "").value(), 0);
}

TEST_F(EventsTest, StopEndsStreamsWithAClosingEvent) {
  auto c = open("/api/v1/events", admin);
  publish("pile.online", "CP-1");
  server->stop();
  auto first = c->next_event();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "pile.online");  // what was queued is still delivered
  auto last = c->next_event();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->event, "closing");
  auto j = boost::json::parse(last->data);
  EXPECT_EQ(j.at("reason").as_string(), "server_stopping");
  EXPECT_EQ(j.at("last_event_id").as_int64(), std::stoll(*first->id));
  EXPECT_TRUE(c->closed_by_server());
  EXPECT_EQ(events.subscriber_count(), 0u);
}

TEST_F(EventsTest, MetricsCountClientsAndEventsSent) {
  auto c = open("/api/v1/events", admin);
  publish("pile.online", "CP-1");
  ASSERT_TRUE(c->next_event());
  // Counted when the write completes, which the client may see first.
  ASSERT_TRUE(eventually([&] { return counter("chargeplane_events_sent_total") == 1; }));
  auto r = call("GET", "/metrics");
  EXPECT_NE(r.body.find("chargeplane_event_streams 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("chargeplane_events_sent_total 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"(chargeplane_events_published_total{type="pile.online"} 1)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"(chargeplane_event_streams_dropped_total{reason="slow_consumer"} 0)"), std::string::npos);
}

struct OneClient : EventsTest {
  OneClient() { max_clients = 1; }
};

TEST_F(OneClient, StreamsBeyondTheLimitAre503) {
  auto c = open("/api/v1/events", admin);
  SseClient second(server->port(), "/api/v1/events", admin);
  EXPECT_EQ(second.read_head(), 503);
  EXPECT_NE(second.body.find("too_many_event_streams"), std::string::npos);
}

}  // namespace
}  // namespace cp::testing
