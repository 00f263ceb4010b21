#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

TEST(SqliteTransactionIds, IncreaseWithinAndAcrossReopen) {
  TempDir dir;
  auto o = options_in(dir);
  TransactionId last = 0;
  {
    auto store = open_or_die(o);
    for (int i = 0; i < 5; ++i) {
      const TransactionId id = store->next_transaction_id();
      EXPECT_GT(id, last);
      last = id;
    }
    ASSERT_TRUE(write(*store, {StartTransaction{tx_record(last, "CP", 1, "T", 0, at(1))}}));
  }
  auto reopened = open_or_die(o);
  EXPECT_GT(reopened->next_transaction_id(), last);
}

TEST(SqliteTransactionIds, IdIssuedButNeverWrittenIsNotReissuedAfterRestart) {
  TempDir dir;
  auto o = options_in(dir);
  TransactionId issued = 0;
  {
    auto store = open_or_die(o);
    for (int i = 0; i < 10; ++i) issued = store->next_transaction_id();
    // no StartTransaction written: the process "crashes" with the ids handed out
  }
  auto reopened = open_or_die(o);
  EXPECT_GT(reopened->next_transaction_id(), issued);
}

TEST(SqliteTransactionIds, SeedsAboveTransactionsWrittenWithExplicitIds) {
  TempDir dir;
  auto o = options_in(dir);
  {
    auto store = open_or_die(o);
    ASSERT_TRUE(write(*store, {StartTransaction{tx_record(50'000, "CP", 1, "T", 0, at(1))}}));
  }
  auto reopened = open_or_die(o);
  EXPECT_GT(reopened->next_transaction_id(), 50'000);
}

TEST(SqliteTransactionIds, ManyThreadsGetUniqueIdsBeyondOneReservationBlock) {
  TempDir dir;
  auto o = options_in(dir);
  constexpr int kThreads = 4, kPerThread = 1500;  // crosses several reservation blocks
  std::vector<std::vector<TransactionId>> got(kThreads);
  {
    auto store = open_or_die(o);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) got[t].push_back(store->next_transaction_id());
      });
    for (auto& th : threads) th.join();
  }
  std::set<TransactionId> all;
  TransactionId max_id = 0;
  for (const auto& ids : got) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    for (TransactionId id : ids) {
      all.insert(id);
      max_id = std::max(max_id, id);
    }
  }
  EXPECT_EQ(all.size(), std::size_t(kThreads * kPerThread));
  auto reopened = open_or_die(o);
  EXPECT_GT(reopened->next_transaction_id(), max_id);
}

}  // namespace
}  // namespace cp::store

namespace cp::store {
namespace {
using namespace testing;

TEST(SqliteTransactionIds, DoneCallbackCanIssueManyIdsWithoutDeadlock) {
  TempDir dir;
  auto o = options_in(dir);
  TransactionId last = 0;
  {
    auto store = open_or_die(o);
    std::promise<void> finished;
    store->submit({}, [&](const Status&) {
      for (int i = 0; i < 3000; ++i) last = store->next_transaction_id();  // > 2 blocks
      finished.set_value();
    });
    finished.get_future().wait();
  }
  auto reopened = open_or_die(o);
  EXPECT_GT(reopened->next_transaction_id(), last);
}

}  // namespace
}  // namespace cp::store
