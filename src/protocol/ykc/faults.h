#pragma once
// What YKC says about faults (notes §4 "no dedicated fault report", §5.2, §5.3, §5.9), as data:
// the 0x13 hardware-fault bitmap, the 2-bit fields of 0x1B/0x1D/0x21/0x25 and the 0x3B stop
// reasons. Pure lookups; the gateway maps them to domain fault codes.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/ykc/options.h"

namespace cp::ykc {

// 0x13 bits 1..13, in the spec's order.
enum class HardwareFault : unsigned char {
  EmergencyStop = 1, NoRectifierModule, OutletOverTemperature, AcSurgeProtector, ModuleCommsLost,
  InsulationMonitorCommsLost, MeterCommsLost, CardReaderCommsLost, Rc10CommsLost, FanBoardFault,
  DcFuseFault, HvContactorFault, DoorOpen,
};
inline constexpr int kHardwareFaultCount = 13;
std::string_view fault_name(HardwareFault fault);  // "emergency_stop", ...
// The faults set in `bitmap` under the pile's bit numbering (§5.2 ⚠).
std::vector<HardwareFault> hardware_faults(std::uint16_t bitmap, FaultBitNumbering numbering);
std::uint16_t hardware_fault_bitmap(std::span<const HardwareFault> faults, FaultBitNumbering numbering);

// 2-bit field number `index` (0-based, first listed first) of a packed little-endian byte string;
// within a byte the first field is in the lowest bits (LsbFirst) or the highest (MsbFirst).
std::uint8_t two_bit_field(std::span<const std::uint8_t> bytes, std::size_t index, BemBitOrder order);

// 0x3B byte 149.
enum class StopReasonClass : unsigned char { Finished, StartFailed, AbnormalStop, Unknown };
StopReasonClass classify_stop_reason(std::uint8_t code);
std::string_view stop_reason_name(std::uint8_t code);  // "soc_full", "emergency_stop", ... or "reserved"

}  // namespace cp::ykc
