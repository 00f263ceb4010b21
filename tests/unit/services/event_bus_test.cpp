#include "services/event_bus.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace cp::services {
namespace {

const Timestamp kAt = from_millis(1'700'000'000'000);

TEST(EventBus, DeliversToEverySubscriberWithIncreasingIds) {
  EventBus bus;
  std::vector<std::uint64_t> a, b;
  bus.subscribe([&](const auto& e) { a.push_back(e->seq); });
  bus.subscribe([&](const auto& e) { b.push_back(e->seq); });
  bus.publish("pile.online", "CP-1", kAt, R"({"type":"pile.online"})");
  bus.publish("pile.offline", "CP-1", kAt, R"({"type":"pile.offline"})");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_LT(a[0], a[1]);
}

TEST(EventBus, EventCarriesWhatThePublisherGave) {
  EventBus bus;
  std::shared_ptr<const LiveEvent> got;
  bus.subscribe([&](const auto& e) { got = e; });
  bus.publish("connector.status", "CP-9", kAt, R"({"x":1})");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, "connector.status");
  EXPECT_EQ(got->pile, "CP-9");
  EXPECT_EQ(got->at, kAt);
  EXPECT_EQ(got->json, R"({"x":1})");
}

TEST(EventBus, ConcurrentPublishersReachEachSubscriberInIdOrder) {
  EventBus bus;
  std::vector<std::uint64_t> seen;  // the bus serialises publishes, so no lock is needed here
  bus.subscribe([&](const auto& e) { seen.push_back(e->seq); });
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t)
    publishers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) bus.publish("telemetry", "CP-1", kAt, "{}");
    });
  for (auto& t : publishers) t.join();
  ASSERT_EQ(seen.size(), 8000u);
  for (std::size_t i = 1; i < seen.size(); ++i) ASSERT_LT(seen[i - 1], seen[i]) << i;
}

TEST(EventBus, UnsubscribeFromInsideTheCallbackStopsDelivery) {
  EventBus bus;
  int calls = 0;
  EventBus::SubscriptionId id = 0;
  id = bus.subscribe([&](const auto&) {
    ++calls;
    bus.unsubscribe(id);
  });
  bus.publish("a", "", kAt, "{}");
  bus.publish("b", "", kAt, "{}");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(bus.has_subscribers());
}

TEST(EventBus, CountsFannedOutEventsByTypeOnly) {
  Metrics metrics;
  EventBus bus(metrics);
  auto& online = metrics.counter("chargeplane_events_published_total", "", {{"type", "pile.online"}});
  bus.publish("pile.online", "CP-1", kAt, "{}");  // nobody listens: not counted
  EXPECT_EQ(online.value(), 0u);
  auto id = bus.subscribe([](const auto&) {});
  bus.publish("pile.online", "CP-1", kAt, "{}");
  bus.publish("pile.online", "CP-2", kAt, "{}");
  bus.publish("telemetry", "CP-2", kAt, "{}");
  EXPECT_EQ(online.value(), 2u);
  EXPECT_EQ(metrics.counter("chargeplane_events_published_total", "", {{"type", "telemetry"}}).value(), 1u);
  bus.unsubscribe(id);
  EXPECT_EQ(bus.subscriber_count(), 0u);
}


namespace replay {

using Seen = std::vector<std::uint64_t>;
EventBus::Subscriber collect(Seen& seen) {
  return [&seen](const std::shared_ptr<const LiveEvent>& e) { seen.push_back(e->seq); };
}
void publish_n(EventBus& bus, int n) {
  for (int i = 0; i < n; ++i) bus.publish("t", "P", Timestamp{}, "{}");
}

TEST(EventBusReplay, AReturningSubscriberGetsWhatItMissedInOrderThenLiveEvents) {
  Metrics metrics;
  EventBus bus(metrics, EventBusOptions{1000, 8, std::chrono::seconds(60)});
  Seen first;
  const auto id = bus.subscribe(collect(first));
  publish_n(bus, 3);  // 1000, 1001, 1002
  ASSERT_EQ(first, (Seen{1000, 1001, 1002}));
  bus.unsubscribe(id);
  EXPECT_TRUE(bus.has_subscribers());  // listening on for the grace, so publishers keep rendering
  publish_n(bus, 2);                   // 1003, 1004: nobody connected
  Seen again;
  EventBus::Replay r;
  bus.subscribe(collect(again), 1002, &r);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.events, 2u);
  publish_n(bus, 1);
  EXPECT_EQ(again, (Seen{1003, 1004, 1005}));
  // Up to date: nothing to replay, and complete.
  Seen current;
  bus.subscribe(collect(current), 1005, &r);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(current.empty());
}

TEST(EventBusReplay, IdsItNoLongerKeepsOrNeverGaveOutAreIncomplete) {
  Metrics metrics;
  EventBus bus(metrics, EventBusOptions{1000, 4, std::chrono::seconds(60)});
  Seen sink;
  bus.subscribe(collect(sink));
  publish_n(bus, 10);  // 1000..1009; kept: 1006..1009
  const std::pair<std::uint64_t, bool> cases[] = {
      {1005, true},   // the oldest kept one follows it
      {1004, false},  // 1005 is gone
      {999, false},   // before this bus's first id
      {12, false},    // from an earlier run
      {1010, false},  // not handed out yet
      {1009, true},
  };
  for (const auto& [after, complete] : cases) {
    Seen seen;
    EventBus::Replay r;
    const auto id = bus.subscribe(collect(seen), after, &r);
    EXPECT_EQ(r.complete, complete) << after;
    EXPECT_EQ(seen.size(), complete ? std::size_t(1009 - after) : 0u) << after;
    bus.unsubscribe(id);  // `seen` ends with this iteration
  }
  // An incomplete replay hands over nothing (the client re-reads the state), then live events.
  Seen partial;
  EventBus::Replay r;
  bus.subscribe(collect(partial), 1004, &r);
  EXPECT_TRUE(partial.empty());
  publish_n(bus, 1);
  EXPECT_EQ(partial, (Seen{1010}));
}

TEST(EventBusReplay, AfterTheGraceWithNobodyListeningTheKeptEventsAreForgotten) {
  Metrics metrics;
  EventBus bus(metrics, EventBusOptions{1, 16, std::chrono::milliseconds(20)});
  Seen first;
  const auto id = bus.subscribe(collect(first));
  publish_n(bus, 2);
  bus.unsubscribe(id);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_FALSE(bus.has_subscribers());  // publishers stop rendering: later events are not seen
  publish_n(bus, 1);                    // dropped: nobody listens
  Seen again;
  EventBus::Replay r;
  bus.subscribe(collect(again), 2, &r);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(again.empty());
}

TEST(EventBusReplay, WithoutReplayOptionsNothingIsKeptAndNobodyListensOn) {
  EventBus bus;  // defaults: no replay, no grace
  Seen first;
  const auto id = bus.subscribe(collect(first));
  publish_n(bus, 2);
  bus.unsubscribe(id);
  EXPECT_FALSE(bus.has_subscribers());
  Seen again;
  EventBus::Replay r;
  bus.subscribe(collect(again), 1, &r);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(again.empty());
}

}  // namespace replay

}  // namespace
}  // namespace cp::services
