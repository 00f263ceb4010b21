#pragma once
// The electrical model of one simulated charging session (pure: no clock, no I/O).
// An AC charge point feeds an EV battery: constant power until ~80 % SoC, then a CV-like
// exponential taper. `advance(seconds)` integrates the model; `sample()` reads the meter the
// way a pile reports it (OCPP 1.6 measurands, noise on the analogue readings only). The energy
// register is cumulative over the pile's life and never decreases.
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cp::sim {

struct MeterReading {
  std::string measurand;
  std::string phase;     // "" = not phase-specific
  std::string unit;
  std::string location;  // "" = Outlet (OCPP default)
  double value = 0;
};

struct EvProfile {
  double capacity_wh = 60000;
  double soc_start = 30;       // percent
  double soc_target = 90;      // percent; the EV stops drawing power there
  double max_power_w = 11000;  // what the EV/pile pair can draw at full current
  int phases = 3;
};

// A plausible random EV for a session: 30..90 kWh, start 10..85 % SoC, 7.4/11/22 kW.
EvProfile random_ev(std::mt19937_64& rng);

// CC/CV-like power envelope: full power up to 80 % SoC, then exponential taper to ~7 % at 100 %.
double taper_power_w(double soc_percent, double max_power_w);

class ChargingCurve {
 public:
  ChargingCurve(EvProfile ev, double meter_start_wh, double ambient_c, std::uint64_t seed);

  // Integrates `seconds` of charging (sub-stepped so the taper is followed).
  void advance(double seconds);

  double energy_register_wh() const { return energy_wh_; }
  double delivered_wh() const { return energy_wh_ - meter_start_wh_; }
  double power_w() const { return power_w_; }
  // A limit the pile imposes (smart charging): the drawn power never exceeds it from the next
  // `advance` on. nullopt removes it.
  void set_power_cap_w(std::optional<double> cap_w) { power_cap_w_ = cap_w; }
  std::optional<double> power_cap_w() const { return power_cap_w_; }
  double soc_percent() const { return soc_; }
  double temperature_c() const { return temperature_c_; }
  bool ev_full() const { return soc_ >= ev_.soc_target; }
  const EvProfile& ev() const { return ev_; }

  // Energy, power, current and voltage per phase, temperature, SoC (10 readings for 3 phases).
  std::vector<MeterReading> sample();
  // Only the energy register (Transaction.Begin/End readings).
  MeterReading energy_reading() const;

 private:
  EvProfile ev_;
  double meter_start_wh_;
  double energy_wh_;
  double soc_;
  double power_w_ = 0;
  std::optional<double> power_cap_w_;
  double ambient_c_;
  double temperature_c_;
  double elapsed_s_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace cp::sim
