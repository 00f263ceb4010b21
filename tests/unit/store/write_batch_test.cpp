// store::batch_of: moves its operations into the batch, in order, with room for the extra ones.
#include <gtest/gtest.h>

#include "store/store.h"

namespace cp::store {
namespace {

TEST(BatchOf, MovesEachOperationInInOrderAndReservesTheExtraRoom) {
  auto samples = std::make_shared<const std::vector<domain::MeterSample>>(1);
  InsertTelemetry telemetry{"CP-1", 1, 7, samples};
  auto batch = batch_of(2, std::move(telemetry), TouchPile{"CP-1", {}});

  ASSERT_EQ(batch.size(), 2u);
  EXPECT_GE(batch.capacity(), 4u);
  const auto* moved = std::get_if<InsertTelemetry>(&batch[0]);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->samples, samples);
  EXPECT_EQ(telemetry.samples, nullptr);  // moved from, not copied
  EXPECT_EQ(samples.use_count(), 2);      // ours and the batch's
  EXPECT_TRUE(std::holds_alternative<TouchPile>(batch[1]));
}

}  // namespace
}  // namespace cp::store
