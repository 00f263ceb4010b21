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
//
// Replay (SSE `Last-Event-ID`): the bus keeps the last `replay_events` events. A subscriber that
// says which event it saw last gets every later one first, in order, then the live ones, with
// no gap and no duplicate (both happen under the publish lock). After the last subscriber
// leaves, `has_subscribers()` stays true for `keep_listening`, so publishers keep rendering and
// a client reconnecting within that time loses nothing; after it, publishers stop rendering and
// the kept events are forgotten (what follows has a gap: a later replay says it is incomplete).
// Sequence numbers start at `first_seq` (serve derives it from the wall clock, so they also keep
// increasing across restarts and an id from before a restart is never mistaken for a newer one).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
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

// Defaults: no replay (tests and tools); `serve` keeps 4,096 events and listens on for 60 s.
struct EventBusOptions {
  std::uint64_t first_seq = 1;
  std::size_t replay_events = 0;              // kept for replay (0: none)
  std::chrono::milliseconds keep_listening{0};  // after the last subscriber leaves
};

class EventBus {
 public:
  using Subscriber = std::function<void(const std::shared_ptr<const LiveEvent>&)>;
  using SubscriptionId = std::uint64_t;
  // What a subscribe with `after` got: `complete` when every event after it was replayed.
  struct Replay {
    bool complete = true;
    std::size_t events = 0;
  };

  EventBus() = default;
  explicit EventBus(Metrics& metrics, EventBusOptions options = {})
      : options_(options), next_seq_(options.first_seq), replay_from_(options.first_seq), metrics_(&metrics) {}
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  SubscriptionId subscribe(Subscriber subscriber);
  // Calls `subscriber` with the kept events after `after` (its Last-Event-ID) before any live
  // one, if the bus still has all of them; `replay` (optional) says whether it had (if not,
  // nothing is replayed and the subscriber gets live events only).
  SubscriptionId subscribe(Subscriber subscriber, std::uint64_t after, Replay* replay);
  void unsubscribe(SubscriptionId id);
  bool has_subscribers() const {
    if (count_.load(std::memory_order_relaxed) > 0) return true;
    const auto until = listen_until_.load(std::memory_order_relaxed);  // 0: no grace running
    return until != 0 && now_ns() < until;
  }
  std::size_t subscriber_count() const { return count_.load(std::memory_order_relaxed); }

  // `json` must be one JSON object; the bus does not parse it.
  void publish(std::string type, std::string pile, Timestamp at, std::string json);

 private:
  Counter* published_counter(const std::string& type);
  static std::int64_t now_ns();
  SubscriptionId add(Subscriber subscriber);
  // Under publish_mu_: forgets the kept events when nobody has listened for a while (the events
  // published meanwhile were never rendered, so what is kept no longer runs up to now).
  void forget_if_unheard();

  mutable std::shared_mutex mu_;
  std::map<SubscriptionId, std::shared_ptr<Subscriber>> subscribers_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::int64_t> listen_until_{0};  // steady ns; see keep_listening
  EventBusOptions options_;
  std::mutex publish_mu_;                              // orders publishes (see publish)
  std::uint64_t next_seq_ = 1;                         // guarded by publish_mu_
  std::deque<std::shared_ptr<const LiveEvent>> kept_;  // guarded by publish_mu_
  std::uint64_t replay_from_ = 1;  // every event from this seq on is kept (until evicted)
  bool published_since_forget_ = false;  // guarded by publish_mu_
  SubscriptionId next_id_ = 1;

  Metrics* metrics_ = nullptr;
  std::mutex counters_mu_;
  std::unordered_map<std::string, Counter*> published_;  // by type, looked up once per type
};

}  // namespace cp::services
