#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

InsertRejectedFrame frame(int i) {
  return {{"CP-" + std::to_string(i), at(i), "ocpp1.6", "FormationViolation", "d", "r"}};
}

TEST(SqliteRejectedFrames, KeepsOnlyTheNewestConfiguredNumber) {
  TempDir dir;
  auto o = options_in(dir);
  o.rejected_frames_kept = 5;
  auto store = open_or_die(o);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(write(*store, {frame(i)}));
  WriteBatch many;
  for (int i = 8; i < 12; ++i) many.push_back(frame(i));
  ASSERT_TRUE(write(*store, std::move(many)));

  auto got = store->rejected_frames(100);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ((*got)[i].pile, "CP-" + std::to_string(11 - i));
  store->close();
  RawDb raw(o.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM rejected_frames"), 5);
}

TEST(SqliteRejectedFrames, BoundHoldsAcrossReopen) {
  TempDir dir;
  auto o = options_in(dir);
  o.rejected_frames_kept = 3;
  for (int round = 0; round < 3; ++round) {
    auto store = open_or_die(o);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(write(*store, {frame(round * 10 + i)}));
  }
  auto store = open_or_die(o);
  auto got = store->rejected_frames(100);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ(got->front().pile, "CP-23");
}

TEST(SqliteRejectedFrames, LimitCapsTheResult) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(write(*store, {frame(i)}));
  auto got = store->rejected_frames(2);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 2u);
}

}  // namespace
}  // namespace cp::store
