#include "services/event_bus.h"

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

Counter* EventBus::published_counter(const std::string& type) {
  if (!metrics_) return nullptr;
  std::lock_guard lock(counters_mu_);
  auto [it, inserted] = published_.try_emplace(type, nullptr);
  if (inserted)
    it->second = &metrics_->counter("chargeplane_events_published_total",
                                    "Live events fanned out to at least one subscriber, by type", {{"type", type}});
  return it->second;
}

void EventBus::publish(std::string type, std::string pile, Timestamp at, std::string json) {
  if (!has_subscribers()) return;
  // Held across numbering and fan-out so every subscriber sees ids in increasing order even
  // with concurrent publishers; subscribers only enqueue, so this is never held for long.
  std::lock_guard ordered(publish_mu_);
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::shared_lock lock(mu_);
    targets.reserve(subscribers_.size());
    for (const auto& [id, s] : subscribers_) targets.push_back(s);
  }
  if (targets.empty()) return;  // the last subscriber left since the check above
  if (auto* c = published_counter(type)) c->inc();
  auto event = std::make_shared<LiveEvent>();
  event->seq = next_seq_++;
  event->type = std::move(type);
  event->pile = std::move(pile);
  event->at = at;
  event->json = std::move(json);
  // Called outside the lock: a subscriber may unsubscribe itself (slow client dropped).
  std::shared_ptr<const LiveEvent> shared = std::move(event);
  for (const auto& s : targets) (*s)(shared);
}

}  // namespace cp::services
