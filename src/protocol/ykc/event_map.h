#pragma once
// YKC frames -> protocol-neutral domain events (docs/ykc.md "Mapping"), and the platform's
// billing model setting -> the 0x0A/0x58 body. Pure functions of decoded messages; the
// session logic (pile_adapter.h) decides when to call them.
//
// Measurand names, units and locations are OCPP 1.6's (the same as OCPP piles report), so YKC
// telemetry lands in the same series: Voltage (V), Current.Import (A), Power.Active.Import (W,
// computed as V x I), Energy.Active.Import.Register (Wh, meter readings of the transaction
// record), Energy.Active.Import.Interval (Wh, energy of the running session), SoC (Percent, EV),
// Temperature (Celsius; location Cable for the gun cable, EV for the battery).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/events.h"
#include "protocol/ykc/messages.h"
#include "protocol/ykc/options.h"
#include "protocol/ykc/pile_settings.h"

namespace cp::ykc {

// 0x13 gun status, plug and fault bitmap -> ConnectorStatus name + error code ("NoError" or
// "OtherError" with vendor_error_code "YKC-HW-0x…" and the fault names in `info`).
domain::ConnectorStatusChanged connector_status(const RealtimeData& data, FaultBitNumbering numbering,
                                                const std::string& pile, Timestamp at);
// 0x13 -> one sample. `dc`: SoC and battery temperature are only meaningful on DC piles.
domain::TelemetrySampled realtime_telemetry(const RealtimeData& data, bool dc, const std::string& pile, Timestamp at,
                                            std::optional<domain::TransactionId> transaction);
// BMS frames -> telemetry (empty samples when the frame carries nothing OCPP names).
domain::TelemetrySampled bms_telemetry(const BmsDemand& demand, const std::string& pile, Timestamp at);
domain::TelemetrySampled bms_telemetry(const BmsInfo& info, const std::string& pile, Timestamp at);
domain::TelemetrySampled bms_telemetry(const BmsParameters& params, const std::string& pile, Timestamp at);
domain::TelemetrySampled bms_telemetry(const ChargeEnd& end, const std::string& pile, Timestamp at);

// 0x3B -> a recorded transaction. Times are Beijing time on the wire (units.h); an invalid time
// falls back to `received`. `id_tag`: the logical card if the record's start was ours, else the
// physical card in hex ("" when zero).
domain::TransactionRecorded transaction_record(const TransactionRecord& record, const std::string& pile,
                                               Timestamp received);
// §5.9 stop reason -> OCPP Reason ("Remote", "Local", "EmergencyStop", "PowerLoss",
// "EVDisconnected", "Other").
std::string stop_reason(std::uint8_t code);

// The pile's settings -> 0x0A/0x58 body.
BillingModel billing_model(const BillingModelSetting& setting, const std::string& pile);

// "32010600019236" + gun + yyMMddHHmmss (Beijing) + 4-digit counter: a platform-issued
// transaction serial (notes §1.1).
std::string transaction_serial(const std::string& pile, int gun, Timestamp at, unsigned counter);
// A V1.6 parallel session's serial (BCD 6, notes §7): yyMMddHHmmss of `at` (Beijing), the same
// stamp a transaction serial carries.
std::string parallel_serial(Timestamp at);

}  // namespace cp::ykc
