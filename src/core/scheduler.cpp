#include "core/scheduler.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace cp {
namespace {

namespace asio = boost::asio;
using Strand = asio::strand<asio::io_context::executor_type>;

class AsioTimer final : public Scheduler::Timer {
 public:
  AsioTimer(Strand strand) : timer_(strand) {}
  void cancel() override {
    // The timer is only touched on the strand.
    asio::post(timer_.get_executor(), [self = self_.lock()] {
      if (self) {
        self->cancelled_ = true;
        self->timer_.cancel();
      }
    });
  }
  void start(std::shared_ptr<AsioTimer> self, Scheduler::Duration delay, Scheduler::Fn fn) {
    self_ = self;
    asio::post(timer_.get_executor(), [self, delay, fn = std::move(fn)]() mutable {
      if (self->cancelled_) return;
      self->timer_.expires_after(delay);
      self->timer_.async_wait([self, fn = std::move(fn)](const boost::system::error_code& ec) {
        if (!ec && !self->cancelled_) fn();
      });
    });
  }

 private:
  asio::steady_timer timer_;
  std::weak_ptr<AsioTimer> self_;
  bool cancelled_ = false;
};

class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(asio::io_context& io) : strand_(asio::make_strand(io)) {}
  void post(Fn fn) override { asio::post(strand_, std::move(fn)); }
  std::shared_ptr<Timer> after(Duration delay, Fn fn) override {
    auto t = std::make_shared<AsioTimer>(strand_);
    t->start(t, delay, std::move(fn));
    return t;
  }

 private:
  Strand strand_;
};

}  // namespace

std::unique_ptr<Scheduler> make_asio_scheduler(asio::io_context& io) { return std::make_unique<AsioScheduler>(io); }

}  // namespace cp
