#include "sim/detail/charging_curve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace cp::sim {
namespace {

EvProfile ev(double soc_start, double target = 100) {
  EvProfile e;
  e.capacity_wh = 40000;
  e.soc_start = soc_start;
  e.soc_target = target;
  e.max_power_w = 22000;
  e.phases = 3;
  return e;
}

TEST(ChargingCurve, EnergyRegisterNeverDecreasesAcrossManyRandomSessions) {
  std::mt19937_64 rng(42);
  double register_wh = 123456;
  for (int session = 0; session < 50; ++session) {
    ChargingCurve curve(random_ev(rng), register_wh, 20, rng());
    double last = curve.energy_register_wh();
    for (int step = 0; step < 200; ++step) {
      curve.advance(30);
      const auto readings = curve.sample();
      ASSERT_GE(readings.front().value, std::floor(last));
      ASSERT_GE(curve.energy_register_wh(), last);
      last = curve.energy_register_wh();
    }
    ASSERT_GE(curve.energy_register_wh(), register_wh);
    register_wh = curve.energy_register_wh();
  }
}

TEST(ChargingCurve, PowerIsFlatBelowEightyPercentAndTapersAbove) {
  EXPECT_DOUBLE_EQ(taper_power_w(10, 11000), 11000);
  EXPECT_DOUBLE_EQ(taper_power_w(80, 11000), 11000);
  EXPECT_LT(taper_power_w(90, 11000), 11000);
  EXPECT_LT(taper_power_w(99, 11000), taper_power_w(90, 11000));
  EXPECT_NEAR(taper_power_w(100, 11000), 11000 * 0.07, 1);
}

TEST(ChargingCurve, EnergyDeliveredMatchesPowerOverTime) {
  ChargingCurve curve(ev(20), 0, 20, 1);
  curve.advance(3600);  // one hour at 22 kW, well below the taper (40 kWh pack from 20 %)
  EXPECT_NEAR(curve.delivered_wh(), 22000 - 22000 * 20.0 / 3600 / 2, 200);  // minus the 20 s ramp
}

TEST(ChargingCurve, StopsDrawingPowerAtTargetSoc) {
  ChargingCurve curve(ev(85, 90), 0, 20, 1);
  for (int i = 0; i < 24 * 60 && !curve.ev_full(); ++i) curve.advance(60);
  EXPECT_TRUE(curve.ev_full());
  curve.advance(60);
  EXPECT_EQ(curve.power_w(), 0);
}

TEST(ChargingCurve, SampleReportsEveryMeasurandWithPhaseAndUnit) {
  ChargingCurve curve(ev(30), 1000, 20, 7);
  curve.advance(120);
  const auto r = curve.sample();
  ASSERT_EQ(r.size(), 10u);
  auto count = [&](const std::string& m) {
    return std::count_if(r.begin(), r.end(), [&](const MeterReading& x) { return x.measurand == m; });
  };
  EXPECT_EQ(count("Energy.Active.Import.Register"), 1);
  EXPECT_EQ(count("Power.Active.Import"), 1);
  EXPECT_EQ(count("Current.Import"), 3);
  EXPECT_EQ(count("Voltage"), 3);
  EXPECT_EQ(count("Temperature"), 1);
  EXPECT_EQ(count("SoC"), 1);
  for (const auto& x : r) {
    if (x.measurand == "Voltage") {
      EXPECT_EQ(x.unit, "V");
      EXPECT_NEAR(x.value, 230, 10);
      EXPECT_TRUE(x.phase == "L1-N" || x.phase == "L2-N" || x.phase == "L3-N");
    }
    if (x.measurand == "Current.Import") {
      EXPECT_EQ(x.unit, "A");
      EXPECT_NEAR(x.value, 22000.0 / 3 / 230, 2);
    }
    if (x.measurand == "Temperature") {
      EXPECT_EQ(x.unit, "Celsius");
    }
    if (x.measurand == "SoC") {
      EXPECT_EQ(x.unit, "Percent");
    }
  }
}

TEST(ChargingCurve, TemperatureRisesSlowlyWhileCharging) {
  ChargingCurve curve(ev(10), 0, 20, 3);
  curve.advance(60);
  const double after_minute = curve.temperature_c();
  EXPECT_GT(after_minute, 20);
  EXPECT_LT(after_minute, 21.5);
  curve.advance(3600);
  EXPECT_GT(curve.temperature_c(), after_minute + 5);
  EXPECT_LT(curve.temperature_c(), 20 + 31);
}

TEST(ChargingCurve, RandomEvIsPlausible) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 1000; ++i) {
    const auto e = random_ev(rng);
    EXPECT_GE(e.capacity_wh, 30000);
    EXPECT_LE(e.capacity_wh, 90000);
    EXPECT_GT(e.soc_target, e.soc_start);
    EXPECT_LE(e.soc_target, 100);
    EXPECT_TRUE(e.max_power_w == 7400 || e.max_power_w == 11000 || e.max_power_w == 22000);
  }
}

TEST(ChargingCurve, PowerCapLimitsDrawnPowerAndCurrentUntilRemoved) {
  ChargingCurve curve(ev(20), 0, 20, 7);
  curve.advance(120);  // past the ramp: full 22 kW
  EXPECT_NEAR(curve.power_w(), 22000, 1);
  curve.set_power_cap_w(230.0 * 3 * 16);  // 16 A on three phases
  curve.advance(10);
  EXPECT_NEAR(curve.power_w(), 11040, 1);
  for (const auto& r : curve.sample()) {
    if (r.measurand == "Current.Import") {
      EXPECT_LT(r.value, 16.5) << r.phase;
    }
  }
  curve.set_power_cap_w(std::nullopt);
  curve.advance(10);
  EXPECT_NEAR(curve.power_w(), 22000, 1);
}

}  // namespace
}  // namespace cp::sim
