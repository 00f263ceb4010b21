// run_io_loop: every handler runs, a busy round pauses, a light one blocks as run() does, and the
// loop returns when the io_context is stopped or out of work.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/io_loop.h"
#include "core/metrics.h"

namespace cp {
namespace {

using std::chrono::microseconds;
namespace asio = boost::asio;

IoLoopOptions coalescing(Counter& pauses, microseconds pause = microseconds(200)) {
  IoLoopOptions o;
  o.pause = pause;
  o.busy_handlers = 8;
  o.pauses = &pauses;
  return o;
}

// The loop on its own thread, `queued` handlers posted before it starts and work kept alive:
// after 20 ms (time for a pause of 200 µs and a return to blocking) it is stopped.
struct Run {
  int ran = 0;
  std::uint64_t pauses = 0;
};
Run run_with_queued(int queued, microseconds pause) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<int> ran{0};
  for (int i = 0; i < queued; ++i) asio::post(io, [&] { ran.fetch_add(1); });
  Counter pauses;
  std::thread loop([&] { run_io_loop(io, coalescing(pauses, pause)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  asio::post(io, [&] { io.stop(); });
  loop.join();
  return {ran.load(), pauses.value()};
}

TEST(IoLoop, ABusyRoundPausesOnceThenTheLoopBlocks) {
  const auto r = run_with_queued(20, microseconds(200));
  EXPECT_EQ(r.ran, 20);
  EXPECT_EQ(r.pauses, 1u);  // one round of 20; the next round is empty, so it blocks
}

TEST(IoLoop, HandlersFewerThanTheBusyMarkNeverPause) {
  const auto r = run_with_queued(7, microseconds(200));
  EXPECT_EQ(r.ran, 7);
  EXPECT_EQ(r.pauses, 0u);
}

TEST(IoLoop, ZeroPauseIsPlainRun) {
  const auto r = run_with_queued(100, microseconds(0));
  EXPECT_EQ(r.ran, 100);
  EXPECT_EQ(r.pauses, 0u);
}

TEST(IoLoop, ReturnsAtOnceWhenWorkRunsOut) {
  asio::io_context io;
  int ran = 0;
  for (int i = 0; i < 20; ++i) asio::post(io, [&] { ++ran; });
  Counter pauses;
  run_io_loop(io, coalescing(pauses));
  EXPECT_EQ(ran, 20);
  EXPECT_EQ(pauses.value(), 0u);  // nothing can arrive: no pause
  EXPECT_TRUE(io.stopped());
}

// Bursts from another thread, with quiet gaps between them, all run. Each burst is one handler
// that queues 50 more, so it is one round of 50 however the threads are scheduled: one pause
// per burst, and in the gaps the loop blocks instead of pausing again. stop() ends it.
TEST(IoLoop, BurstsFromAnotherThreadPauseOnceEachAndQuietGapsBlock) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<int> ran{0};
  Counter pauses;
  std::thread loop([&] { run_io_loop(io, coalescing(pauses)); });
  constexpr int kBursts = 5, kPerBurst = 50;
  for (int b = 0; b < kBursts; ++b) {
    asio::post(io, [&] {
      for (int i = 0; i < kPerBurst; ++i) asio::post(io, [&] { ran.fetch_add(1); });
    });
    // The next burst only once this one has run, so two bursts never share a round.
    for (int waited = 0; ran.load() < (b + 1) * kPerBurst && waited < 5000; ++waited)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(pauses.value(), std::uint64_t(kBursts));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(pauses.value(), std::uint64_t(kBursts));  // idle: blocked, not polling
  asio::post(io, [&] { io.stop(); });
  loop.join();
  EXPECT_EQ(ran.load(), kBursts * kPerBurst);
}

TEST(IoLoop, SeveralThreadsShareOneContext) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<int> ran{0};
  Counter pauses;
  std::thread a([&] { run_io_loop(io, coalescing(pauses)); });
  std::thread b([&] { run_io_loop(io, coalescing(pauses)); });
  for (int i = 0; i < 1000; ++i) asio::post(io, [&] { ran.fetch_add(1); });
  guard.reset();  // out of work once every handler has run: both loops return
  a.join();
  b.join();
  EXPECT_EQ(ran.load(), 1000);
}

}  // namespace
}  // namespace cp
