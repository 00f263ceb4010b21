#pragma once
// ConnectorStatus — the protocol-neutral state of a connector (or of the pile as a whole,
// connector 0) and the check of a reported transition against the OCPP 1.6 §4.9 table.
// Pure: no clock, no I/O. A transition the table forbids is still applied by the services
// (the pile is the truth about its hardware) but flagged so it can be counted and logged.
#include <optional>
#include <string_view>

namespace cp::domain {

enum class ConnectorStatus {
  Available,
  Preparing,
  Charging,
  SuspendedEV,
  SuspendedEVSE,
  Finishing,
  Reserved,
  Unavailable,
  Faulted,
  Unknown,  // nothing reported yet, or a status the platform does not know
};

const char* to_string(ConnectorStatus s);
std::optional<ConnectorStatus> connector_status_from_string(std::string_view s);
// Unrecognised names map to Unknown.
ConnectorStatus connector_status_or_unknown(std::string_view s);

// OCPP 1.6 §4.9: connector 0 (the charge point itself) may only be Available, Unavailable
// or Faulted.
bool is_valid_status_for(int connector, ConnectorStatus s);

// True when the OCPP 1.6 §4.9 transition table allows `from` -> `to`. Repeating the current
// status is not a transition and is valid; so is any move out of or into Unknown (no claim
// about the previous state can be checked).
bool is_valid_transition(ConnectorStatus from, ConnectorStatus to);

struct TransitionCheck {
  ConnectorStatus from = ConnectorStatus::Unknown;
  ConnectorStatus to = ConnectorStatus::Unknown;
  bool recognised = true;  // `to` was a known status name
  bool valid = true;       // recognised, allowed for this connector and by the table
};
TransitionCheck check_transition(int connector, std::string_view from, std::string_view to);

}  // namespace cp::domain
