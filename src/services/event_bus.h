#pragma once
// EventBus — in-process fan-out of live domain events (DESIGN.md §6 `GET /events`, §7: a Redis
// implementation fans out across nodes later). Publishers hand over an event already rendered
// as one JSON object; the bus stamps a sequence number and calls every subscriber synchronously
// on the publisher's thread. Subscribers must not block: they copy the shared pointer into
// their own bounded queue (the SSE stream in api/ does) and return.
//
// Cost: publishing with no subscribers is one atomic load, and publishers are expected to
// check `has_subscribers()` before rendering anything (Fleet does, on the OCPP hot path).
// Metrics (when constructed with a Metrics): `chargeplane_events_published_total{type}` counts
// events fanned out to at least one subscriber (an event nobody listens to is not rendered, so
// it is not counted either).
// Every subscriber sees events in increasing `seq` order (publishes are serialised; a
// subscriber only enqueues, so this costs little).
// Thread-safe; a subscriber may unsubscribe itself (or others) from inside its callback, and
// may still be called once by a publish that started before the unsubscribe returned. A
// subscriber must not publish from its callback.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/metrics.h"
#include "core/time.h"

namespace cp::services {

struct LiveEvent {
  std::uint64_t seq = 0;  // assigned by the bus; increasing (the SSE `id:`)
  std::string type;       // "pile.online", "connector.status", "config_job.parameter", ...
  std::string pile;       // the pile it is about, "" when none (filters use it)
  Timestamp at;
  std::string json;       // the whole event as one JSON object (includes type, pile, at)
};

class EventBus {
 public:
  using Subscriber = std::function<void(const std::shared_ptr<const LiveEvent>&)>;
  using SubscriptionId = std::uint64_t;

  EventBus() = default;
  explicit EventBus(Metrics& metrics) : metrics_(&metrics) {}
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);
  bool has_subscribers() const { return count_.load(std::memory_order_relaxed) > 0; }
  std::size_t subscriber_count() const { return count_.load(std::memory_order_relaxed); }

  // `json` must be one JSON object; the bus does not parse it.
  void publish(std::string type, std::string pile, Timestamp at, std::string json);

 private:
  Counter* published_counter(const std::string& type);

  mutable std::shared_mutex mu_;
  std::map<SubscriptionId, std::shared_ptr<Subscriber>> subscribers_;
  std::atomic<std::size_t> count_{0};
  std::mutex publish_mu_;        // orders publishes (see publish)
  std::uint64_t next_seq_ = 1;  // guarded by publish_mu_
  SubscriptionId next_id_ = 1;

  Metrics* metrics_ = nullptr;
  std::mutex counters_mu_;
  std::unordered_map<std::string, Counter*> published_;  // by type, looked up once per type
};

}  // namespace cp::services
