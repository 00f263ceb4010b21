#include "sim/detail/charging_curve.h"

#include <algorithm>
#include <cmath>

namespace cp::sim {
namespace {
constexpr double kNominalVoltage = 230.0;
constexpr double kTaperStartSoc = 80.0;
constexpr double kTaperFloor = 0.07;          // fraction of max power left at 100 % SoC
constexpr double kRampSeconds = 20.0;         // contactor close to full current
constexpr double kEfficiency = 0.92;          // grid to battery
constexpr double kThermalTauSeconds = 1800.0; // connector/body heats slowly
constexpr double kRiseAt22kW = 30.0;          // steady-state rise over ambient at 22 kW
}  // namespace

EvProfile random_ev(std::mt19937_64& rng) {
  static constexpr std::array<double, 3> kPowers{7400.0, 11000.0, 22000.0};
  std::uniform_real_distribution<double> capacity(30000, 90000);
  std::uniform_real_distribution<double> start(10, 85);
  std::uniform_int_distribution<int> power(0, 2);
  EvProfile ev;
  ev.capacity_wh = std::round(capacity(rng) / 1000) * 1000;
  ev.soc_start = start(rng);
  std::uniform_real_distribution<double> target(std::max(ev.soc_start + 5, 80.0), 100);
  ev.soc_target = target(rng);
  ev.max_power_w = kPowers[static_cast<std::size_t>(power(rng))];
  ev.phases = ev.max_power_w > 7400 ? 3 : 1;
  return ev;
}

double taper_power_w(double soc_percent, double max_power_w) {
  if (soc_percent <= kTaperStartSoc) return max_power_w;
  const double k = std::log(1.0 / kTaperFloor) / (100.0 - kTaperStartSoc);
  const double soc = std::min(soc_percent, 100.0);
  return max_power_w * std::exp(-k * (soc - kTaperStartSoc));
}

ChargingCurve::ChargingCurve(EvProfile ev, double meter_start_wh, double ambient_c, std::uint64_t seed)
    : ev_(ev),
      meter_start_wh_(meter_start_wh),
      energy_wh_(meter_start_wh),
      soc_(ev.soc_start),
      ambient_c_(ambient_c),
      temperature_c_(ambient_c),
      rng_(seed) {}

void ChargingCurve::advance(double seconds) {
  while (seconds > 0) {
    const double dt = std::min(seconds, 1.0);
    seconds -= dt;
    elapsed_s_ += dt;
    const double ramp = std::min(1.0, elapsed_s_ / kRampSeconds);
    power_w_ = ev_full() ? 0.0 : taper_power_w(soc_, ev_.max_power_w) * ramp;
    if (power_cap_w_) power_w_ = std::clamp(power_w_, 0.0, std::max(0.0, *power_cap_w_));
    const double wh = power_w_ * dt / 3600.0;
    energy_wh_ += wh;
    soc_ = std::min(100.0, soc_ + 100.0 * wh * kEfficiency / ev_.capacity_wh);
    const double target_c = ambient_c_ + kRiseAt22kW * power_w_ / 22000.0;
    temperature_c_ += (target_c - temperature_c_) * (1.0 - std::exp(-dt / kThermalTauSeconds));
  }
}

std::vector<MeterReading> ChargingCurve::sample() {
  std::normal_distribution<double> volt_noise(0.0, 1.2);
  std::normal_distribution<double> rel_noise(0.0, 0.004);
  std::vector<MeterReading> out;
  out.reserve(10);
  out.push_back(energy_reading());
  const double power = std::max(0.0, power_w_ * (1.0 + rel_noise(rng_)));
  out.push_back({"Power.Active.Import", "", "W", "Outlet", std::round(power)});
  static constexpr std::array<const char*, 3> kCurrentPhase{"L1", "L2", "L3"};
  static constexpr std::array<const char*, 3> kVoltagePhase{"L1-N", "L2-N", "L3-N"};
  std::array<double, 3> volts{};
  const auto phases = static_cast<std::size_t>(std::clamp(ev_.phases, 1, 3));
  for (std::size_t p = 0; p < phases; ++p) volts[p] = kNominalVoltage + volt_noise(rng_);
  for (std::size_t p = 0; p < phases; ++p) {
    const double amps = std::max(0.0, power / (static_cast<double>(phases) * volts[p]) * (1.0 + rel_noise(rng_)));
    out.push_back({"Current.Import", kCurrentPhase[p], "A", "Outlet", std::round(amps * 100) / 100});
  }
  for (std::size_t p = 0; p < phases; ++p)
    out.push_back({"Voltage", kVoltagePhase[p], "V", "Outlet", std::round(volts[p] * 10) / 10});
  out.push_back({"Temperature", "", "Celsius", "Body", std::round(temperature_c_ * 10) / 10});
  out.push_back({"SoC", "", "Percent", "EV", std::floor(soc_)});
  return out;
}

MeterReading ChargingCurve::energy_reading() const {
  // Whole Wh: the register is what StartTransaction/StopTransaction report as integers.
  return {"Energy.Active.Import.Register", "", "Wh", "Outlet", std::floor(energy_wh_)};
}

}  // namespace cp::sim
