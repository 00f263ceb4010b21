#include "services/detail/login_throttle.h"

#include <algorithm>

namespace cp::services::detail {

std::chrono::milliseconds LoginThrottle::lockout(int count, int free) const {
  if (count < free) return std::chrono::milliseconds(0);
  // base * 2^(count - free), capped; the shift is bounded so it cannot overflow.
  const int doublings = std::min(count - free, 30);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.base_lockout) * (1LL << doublings);
  return std::min<std::chrono::milliseconds>(ms, options_.max_lockout);
}

std::optional<std::chrono::seconds> LoginThrottle::wait(const Table& t, const std::string& key, int free,
                                                        Timestamp now) const {
  auto it = t.find(key);
  if (it == t.end() || now - it->second.last >= options_.forget_after) return std::nullopt;
  const auto until = it->second.last + lockout(it->second.count, free);
  if (until <= now) return std::nullopt;
  // Rounded up: a client that waits exactly Retry-After seconds is let in.
  return std::chrono::ceil<std::chrono::seconds>(until - now);
}

std::optional<std::chrono::seconds> LoginThrottle::wait_before(const std::string& username,
                                                               const std::string& address, Timestamp now) {
  auto by_user = wait(users_, username, options_.free_failures_per_user, now);
  auto by_address = address.empty() ? std::nullopt : wait(addresses_, address, options_.free_failures_per_address, now);
  if (by_user && by_address) return std::max(*by_user, *by_address);
  return by_user ? by_user : by_address;
}

void LoginThrottle::record(Table& t, const std::string& key, Timestamp now) {
  if (t.size() >= options_.max_tracked_keys && !t.contains(key)) {
    std::erase_if(t, [&](const auto& kv) { return now - kv.second.last >= options_.forget_after; });
    if (t.size() >= options_.max_tracked_keys) {
      // Still full of recent failures (an attack across many keys): drop the oldest one.
      auto oldest = std::min_element(t.begin(), t.end(),
                                     [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
      t.erase(oldest);
    }
  }
  auto& f = t[key];
  if (f.count > 0 && now - f.last >= options_.forget_after) f.count = 0;
  ++f.count;
  f.last = now;
}

void LoginThrottle::failed(const std::string& username, const std::string& address, Timestamp now) {
  record(users_, username, now);
  if (!address.empty()) record(addresses_, address, now);
}

void LoginThrottle::succeeded(const std::string& username) { users_.erase(username); }

}  // namespace cp::services::detail
