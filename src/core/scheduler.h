#pragma once
// Scheduler — how services run work later without knowing about Asio: `post` runs a function
// soon, `after` runs it once a delay has passed (cancellable). Every function a Scheduler runs
// runs serialised (one at a time, in posting order for `post`), so a service that does all its
// work through one Scheduler needs no locks of its own.
//
// `make_asio_scheduler` serialises on an Asio strand of the given io_context; `ManualScheduler`
// runs nothing until told to and has its own virtual time, for deterministic tests.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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
// runs the timers that came due (and what they post), in due order. `post` and `after` may be
// called from any thread (store callbacks post from the writer thread); everything runs on
// the thread that calls `run_ready`/`advance`.
class ManualScheduler final : public Scheduler {
 public:
  void post(Fn fn) override {
    std::lock_guard lock(mu_);
    ready_.push_back(std::move(fn));
  }
  std::shared_ptr<Timer> after(Duration delay, Fn fn) override {
    auto t = std::make_shared<ManualTimer>();
    std::lock_guard lock(mu_);
    timers_.emplace(std::make_pair(now_ + delay, seq_++), Pending{t, std::move(fn)});
    return t;
  }
  // Runs posted functions until none are left; returns how many ran.
  std::size_t run_ready() {
    std::size_t n = 0;
    for (;;) {
      Fn fn;
      {
        std::lock_guard lock(mu_);
        if (ready_.empty()) return n;
        fn = std::move(ready_.front());
        ready_.erase(ready_.begin());
      }
      fn();
      ++n;
    }
  }
  void advance(Duration d) {
    Duration until;
    {
      std::lock_guard lock(mu_);
      until = now_ + d;
    }
    run_ready();
    for (;;) {
      Pending due;
      {
        std::lock_guard lock(mu_);
        if (timers_.empty() || timers_.begin()->first.first > until) break;
        auto node = timers_.extract(timers_.begin());
        now_ = node.key().first;
        due = std::move(node.mapped());
      }
      if (!due.timer->cancelled) due.fn();
      run_ready();
    }
    std::lock_guard lock(mu_);
    now_ = until;
  }
  Duration now() const {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::size_t pending_timers() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [k, p] : timers_) n += p.timer->cancelled ? 0 : 1;
    return n;
  }

 private:
  struct ManualTimer final : Timer {
    void cancel() override { cancelled = true; }
    std::atomic<bool> cancelled{false};
  };
  struct Pending {
    std::shared_ptr<ManualTimer> timer;
    Fn fn;
  };
  mutable std::mutex mu_;
  std::vector<Fn> ready_;
  std::map<std::pair<Duration, std::uint64_t>, Pending> timers_;
  Duration now_{0};
  std::uint64_t seq_ = 0;
};

}  // namespace cp
