#include "api/detail/command_args.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <limits>
#include <optional>

#include "api/detail/representation.h"

namespace cp::api::detail {
namespace {

namespace json = boost::json;
using Names = std::initializer_list<std::string_view>;

constexpr std::int64_t kMaxConnector = 1000;
constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();  // OCPP 1.6 "integer"

// Reads one command's args, keeping the first problem; every getter returns nullopt once a
// problem is recorded, so a builder reads all its fields and checks `problem` once at the end.
class Args {
 public:
  explicit Args(const json::object& o) : o_(o) {}
  std::optional<ArgsProblem> problem;

  void only(Names known) {
    for (const auto& [key, v] : o_)
      if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end())
        return invalid(std::string(key), "is not an argument of this command type");
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max, bool required) {
    const auto* v = present(key, required);
    if (!v) return std::nullopt;
    if (!v->is_int64() && !v->is_uint64()) return wrong_type(key, "an integer");
    if (v->is_uint64() && v->get_uint64() > static_cast<std::uint64_t>(max)) return out_of_range(key, min, max);
    const std::int64_t n = v->is_int64() ? v->get_int64() : static_cast<std::int64_t>(v->get_uint64());
    if (n < min || n > max) return out_of_range(key, min, max);
    return n;
  }

  std::optional<std::string> text(std::string_view key, std::size_t max_length, bool required) {
    const auto* v = present(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) return wrong_type(key, "a string");
    std::string s(v->get_string());
    if (s.empty() || s.size() > max_length) {
      invalid(key, "must be 1 to " + std::to_string(max_length) + " characters");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> choice(std::string_view key, Names allowed, bool required) {
    auto s = text(key, 64, required);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    invalid(key, "must be one of " + list);
    return std::nullopt;
  }

  std::optional<Timestamp> time(std::string_view key, bool required) {
    auto s = text(key, 64, required);
    if (!s) return std::nullopt;
    if (auto t = parse_rfc3339(*s)) return t;
    invalid(key, "must be an RFC 3339 date-time");
    return std::nullopt;
  }

  // An absolute URI (scheme ":" rest), as OCPP 1.6 UpdateFirmware/GetDiagnostics `location`.
  std::optional<std::string> uri(std::string_view key) {
    auto s = text(key, 512, true);
    if (!s) return std::nullopt;
    const auto colon = s->find(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < s->size() &&
              std::isalpha(static_cast<unsigned char>((*s)[0]));
    for (std::size_t i = 0; ok && i < colon; ++i) {
      const char c = (*s)[i];
      ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    }
    for (char c : *s) ok = ok && c > 0x20 && c < 0x7f;
    if (ok) return s;
    invalid(key, "must be an absolute URI (for example ftp://host/path)");
    return std::nullopt;
  }

  const json::value* raw(std::string_view key) { return problem ? nullptr : o_.if_contains(key); }

  void invalid(std::string_view key, const std::string& what) {
    if (!problem) problem = ArgsProblem{422, "invalid_command_args", "args." + std::string(key) + " " + what};
  }

  std::nullopt_t wrong_type(std::string_view key, const std::string& expected) {
    if (!problem) problem = ArgsProblem{400, "invalid_field", "args." + std::string(key) + " must be " + expected};
    return std::nullopt;
  }

 private:
  const json::value* present(std::string_view key, bool required) {
    if (problem) return nullptr;
    const auto* v = o_.if_contains(key);
    if (v && !v->is_null()) return v;
    if (required) problem = ArgsProblem{400, "invalid_field", "args." + std::string(key) + " is required"};
    return nullptr;
  }
  std::nullopt_t out_of_range(std::string_view key, std::int64_t min, std::int64_t max) {
    invalid(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }

  const json::object& o_;
};

template <class T>
std::optional<int> as_int(const std::optional<T>& v) {
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<domain::Command> remote_start(Args& a) {
  a.only({"connector", "id_tag", "charging_profile"});
  domain::RemoteStart c;
  c.connector = as_int(a.integer("connector", 1, kMaxConnector, false));
  auto tag = a.text("id_tag", 20, true);
  if (tag && !valid_id_tag(*tag)) a.invalid("id_tag", "must be 1 to 20 printable ASCII characters");
  if (const auto* p = a.raw("charging_profile"); p && !p->is_null()) {
    if (!p->is_object()) return a.wrong_type("charging_profile", "an OCPP 1.6 ChargingProfile object");
    c.charging_profile_json = json::serialize(*p);
  }
  if (a.problem) return std::nullopt;
  c.id_tag = *tag;
  return c;
}

// {"connectors": [1, 2], "id_tag": "…"}: two to eight distinct connectors, the first leads.
std::optional<domain::Command> remote_start_parallel(Args& a) {
  a.only({"connectors", "id_tag"});
  domain::RemoteStartParallel c;
  const auto* connectors = a.raw("connectors");
  if (!connectors || connectors->is_null()) {
    a.invalid("connectors", "is required");
  } else if (!connectors->is_array()) {
    return a.wrong_type("connectors", "an array of connector numbers");
  } else {
    for (const auto& v : connectors->get_array()) {
      if (!v.is_int64() && !v.is_uint64()) return a.wrong_type("connectors", "an array of integers");
      const auto n = v.is_int64() ? v.get_int64()
                                  : static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), kMaxConnector + 1));
      if (n < 1 || n > kMaxConnector)
        a.invalid("connectors", "entries must be between 1 and " + std::to_string(kMaxConnector));
      else if (std::find(c.connectors.begin(), c.connectors.end(), n) != c.connectors.end())
        a.invalid("connectors", "must not repeat a connector");
      else
        c.connectors.push_back(static_cast<int>(n));
    }
    if (connectors->get_array().size() < 2 || connectors->get_array().size() > 8)
      a.invalid("connectors", "must list 2 to 8 connectors");
  }
  auto tag = a.text("id_tag", 20, true);
  if (tag && !valid_id_tag(*tag)) a.invalid("id_tag", "must be 1 to 20 printable ASCII characters");
  if (a.problem) return std::nullopt;
  c.id_tag = *tag;
  return c;
}

std::optional<domain::Command> remote_stop(Args& a) {
  a.only({"transaction"});
  auto tx = a.integer("transaction", 1, std::numeric_limits<std::int64_t>::max(), true);
  if (a.problem) return std::nullopt;
  return domain::RemoteStop{*tx};
}

std::optional<domain::Command> reset(Args& a) {
  a.only({"type"});
  auto type = a.choice("type", {"soft", "hard"}, true);
  if (a.problem) return std::nullopt;
  return domain::Reset{*type == "hard"};
}

std::optional<domain::Command> unlock(Args& a) {
  a.only({"connector"});
  auto connector = a.integer("connector", 1, kMaxConnector, true);
  if (a.problem) return std::nullopt;
  return domain::Unlock{static_cast<int>(*connector)};
}

std::optional<domain::Command> change_availability(Args& a) {
  a.only({"connector", "type"});
  auto connector = a.integer("connector", 0, kMaxConnector, false);
  auto type = a.choice("type", {"operative", "inoperative"}, true);
  if (a.problem) return std::nullopt;
  return domain::ChangeAvailability{static_cast<int>(connector.value_or(0)), *type == "operative"};
}

std::optional<domain::Command> trigger_message(Args& a) {
  a.only({"message", "connector"});
  auto message = a.choice("message",
                          {"BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
                           "Heartbeat", "MeterValues", "StatusNotification"},
                          true);
  auto connector = a.integer("connector", 0, kMaxConnector, false);
  if (a.problem) return std::nullopt;
  return domain::TriggerMessage{*message, as_int(connector)};
}

std::optional<domain::Command> clear_cache(Args& a) {
  a.only({});
  if (a.problem) return std::nullopt;
  return domain::ClearCache{};
}

std::optional<domain::Command> get_configuration(Args& a) {
  a.only({"keys"});
  domain::ReadConfig c;
  if (const auto* keys = a.raw("keys"); keys && !keys->is_null()) {
    if (!keys->is_array()) return a.wrong_type("keys", "an array of configuration key names");
    if (keys->get_array().size() > 100) a.invalid("keys", "may list at most 100 keys");
    for (const auto& k : keys->get_array()) {
      if (!k.is_string()) return a.wrong_type("keys", "an array of strings");
      if (k.get_string().empty() || k.get_string().size() > 50) a.invalid("keys", "entries must be 1 to 50 characters");
      c.keys.emplace_back(k.get_string());
    }
  }
  if (a.problem) return std::nullopt;
  return c;
}

std::optional<domain::Command> data_transfer(Args& a) {
  a.only({"vendor_id", "message_id", "data"});
  auto vendor = a.text("vendor_id", 255, true);
  auto message = a.text("message_id", 50, false);
  std::optional<std::string> data;
  if (const auto* d = a.raw("data"); d && !d->is_null()) {
    if (!d->is_string()) return a.wrong_type("data", "a string");
    if (d->get_string().size() > 32768) a.invalid("data", "must be at most 32768 characters");
    data = std::string(d->get_string());
  }
  if (a.problem) return std::nullopt;
  return domain::SendDataTransfer{*vendor, message.value_or(""), data.value_or("")};
}

std::optional<domain::Command> update_firmware(Args& a, Timestamp now) {
  a.only({"location", "retrieve_date", "retries", "retry_interval"});
  domain::UpdateFirmware c;
  auto location = a.uri("location");
  auto date = a.time("retrieve_date", false);
  c.retries = as_int(a.integer("retries", 0, kMaxInt32, false));
  c.retry_interval_s = as_int(a.integer("retry_interval", 0, kMaxInt32, false));
  if (a.problem) return std::nullopt;
  c.location = *location;
  c.retrieve_date = date.value_or(now);
  return c;
}

std::optional<domain::Command> get_diagnostics(Args& a) {
  a.only({"location", "retries", "retry_interval", "start_time", "stop_time"});
  domain::GetDiagnostics c;
  auto location = a.uri("location");
  c.retries = as_int(a.integer("retries", 0, kMaxInt32, false));
  c.retry_interval_s = as_int(a.integer("retry_interval", 0, kMaxInt32, false));
  c.start_time = a.time("start_time", false);
  c.stop_time = a.time("stop_time", false);
  if (!a.problem && c.start_time && c.stop_time && *c.start_time > *c.stop_time)
    a.invalid("stop_time", "must not be earlier than args.start_time");
  if (a.problem) return std::nullopt;
  c.location = *location;
  return c;
}

}  // namespace

Result<ParsedCommand, ArgsProblem> parse_command_request(std::string_view body, Timestamp now) {
  auto parsed = parse_object(std::string(body));
  if (!parsed) return fail(ArgsProblem{400, parsed.error().code, parsed.error().message});
  const json::object& o = *parsed;
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string()) return fail(ArgsProblem{400, "invalid_field", "'type' must be a command type string"});
  for (const auto& [key, v] : o)
    if (key != "type" && key != "args")
      return fail(ArgsProblem{400, "invalid_field", "unknown field '" + std::string(key) + "' (give 'type' and 'args')"});
  static const json::object kNoArgs;
  const auto* args_value = o.if_contains("args");
  if (args_value && !args_value->is_null() && !args_value->is_object())
    return fail(ArgsProblem{400, "invalid_field", "'args' must be a JSON object"});
  const json::object& args = args_value && args_value->is_object() ? args_value->get_object() : kNoArgs;

