// The group-commit writer: acknowledgement after durability, grouping, isolation of a failing
// batch, back-pressure, flush/close semantics and metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;
using namespace std::chrono_literals;

// Holds the writer thread inside a `done` until released, so later submissions queue up and
// are committed together as one group.
class WriterGate {
 public:
  void hold(Store& store) {
    store.submit({}, [this](const Status&) {
      entered_.set_value();
      release_.get_future().wait();
    });
    entered_.get_future().wait();
  }
  void release() { release_.set_value(); }

 private:
  std::promise<void> entered_, release_;
};

TEST(SqliteGroupCommit, DoneRunsOnlyWhenDataIsVisibleToAnotherConnection) {
  TempDir dir;
  auto o = options_in(dir);
  auto store = open_or_die(o);
  std::atomic<int> checked{0};
  std::vector<std::int64_t> seen(50, -1);
  for (int i = 0; i < 50; ++i) {
    store->submit({insert_telemetry("CP-1", i, {sampled(i)})}, [&, i](const Status& s) {
      ASSERT_TRUE(s);
      RawDb other(o.path);  // a brand-new connection: sees only committed data
      seen[i] = other.scalar("SELECT COUNT(*) FROM telemetry WHERE ts = " + std::to_string(i));
      checked.fetch_add(1);
    });
  }
  store->flush();
  EXPECT_EQ(checked.load(), 50);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i], 1) << "batch " << i;
}

TEST(SqliteGroupCommit, SecondStoreOnSameFileSeesAcknowledgedWrites) {
  TempDir dir;
  auto o = options_in(dir);
  auto writer = open_or_die(o);
  ASSERT_TRUE(write(*writer, {UpsertPile{pile_record("CP-1")}}));
  auto reader = open_or_die(o);
  auto p = reader->pile("CP-1");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->has_value());
}

TEST(SqliteGroupCommit, ConcurrentSubmittersAllCompleteInFewerCommitsThanBatches) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  constexpr int kThreads = 8, kPerThread = 300;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string pile = "CP-" + std::to_string(t);
        store->submit({insert_telemetry(pile, i, {sampled(i), sampled(-i)})},
                      [&](const Status& s) { (s ? ok : failed).fetch_add(1); });
      }
    });
  }
  for (auto& th : threads) th.join();
  store->flush();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  const StoreStats st = store->stats();
  EXPECT_EQ(st.batches_committed, std::uint64_t(kThreads * kPerThread));
  EXPECT_EQ(st.ops_committed, std::uint64_t(kThreads * kPerThread));
  EXPECT_LT(st.commits, st.batches_committed);
  auto rows = store->telemetry({"CP-3", std::nullopt, std::nullopt, std::nullopt, 100000});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), std::size_t(2 * kPerThread));
}

TEST(SqliteGroupCommit, FailingBatchRollsBackAloneAndItsGroupCommits) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  ASSERT_TRUE(write(*store, {StartTransaction{tx_record(1, "CP-1", 1, "T", 0, at(1))}}));
  const auto commits_before = store->stats().commits;

  WriterGate gate;
  gate.hold(*store);
  std::vector<std::string> outcome(3);
  auto record = [&](int i) {
    return [&, i](const Status& s) { outcome[i] = s ? "ok" : s.error().code; };
  };
  store->submit({UpsertPile{pile_record("CP-A")}}, record(0));
  // Atomic batch: its first op is valid, its second violates the transactions primary key.
  store->submit({UpsertPile{pile_record("CP-B")}, StartTransaction{tx_record(1, "CP-B", 1, "T", 0, at(2))}},
                record(1));
  store->submit({UpsertPile{pile_record("CP-C")}, TouchPile{"CP-C", at(3)}}, record(2));
  gate.release();
  store->flush();

  EXPECT_EQ(outcome[0], "ok");
  EXPECT_EQ(outcome[1], "constraint");
  EXPECT_EQ(outcome[2], "ok");
  EXPECT_EQ(store->stats().commits - commits_before, 2u);  // the gate's group + one group of 3
  auto a = store->pile("CP-A");
  auto b = store->pile("CP-B");
  auto c = store->pile("CP-C");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->has_value());
  EXPECT_FALSE(b->has_value()) << "the valid op of the failed batch must roll back with it";
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->last_seen, at(3));
}

