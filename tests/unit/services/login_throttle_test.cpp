// The login back-off policy on its own, with explicit times.
#include "services/detail/login_throttle.h"

#include <gtest/gtest.h>

namespace cp::services::detail {
namespace {

using namespace std::chrono_literals;

const Timestamp t0 = from_millis(1'700'000'000'000);

LoginThrottleOptions small() {
  LoginThrottleOptions o;
  o.free_failures_per_user = 3;
  o.free_failures_per_address = 5;
  o.base_lockout = 2s;
  o.max_lockout = 60s;
  o.forget_after = 600s;
  o.max_tracked_keys = 4;
  return o;
}

TEST(LoginThrottle, FreeFailuresPassThenTheLockoutDoubles) {
  LoginThrottle t(small());
  for (int i = 0; i < 2; ++i) t.failed("u", "", t0);
  EXPECT_FALSE(t.wait_before("u", "", t0));
  t.failed("u", "", t0);  // third: locked for the base time
  EXPECT_EQ(t.wait_before("u", "", t0), 2s);
  EXPECT_EQ(t.wait_before("u", "", t0 + 1500ms), 1s);  // rounded up
  EXPECT_FALSE(t.wait_before("u", "", t0 + 2s));
  t.failed("u", "", t0 + 2s);
  EXPECT_EQ(t.wait_before("u", "", t0 + 2s), 4s);
  t.failed("u", "", t0 + 6s);
  EXPECT_EQ(t.wait_before("u", "", t0 + 6s), 8s);
}

TEST(LoginThrottle, TheLockoutIsCapped) {
  LoginThrottle t(small());
  for (int i = 0; i < 100; ++i) t.failed("u", "", t0);
  EXPECT_EQ(t.wait_before("u", "", t0), 60s);
}

TEST(LoginThrottle, UsersAndAddressesAreCountedApart) {
  LoginThrottle t(small());
  // Many users from one address: no user reaches its limit, the address does.
  for (int i = 0; i < 5; ++i) t.failed("user" + std::to_string(i), "10.0.0.9", t0);
  EXPECT_EQ(t.wait_before("fresh", "10.0.0.9", t0), 2s);
  EXPECT_FALSE(t.wait_before("fresh", "10.0.0.8", t0));
}

TEST(LoginThrottle, SuccessClearsTheUserButNotTheAddress) {
  LoginThrottle t(small());
  for (int i = 0; i < 5; ++i) t.failed("u", "a", t0);
  t.succeeded("u");
  EXPECT_FALSE(t.wait_before("u", "", t0));
  EXPECT_TRUE(t.wait_before("u", "a", t0));
}

TEST(LoginThrottle, OldFailuresAreForgotten) {
  LoginThrottle t(small());
  for (int i = 0; i < 10; ++i) t.failed("u", "", t0);
  EXPECT_FALSE(t.wait_before("u", "", t0 + 600s));
  t.failed("u", "", t0 + 600s);  // counts from one again
  EXPECT_FALSE(t.wait_before("u", "", t0 + 600s));
}

TEST(LoginThrottle, MemoryIsBounded) {
  LoginThrottle t(small());
  for (int i = 0; i < 100; ++i) t.failed("u" + std::to_string(i), "a" + std::to_string(i), t0 + std::chrono::seconds(i));
  EXPECT_LE(t.tracked(), 8u);
  // The newest keys are the ones kept: u99's earlier failure still counts.
  for (int i = 0; i < 2; ++i) t.failed("u99", "", t0 + 100s);
  EXPECT_TRUE(t.wait_before("u99", "", t0 + 100s));
}

}  // namespace
}  // namespace cp::services::detail
