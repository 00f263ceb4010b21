#include "sim/detail/backoff.h"

#include <gtest/gtest.h>

namespace cp::sim {
namespace {
using std::chrono::milliseconds;

TEST(Backoff, CeilingDoublesFromInitialUntilCapped) {
  BackoffPolicy p;  // 1 s, x2, 60 s
  EXPECT_EQ(backoff_ceiling(p, 0), milliseconds{1000});
  EXPECT_EQ(backoff_ceiling(p, 1), milliseconds{2000});
  EXPECT_EQ(backoff_ceiling(p, 5), milliseconds{32000});
  EXPECT_EQ(backoff_ceiling(p, 6), milliseconds{60000});
  EXPECT_EQ(backoff_ceiling(p, 1000), milliseconds{60000});  // no overflow
}

TEST(Backoff, DelayIsJitteredBetweenHalfAndFullCeiling) {
  BackoffPolicy p;
  for (unsigned attempt = 0; attempt < 12; ++attempt) {
    const auto ceiling = backoff_ceiling(p, attempt);
    EXPECT_EQ(backoff_delay(p, attempt, 0.0), ceiling / 2);
    EXPECT_LE(backoff_delay(p, attempt, 0.999), ceiling);
    EXPECT_GT(backoff_delay(p, attempt, 0.999), ceiling * 9 / 10);
  }
}

TEST(Backoff, ScheduleNeverShrinksAtTheSameJitter) {
  BackoffPolicy p{milliseconds{250}, milliseconds{30000}, 1.5};
  milliseconds last{0};
  for (unsigned attempt = 0; attempt < 40; ++attempt) {
    const auto d = backoff_delay(p, attempt, 0.5);
    EXPECT_GE(d, last);
    last = d;
  }
  EXPECT_EQ(last, milliseconds{22500});
}

}  // namespace
}  // namespace cp::sim
