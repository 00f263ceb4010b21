#pragma once
// EventBus — in-process fan-out of live domain events (DESIGN.md §6 `GET /events`, §7: a Redis
// implementation fans out across nodes later). Publishers hand over an event already rendered
// as one JSON object; the bus stamps a sequence number and calls every subscriber synchronously
// on the publisher's thread. Subscribers must not block: they copy the shared pointer into
// their own bounded queue (the SSE stream in api/ does) and return.
// Thread-safe; publishing with no subscribers costs one atomic load.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

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

  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);
  bool has_subscribers() const { return count_.load(std::memory_order_relaxed) > 0; }

  // `json` must be one JSON object; the bus does not parse it.
  void publish(std::string type, std::string pile, Timestamp at, std::string json);

 private:
  mutable std::shared_mutex mu_;
  std::map<SubscriptionId, std::shared_ptr<Subscriber>> subscribers_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::uint64_t> next_seq_{1};
  SubscriptionId next_id_ = 1;
};

}  // namespace cp::services
