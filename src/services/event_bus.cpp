#include "services/event_bus.h"

#include <vector>

namespace cp::services {

std::int64_t EventBus::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

EventBus::SubscriptionId EventBus::add(Subscriber subscriber) {
  std::unique_lock lock(mu_);
  const auto id = next_id_++;
  subscribers_.emplace(id, std::make_shared<Subscriber>(std::move(subscriber)));
  count_.store(subscribers_.size(), std::memory_order_relaxed);
  listen_until_.store(0, std::memory_order_relaxed);
  return id;
}

void EventBus::forget_if_unheard() {
  if (has_subscribers()) return;
  kept_.clear();
  // Events nobody rendered took no id, so the ids alone would not show the gap: skip one, so an
  // id handed out before it can never count as complete.
  if (published_since_forget_) ++next_seq_;
  published_since_forget_ = false;
  replay_from_ = next_seq_;
}

EventBus::SubscriptionId EventBus::subscribe(Subscriber subscriber) {
  std::lock_guard ordered(publish_mu_);
  forget_if_unheard();
  return add(std::move(subscriber));
}

EventBus::SubscriptionId EventBus::subscribe(Subscriber subscriber, std::uint64_t after, Replay* replay) {
  std::lock_guard ordered(publish_mu_);  // no publish between the replay and the first live event
  forget_if_unheard();
  Replay r;
  // Complete when nothing after `after` was lost: it is not older than what is kept, and it is
  // an id this bus handed out (not one from before a restart or from elsewhere).
  const std::uint64_t oldest = kept_.empty() ? next_seq_ : kept_.front()->seq;
  r.complete = after < next_seq_ && after + 1 >= replay_from_ && after + 1 >= oldest;
  if (r.complete) {  // else nothing: a partial history would only mislead; the client re-reads
    for (const auto& e : kept_) {
      if (e->seq <= after) continue;
      subscriber(e);
      ++r.events;
    }
  }
  if (replay) *replay = r;
  return add(std::move(subscriber));
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::unique_lock lock(mu_);
  subscribers_.erase(id);
  count_.store(subscribers_.size(), std::memory_order_relaxed);
  if (subscribers_.empty() && options_.keep_listening.count() > 0)
    listen_until_.store(now_ns() + std::chrono::nanoseconds(options_.keep_listening).count(),
                        std::memory_order_relaxed);
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
  // With no subscriber left (the keep_listening grace), the event is only kept for replay.
  if (targets.empty() && options_.replay_events == 0) return;
  if (!targets.empty())
    if (auto* c = published_counter(type)) c->inc();
  auto event = std::make_shared<LiveEvent>();
  published_since_forget_ = true;
  event->seq = next_seq_++;
  event->type = std::move(type);
  event->pile = std::move(pile);
  event->at = at;
  event->json = std::move(json);
  // Called outside the lock: a subscriber may unsubscribe itself (slow client dropped).
  std::shared_ptr<const LiveEvent> shared = std::move(event);
  if (options_.replay_events > 0) {
    kept_.push_back(shared);
    if (kept_.size() > options_.replay_events) kept_.pop_front();
  }
  for (const auto& s : targets) (*s)(shared);
}

}  // namespace cp::services
