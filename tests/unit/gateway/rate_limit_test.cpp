#include "gateway/detail/rate_limit.h"

#include <gtest/gtest.h>

namespace cp::gateway::detail {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, AllowsBurstThenRefusesUntilRefilled) {
  const auto t0 = TokenBucket::Clock::time_point{};
  TokenBucket bucket(10, 3, t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0 + 100ms));  // one token per 100 ms at 10/s
  EXPECT_FALSE(bucket.take(t0 + 100ms));
}

TEST(TokenBucket, NeverExceedsBurstAfterLongIdle) {
  const auto t0 = TokenBucket::Clock::time_point{};
  TokenBucket bucket(10, 2, t0);
  int taken = 0;
  for (int i = 0; i < 10; ++i) taken += bucket.take(t0 + 1h);
  EXPECT_EQ(taken, 2);
}

}  // namespace
}  // namespace cp::gateway::detail
