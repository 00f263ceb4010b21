// CommandQueue (command_queue.h): one command at a time, a bounded queue that refuses with
// "Busy", and "Offline" for whatever is still queued when the connection closes.
#include "gateway/detail/command_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cp::gateway::detail {
namespace {

// A queued Reset whose outcome, when it ends, is appended to `ended` as "<tag> <status>".
QueuedCommand reset(const std::string& tag, std::vector<std::string>& ended) {
  QueuedCommand q{domain::Reset{}, {}};
  q.observer.done = [tag, &ended](domain::CommandOutcome o) { ended.push_back(tag + " " + o.status); };
  return q;
}

TEST(CommandQueue, RunsOneAtATimeInArrivalOrder) {
  std::vector<std::string> ended;
  CommandQueue q(4);
  ASSERT_TRUE(q.admit(reset("a", ended)));
  ASSERT_TRUE(q.admit(reset("b", ended)));
  auto first = q.start();
  ASSERT_TRUE(first);
  EXPECT_TRUE(q.running());
  EXPECT_FALSE(q.start());  // "b" waits for "a"
  first->observer.done({"Accepted", "", "", {}, {}, {}});
  q.finished();
  auto second = q.start();
  ASSERT_TRUE(second);
  second->observer.done({"Rejected", "", "", {}, {}, {}});
  q.finished();
  EXPECT_FALSE(q.start());
  EXPECT_EQ(ended, (std::vector<std::string>{"a Accepted", "b Rejected"}));
}

TEST(CommandQueue, AFullQueueEndsTheNewCommandBusyAndKeepsTheOthers) {
  std::vector<std::string> ended;
  CommandQueue q(2);
  ASSERT_TRUE(q.admit(reset("a", ended)));
  ASSERT_TRUE(q.admit(reset("b", ended)));
  EXPECT_FALSE(q.admit(reset("c", ended)));
  EXPECT_EQ(ended, (std::vector<std::string>{"c Busy"}));
  EXPECT_EQ(q.waiting(), 2u);
  // The running command does not count against the queue.
  ASSERT_TRUE(q.start());
  EXPECT_TRUE(q.admit(reset("d", ended)));
}

TEST(CommandQueue, CloseEndsTheQueuedOnesOfflineButNotTheRunningOne) {
  std::vector<std::string> ended;
  CommandQueue q(4);
  ASSERT_TRUE(q.admit(reset("a", ended)));
  ASSERT_TRUE(q.admit(reset("b", ended)));
  ASSERT_TRUE(q.admit(reset("c", ended)));
  auto running = q.start();
  ASSERT_TRUE(running);
  q.close();
  EXPECT_EQ(ended, (std::vector<std::string>{"b Offline", "c Offline"}));
  EXPECT_EQ(q.waiting(), 0u);
}

}  // namespace
}  // namespace cp::gateway::detail
