#include "protocol/ocpp/errors.h"

#include <array>

namespace cp::ocpp {
namespace {
// OCPP-J 1.6 §4.2.3, table "Valid Error Codes" (order matches ErrorCode).
constexpr std::array<const char*, kErrorCodeCount> kNames{
    "NotImplemented",
    "NotSupported",
    "InternalError",
    "ProtocolError",
    "SecurityError",
    "FormationViolation",
    "PropertyConstraintViolation",
    "OccurenceConstraintViolation",
    "TypeConstraintViolation",
    "GenericError",
};
}  // namespace

const char* to_string(ErrorCode code) { return kNames[static_cast<std::size_t>(code)]; }

std::optional<ErrorCode> error_code_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (s == kNames[i]) return static_cast<ErrorCode>(i);
  return std::nullopt;
}

}  // namespace cp::ocpp
