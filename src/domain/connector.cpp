#include "domain/connector.h"

#include <array>
#include <cstddef>
#include <utility>

namespace cp::domain {
namespace {

using S = ConnectorStatus;
constexpr std::size_t kCount = 10;

constexpr std::array<std::pair<S, const char*>, kCount> kNames{{
    {S::Available, "Available"},
    {S::Preparing, "Preparing"},
    {S::Charging, "Charging"},
    {S::SuspendedEV, "SuspendedEV"},
    {S::SuspendedEVSE, "SuspendedEVSE"},
    {S::Finishing, "Finishing"},
    {S::Reserved, "Reserved"},
    {S::Unavailable, "Unavailable"},
    {S::Faulted, "Faulted"},
    {S::Unknown, "Unknown"},
}};

// OCPP 1.6 §4.9 "Status transitions", rows = from, columns = to, in enum order
// (Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Reserved,
// Unavailable, Faulted). 1 = a transition the table lists (A2, B1, ...).
constexpr std::array<std::array<bool, 9>, 9> kAllowed{{
    //  Av Pr Ch SEV SEVSE Fi Re Un Fa
    {{0, 1, 1, 1, 1, 0, 1, 1, 1}},  // A Available
    {{1, 0, 1, 1, 1, 1, 0, 0, 1}},  // B Preparing
    {{1, 0, 0, 1, 1, 1, 0, 1, 1}},  // C Charging
    {{1, 0, 1, 0, 1, 1, 0, 1, 1}},  // D SuspendedEV
    {{1, 0, 1, 1, 0, 1, 0, 1, 1}},  // E SuspendedEVSE
    {{1, 1, 0, 0, 0, 0, 0, 1, 1}},  // F Finishing
    {{1, 1, 0, 0, 0, 0, 0, 1, 1}},  // G Reserved
    {{1, 1, 1, 1, 1, 0, 0, 0, 1}},  // H Unavailable
    {{1, 1, 1, 1, 1, 1, 1, 1, 0}},  // I Faulted
}};

}  // namespace

const char* to_string(ConnectorStatus s) {
  for (const auto& [v, name] : kNames)
    if (v == s) return name;
  return "Unknown";
}

std::optional<ConnectorStatus> connector_status_from_string(std::string_view s) {
  for (const auto& [v, name] : kNames)
    if (s == name) return v;
  return std::nullopt;
}

ConnectorStatus connector_status_or_unknown(std::string_view s) {
  return connector_status_from_string(s).value_or(S::Unknown);
}

bool is_valid_status_for(int connector, ConnectorStatus s) {
  if (connector < 0) return false;
  if (connector > 0 || s == S::Unknown) return true;
  return s == S::Available || s == S::Unavailable || s == S::Faulted;
}

bool is_valid_transition(ConnectorStatus from, ConnectorStatus to) {
  if (from == to || from == S::Unknown || to == S::Unknown) return true;
  return kAllowed[static_cast<std::size_t>(from)][static_cast<std::size_t>(to)];
}

TransitionCheck check_transition(int connector, std::string_view from, std::string_view to) {
  TransitionCheck c;
  c.from = connector_status_or_unknown(from);
  const auto parsed = connector_status_from_string(to);
  c.recognised = parsed.has_value();
  c.to = parsed.value_or(S::Unknown);
  c.valid = c.recognised && is_valid_status_for(connector, c.to) && is_valid_transition(c.from, c.to);
  return c;
}

}  // namespace cp::domain
