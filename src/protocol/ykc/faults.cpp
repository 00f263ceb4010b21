#include "protocol/ykc/faults.h"

#include <array>
#include <utility>

namespace cp::ykc {

namespace {

constexpr std::array<std::string_view, kHardwareFaultCount> kFaultNames{
    "emergency_stop", "no_rectifier_module", "outlet_over_temperature", "ac_surge_protector",
    "module_comms_lost", "insulation_monitor_comms_lost", "meter_comms_lost", "card_reader_comms_lost",
    "rc10_comms_lost", "fan_board_fault", "dc_fuse_fault", "hv_contactor_fault", "door_open"};

int bit_of(HardwareFault f, FaultBitNumbering n) {
  return static_cast<int>(f) - (n == FaultBitNumbering::FromOne ? 1 : 0);
}

// §5.9, the codes with a meaning of their own.
constexpr std::pair<std::uint8_t, std::string_view> kStopNames[] = {
    {0x40, "app_stop"}, {0x41, "soc_full"}, {0x42, "energy_target"}, {0x43, "amount_target"},
    {0x44, "time_target"}, {0x45, "manual_stop"},
    {0x4A, "start_controller_fault"}, {0x4B, "start_pilot_open"}, {0x4C, "start_breaker_tripped"},
    {0x4D, "start_meter_comms_lost"}, {0x4E, "start_balance_insufficient"}, {0x4F, "start_power_module_fault"},
    {0x50, "start_emergency_stop"}, {0x51, "start_surge_protector"}, {0x52, "start_bms_not_ready"},
    {0x53, "start_temperature"}, {0x54, "start_battery_reversed"}, {0x55, "start_electronic_lock"},
    {0x56, "start_contactor_failed"}, {0x57, "start_insulation"}, {0x59, "start_bhm_timeout"},
    {0x5A, "start_brm_timeout"}, {0x5B, "start_bcp_timeout"}, {0x5C, "start_bro_timeout"},
    {0x5D, "start_bcs_timeout"}, {0x5E, "start_bcl_timeout"}, {0x5F, "start_bsm_timeout"},
    {0x60, "start_voltage_check"}, {0x61, "start_precharge_check"}, {0x62, "start_voltage_check"},
    {0x63, "start_host_config_timeout"}, {0x64, "start_charger_not_ready"},
    {0x6A, "system_lockout"}, {0x6B, "pilot_lost"}, {0x6C, "breaker_tripped"}, {0x6D, "meter_comms_lost"},
    {0x6E, "balance_exhausted"}, {0x6F, "ac_protection"}, {0x70, "dc_protection"}, {0x71, "power_module_fault"},
    {0x72, "emergency_stop"}, {0x73, "surge_protector"}, {0x74, "temperature"}, {0x75, "output_abnormal"},
    {0x76, "no_current"}, {0x77, "electronic_lock"}, {0x79, "total_voltage_abnormal"},
    {0x7A, "cell_voltage_abnormal"}, {0x7B, "current_abnormal"}, {0x7C, "battery_over_temperature"},
    {0x7D, "battery_over_temperature"}, {0x7E, "battery_over_voltage"}, {0x7F, "battery_over_voltage"},
    {0x80, "battery_over_voltage"}, {0x81, "battery_state_stop"}, {0x82, "vehicle_forbids_charging"},
    {0x83, "pile_power_loss"}, {0x84, "bcs_timeout"}, {0x85, "bcl_timeout"}, {0x86, "bsm_timeout"},
    {0x87, "bst_timeout"}, {0x88, "bsd_timeout"}, {0x89, "ccs_timeout"}, {0x90, "unknown_reason"}};

}  // namespace

std::string_view fault_name(HardwareFault fault) {
  const int i = static_cast<int>(fault) - 1;
  return i >= 0 && i < kHardwareFaultCount ? kFaultNames[static_cast<std::size_t>(i)] : "unknown";
}

std::vector<HardwareFault> hardware_faults(std::uint16_t bitmap, FaultBitNumbering numbering) {
  std::vector<HardwareFault> out;
  for (int n = 1; n <= kHardwareFaultCount; ++n) {
    const auto f = static_cast<HardwareFault>(n);
    if (bitmap & (1u << bit_of(f, numbering))) out.push_back(f);
  }
  return out;
}

std::uint16_t hardware_fault_bitmap(std::span<const HardwareFault> faults, FaultBitNumbering numbering) {
  unsigned m = 0;
  for (auto f : faults) m |= 1u << bit_of(f, numbering);
  return static_cast<std::uint16_t>(m);
}

std::uint8_t two_bit_field(std::span<const std::uint8_t> bytes, std::size_t index, BemBitOrder order) {
  const std::size_t byte = index / 4;
  if (byte >= bytes.size()) return 0;
  const std::size_t slot = index % 4;
  const std::size_t shift = order == BemBitOrder::LsbFirst ? 2 * slot : 6 - 2 * slot;
  return static_cast<std::uint8_t>((bytes[byte] >> shift) & 0x3);
}

StopReasonClass classify_stop_reason(std::uint8_t code) {
  if (code >= 0x40 && code <= 0x49) return StopReasonClass::Finished;
  if (code >= 0x4A && code <= 0x69) return StopReasonClass::StartFailed;
  if (code >= 0x6A && code <= 0x8F) return StopReasonClass::AbnormalStop;
  return StopReasonClass::Unknown;
}

std::string_view stop_reason_name(std::uint8_t code) {
  for (const auto& [c, name] : kStopNames)
    if (c == code) return name;
  return "reserved";
}

}  // namespace cp::ykc
