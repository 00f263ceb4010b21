#pragma once
// OCPP-J error vocabulary shared by framing (rpc.h) and the generated schema decoders.
// `ErrorCode` is the CALLERROR errorCode set of OCPP-J 1.6 §4.2.3, spelled exactly as that
// spec does (note `OccurenceConstraintViolation`, one "r"). A `ValidationError` is what a
// decoder returns: the code that goes on the wire, where (RFC 6901 JSON pointer into the
// payload, "" for the payload itself) and a human-readable reason. Pure values, no I/O.
#include <optional>
#include <string>
#include <string_view>

namespace cp::ocpp {

enum class ErrorCode : unsigned char {
  NotImplemented,                // Requested Action is not known by receiver
  NotSupported,                  // Requested Action is recognized but not supported
  InternalError,                 // receiver could not process the Action successfully
  ProtocolError,                 // payload for Action is incomplete
  SecurityError,                 // security issue prevented the Action
  FormationViolation,            // payload syntactically incorrect / not conform the PDU
  PropertyConstraintViolation,   // a field contains an invalid value
  OccurenceConstraintViolation,  // a field violates occurrence constraints (missing, ...)
  TypeConstraintViolation,       // a field violates data type constraints
  GenericError,                  // any other error
};
inline constexpr std::size_t kErrorCodeCount = 10;

const char* to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view s);

struct ValidationError {
  ErrorCode code = ErrorCode::FormationViolation;
  std::string path;     // JSON pointer into the payload, e.g. "/meterValue/0/timestamp"
  std::string message;  // e.g. "expected integer"
};

}  // namespace cp::ocpp
