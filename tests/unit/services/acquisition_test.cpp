// Data-acquisition policy: layering (built-in -> fleet -> pile) and down-sampling on ingestion.
#include <gtest/gtest.h>

#include "services/acquisition.h"

namespace cp::services {
namespace {

using std::chrono::seconds;

domain::MeterSample sample(int at_s, std::string context = "Sample.Periodic",
                           std::vector<std::string> measurands = {"Power.Active.Import"}) {
  domain::MeterSample s;
  s.at = from_millis(1'700'000'000'000) + seconds(at_s);
  for (auto& m : measurands) {
    domain::SampledValue v;
    v.measurand = m;
    v.context = context;
    v.value = 1;
    s.values.push_back(v);
  }
  return s;
}

domain::TelemetrySampled one(const std::string& pile, domain::MeterSample s) {
  domain::TelemetrySampled t;
  t.pile = pile;
  t.connector = 1;
  t.samples.push_back(std::move(s));
  return t;
}

struct AcquisitionTest : ::testing::Test {
  Metrics metrics;
  AcquisitionPolicies policies{EffectivePolicy{0, 300, 0, {}}, metrics};

  // Feeds one sample every `every_s` seconds for `span_s`; returns how many were kept.
  int kept(const std::string& pile, int every_s, int span_s, std::string context = "Sample.Periodic") {
    int n = 0;
    for (int t = 0; t < span_s; t += every_s) {
      auto s = one(pile, sample(t, context));
      policies.filter(s);
      n += static_cast<int>(s.samples.size());
    }
    return n;
  }
};

TEST_F(AcquisitionTest, WithoutAPolicyEverythingIsKept) { EXPECT_EQ(kept("CP-1", 10, 600), 60); }

TEST_F(AcquisitionTest, SamplesFasterThanTheIntervalAreShed) {
  policies.set_fleet({60, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(kept("CP-1", 10, 600), 10);  // 10 s samples under a 60 s policy: one in six
  const auto text = metrics.render_prometheus();
  EXPECT_NE(text.find("chargeplane_telemetry_samples_downsampled_total 50"), std::string::npos) << text;
}

TEST_F(AcquisitionTest, APileFollowingThePolicyLosesNothingDespiteJitter) {
  policies.set_fleet({60, std::nullopt, std::nullopt, std::nullopt});
  int n = 0;
  for (int i = 0; i < 10; ++i) {
    auto s = one("CP-1", sample(i * 60 - (i % 2 ? 3 : 0)));  // up to 3 s early
    policies.filter(s);
    n += static_cast<int>(s.samples.size());
  }
  EXPECT_EQ(n, 10);
}

TEST_F(AcquisitionTest, PileOverrideWinsOverTheFleetDefault) {
  policies.set_fleet({60, 120, std::nullopt, std::nullopt});
  policies.set_pile("CP-2", {10, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(policies.effective("CP-2").sample_interval_s, 10);
  EXPECT_EQ(policies.effective("CP-2").heartbeat_interval_s, 120);  // inherited
  EXPECT_EQ(policies.effective("CP-1").sample_interval_s, 60);
  EXPECT_EQ(kept("CP-2", 10, 600), 60);
  policies.clear_pile("CP-2");
  EXPECT_EQ(policies.effective("CP-2").sample_interval_s, 60);
}

TEST_F(AcquisitionTest, TransactionBoundariesAreAlwaysKept) {
  policies.set_fleet({3600, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(kept("CP-1", 1, 5, "Transaction.Begin"), 5);
  EXPECT_EQ(kept("CP-1", 1, 5, "Transaction.End"), 5);
}

TEST_F(AcquisitionTest, ClockAlignedSamplesFollowTheAlignedInterval) {
  policies.set_fleet({std::nullopt, std::nullopt, 900, std::nullopt});
  EXPECT_EQ(kept("CP-1", 300, 3600, "Sample.Clock"), 4);  // 0, 900, 1800, 2700
  EXPECT_EQ(kept("CP-1", 60, 3600), 60);  // periodic samples are not limited by it
}

TEST_F(AcquisitionTest, MeasurandsOutsideTheSetAreDroppedButTheRegisterStays) {
  policies.set_fleet({std::nullopt, std::nullopt, std::nullopt, std::vector<std::string>{"Power.Active.Import"}});
  auto s = one("CP-1", sample(0, "Sample.Periodic", {"Power.Active.Import", "Voltage", "Energy.Active.Import.Register"}));
  auto out = policies.filter(s);
  ASSERT_EQ(s.samples.size(), 1u);
  ASSERT_EQ(s.samples[0].values.size(), 2u);
  EXPECT_EQ(s.samples[0].values[0].measurand, "Power.Active.Import");
  EXPECT_EQ(s.samples[0].values[1].measurand, "Energy.Active.Import.Register");
  EXPECT_EQ(out.values_dropped, 1u);
}

TEST_F(AcquisitionTest, ConnectorsAreDownSampledIndependently) {
  policies.set_fleet({60, std::nullopt, std::nullopt, std::nullopt});
  auto a = one("CP-1", sample(0));
  auto b = one("CP-1", sample(5));
  b.connector = 2;
  policies.filter(a);
  policies.filter(b);
  EXPECT_EQ(a.samples.size(), 1u);
  EXPECT_EQ(b.samples.size(), 1u);
}

TEST_F(AcquisitionTest, ReplayedHistoryIsNotDiscarded) {
  policies.set_fleet({60, std::nullopt, std::nullopt, std::nullopt});
  auto live = one("CP-1", sample(600));
  policies.filter(live);
  auto backlog = one("CP-1", sample(100));  // older than the last kept sample: a replay
  policies.filter(backlog);
  EXPECT_EQ(backlog.samples.size(), 1u);
}

TEST(AcquisitionPolicy, Validation) {
  EXPECT_TRUE(validate({60, 300, 900, std::vector<std::string>{"Voltage"}}).ok());
  EXPECT_FALSE(validate({-1, std::nullopt, std::nullopt, std::nullopt}).ok());
  EXPECT_FALSE(validate({std::nullopt, 90000, std::nullopt, std::nullopt}).ok());
  auto bad = validate({std::nullopt, std::nullopt, std::nullopt, std::vector<std::string>{"Volts"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Volts"), std::string::npos);
}

TEST(AcquisitionPolicy, ParametersApplyTheEffectivePolicy) {
  auto params = parameters_for({30, 120, 900, {"Voltage", "Power.Active.Import"}});
  std::map<std::string, std::string> m;
  for (auto& p : params) m[p.parameter] = p.value;
  EXPECT_EQ(m["meter_value_sample_interval"], "30");
  EXPECT_EQ(m["heartbeat_interval"], "120");
  EXPECT_EQ(m["clock_aligned_data_interval"], "900");
  EXPECT_EQ(m["meter_values_sampled_data"], "Voltage,Power.Active.Import");
}

}  // namespace
}  // namespace cp::services