  Args a(args);
  const std::string_view t = type->get_string();
  std::optional<domain::Command> command;
  if (t == "remote_start") command = remote_start(a);
  else if (t == "remote_start_parallel") command = remote_start_parallel(a);
  else if (t == "remote_stop") command = remote_stop(a);
  else if (t == "reset") command = reset(a);
  else if (t == "unlock") command = unlock(a);
  else if (t == "change_availability") command = change_availability(a);
  else if (t == "trigger_message") command = trigger_message(a);
  else if (t == "clear_cache") command = clear_cache(a);
  else if (t == "get_configuration") command = get_configuration(a);
  else if (t == "data_transfer") command = data_transfer(a);
  else if (t == "update_firmware") command = update_firmware(a, now);
  else if (t == "get_diagnostics") command = get_diagnostics(a);
  else
    return fail(ArgsProblem{422, "unknown_command_type",
                            "'type' must be one of remote_start, remote_start_parallel, remote_stop, reset, unlock, "
                            "change_availability, trigger_message, clear_cache, get_configuration, data_transfer, "
                            "update_firmware, get_diagnostics"});
  if (!command) return fail(a.problem.value_or(ArgsProblem{422, "invalid_command_args", "invalid args"}));
  return ParsedCommand{std::move(*command), json::serialize(args)};
}

}  // namespace cp::api::detail
