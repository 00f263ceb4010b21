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

TEST(IoLoop, ABusyRoundPausesOnceThenTheLoopBlocks) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i) asio::post(io, [&] { ran.fetch_add(1); });
  Counter pauses;
  std::thread loop([&] { run_io_loop(io, coalescing(pauses)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ran.load(), 20);
  EXPECT_EQ(pauses.value(), 1u);  // one round of 20; the next round is empty, so it blocks
  asio::post(io, [&] { io.stop(); });
  loop.join();
  EXPECT_EQ(pauses.value(), 1u);
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

TEST(IoLoop, HandlersFewerThanTheBusyMarkNeverPause) {
  asio::io_context io;
  int ran = 0;
  for (int i = 0; i < 7; ++i) asio::post(io, [&] { ++ran; });
  Counter pauses;
  run_io_loop(io, coalescing(pauses));
  EXPECT_EQ(ran, 7);
  EXPECT_EQ(pauses.value(), 0u);
}

TEST(IoLoop, ZeroPauseIsPlainRun) {
  asio::io_context io;
  int ran = 0;
  for (int i = 0; i < 100; ++i) asio::post(io, [&] { ++ran; });
  Counter pauses;
  run_io_loop(io, coalescing(pauses, microseconds(0)));
  EXPECT_EQ(ran, 100);
  EXPECT_EQ(pauses.value(), 0u);
}

// Work posted from another thread in bursts, with quiet gaps between them, all runs; once a
// burst is done the loop goes back to blocking (it does not keep pausing through the gaps), and
// stop() ends it.
TEST(IoLoop, BurstsFromAnotherThreadAllRunAndQuietGapsBlock) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<int> ran{0};
  Counter pauses;
  std::thread loop([&] { run_io_loop(io, coalescing(pauses)); });
  constexpr int kBursts = 5, kPerBurst = 50;
  for (int b = 0; b < kBursts; ++b) {
    for (int i = 0; i < kPerBurst; ++i) asio::post(io, [&] { ran.fetch_add(1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // A pause follows only a busy round, and each burst fills at most a few rounds: a loop that
  // paused through the quiet gaps would have paused ~100 times per 20 ms gap.
  EXPECT_GE(pauses.value(), 1u);
  EXPECT_LE(pauses.value(), std::uint64_t(kBursts * 10));
  const auto after_bursts = pauses.value();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(pauses.value(), after_bursts);  // idle: blocked, not polling
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