TEST(SqliteGroupCommit, RowsOfARolledBackBatchNeverReachTheTelemetryIndex) {
  TempDir dir;
  auto o = options_in(dir);
  o.telemetry_index_batch = 1;  // index after every group, from the writer's row keys
  auto store = open_or_die(o);
  WriterGate gate;
  gate.hold(*store);
  std::vector<bool> ok(3);
  for (int i = 0; i < 3; ++i) {
    WriteBatch batch{insert_telemetry("CP-1", 10 + i, {sampled(i), sampled(i + 100)})};
    if (i == 1) batch.push_back(RecordPileStatusReport{"CP-1", "bogus", "x", at(1)});  // fails
    store->submit(std::move(batch), [&ok, i](const Status& s) { ok[i] = static_cast<bool>(s); });
  }
  gate.release();
  store->flush();
  EXPECT_TRUE(ok[0]);
  EXPECT_FALSE(ok[1]);
  EXPECT_TRUE(ok[2]);
  ASSERT_TRUE(write(*store, {insert_telemetry("CP-1", 20, {sampled(7)})}));  // one more group
  auto rows = store->telemetry({"CP-1", std::nullopt, std::nullopt, std::nullopt, 100});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 5u);  // 2 + 2 values of batches 0 and 2, 1 of the last
  store->close();  // the writer indexes after acknowledging: let it finish
  RawDb raw(o.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry"), 3);
  EXPECT_EQ(raw.scalar("SELECT indexed_up_to FROM telemetry_index_state"), 3);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry_index"), 3);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry_index i JOIN telemetry t"
                       " ON t.id = i.id AND t.pile = i.pile AND t.ts = i.ts"), 3);
}

TEST(SqliteGroupCommit, TelemetryInternedInRolledBackBatchIsNotReused) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  // The new pile/measurand keys are interned, then the batch fails and rolls back.
  auto bad = write(*store, {insert_telemetry("CP-NEW", 1, {sampled(1, "Fresh.Measurand")}),
                            RecordPileStatusReport{"CP-NEW", "bogus", "x", at(1)}});
  ASSERT_FALSE(bad);
  ASSERT_TRUE(write(*store, {insert_telemetry("CP-NEW", 2, {sampled(2, "Fresh.Measurand")})}));
  auto rows = store->telemetry(telemetry_query("CP-NEW", "Fresh.Measurand"));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().at, at(2));
}

