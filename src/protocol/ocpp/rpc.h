#pragma once
// OCPP-J RPC framing (OCPP-J 1.6 §4): one WebSocket text message is one JSON array,
//   CALL       [2, "<MessageId>", "<Action>", {payload}]
//   CALLRESULT [3, "<MessageId>", {payload}]
//   CALLERROR  [4, "<MessageId>", "<errorCode>", "<errorDescription>", {errorDetails}]
// `parse_message` turns text into one of those or a `FrameError` saying what to answer:
//   - the message id (element 1: a string of 1..36 characters, §4.1.3) is readable
//     -> FormationViolation for that id;
//   - it is not (malformed JSON with no recognisable `[n,"id"` prefix, not an array, id
//     missing, empty, too long or not a string) -> ProtocolError for message id "-1".
// Unknown MessageTypeIds follow the same rule. The caller decides whether to answer at all
// (a broken CALLRESULT is not answered; see central_system.h). Pure functions, any thread.
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "protocol/ocpp/errors.h"

namespace cp::ocpp {

enum class MessageType : int { Call = 2, CallResult = 3, CallError = 4 };
inline constexpr std::size_t kMaxMessageIdLength = 36;  // OCPP-J 1.6 §4.1.3
inline constexpr const char* kUnknownMessageId = "-1";

struct Call {
  std::string id;
  std::string action;
  boost::json::value payload;  // always an object
};
struct CallResult {
  std::string id;
  boost::json::value payload;  // always an object
};
struct CallError {
  std::string id;
  std::string code;  // as sent; see error_code_from_string
  std::string description;
  boost::json::value details;  // always an object
};
using Message = std::variant<Call, CallResult, CallError>;

struct FrameError {
  ErrorCode code = ErrorCode::ProtocolError;   // FormationViolation or ProtocolError
  std::string message_id = kUnknownMessageId;  // readable id, or "-1"
  int message_type = 0;                        // element 0 when it was an integer, else 0
  std::string description;
};

// Payloads are allocated from `storage` (e.g. a per-message monotonic_resource). Invalid UTF-8
// is a FormationViolation unless `utf8_checked` says the transport has already refused it (a
// WebSocket text message is validated by the WebSocket layer).
Result<Message, FrameError> parse_message(std::string_view text, boost::json::storage_ptr storage = {},
                                          std::size_t max_id_length = kMaxMessageIdLength,
                                          bool utf8_checked = false);

std::string serialize_call(std::string_view id, std::string_view action, const boost::json::value& payload);
std::string serialize_call_result(std::string_view id, const boost::json::value& payload);
// errorDetails is always an object: `details` is used when it is one, `{}` otherwise.
std::string serialize_call_error(std::string_view id, std::string_view code, std::string_view description,
                                 const boost::json::value* details = nullptr);
std::string serialize_call_error(std::string_view id, ErrorCode code, std::string_view description,
                                 const boost::json::value* details = nullptr);

}  // namespace cp::ocpp
