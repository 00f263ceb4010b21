#pragma once
// Typed YKC V1.5/V1.6 messages (notes §4/§5), one struct per frame type, with `kType` and the
// direction. Fields keep the wire's units (scaled integers, "+50" temperatures, "-400 A"
// currents, raw bit maps); the comment on each field gives the scale, and units.h converts.
// Digit strings: pile "32010600019236" (14), transaction serial (32), logical card (16), billing
// model ("0100"), parallel serial (12). Physical cards and MD5 passwords stay opaque bytes.
//
// decode_body/encode_body run the declarative field table of each type (messages.cpp: one table
// per struct, each entry = member, wire encoding, name), so one description serves both ways and
// the body size is checked at compile time against the catalogue's L. Errors: unknown_type,
// unsupported_version, short_body, long_body, bad_bcd, bad_value. Pure, no I/O.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "protocol/ykc/errors.h"
#include "protocol/ykc/frame.h"
#include "protocol/ykc/options.h"

namespace cp::ykc {

using Card = std::array<std::uint8_t, 8>;  // physical card number, opaque (left-zero-padded)

// CP56Time2a (§1.1). Decoding masks the flag/reserved bits; values are not range-checked here
// (cp56_to_unix_ms does that), so an odd timestamp never loses a transaction record.
struct Cp56Time {
  std::uint16_t milliseconds = 0;  // within the minute, 0..59999
  std::uint8_t minute = 0;
  std::uint8_t hour = 0;
  std::uint8_t day = 1;
  std::uint8_t day_of_week = 0;    // 1 = Monday .. 7, 0 = unused
  std::uint8_t month = 1;
  std::uint8_t year = 0;           // years since 2000
  bool invalid = false;            // IV bit
  bool summer = false;             // SU bit
  bool operator==(const Cp56Time&) const = default;
};

enum class Direction : unsigned char { PileToPlatform, PlatformToPile };

// ---- §5.1 login, heartbeat, billing model ------------------------------------------------
struct Login {  // 0x01
  static constexpr std::uint8_t kType = 0x01;
  std::string pile;
  std::uint8_t pile_type = 0;      // 0 DC, 1 AC
  std::uint8_t gun_count = 1;
  std::uint8_t protocol_version = kVersion16;  // 0x0F V1.5, 0x10 V1.6
  std::string firmware;            // ASCII 8
  std::uint8_t network_type = 0;   // 0 SIM, 1 LAN, 2 WAN, 3 other
  std::string sim;                 // 20 digits, zeros if none
  std::uint8_t carrier = 0;        // raw (§5.1 ⚠)
  bool operator==(const Login&) const = default;
};
struct LoginReply {  // 0x02
  static constexpr std::uint8_t kType = 0x02;
  std::string pile;
  std::uint8_t result = 0;         // 0 success, 1 failure
  bool operator==(const LoginReply&) const = default;
};
struct Heartbeat {  // 0x03
  static constexpr std::uint8_t kType = 0x03;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t gun_status = 0;     // 0 normal, 1 fault
  bool operator==(const Heartbeat&) const = default;
};
struct HeartbeatReply {  // 0x04
  static constexpr std::uint8_t kType = 0x04;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t reply = 0;
  bool operator==(const HeartbeatReply&) const = default;
};
struct BillingModelVerify {  // 0x05
  static constexpr std::uint8_t kType = 0x05;
  std::string pile;
  std::string model = "0000";
  bool operator==(const BillingModelVerify&) const = default;
};
struct BillingModelVerifyReply {  // 0x06
  static constexpr std::uint8_t kType = 0x06;
  std::string pile;
  std::string model = "0000";
  std::uint8_t result = 0;         // 0 current, 1 mismatch (pile then sends 0x09)
  bool operator==(const BillingModelVerifyReply&) const = default;
};
struct BillingModelRequest {  // 0x09
  static constexpr std::uint8_t kType = 0x09;
  std::string pile;
  bool operator==(const BillingModelRequest&) const = default;
};
// Body of 0x0A and 0x58. Rates ×1e5 yuan/kWh; tier per half hour: 0 sharp, 1 peak, 2 flat, 3 valley.
struct BillingModel {
  std::string pile;
  std::string model = "0100";
  std::uint32_t sharp_energy = 0, sharp_service = 0;
  std::uint32_t peak_energy = 0, peak_service = 0;
  std::uint32_t flat_energy = 0, flat_service = 0;
  std::uint32_t valley_energy = 0, valley_service = 0;
  std::uint8_t loss_ratio = 0;     // percent
  std::array<std::uint8_t, 48> slots{};
  bool operator==(const BillingModel&) const = default;
};
struct BillingModelReply {  // 0x0A
  static constexpr std::uint8_t kType = 0x0A;
  BillingModel model;
  bool operator==(const BillingModelReply&) const = default;
};
struct BillingModelSet {  // 0x58
  static constexpr std::uint8_t kType = 0x58;
  BillingModel model;
  bool operator==(const BillingModelSet&) const = default;
};
struct BillingModelSetReply {  // 0x57
  static constexpr std::uint8_t kType = 0x57;
  std::string pile;
  std::uint8_t result = 0;         // 0 failure, 1 success
  bool operator==(const BillingModelSetReply&) const = default;
};

// ---- §5.2 real-time data -------------------------------------------------------------------
struct RealtimeDataPoll {  // 0x12
  static constexpr std::uint8_t kType = 0x12;
  std::string pile;
  std::uint8_t gun = 1;
  bool operator==(const RealtimeDataPoll&) const = default;
};
struct RealtimeData {  // 0x13
  static constexpr std::uint8_t kType = 0x13;
  std::string serial;              // 32 digits, all zero when idle
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t status = 2;         // 0 offline, 1 fault, 2 idle, 3 charging
  std::uint8_t holstered = 2;      // 0 no, 1 yes, 2 unknown
  std::uint8_t plugged = 0;        // 0 no, 1 yes
  std::uint16_t voltage_dv = 0;    // ×0.1 V
  std::uint16_t current_da = 0;    // ×0.1 A
  std::uint8_t cable_temp = 50;    // °C + 50
  Card cable_code{};
  std::uint8_t soc = 0;            // %
  std::uint8_t battery_max_temp = 0;  // °C + 50
  std::uint16_t charging_minutes = 0;
  std::uint16_t remaining_minutes = 0;
  std::uint32_t energy = 0;        // ×1e-4 kWh
  std::uint32_t lossy_energy = 0;  // ×1e-4 kWh
  std::uint32_t amount = 0;        // ×1e-4 yuan
  std::uint16_t hardware_faults = 0;  // bitmap, see faults.h
  bool operator==(const RealtimeData&) const = default;
};

// ---- §5.3 BMS-stage frames (T16 + P7 + G1 first) -------------------------------------------
struct BmsHandshake {  // 0x15
  static constexpr std::uint8_t kType = 0x15;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::array<std::uint8_t, 3> bms_version{};
  std::uint8_t battery_type = 0;
  std::uint16_t rated_capacity = 0;  // ×0.1 Ah
  std::uint16_t rated_voltage = 0;   // ×0.1 V
  std::array<std::uint8_t, 4> battery_maker{};
  std::array<std::uint8_t, 4> pack_serial{};
  std::uint8_t production_year = 0;  // + 1985
  std::uint8_t production_month = 0;
  std::uint8_t production_day = 0;
  std::uint32_t charge_cycles = 0;   // 3 bytes
  std::uint8_t ownership = 0;
  std::uint8_t reserved = 0;
  std::string vin;                   // normal order
  std::array<std::uint8_t, 8> bms_software{};
  bool operator==(const BmsHandshake&) const = default;
};
struct BmsParameters {  // 0x17
  static constexpr std::uint8_t kType = 0x17;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::uint16_t max_cell_voltage = 0;    // ×0.01 V
  std::uint16_t max_charge_current = 0;  // ×0.1 A, −400 A offset
  std::uint16_t nominal_energy = 0;      // ×0.1 kWh
  std::uint16_t max_total_voltage = 0;   // ×0.1 V
  std::uint8_t max_temperature = 0;      // °C + 50
  std::uint16_t soc = 0;                 // ×0.1 %
  std::uint16_t battery_voltage = 0;     // ×0.1 V
  std::uint16_t pile_max_voltage = 0, pile_min_voltage = 0;  // ×0.1 V
  std::uint16_t pile_max_current = 0, pile_min_current = 0;  // ×0.1 A, −400
  bool operator==(const BmsParameters&) const = default;
};
struct ChargeEnd {  // 0x19
  static constexpr std::uint8_t kType = 0x19;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::uint8_t final_soc = 0;
  std::uint16_t min_cell_voltage = 0, max_cell_voltage = 0;  // ×0.01 V
  std::uint8_t min_temperature = 0, max_temperature = 0;     // °C + 50
  std::uint16_t charging_minutes = 0;
  std::uint16_t output_energy = 0;       // ×0.1 kWh
  std::uint32_t charger_number = 0;
  bool operator==(const ChargeEnd&) const = default;
};
struct BmsErrorFrame {  // 0x1B; 2-bit fields, read with two_bit_field (faults.h)
  static constexpr std::uint8_t kType = 0x1B;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::array<std::uint8_t, 8> bits{};
  bool operator==(const BmsErrorFrame&) const = default;
};
struct StopReasons {  // body of 0x1D / 0x21 after the head; raw GB/T 27930 BST/CST bit fields
  std::uint8_t reason = 0;
  std::uint16_t fault = 0;
  std::uint8_t error = 0;
  bool operator==(const StopReasons&) const = default;
};
struct BmsStop {  // 0x1D
  static constexpr std::uint8_t kType = 0x1D;
  std::string serial, pile;
  std::uint8_t gun = 1;
  StopReasons reasons;
  bool operator==(const BmsStop&) const = default;
};
struct ChargerStop {  // 0x21
  static constexpr std::uint8_t kType = 0x21;
  std::string serial, pile;
  std::uint8_t gun = 1;
  StopReasons reasons;
  bool operator==(const ChargerStop&) const = default;
};
struct BmsDemand {  // 0x23
  static constexpr std::uint8_t kType = 0x23;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::uint16_t voltage_demand = 0;     // ×0.1 V
  std::uint16_t current_demand = 0;     // ×0.1 A, −400
  std::uint8_t charge_mode = 0;         // 1 CV, 2 CC
  std::uint16_t measured_voltage = 0;   // ×0.1 V
  std::uint16_t measured_current = 0;   // ×0.1 A, −400
  std::uint16_t max_cell_voltage_group = 0;  // bits 0-11 ×0.01 V, bits 12-15 group
  std::uint8_t soc = 0;
  std::uint16_t remaining_minutes = 0;
  std::uint16_t output_voltage = 0;     // ×0.1 V
  std::uint16_t output_current = 0;     // ×0.1 A, −400
  std::uint16_t charging_minutes = 0;
  bool operator==(const BmsDemand&) const = default;
};
struct BmsInfo {  // 0x25
  static constexpr std::uint8_t kType = 0x25;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::uint8_t max_voltage_cell = 0;    // number − 1
  std::uint8_t max_temperature = 0;     // °C + 50
  std::uint8_t max_temperature_probe = 0;
  std::uint8_t min_temperature = 0;     // °C + 50
  std::uint8_t min_temperature_probe = 0;
  std::uint16_t flags = 0;              // 2-bit fields
  bool operator==(const BmsInfo&) const = default;
};

// ---- §5.4 start / stop ------------------------------------------------------------------------
struct PileStartRequest {  // 0x31
  static constexpr std::uint8_t kType = 0x31;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t start_mode = 1;       // 1 card, 2 account, 3 VIN
  std::uint8_t password_required = 0;
  Card card{};
  std::array<std::uint8_t, 16> password{};  // raw (§5.4 ⚠)
  std::string vin;                   // normal order here; reversed on the wire if vin_reversed
  bool operator==(const PileStartRequest&) const = default;
};
struct StartAuthorisation {  // 0x32
  static constexpr std::uint8_t kType = 0x32;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::string logical_card = std::string(16, '0');
  std::uint32_t balance = 0;         // ×0.01 yuan
  std::uint8_t result = 0;           // 0 fail, 1 success
  std::uint8_t failure_reason = 0;
  bool operator==(const StartAuthorisation&) const = default;
};
struct RemoteStartReply {  // 0x33
  static constexpr std::uint8_t kType = 0x33;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::uint8_t result = 0;           // 0 fail, 1 success
  std::uint8_t reason = 0;           // 0 none, 1 pile mismatch, 2 charging, 3 fault, 4 offline, 5 not plugged
  bool operator==(const RemoteStartReply&) const = default;
};
struct RemoteStart {  // 0x34
  static constexpr std::uint8_t kType = 0x34;
  std::string serial, pile;
  std::uint8_t gun = 1;
  std::string logical_card = std::string(16, '0');
  Card card{};
  std::uint32_t balance = 0;         // ×0.01 yuan
  bool operator==(const RemoteStart&) const = default;
};
struct RemoteStopReply {  // 0x35
  static constexpr std::uint8_t kType = 0x35;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t result = 0;           // 0 fail, 1 success
  std::uint8_t reason = 0;           // 0 none, 1 pile mismatch, 2 not charging, 3 other
  bool operator==(const RemoteStopReply&) const = default;
};
struct RemoteStop {  // 0x36
  static constexpr std::uint8_t kType = 0x36;
  std::string pile;
  std::uint8_t gun = 1;
  bool operator==(const RemoteStop&) const = default;
};

// ---- §5.5 transaction record ------------------------------------------------------------------
struct TierUsage {  // price ×1e5 yuan/kWh, energies ×1e4 kWh, amount ×1e4 yuan
  std::uint32_t price = 0, energy = 0, lossy_energy = 0, amount = 0;
  bool operator==(const TierUsage&) const = default;
};
struct TransactionRecord {  // 0x3B
  static constexpr std::uint8_t kType = 0x3B;
  std::string serial, pile;
  std::uint8_t gun = 1;
  Cp56Time start, end;
  TierUsage sharp, peak, flat, valley;
  std::uint64_t meter_start = 0, meter_end = 0;  // 5 bytes, ×1e-4 kWh
  std::uint32_t total_energy = 0, total_lossy_energy = 0, total_amount = 0;
  std::string vin;                   // normal order
  std::uint8_t start_type = 1;       // 1 app, 2 card, 4 offline card, 5 VIN
  Cp56Time transaction_time;
  std::uint8_t stop_reason = 0x40;   // §5.9, see faults.h
  Card card{};
  bool operator==(const TransactionRecord&) const = default;
};
struct TransactionRecordAck {  // 0x40
  static constexpr std::uint8_t kType = 0x40;
  std::string serial;
  std::uint8_t result = 0;           // 0 accepted, 1 illegal bill
  bool operator==(const TransactionRecordAck&) const = default;
};

// ---- §5.6 balance and offline cards --------------------------------------------------------
struct BalanceUpdateReply {  // 0x41
  static constexpr std::uint8_t kType = 0x41;
  std::string pile;
  Card card{};
  std::uint8_t result = 0;           // 0 ok, 1 pile wrong, 2 card wrong
  bool operator==(const BalanceUpdateReply&) const = default;
};
struct BalanceUpdate {  // 0x42
  static constexpr std::uint8_t kType = 0x42;
  std::string pile;
  std::uint8_t gun = 1;
  Card card{};
  std::uint32_t balance = 0;         // ×0.01 yuan
  bool operator==(const BalanceUpdate&) const = default;
};
struct OfflineCard {
  std::string logical_card = std::string(16, '0');
  Card card{};
  bool operator==(const OfflineCard&) const = default;
};
struct OfflineCardSyncReply {  // 0x43
  static constexpr std::uint8_t kType = 0x43;
  std::string pile;
  std::uint8_t result = 0;           // 0 fail, 1 ok
  std::uint8_t reason = 0;           // 1 card format, 2 storage full
  bool operator==(const OfflineCardSyncReply&) const = default;
};
struct OfflineCardSync {  // 0x44, at most 15 cards
  static constexpr std::uint8_t kType = 0x44;
  static constexpr std::size_t kMaxCards = 15;
  std::string pile;
  std::vector<OfflineCard> cards;
  bool operator==(const OfflineCardSync&) const = default;
};
struct CardClearResult {
  Card card{};
  std::uint8_t ok = 0;               // 0 fail, 1 ok
  std::uint8_t reason = 0;           // 1 format error
  bool operator==(const CardClearResult&) const = default;
};
struct OfflineCardClearReply {  // 0x45 (cards until the end of the body)
  static constexpr std::uint8_t kType = 0x45;
  std::string pile;
  std::vector<CardClearResult> results;
  bool operator==(const OfflineCardClearReply&) const = default;
};
struct OfflineCardClear {  // 0x46, at most 24 cards
  static constexpr std::uint8_t kType = 0x46;
  static constexpr std::size_t kMaxCards = 24;
  std::string pile;
  std::vector<Card> cards;
  bool operator==(const OfflineCardClear&) const = default;
};
struct CardPresence {
  Card card{};
  std::uint8_t present = 0;
  bool operator==(const CardPresence&) const = default;
};
struct OfflineCardQueryReply {  // 0x47 (cards until the end of the body)
  static constexpr std::uint8_t kType = 0x47;
  std::string pile;
  std::vector<CardPresence> results;
  bool operator==(const OfflineCardQueryReply&) const = default;
};
struct OfflineCardQuery {  // 0x48, at most 26 cards
  static constexpr std::uint8_t kType = 0x48;
  static constexpr std::size_t kMaxCards = 26;
  std::string pile;
  std::vector<Card> cards;
  bool operator==(const OfflineCardQuery&) const = default;
};

// ---- §5.7 platform settings ------------------------------------------------------------------
struct WorkParamsReply {  // 0x51
  static constexpr std::uint8_t kType = 0x51;
  std::string pile;
  std::uint8_t result = 0;           // 0 fail, 1 success
  bool operator==(const WorkParamsReply&) const = default;
};
struct WorkParams {  // 0x52
  static constexpr std::uint8_t kType = 0x52;
  std::string pile;
  std::uint8_t disabled = 0;         // 0 allowed to work, 1 disabled/locked
  std::uint8_t max_power_percent = 100;  // 30..100
  bool operator==(const WorkParams&) const = default;
};
struct TimeSyncReply {  // 0x55
  static constexpr std::uint8_t kType = 0x55;
  std::string pile;
  Cp56Time time;
  bool operator==(const TimeSyncReply&) const = default;
};
struct TimeSync {  // 0x56
  static constexpr std::uint8_t kType = 0x56;
  std::string pile;
  Cp56Time time;                     // Beijing time
  bool operator==(const TimeSync&) const = default;
};

// ---- §5.8 maintenance -------------------------------------------------------------------------
struct ParkingLockReport {  // 0x61
  static constexpr std::uint8_t kType = 0x61;
  std::string pile;
  std::uint8_t gun = 1;              // BIN here, not BCD
  std::uint8_t lock_state = 0;       // 0x00 moving, 0x55 raised, 0xFF lowered
  std::uint8_t bay_state = 0;        // 0x00 empty, 0xFF occupied
  std::uint8_t battery_percent = 0;
  std::uint8_t alarm = 0;
  std::array<std::uint8_t, 4> reserved{};
  bool operator==(const ParkingLockReport&) const = default;
};
struct ParkingLockCommand {  // 0x62
  static constexpr std::uint8_t kType = 0x62;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t action = 0x55;        // 0x55 raise, 0xFF lower
  std::array<std::uint8_t, 4> reserved{};
  bool operator==(const ParkingLockCommand&) const = default;
};
struct ParkingLockReply {  // 0x63
  static constexpr std::uint8_t kType = 0x63;
  std::string pile;
  std::uint8_t gun = 1;
  std::uint8_t result = 0;           // 1 ok, 0 fail
  std::array<std::uint8_t, 4> reserved{};
  bool operator==(const ParkingLockReply&) const = default;
};
struct RebootReply {  // 0x91
  static constexpr std::uint8_t kType = 0x91;
  std::string pile;
  std::uint8_t result = 0;           // 0 fail, 1 ok
  bool operator==(const RebootReply&) const = default;
};
struct Reboot {  // 0x92
  static constexpr std::uint8_t kType = 0x92;
  std::string pile;
  std::uint8_t control = 1;          // 1 immediately, 2 when idle
  bool operator==(const Reboot&) const = default;
};
struct RemoteUpdateReply {  // 0x93
  static constexpr std::uint8_t kType = 0x93;
  std::string pile;
  std::uint8_t status = 0;           // 0 ok, 1 pile wrong, 2 model mismatch, 3 timeout
  bool operator==(const RemoteUpdateReply&) const = default;
};
struct RemoteUpdate {  // 0x94
  static constexpr std::uint8_t kType = 0x94;
  std::string pile;
  std::uint8_t pile_model = 1;       // 1 DC, 2 AC
  std::uint16_t pile_power = 0;      // unit not stated (kW in practice)
  std::string server;                // ASCII 16
  std::uint16_t port = 21;
  std::string user, password;        // ASCII 16 each (the password is never logged)
  std::string path;                  // ASCII 32
  std::uint8_t control = 1;          // 1 immediately, 2 when idle
  std::uint8_t timeout_minutes = 0;
  bool operator==(const RemoteUpdate&) const = default;
};

// ---- §7 V1.6 parallel charging -----------------------------------------------------------
struct ParallelStartRequest {  // 0xA1
  static constexpr std::uint8_t kType = 0xA1;
  PileStartRequest request;
  std::uint8_t slave = 0;            // 0 master, 1 slave
  std::string parallel_serial;       // 12 digits yyMMddHHmmss
  bool operator==(const ParallelStartRequest&) const = default;
};
struct ParallelStartAuthorisation {  // 0xA2
  static constexpr std::uint8_t kType = 0xA2;
  StartAuthorisation authorisation;
  std::string parallel_serial;
  bool operator==(const ParallelStartAuthorisation&) const = default;
};
struct ParallelRemoteStartReply {  // 0xA3
  static constexpr std::uint8_t kType = 0xA3;
  RemoteStartReply reply;
  std::uint8_t slave = 0;
  std::string parallel_serial;
  bool operator==(const ParallelRemoteStartReply&) const = default;
};
struct ParallelRemoteStart {  // 0xA4
  static constexpr std::uint8_t kType = 0xA4;
  RemoteStart start;
  std::string parallel_serial;
  bool operator==(const ParallelRemoteStart&) const = default;
};

using Message = std::variant<
    Login, LoginReply, Heartbeat, HeartbeatReply, BillingModelVerify, BillingModelVerifyReply,
    BillingModelRequest, BillingModelReply, RealtimeDataPoll, RealtimeData, BmsHandshake,
    BmsParameters, ChargeEnd, BmsErrorFrame, BmsStop, ChargerStop, BmsDemand, BmsInfo,
    PileStartRequest, StartAuthorisation, RemoteStartReply, RemoteStart, RemoteStopReply,
    RemoteStop, TransactionRecord, TransactionRecordAck, BalanceUpdateReply, BalanceUpdate,
    OfflineCardSyncReply, OfflineCardSync, OfflineCardClearReply, OfflineCardClear,
    OfflineCardQueryReply, OfflineCardQuery, WorkParamsReply, WorkParams, TimeSyncReply, TimeSync,
    BillingModelSetReply, BillingModelSet, ParkingLockReport, ParkingLockCommand,
    ParkingLockReply, RebootReply, Reboot, RemoteUpdateReply, RemoteUpdate,
    ParallelStartRequest, ParallelStartAuthorisation, ParallelRemoteStartReply, ParallelRemoteStart>;

std::uint8_t type_of(const Message& message);
bool is_known_type(std::uint8_t type);
// Odd types travel pile -> platform, even types platform -> pile (§1, §4 ⚠ on 0xA3/0xA4).
Direction direction_of(std::uint8_t type);
// "login", "realtime_data", ... ("unknown" for types outside the catalogue); for logs and metrics.
std::string_view type_name(std::uint8_t type);
// Body size of a fixed-layout type; nullopt for the variable ones (0x44..0x48) and unknown types.
std::optional<std::size_t> fixed_body_size(std::uint8_t type);
// Size of the plain body that `body` starts with (variable types: from the count or the
// available whole entries); used to strip zero padding after decryption.
Result<std::size_t, CodecError> plain_body_size(std::uint8_t type, std::span<const std::uint8_t> body);

// Decodes a clear body of frame type `type`; the body must have exactly the layout's size.
Result<Message, CodecError> decode_body(std::uint8_t type, std::span<const std::uint8_t> body,
                                        const Options& options = {});
Result<Bytes, CodecError> encode_body(const Message& message, const Options& options = {});

}  // namespace cp::ykc
