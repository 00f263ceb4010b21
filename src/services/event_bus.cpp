#include "services/event_bus.h"

#include <mutex>
#include <vector>

namespace cp::services {

EventBus::SubscriptionId EventBus::subscribe(Subscriber subscriber) {
  std::unique_lock lock(mu_);
  const auto id = next_id_++;
  subscribers_.emplace(id, std::make_shared<Subscriber>(std::move(subscriber)));
  count_.store(subscribers_.size(), std::memory_order_relaxed);
  return id;
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::unique_lock lock(mu_);
  subscribers_.erase(id);
  count_.store(subscribers_.size(), std::memory_order_relaxed);
}

void EventBus::publish(std::string type, std::string pile, Timestamp at, std::string json) {
  if (!has_subscribers()) return;
  auto event = std::make_shared<LiveEvent>();
  event->seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  event->type = std::move(type);
  event->pile = std::move(pile);
  event->at = at;
  event->json = std::move(json);
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::shared_lock lock(mu_);
    targets.reserve(subscribers_.size());
    for (const auto& [id, s] : subscribers_) targets.push_back(s);
  }
  // Called outside the lock: a subscriber may unsubscribe itself (slow client dropped).
  std::shared_ptr<const LiveEvent> shared = std::move(event);
  for (const auto& s : targets) (*s)(shared);
}

}  // namespace cp::services
