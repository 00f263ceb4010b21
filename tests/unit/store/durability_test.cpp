// Acknowledged means durable: a child process writes through the store and reports over a pipe
// every batch whose `done` succeeded; it is SIGKILLed mid-stream; the parent reopens the
// database and every acknowledged batch must be there, complete.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

constexpr std::size_t kValuesPerBatch = 5;

[[noreturn]] void run_child(const SqliteOptions& o, int fd) {
  auto opened = open_sqlite(o);
  if (!opened) _exit(2);
  Store& store = **opened;
  for (std::int64_t i = 1;; ++i) {
    std::vector<domain::SampledValue> values;
    for (std::size_t r = 0; r < kValuesPerBatch; ++r) values.push_back(sampled(double(r)));
    store.submit({StartTransaction{tx_record(i, "CP-KILL", 1, "T", i, at(i))},
                  insert_telemetry("CP-KILL", i, std::move(values))},
                 [fd, i](const Status& s) {
                   if (!s) _exit(3);
                   // 8 bytes < PIPE_BUF: each id arrives whole even if the child dies mid-stream.
                   if (::write(fd, &i, sizeof i) != sizeof i) _exit(4);
                 });
  }
}

class SqliteDurability : public ::testing::TestWithParam<bool> {};

TEST_P(SqliteDurability, EveryAcknowledgedBatchSurvivesSigkill) {
  TempDir dir;
  auto o = options_in(dir);
  o.synchronous_full = GetParam();
  o.queue_capacity = 256;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    run_child(o, fds[1]);
  }
  close(fds[1]);

  std::set<std::int64_t> acked;
  auto read_ids = [&](int timeout_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    std::int64_t buf[512];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t k = 0; k < n / ssize_t(sizeof(std::int64_t)); ++k) acked.insert(buf[k]);
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acked.size() < 2000 && std::chrono::steady_clock::now() < deadline)
    if (!read_ids(1000)) break;
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << WEXITSTATUS(status);
  while (read_ids(0)) {
  }  // ids acknowledged right before the kill
  close(fds[0]);
  ASSERT_GE(acked.size(), 100u) << "the child made too little progress to test anything";

  auto store = open_or_die(o);
  RawDb raw(o.path);
  const std::int64_t max_acked = *acked.rbegin();
  EXPECT_GE(raw.scalar("SELECT COUNT(*) FROM transactions WHERE id <= " + std::to_string(max_acked)),
            std::int64_t(acked.size()));
  std::size_t missing = 0;
  for (std::int64_t id : acked) {
    auto tx = store->transaction(id);
    ASSERT_TRUE(tx);
    if (!tx->has_value()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "acknowledged transactions lost";
  // Batches are atomic: every committed transaction has its telemetry sample, with every value.
  const std::int64_t committed = raw.scalar("SELECT COUNT(*) FROM transactions");
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM telemetry"), committed);
  auto values = store->telemetry({"CP-KILL", std::nullopt, std::nullopt, std::nullopt, 1'000'000});
  ASSERT_TRUE(values);
  EXPECT_EQ(std::int64_t(values->size()), committed * std::int64_t(kValuesPerBatch));
}

INSTANTIATE_TEST_SUITE_P(SynchronousModes, SqliteDurability, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Full" : "Normal"; });

}  // namespace
}  // namespace cp::store
