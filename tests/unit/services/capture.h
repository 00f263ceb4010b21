#pragma once
// Captures a callback's single invocation (from any thread) for tests; records the thread it
// ran on and whether it has run yet.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace cp::testing {

template <class T>
class Capture {
 public:
  auto callback() {
    return [this](T v) {
      std::lock_guard lock(mu_);
      value_.emplace(std::move(v));
      thread_ = std::this_thread::get_id();
      cv_.notify_all();
    };
  }
  bool done() const {
    std::lock_guard lock(mu_);
    return value_.has_value();
  }
  // Waits (bounded, so a bug fails the test instead of hanging it) and returns the value.
  T& wait() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return value_.has_value(); }))
      throw std::runtime_error("callback never ran");
    return *value_;
  }
  std::thread::id thread() const {
    std::lock_guard lock(mu_);
    return thread_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;
  std::thread::id thread_;
};

}  // namespace cp::testing
