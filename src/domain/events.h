#pragma once
// The protocol-neutral vocabulary (DESIGN.md §4): what a pile tells the platform.
// Adapters in protocol/<p>/ build these from decoded frames; services consume them.
// Plain values, no I/O. Field units are the domain's: energy in Wh, timestamps UTC ms.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace cp::domain {

using PileId = std::string;
using TransactionId = std::int64_t;

enum class Protocol { Ocpp16, Ocpp201, Ykc, Gbt32960 };
const char* to_string(Protocol p);
std::optional<Protocol> protocol_from_string(std::string_view s);

// Registration decision the platform gives a booting pile (OCPP RegistrationStatus).
enum class Registration { Accepted, Pending, Rejected };
const char* to_string(Registration r);
std::optional<Registration> registration_from_string(std::string_view s);

// Authorization of an id tag (OCPP AuthorizationStatus).
enum class AuthorizationStatus { Accepted, Blocked, Expired, Invalid, ConcurrentTx };
const char* to_string(AuthorizationStatus s);
std::optional<AuthorizationStatus> authorization_from_string(std::string_view s);

struct Authorization {
  AuthorizationStatus status = AuthorizationStatus::Invalid;
  std::optional<Timestamp> expiry;
  std::optional<std::string> parent_id_tag;
};

struct PileBooted {
  PileId pile;
  std::string vendor;
  std::string model;
  std::string serial;
  std::string firmware;
  std::string iccid;
  std::string imsi;
  std::string meter_type;
  std::string meter_serial;
  Timestamp at;
};

struct SampledValue {
  std::string measurand = "Energy.Active.Import.Register";  // OCPP default when absent
  std::string phase;     // "" when not given
  std::string unit;      // as reported ("Wh", "kW", ...); "" = measurand's default
  std::string context = "Sample.Periodic";
  std::string location;  // "" = Outlet by OCPP default
  double value = 0;      // numeric value; non-numeric (signed data) values keep `raw`
  std::string raw;       // the value as sent, kept when not a plain number
};

// The identity of a value in live state (last values, live events): the measurand, then
// ".<phase>" when a phase is given, then "@<location>" when the location is not the OCPP default
// (Outlet). So per-phase currents and a cable vs an EV temperature stay apart, while the common
// names ("Power.Active.Import", "Voltage.L1-N", "Temperature") read as before.
std::string live_value_key(const SampledValue& v);
// The same key appended to `out` (callers on hot paths reuse one buffer).
void append_live_value_key(const SampledValue& v, std::string& out);

struct MeterSample {
  Timestamp at;
  std::vector<SampledValue> values;
};

struct TelemetrySampled {
  PileId pile;
  int connector = 0;  // 0 = the pile as a whole
  std::optional<TransactionId> transaction;
  std::vector<MeterSample> samples;
};

struct ConnectorStatusChanged {
  PileId pile;
  int connector = 0;
  std::string status;      // domain ConnectorStatus name (see connector.h)
  std::string error_code;  // "NoError" when healthy
  std::string vendor_error_code;
  std::string vendor_id;
  std::string info;
  Timestamp at;
};

struct TransactionStarted {
  PileId pile;
  int connector = 0;
  std::string id_tag;
  std::int64_t meter_start_wh = 0;
  std::optional<int> reservation_id;
  Timestamp at;
  // The protocol's own reference when the pile, not the server, names the transaction (YKC's
  // transaction serial); "" for none. Unique per pile: a repeated start finds the first.
  std::string external_id = {};
};

struct TransactionEnded {
  PileId pile;
  TransactionId transaction = 0;
  std::string id_tag;  // may be empty
  std::int64_t meter_stop_wh = 0;
  std::string reason;  // OCPP Reason, "Local" when absent
  Timestamp at;
  std::vector<MeterSample> transaction_data;
  // The start reading when only the end reports it (YKC 0x3B for a platform-started
  // transaction); replaces the stored meter start. OCPP never sets it.
  std::optional<std::int64_t> meter_start_wh = std::nullopt;
};

// A finished transaction the pile reports in one record (YKC 0x3B), identified by its own
// reference: it ends the transaction started under that reference, or records start and end
// at once when the platform never saw the start (offline charging). A re-sent record finds
// the transaction it already recorded.
struct TransactionRecorded {
  PileId pile;
  int connector = 0;
  std::string external_id = {};
  std::string id_tag;  // may be empty
  std::int64_t meter_start_wh = 0;
  std::int64_t meter_stop_wh = 0;
  Timestamp started;
  Timestamp stopped;
  std::string reason;  // OCPP Reason vocabulary
  std::vector<MeterSample> transaction_data;
};

struct DataTransferReceived {
  PileId pile;
  std::string vendor_id;
  std::string message_id;
  std::string data;
  Timestamp at;
};

// Firmware / diagnostics progress the pile reports ("Downloading", "Uploaded", ...).
struct FirmwareStatusReported {
  PileId pile;
  std::string status;
  Timestamp at;
};
struct DiagnosticsStatusReported {
  PileId pile;
  std::string status;
  Timestamp at;
};

// A frame the gateway refused (schema violation, malformed, oversized, flood...). Audited in a
// bounded table; `raw` is already truncated by the adapter.
struct FrameRejected {
  PileId pile;
  Protocol protocol = Protocol::Ocpp16;
  std::string error_code;
  std::string detail;
  std::string raw;
  Timestamp at;
};

}  // namespace cp::domain
