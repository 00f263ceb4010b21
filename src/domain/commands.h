#pragma once
// The protocol-neutral commands the platform sends to a pile (DESIGN.md §4), and the outcome a
// pile's session reports back. Services build commands; a gateway session hands each one to its
// protocol's command runner (protocol/<p>/), which maps it to wire messages and maps the pile's
// answers back to an outcome. Plain values, no I/O.
//
// Status vocabulary (CommandOutcome::status): the pile's own answer when it gave one
// ("Accepted", "Rejected", "Unlocked", "UnlockFailed", "NotSupported", "Scheduled", ...), else
// "Offline" (no session / connection lost before an answer), "Timeout" (no answer in time),
// "CallError" (the pile answered with a protocol error; `detail` holds its code and text),
// "InvalidResponse" (the answer violated the schema), "NotSupported" (the protocol cannot
// carry the command), "InvalidRequest" (the command cannot be expressed as a valid protocol
// message; nothing was sent), "Busy" (the session's command queue is full), "Completed"
// (ApplyConfig: every setting got an answer, see `parameters`), "Interrupted" (recorded by
// services/control when a restart found the command unfinished).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.h"
#include "domain/events.h"

namespace cp::domain {

// ---- configuration ----

// Per-parameter outcome of a configuration job (DESIGN.md §4).
enum class ParameterStatus {
  Pending,
  Accepted,
  RebootRequired,
  Rejected,
  NotSupported,
  UnknownParameter,
  Offline,
  Timeout,
};
const char* to_string(ParameterStatus s);
std::optional<ParameterStatus> parameter_status_from_string(std::string_view s);
inline bool is_final(ParameterStatus s) { return s != ParameterStatus::Pending; }

// One parameter to set: the catalogue's neutral name (or a raw "ocpp1.6:<Key>") and its
// canonical string value (domain/parameters.h canonicalises typed values).
struct ParameterSetting {
  std::string parameter;
  std::string value;
};

struct ParameterResult {
  std::string parameter;
  ParameterStatus status = ParameterStatus::Pending;
  std::string detail;                         // why, for humans ("CALLERROR NotImplemented: ...")
  std::optional<std::string> reported_value;  // what the pile reported on read-back
  Timestamp at;
};

// One configuration entry as the pile reports it (read-back / GetConfiguration).
struct ConfigEntry {
  std::string key;        // the protocol's key ("HeartbeatInterval")
  std::string parameter;  // the catalogue name when the key maps to one, else ""
  std::optional<std::string> value;
  bool readonly = false;
};

// Sets parameters, one protocol message per parameter or per group as the protocol needs, then
// (when `read_back`) reads the values back to confirm and to record what the pile reports.
struct ApplyConfig {
  std::vector<ParameterSetting> settings;
  bool read_back = true;
};
// Reads configuration: the given protocol keys, or everything when empty.
struct ReadConfig {
  std::vector<std::string> keys;
};

// ---- remote control ----
struct RemoteStart {
  std::optional<int> connector;
  std::string id_tag;
  std::string charging_profile_json;  // optional protocol-shaped profile (JSON object text), "" = none
};
// One vehicle charged through several connectors of a pile at once (parallel, or dual-gun,
// charging: YKC V1.6 0xA4). The first connector leads the session; each connector gets its own
// transaction. The pile starts none unless it can start all (protocol notes §7).
struct RemoteStartParallel {
  std::vector<int> connectors;  // two or more, distinct
  std::string id_tag;
};
struct RemoteStop {
  TransactionId transaction = 0;
};
struct Reset {
  bool hard = false;
};
struct Unlock {
  int connector = 1;
};
struct ChangeAvailability {
  int connector = 0;  // 0 = the whole pile
  bool operative = true;
};
struct TriggerMessage {
  std::string message;  // "BootNotification", "Heartbeat", "MeterValues", "StatusNotification", ...
  std::optional<int> connector;
};
struct ClearCache {};
struct SendDataTransfer {
  std::string vendor_id;
  std::string message_id;
  std::string data;
};
struct UpdateFirmware {
  std::string location;  // URI
  Timestamp retrieve_date;
  std::optional<int> retries;
  std::optional<int> retry_interval_s;
};
struct GetDiagnostics {
  std::string location;  // URI
  std::optional<int> retries;
  std::optional<int> retry_interval_s;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> stop_time;
};

using Command = std::variant<ApplyConfig, ReadConfig, RemoteStart, RemoteStop, Reset, Unlock,
                             ChangeAvailability, TriggerMessage, ClearCache, SendDataTransfer,
                             UpdateFirmware, GetDiagnostics, RemoteStartParallel>;

// The API's name for a command ("remote_start", ...; ApplyConfig is "apply_config").
const char* command_type(const Command& c);

struct CommandOutcome {
  std::string status;         // see the header comment
  std::string detail;         // human-readable reason; never secrets
  std::string response_json;  // the pile's answer payload exactly as received ("" when none)
  std::vector<ParameterResult> parameters;  // ApplyConfig: one per setting, in order
  std::vector<ConfigEntry> configuration;   // ReadConfig, and ApplyConfig's read-back
  std::vector<std::string> unknown_keys;    // ReadConfig: keys the pile does not know
};

// How a session reports a command's progress. `parameter` may be called (on any thread) once
// per setting as each result becomes known; `done` is called exactly once, last.
struct CommandObserver {
  std::function<void(const ParameterResult&)> parameter;
  std::function<void(CommandOutcome)> done;
};

}  // namespace cp::domain
