// YKC frames -> domain events (protocol/ykc/event_map.h).
#include "protocol/ykc/event_map.h"

#include <fmt/format.h>

#include <cmath>

#include "protocol/ykc/faults.h"
#include "protocol/ykc/units.h"

namespace cp::ykc {
namespace {

domain::SampledValue value(std::string measurand, double v, std::string unit, std::string location = "") {
  domain::SampledValue s;
  s.measurand = std::move(measurand);
  s.value = v;
  s.unit = std::move(unit);
  s.location = std::move(location);
  return s;
}

domain::TelemetrySampled sample(const std::string& pile, int gun, Timestamp at,
                                std::vector<domain::SampledValue> values) {
  domain::TelemetrySampled t;
  t.pile = pile;
  t.connector = gun;
  if (!values.empty()) t.samples.push_back(domain::MeterSample{at, std::move(values)});
  return t;
}

double round1(double v) { return std::round(v * 10) / 10; }

std::string card_hex(const Card& card) {
  std::string out;
  bool any = false;
  for (auto b : card) {
    any = any || b != 0;
    out += fmt::format("{:02X}", b);
  }
  return any ? out : "";
}

Timestamp time_or(const Cp56Time& t, Timestamp fallback) {
  auto ms = cp56_to_unix_ms(t);
  return ms ? from_millis(*ms) : fallback;
}

}  // namespace

domain::ConnectorStatusChanged connector_status(const RealtimeData& d, FaultBitNumbering numbering,
                                                const std::string& pile, Timestamp at) {
  domain::ConnectorStatusChanged c;
  c.pile = pile;
  c.connector = d.gun;
  c.at = at;
  c.vendor_id = "YKC";
  switch (d.status) {
    case 0: c.status = "Unavailable"; break;
    case 1: c.status = "Faulted"; break;
    case 2: c.status = d.plugged == 1 ? "Preparing" : "Available"; break;
    case 3: c.status = "Charging"; break;
    default: c.status = "Unknown"; break;
  }
  const auto faults = hardware_faults(d.hardware_faults, numbering);
  if (d.hardware_faults != 0 || d.status == 1) {
    c.error_code = "OtherError";
    c.vendor_error_code = fmt::format("YKC-HW-0x{:04X}", d.hardware_faults);
    for (auto f : faults) c.info += (c.info.empty() ? "" : ",") + std::string(fault_name(f));
    if (c.info.empty()) c.info = "gun fault";
  } else {
    c.error_code = "NoError";
  }
  return c;
}

domain::TelemetrySampled realtime_telemetry(const RealtimeData& d, bool dc, const std::string& pile, Timestamp at,
                                            std::optional<domain::TransactionId> transaction) {
  const double volts = d.voltage_dv / 10.0, amps = d.current_da / 10.0;
  std::vector<domain::SampledValue> v{
      value("Voltage", volts, "V"), value("Current.Import", amps, "A"),
      value("Power.Active.Import", round1(volts * amps), "W"),
      value("Temperature", temperature_c(d.cable_temp), "Celsius", "Cable")};
  if (d.status == 3 || d.energy > 0) v.push_back(value("Energy.Active.Import.Interval", d.energy / 10.0, "Wh"));
  if (dc && d.status == 3) {
    v.push_back(value("SoC", d.soc, "Percent", "EV"));
    if (d.battery_max_temp != 0) v.push_back(value("Temperature", temperature_c(d.battery_max_temp), "Celsius", "EV"));
  }
  auto t = sample(pile, d.gun, at, std::move(v));
  t.transaction = transaction;
  return t;
}

domain::TelemetrySampled bms_telemetry(const BmsDemand& m, const std::string& pile, Timestamp at) {
  return sample(pile, m.gun, at,
                {value("Voltage", m.measured_voltage / 10.0, "V", "EV"),
                 value("Current.Import", round1(bms_current_a(m.measured_current)), "A", "EV"),
                 value("SoC", m.soc, "Percent", "EV"), value("Voltage", m.output_voltage / 10.0, "V", "Outlet"),
                 value("Current.Import", round1(bms_current_a(m.output_current)), "A", "Outlet")});
}

domain::TelemetrySampled bms_telemetry(const BmsInfo& m, const std::string& pile, Timestamp at) {
  return sample(pile, m.gun, at, {value("Temperature", temperature_c(m.max_temperature), "Celsius", "EV")});
}

domain::TelemetrySampled bms_telemetry(const BmsParameters& m, const std::string& pile, Timestamp at) {
  return sample(pile, m.gun, at,
                {value("SoC", m.soc / 10.0, "Percent", "EV"), value("Voltage", m.battery_voltage / 10.0, "V", "EV")});
}

domain::TelemetrySampled bms_telemetry(const ChargeEnd& m, const std::string& pile, Timestamp at) {
  return sample(pile, m.gun, at, {value("SoC", m.final_soc, "Percent", "EV")});
}

std::string stop_reason(std::uint8_t code) {
  switch (code) {
    case 0x40: return "Remote";
    case 0x45: return "Local";
    case 0x50: case 0x72: return "EmergencyStop";
    case 0x83: return "PowerLoss";
    case 0x6B: return "EVDisconnected";
    default: return "Other";
  }
}

domain::TransactionRecorded transaction_record(const TransactionRecord& r, const std::string& pile,
                                               Timestamp received) {
  domain::TransactionRecorded t;
  t.pile = pile;
  t.connector = r.gun;
  t.external_id = r.serial;
  t.id_tag = card_hex(r.card);
  t.meter_start_wh = static_cast<std::int64_t>(r.meter_start / 10);  // 1e-4 kWh -> Wh
  t.meter_stop_wh = static_cast<std::int64_t>(r.meter_end / 10);
  t.stopped = time_or(r.end, received);
  t.started = time_or(r.start, t.stopped);
  t.reason = stop_reason(r.stop_reason);
  auto begin = value("Energy.Active.Import.Register", static_cast<double>(t.meter_start_wh), "Wh");
  begin.context = "Transaction.Begin";
  auto end = value("Energy.Active.Import.Register", static_cast<double>(t.meter_stop_wh), "Wh");
  end.context = "Transaction.End";
  auto delivered = value("Energy.Active.Import.Interval", r.total_energy / 10.0, "Wh");
  delivered.context = "Transaction.End";
  t.transaction_data.push_back({t.started, {begin}});
  t.transaction_data.push_back({t.stopped, {end, delivered}});
  return t;
}

BillingModel billing_model(const BillingModelSetting& s, const std::string& pile) {
  auto rate = [](double yuan) { return static_cast<std::uint32_t>(std::llround(yuan * 1e5)); };
  BillingModel m;
  m.pile = pile;
  m.model = s.number;
  m.sharp_energy = rate(s.energy_rates[0]), m.sharp_service = rate(s.service_rates[0]);
  m.peak_energy = rate(s.energy_rates[1]), m.peak_service = rate(s.service_rates[1]);
  m.flat_energy = rate(s.energy_rates[2]), m.flat_service = rate(s.service_rates[2]);
  m.valley_energy = rate(s.energy_rates[3]), m.valley_service = rate(s.service_rates[3]);
  m.loss_ratio = static_cast<std::uint8_t>(s.loss_percent);
  for (std::size_t i = 0; i < m.slots.size() && i < s.slots.size(); ++i)
    m.slots[i] = static_cast<std::uint8_t>(s.slots[i] - '0');
  return m;
}

std::string parallel_serial(Timestamp at) {
  const auto t = cp56_from_unix_ms(to_millis(at));
  return fmt::format("{:02}{:02}{:02}{:02}{:02}{:02}", t.year % 100, t.month, t.day, t.hour, t.minute,
                     t.milliseconds / 1000);
}

std::string transaction_serial(const std::string& pile, int gun, Timestamp at, unsigned counter) {
  return fmt::format("{}{:02}{}{:04}", pile, gun % 100, parallel_serial(at), counter % 10000);
}

}  // namespace cp::ykc
