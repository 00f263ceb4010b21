#include "domain/commands.h"

#include <type_traits>

namespace cp::domain {

const char* to_string(ParameterStatus s) {
  switch (s) {
    case ParameterStatus::Pending: return "Pending";
    case ParameterStatus::Accepted: return "Accepted";
    case ParameterStatus::RebootRequired: return "RebootRequired";
    case ParameterStatus::Rejected: return "Rejected";
    case ParameterStatus::NotSupported: return "NotSupported";
    case ParameterStatus::UnknownParameter: return "UnknownParameter";
    case ParameterStatus::Offline: return "Offline";
    case ParameterStatus::Timeout: return "Timeout";
  }
  return "Pending";
}

std::optional<ParameterStatus> parameter_status_from_string(std::string_view s) {
  for (auto v : {ParameterStatus::Pending, ParameterStatus::Accepted, ParameterStatus::RebootRequired,
                 ParameterStatus::Rejected, ParameterStatus::NotSupported, ParameterStatus::UnknownParameter,
                 ParameterStatus::Offline, ParameterStatus::Timeout})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

const char* command_type(const Command& c) {
  return std::visit(
      [](const auto& cmd) -> const char* {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, ApplyConfig>) return "apply_config";
        else if constexpr (std::is_same_v<T, ReadConfig>) return "get_configuration";
        else if constexpr (std::is_same_v<T, RemoteStart>) return "remote_start";
        else if constexpr (std::is_same_v<T, RemoteStop>) return "remote_stop";
        else if constexpr (std::is_same_v<T, Reset>) return "reset";
        else if constexpr (std::is_same_v<T, Unlock>) return "unlock";
        else if constexpr (std::is_same_v<T, ChangeAvailability>) return "change_availability";
        else if constexpr (std::is_same_v<T, TriggerMessage>) return "trigger_message";
        else if constexpr (std::is_same_v<T, ClearCache>) return "clear_cache";
        else if constexpr (std::is_same_v<T, SendDataTransfer>) return "data_transfer";
        else if constexpr (std::is_same_v<T, UpdateFirmware>) return "update_firmware";
        else if constexpr (std::is_same_v<T, RemoteStartParallel>) return "remote_start_parallel";
        else return "get_diagnostics";
      },
      c);
}

}  // namespace cp::domain