TEST(SqliteGroupCommit, DoneCallbacksRunInSubmissionOrder) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  WriterGate gate;
  gate.hold(*store);
  std::vector<int> order;
  for (int i = 0; i < 100; ++i)
    store->submit({TouchPile{"CP", at(i)}}, [&order, i](const Status&) { order.push_back(i); });
  gate.release();
  store->flush();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(SqliteGroupCommit, SubmitBlocksWhileTheQueueIsFull) {
  TempDir dir;
  auto o = options_in(dir);
  o.queue_capacity = 2;
  auto store = open_or_die(o);
  WriterGate gate;
  gate.hold(*store);
  store->submit({TouchPile{"CP", at(1)}}, nullptr);
  store->submit({TouchPile{"CP", at(2)}}, nullptr);
  std::atomic<bool> returned{false};
  std::thread blocked([&] {
    store->submit({TouchPile{"CP", at(3)}}, nullptr);
    returned = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(returned.load()) << "a full queue must push back on the submitter";
  gate.release();
  blocked.join();
  EXPECT_TRUE(returned.load());
  store->flush();
}

TEST(SqliteGroupCommit, MaxBatchesPerCommitSplitsGroups) {
  TempDir dir;
  auto o = options_in(dir);
  o.max_batches_per_commit = 10;
  auto store = open_or_die(o);
  const auto before = store->stats().commits;
  WriterGate gate;
  gate.hold(*store);
  for (int i = 0; i < 35; ++i) store->submit({TouchPile{"CP", at(i)}}, nullptr);
  gate.release();
  store->flush();
  EXPECT_EQ(store->stats().commits - before, 1u + 4u);  // the gate, then 10+10+10+5
}

// Holds the writer once more so that `n` batches queue up and commit together: the next group
// then follows a group of `n`, after which the tests' commit window (from 3) applies.
void commit_a_group_of(Store& store, int n) {
  WriterGate gate;
  gate.hold(store);
  for (int i = 0; i < n; ++i) store.submit({TouchPile{"CP", at(i)}}, nullptr);
  gate.release();
  store.flush();
}

// A store whose commit window (of `delay_us`) opens after any group of 3 batches or more.
std::unique_ptr<Store> open_with_window(const TempDir& dir, std::int64_t delay_us) {
  auto o = options_in(dir);
  o.commit_delay_us = delay_us;
  o.commit_window_after_group = 3;
  return open_or_die(o);
}

double seconds_for_one_batch(Store& store) {
  const auto start = std::chrono::steady_clock::now();
  std::promise<void> done;
  store.submit({TouchPile{"CP", at(100)}}, [&](const Status&) { done.set_value(); });
  done.get_future().wait();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(SqliteGroupCommit, CommitWindowHoldsTheGroupAfterAConcurrentOne) {
  TempDir dir;
  auto store = open_with_window(dir, 300'000);
  commit_a_group_of(*store, 3);
  // The writer now waits for company before committing: the lone batch is acknowledged only
  // once a quarter of the window has passed with nothing else arriving (a lower bound, which
  // no scheduler can shorten).
  EXPECT_GE(seconds_for_one_batch(*store), 0.075);
  // Batches arriving during a window share its commit.
  const auto before = store->stats().commits;
  commit_a_group_of(*store, 3);
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    store->submit({TouchPile{"CP", at(i)}}, [&](const Status&) { ++done; });
    std::this_thread::sleep_for(1ms);
  }
  while (done.load() < 20) std::this_thread::sleep_for(1ms);
  // The gate and the group of 3, then the 20 batches: 20 ms of arrivals fit in one 300 ms
  // window, unless the scheduler stalled this thread for longer than that.
  EXPECT_LE(store->stats().commits - before, 2u + 2u);
}

TEST(SqliteGroupCommit, CommitWindowEndsAfterAQuarterWithNoArrival) {
  TempDir dir;
  auto store = open_with_window(dir, 4'000'000);
  commit_a_group_of(*store, 3);
  // Nothing follows the lone batch: the writer stops waiting after 1 s, not 4.
  const double waited = seconds_for_one_batch(*store);
  EXPECT_GE(waited, 1.0);
  EXPECT_LT(waited, 3.5);
}

TEST(SqliteGroupCommit, CommitWindowDoesNotDelayALoneSubmitterNorFewSubmitters) {
  TempDir dir;
  auto store = open_with_window(dir, 5'000'000);
  // Every group holds one batch, or two (below the window's threshold of 3), so none waits
  // for the window (a quarter of it would be 1.25 s).
  double total = 0;
  for (int i = 0; i < 5; ++i) total += seconds_for_one_batch(*store);
  commit_a_group_of(*store, 2);
  total += seconds_for_one_batch(*store);
  EXPECT_LT(total, 1.25);
}

TEST(SqliteGroupCommit, FlushAndCloseEndACommitWindow) {
  TempDir dir;
  auto store = open_with_window(dir, 10'000'000);
  commit_a_group_of(*store, 3);  // its flush ended the window it opened
  std::atomic<int> done{0};
  const auto start = std::chrono::steady_clock::now();
  store->submit({TouchPile{"CP", at(1)}}, [&](const Status&) { ++done; });
  store->flush();
  EXPECT_EQ(done.load(), 1);
  commit_a_group_of(*store, 3);
  store->submit({TouchPile{"CP", at(2)}}, [&](const Status&) { ++done; });
  store->close();
  EXPECT_EQ(done.load(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(SqliteGroupCommit, FlushWaitsForEverythingSubmittedBefore) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  std::atomic<int> done{0};
  for (int i = 0; i < 500; ++i)
    store->submit({insert_telemetry("CP", i, {sampled(i)})}, [&](const Status&) { ++done; });
  store->flush();
  EXPECT_EQ(done.load(), 500);
}

TEST(SqliteGroupCommit, CloseDrainsQueueThenSubmitFailsWithStoreClosed) {
  TempDir dir;
  auto o = options_in(dir);
  auto store = open_or_die(o);
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i)
    store->submit({insert_telemetry("CP", i, {sampled(i)})}, [&](const Status& s) {
      if (s) ++ok;
    });
  store->close();
  EXPECT_EQ(ok.load(), 200);

  std::optional<Status> after;
  store->submit({TouchPile{"CP", at(1)}}, [&](const Status& s) { after = s; });
  ASSERT_TRUE(after.has_value()) << "done must run immediately after close";
  ASSERT_FALSE(*after);
  EXPECT_EQ(after->error().code, "store_closed");
  store->flush();  // returns at once
  store->close();  // idempotent
  auto rows = store->telemetry({"CP", std::nullopt, std::nullopt, std::nullopt, 1000});
  ASSERT_TRUE(rows) << "reads still work after close";
  EXPECT_EQ(rows->size(), 200u);
}

TEST(SqliteGroupCommit, DoneMaySubmitFollowUpBatches) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  std::promise<Status> second;
  store->submit({UpsertPile{pile_record("CP-1")}}, [&](const Status&) {
    store->submit({TouchPile{"CP-1", at(9)}}, [&](const Status& s) { second.set_value(s); });
  });
  EXPECT_TRUE(second.get_future().get());
}

TEST(SqliteGroupCommit, PublishesMetrics) {
  TempDir dir;
  Metrics metrics;
  auto o = options_in(dir);
  o.metrics = &metrics;
  auto store = open_or_die(o);
  ASSERT_TRUE(write(*store, {insert_telemetry("CP", 1, {sampled(1)}), TouchPile{"CP", at(1)}}));
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("chargeplane_store_ops_total{op=\"insert_telemetry\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("chargeplane_store_ops_total{op=\"touch_pile\"} 1"), std::string::npos);
  EXPECT_NE(text.find("chargeplane_store_commits_total 1"), std::string::npos);
  EXPECT_NE(text.find("chargeplane_store_commit_seconds_count 1"), std::string::npos);
  EXPECT_NE(text.find("chargeplane_store_queue_depth 0"), std::string::npos);
  EXPECT_NE(text.find("chargeplane_store_commit_window_seconds_count 0"), std::string::npos);
}

TEST(SqliteGroupCommit, CountsTheCommitWindowsItWaitedIn) {
  TempDir dir;
  Metrics metrics;
  auto o = options_in(dir);
  o.metrics = &metrics;
  o.commit_delay_us = 40'000;
  o.commit_window_after_group = 3;
  auto store = open_or_die(o);
  commit_a_group_of(*store, 3);  // no window before it: the previous group was the gate alone
  seconds_for_one_batch(*store);  // waits in one window
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("chargeplane_store_commit_window_seconds_count 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace cp::store
