#include "protocol/ocpp/rpc.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <utility>

namespace cp::ocpp {
namespace {

FrameError protocol_error(std::string description) {
  return FrameError{ErrorCode::ProtocolError, kUnknownMessageId, 0, std::move(description)};
}

FrameError formation_violation(std::string id, int type, std::string description) {
  return FrameError{ErrorCode::FormationViolation, std::move(id), type, std::move(description)};
}

// Best effort for text that is not valid JSON: recognise a `[<digits>, "<id>"` prefix so the
// pile still gets an answer to the CALL it sent (an escape-free id only).
FrameError malformed_json(std::string_view s, std::size_t max_id_length) {
  std::size_t i = 0;
  const auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  const std::string description = "message is not valid JSON";
  skip_ws();
  if (i >= s.size() || s[i++] != '[') return protocol_error(description);
  skip_ws();
  int type = 0;
  const std::size_t digits_at = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - digits_at < 3)
    type = type * 10 + (s[i++] - '0');
  if (i == digits_at) return protocol_error(description);
  skip_ws();
  if (i >= s.size() || s[i++] != ',') return protocol_error(description);
  skip_ws();
  if (i >= s.size() || s[i++] != '"') return protocol_error(description);
  const std::size_t id_at = i;
  while (i < s.size() && s[i] != '"' && s[i] != '\\' && static_cast<unsigned char>(s[i]) >= 0x20) ++i;
  if (i >= s.size() || s[i] != '"' || i == id_at || i - id_at > max_id_length) return protocol_error(description);
  return formation_violation(std::string(s.substr(id_at, i - id_at)), type, description);
}

bool readable_id(const boost::json::value& v, std::size_t max_id_length) {
  const auto* s = v.if_string();
  return s && !s->empty() && s->size() <= max_id_length;
}

}  // namespace

Result<Message, FrameError> parse_message(std::string_view text, boost::json::storage_ptr storage,
                                          std::size_t max_id_length, bool utf8_checked) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.allow_invalid_utf8 = utf8_checked;  // already valid: skip a second pass over every string
  boost::json::value doc = boost::json::parse(text, ec, std::move(storage), options);
  if (ec) return fail(malformed_json(text, max_id_length));
  auto* arr = doc.if_array();
  if (!arr) return fail(protocol_error("message is not a JSON array"));
  if (arr->size() < 2 || !readable_id((*arr)[1], max_id_length))
    return fail(protocol_error("element 1 is not a message id (a string of 1.." + std::to_string(max_id_length) +
                               " characters)"));
  const auto& id_str = (*arr)[1].get_string();
  std::string id(id_str.data(), id_str.size());
  const auto& type_v = (*arr)[0];
  if (!type_v.is_int64()) return fail(formation_violation(std::move(id), 0, "MessageTypeId is not an integer"));
  const auto type = type_v.get_int64();
  const int type_i = (type >= 0 && type <= 1000) ? static_cast<int>(type) : 0;
  switch (type) {
    case static_cast<int>(MessageType::Call): {
      if (arr->size() != 4)
        return fail(formation_violation(std::move(id), type_i, "CALL must have 4 elements"));
      const auto* action = (*arr)[2].if_string();
      if (!action || action->empty())
        return fail(formation_violation(std::move(id), type_i, "CALL action is not a non-empty string"));
      if (!(*arr)[3].is_object())
        return fail(formation_violation(std::move(id), type_i, "CALL payload is not an object"));
      return Message{Call{std::move(id), std::string(action->data(), action->size()), std::move((*arr)[3])}};
    }
    case static_cast<int>(MessageType::CallResult): {
      if (arr->size() != 3)
        return fail(formation_violation(std::move(id), type_i, "CALLRESULT must have 3 elements"));
      if (!(*arr)[2].is_object())
        return fail(formation_violation(std::move(id), type_i, "CALLRESULT payload is not an object"));
      return Message{CallResult{std::move(id), std::move((*arr)[2])}};
    }
    case static_cast<int>(MessageType::CallError): {
      if (arr->size() != 5)
        return fail(formation_violation(std::move(id), type_i, "CALLERROR must have 5 elements"));
      const auto* code = (*arr)[2].if_string();
      const auto* description = (*arr)[3].if_string();
      if (!code || !description || !(*arr)[4].is_object())
        return fail(formation_violation(std::move(id), type_i,
                                        "CALLERROR needs a string code, a string description and an object"));
      return Message{CallError{std::move(id), std::string(code->data(), code->size()),
                               std::string(description->data(), description->size()), std::move((*arr)[4])}};
    }
    default:
      return fail(formation_violation(std::move(id), type_i, "unknown MessageTypeId " + std::to_string(type)));
  }
}

namespace {
void append_string(std::string& out, std::string_view s) {
  out += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}
}  // namespace

std::string serialize_call(std::string_view id, std::string_view action, const boost::json::value& payload) {
  std::string out = "[2,";
  append_string(out, id);
  out += ',';
  append_string(out, action);
  out += ',';
  out += boost::json::serialize(payload);
  out += ']';
  return out;
}

std::string serialize_call_result(std::string_view id, const boost::json::value& payload) {
  std::string out = "[3,";
  append_string(out, id);
  out += ',';
  // Most answers (MeterValues, StatusNotification, ...) are an empty object: no serializer.
  if (const auto* o = payload.if_object(); o && o->empty()) {
    out += "{}";
  } else {
    out += boost::json::serialize(payload);
  }
  out += ']';
  return out;
}

std::string serialize_call_error(std::string_view id, std::string_view code, std::string_view description,
                                 const boost::json::value* details) {
  std::string out = "[4,";
  append_string(out, id);
  out += ',';
  append_string(out, code);
  out += ',';
  append_string(out, description);
  out += ',';
  out += details && details->is_object() ? boost::json::serialize(*details) : std::string("{}");
  out += ']';
  return out;
}

std::string serialize_call_error(std::string_view id, ErrorCode code, std::string_view description,
                                 const boost::json::value* details) {
  return serialize_call_error(id, std::string_view(to_string(code)), description, details);
}

}  // namespace cp::ocpp
