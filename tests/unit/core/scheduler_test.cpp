// Scheduler: the manual test scheduler's virtual time, and the Asio one's serialisation.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <thread>

#include "core/scheduler.h"

namespace cp {
namespace {

using std::chrono::milliseconds;

TEST(ManualScheduler, RunsTimersInDueOrderAndHonoursCancel) {
  ManualScheduler s;
  std::vector<int> order;
  s.after(milliseconds(300), [&] { order.push_back(3); });
  auto cancelled = s.after(milliseconds(200), [&] { order.push_back(2); });
  s.after(milliseconds(100), [&] { order.push_back(1); s.post([&] { order.push_back(10); }); });
  cancelled->cancel();
  s.advance(milliseconds(250));
  EXPECT_EQ(order, (std::vector<int>{1, 10}));
  s.advance(milliseconds(100));
  EXPECT_EQ(order, (std::vector<int>{1, 10, 3}));
  EXPECT_EQ(s.pending_timers(), 0u);
}

TEST(AsioScheduler, SerialisesWorkAcrossThreadsAndFiresTimers) {
  boost::asio::io_context io;
  auto s = make_asio_scheduler(io);
  int counter = 0;  // not atomic: the strand is what makes this safe
  for (int i = 0; i < 1000; ++i) s->post([&] { ++counter; });
  bool fired = false, cancelled_fired = false;
  s->after(milliseconds(20), [&] { fired = true; });
  auto t = s->after(milliseconds(10), [&] { cancelled_fired = true; });
  t->cancel();
  std::thread a([&] { io.run(); });
  std::thread b([&] { io.run(); });
  a.join();
  b.join();
  EXPECT_EQ(counter, 1000);
  EXPECT_TRUE(fired);
  EXPECT_FALSE(cancelled_fired);
}

}  // namespace
}  // namespace cp
