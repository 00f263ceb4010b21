#pragma once
// Scheduler — how services run work later without knowing about Asio: `post` runs a function
// soon, `after` runs it once a delay has passed (cancellable). Every function a Scheduler runs
// runs serialised (one at a time, in posting order for `post`), so a service that does all its
// work through one Scheduler needs no locks of its own.
//
// `make_asio_scheduler` serialises on an Asio strand of the given io_context; `ManualScheduler`
// runs nothing until told to and has its own virtual time, for deterministic tests.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace cp {

class Scheduler {
 public:
  using Fn = std::function<void()>;
  using Duration = std::chrono::milliseconds;
  // Cancels the timed function if it has not run yet; safe to call more than once.
  class Timer {
   public:
    virtual ~Timer() = default;
    virtual void cancel() = 0;
  };

  virtual ~Scheduler() = default;
  virtual void post(Fn fn) = 0;                                  // safe from any thread
  virtual std::shared_ptr<Timer> after(Duration delay, Fn fn) = 0;  // safe from any thread
};

// On a strand of `io`; the io_context must outlive the scheduler and every timer.
std::unique_ptr<Scheduler> make_asio_scheduler(boost::asio::io_context& io);

// Test scheduler: `run_ready()` runs everything posted; `advance(d)` moves virtual time and
// runs the timers that came due (and what they post), in due order. Single-threaded use.
class ManualScheduler final : public Scheduler {
 public:
  void post(Fn fn) override { ready_.push_back(std::move(fn)); }
  std::shared_ptr<Timer> after(Duration delay, Fn fn) override {
    auto t = std::make_shared<ManualTimer>();
    timers_.emplace(std::make_pair(now_ + delay, seq_++), Pending{t, std::move(fn)});
    return t;
  }
  // Runs posted functions until none are left; returns how many ran.
  std::size_t run_ready() {
    std::size_t n = 0;
    while (!ready_.empty()) {
      auto fn = std::move(ready_.front());
      ready_.erase(ready_.begin());
      fn();
      ++n;
    }
    return n;
  }
  void advance(Duration d) {
    const auto until = now_ + d;
    run_ready();
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      if (!node.mapped().timer->cancelled) node.mapped().fn();
      run_ready();
    }
    now_ = until;
  }
  Duration now() const { return now_; }
  std::size_t pending_timers() const {
    std::size_t n = 0;
    for (const auto& [k, p] : timers_) n += p.timer->cancelled ? 0 : 1;
    return n;
  }

 private:
  struct ManualTimer final : Timer {
    void cancel() override { cancelled = true; }
    bool cancelled = false;
  };
  struct Pending {
    std::shared_ptr<ManualTimer> timer;
    Fn fn;
  };
  std::vector<Fn> ready_;
  std::map<std::pair<Duration, std::uint64_t>, Pending> timers_;
  Duration now_{0};
  std::uint64_t seq_ = 0;
};

}  // namespace cp
