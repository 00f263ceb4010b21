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

}  // namespace
}  // namespace cp::services
