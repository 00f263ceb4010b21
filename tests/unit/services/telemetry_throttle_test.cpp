#include "services/detail/telemetry_throttle.h"

#include <gtest/gtest.h>

namespace cp::services::detail {
namespace {

using namespace std::chrono_literals;
const Timestamp kT0 = from_millis(1'700'000'000'000);

domain::TelemetrySampled sample(const std::string& pile, int connector, Timestamp at,
                                std::vector<std::pair<std::string, double>> values, std::string phase = "") {
  domain::TelemetrySampled s;
  s.pile = pile;
  s.connector = connector;
  domain::MeterSample m;
  m.at = at;
  for (auto& [measurand, v] : values) {
    domain::SampledValue sv;
    sv.measurand = measurand;
    sv.phase = phase;
    sv.unit = "W";
    sv.value = v;
    m.values.push_back(sv);
  }
  s.samples.push_back(m);
  return s;
}

TEST(TelemetryThrottle, FirstSampleGoesOutAtOnce) {
  TelemetryThrottle t(1000ms);
  auto out = t.offer(sample("CP-1", 1, kT0, {{"Power.Active.Import", 7200}}), kT0);
  ASSERT_TRUE(out.publish_now);
  EXPECT_FALSE(out.flush_after);
  ASSERT_EQ(out.publish_now->size(), 1u);
  EXPECT_EQ((*out.publish_now)[0].measurand, "Power.Active.Import");
  EXPECT_EQ((*out.publish_now)[0].value, 7200);
  EXPECT_EQ((*out.publish_now)[0].connector, 1);
}

TEST(TelemetryThrottle, SamplesInsideTheIntervalAreMergedIntoOneFlush) {
  TelemetryThrottle t(1000ms);
  ASSERT_TRUE(t.offer(sample("CP-1", 1, kT0, {{"Voltage", 230}}), kT0).publish_now);
  auto second = t.offer(sample("CP-1", 1, kT0 + 200ms, {{"Voltage", 231}, {"Current.Import", 16}}), kT0 + 200ms);
  EXPECT_FALSE(second.publish_now);
  ASSERT_TRUE(second.flush_after);
  EXPECT_EQ(*second.flush_after, 800ms);
  auto third = t.offer(sample("CP-1", 2, kT0 + 300ms, {{"Voltage", 229}}), kT0 + 300ms);
  EXPECT_FALSE(third.publish_now);
  EXPECT_FALSE(third.flush_after);  // already scheduled
  auto fourth = t.offer(sample("CP-1", 1, kT0 + 400ms, {{"Voltage", 232}}), kT0 + 400ms);
  EXPECT_FALSE(fourth.publish_now);

  auto flushed = t.flush("CP-1", kT0 + 1000ms);
  ASSERT_TRUE(flushed);
  ASSERT_EQ(flushed->size(), 3u);  // (1, Current.Import), (1, Voltage), (2, Voltage): newest values
  EXPECT_EQ((*flushed)[0].measurand, "Current.Import");
  EXPECT_EQ((*flushed)[1].measurand, "Voltage");
  EXPECT_EQ((*flushed)[1].value, 232);
  EXPECT_EQ((*flushed)[2].connector, 2);
  EXPECT_EQ((*flushed)[2].value, 229);
  EXPECT_FALSE(t.flush("CP-1", kT0 + 1000ms));  // nothing held any more

  // The flush opened a new interval: a sample right after it is held again.
  EXPECT_FALSE(t.offer(sample("CP-1", 1, kT0 + 1100ms, {{"Voltage", 233}}), kT0 + 1100ms).publish_now);
  EXPECT_TRUE(t.offer(sample("CP-2", 1, kT0 + 1100ms, {{"Voltage", 1}}), kT0 + 1100ms).publish_now)
      << "intervals are per pile";
}

TEST(TelemetryThrottle, AQuietPileGoesOutAtOnceAgain) {
  TelemetryThrottle t(1000ms);
  ASSERT_TRUE(t.offer(sample("CP-1", 1, kT0, {{"Voltage", 230}}), kT0).publish_now);
  EXPECT_TRUE(t.offer(sample("CP-1", 1, kT0 + 1500ms, {{"Voltage", 231}}), kT0 + 1500ms).publish_now);
}

TEST(TelemetryThrottle, OlderSampleNeverHidesANewerValue) {
  TelemetryThrottle t(1000ms);
  ASSERT_TRUE(t.offer(sample("CP-1", 1, kT0, {{"Voltage", 1}}), kT0).publish_now);
  t.offer(sample("CP-1", 1, kT0 + 500ms, {{"Voltage", 2}}), kT0 + 100ms);
  t.offer(sample("CP-1", 1, kT0 + 200ms, {{"Voltage", 3}}), kT0 + 200ms);  // arrives late
  auto flushed = t.flush("CP-1", kT0 + 1000ms);
  ASSERT_TRUE(flushed);
  EXPECT_EQ((*flushed)[0].value, 2);
}

TEST(TelemetryThrottle, ValuesAtDifferentLocationsAreHeldApart) {
  TelemetryThrottle t(1000ms);
  auto s = sample("CP-1", 1, kT0, {{"Temperature", 41}, {"Temperature", 33}});
  s.samples[0].values[0].location = "Cable";
  s.samples[0].values[1].location = "EV";
  auto out = t.offer(s, kT0);
  ASSERT_TRUE(out.publish_now);
  ASSERT_EQ(out.publish_now->size(), 2u);
  EXPECT_EQ((*out.publish_now)[0].location, "Cable");
  EXPECT_EQ((*out.publish_now)[0].value, 41);
  EXPECT_EQ((*out.publish_now)[1].location, "EV");
  EXPECT_EQ((*out.publish_now)[1].value, 33);
}

TEST(TelemetryThrottle, NonNumericValuesAreSkipped) {
  TelemetryThrottle t(1000ms);
  auto s = sample("CP-1", 1, kT0, {{"Energy.Active.Import.Register", 0}});
  s.samples[0].values[0].raw = "signed-data";
  auto out = t.offer(s, kT0);
  EXPECT_FALSE(out.publish_now);
  EXPECT_FALSE(out.flush_after);
}

TEST(TelemetryThrottle, ForgetDropsHeldValues) {
  TelemetryThrottle t(1000ms);
  t.offer(sample("CP-1", 1, kT0, {{"Voltage", 1}}), kT0);
  t.offer(sample("CP-1", 1, kT0 + 10ms, {{"Voltage", 2}}), kT0 + 10ms);
  EXPECT_EQ(t.tracked_piles(), 1u);
  t.forget("CP-1");
  EXPECT_EQ(t.tracked_piles(), 0u);
  EXPECT_FALSE(t.flush("CP-1", kT0 + 1000ms));
}

TEST(TelemetryThrottle, HeldKeysPerPileAreBounded) {
  TelemetryThrottle t(1000ms);
  std::vector<std::pair<std::string, double>> many;
  for (std::size_t i = 0; i < TelemetryThrottle::kMaxKeysPerPile + 50; ++i) many.emplace_back("M" + std::to_string(i), 1);
  auto out = t.offer(sample("CP-1", 1, kT0, many), kT0);
  ASSERT_TRUE(out.publish_now);
  EXPECT_EQ(out.publish_now->size(), TelemetryThrottle::kMaxKeysPerPile);
}

TEST(TelemetryThrottle, ZeroIntervalPublishesEverySample) {
  TelemetryThrottle t(0ms);
  EXPECT_TRUE(t.offer(sample("CP-1", 1, kT0, {{"Voltage", 1}}), kT0).publish_now);
  EXPECT_TRUE(t.offer(sample("CP-1", 1, kT0, {{"Voltage", 2}}), kT0).publish_now);
}

}  // namespace
}  // namespace cp::services::detail
