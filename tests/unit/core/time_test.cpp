#include "core/time.h"

#include <gtest/gtest.h>

namespace cp {
namespace {

TEST(Rfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(from_millis(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
}

TEST(Rfc3339, ParsesZuluAndOffsets) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123Z"), from_millis(1'700'000'000'123));
  EXPECT_EQ(parse_rfc3339("2023-11-14T23:13:20.123+01:00"), from_millis(1'700'000'000'123));
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), from_millis(1'700'000'000'000));
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123456Z"), from_millis(1'700'000'000'123));
}

TEST(Rfc3339, RejectsMalformedDateTimes) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2023-11-14"));
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20"));  // no offset
  EXPECT_FALSE(parse_rfc3339("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(parse_rfc3339("2023-02-30T22:13:20Z"));
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20.Z"));
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20Zjunk"));
}

}  // namespace
}  // namespace cp
