#pragma once
// OCPP 1.6 command runner: drives one protocol-neutral domain::Command (domain/commands.h)
// through the Central System's server-initiated CALLs and maps the pile's answers back to a
// domain::CommandOutcome. Pure: no socket, timer or thread; time comes from the injected Clock.
// It sends through a CallFunction (the gateway wraps CentralSystemSession::call and arms the
// CALL timeout), one CALL at a time (OCPP-J 1.6 §4.1.1), and continues from each reply.
//
// Threads: the runner is not thread-safe; the CallFunction and every reply must run on one
// strand (the session's). `done` is called exactly once, last; `parameter` once per setting.
//
// Mapping (docs/ocpp.md "Commands"):
//   RemoteStart -> RemoteStartTransaction (chargingProfile = charging_profile_json),
//   RemoteStop -> RemoteStopTransaction, Reset, Unlock -> UnlockConnector, ChangeAvailability,
//   TriggerMessage, ClearCache, SendDataTransfer -> DataTransfer, UpdateFirmware,
//   GetDiagnostics, ReadConfig -> GetConfiguration, ApplyConfig -> one ChangeConfiguration or
//   SetChargingProfile per setting, then one GetConfiguration to read back. RemoteStartParallel
//   has no 1.6 CALL: "InvalidRequest", and check_command refuses it.
//
// Outcome status (single-CALL commands): the `status` the pile answered ("Accepted",
// "Rejected", "Unlocked", "Scheduled", ...); "Accepted" for answers without a status
// (UpdateFirmware, GetDiagnostics, GetConfiguration). Failures: "CallError" (detail = the pile's
// code and text), "InvalidResponse" (the answer violated the schema), "Timeout", "Offline"
// (the connection closed), "InvalidRequest" (the command cannot be expressed as a valid 1.6
// CALL, e.g. a malformed charging profile: nothing was sent; detail names the field).
// ApplyConfig: per-setting statuses in `parameters` (see apply_config in the .cpp); the outcome
// status is "Completed" when every setting got an answer, else "Timeout" or "Offline".
#include <boost/json/fwd.hpp>

#include <functional>
#include <string>

#include "core/result.h"
#include "core/time.h"
#include "domain/commands.h"
#include "protocol/ocpp/v16/central_system.h"
#include "protocol/ocpp/v16/generated/actions.h"

namespace cp::ocpp::v16 {

// Sends one CALL. On success returns the message id and later calls `reply` exactly once (with
// the schema-validated response payload or a CallFailure). On error nothing was sent and
// `reply` is never called; error codes as CentralSystemSession::call ("closed", "busy",
// "invalid_request", "wrong_direction").
using CallFunction =
    std::function<Result<std::string>(Action action, boost::json::value payload, CentralSystemSession::CallReply reply)>;

// Profile id the platform uses for the pile-wide limit (ChargePointMaxProfile); a new limit
// replaces the previous one (OCPP 1.6 §5.16.2: same id replaces).
inline constexpr std::int64_t kPlatformMaxProfileId = 900001;

// Whether `command` becomes valid OCPP 1.6 CALLs, checked before a command is accepted so a
// request that could only end "InvalidRequest" (e.g. a malformed charging profile) is refused
// up front. Error "invalid_command_args", the message naming the field as the 1.6 schema does
// ("chargingProfile/chargingSchedule: ..."). ApplyConfig passes: its settings are mapped, and
// answered per setting, when it runs.
Status check_command(const domain::Command& command);

// Starts `command` and returns once the first CALL is sent (or the command is already done).
// `clock` stamps ParameterResult::at and the start of the ChargePointMaxProfile schedule; it
// must outlive the command. A CallFunction that drops a reply without calling it (a destroyed
// session) ends the command silently: the gateway fails outstanding CALLs with Closed first.
void run_command(domain::Command command, CallFunction call, domain::CommandObserver observer, const Clock& clock);

}  // namespace cp::ocpp::v16
