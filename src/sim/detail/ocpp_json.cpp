#include "sim/detail/ocpp_json.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdio>

namespace cp::sim::ocpp {
namespace json = boost::json;

Frame parse_frame(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Malformed{"not JSON: " + ec.message()};
  if (!v.is_array()) return Malformed{"not an array"};
  const auto& a = v.get_array();
  if (a.size() < 3 || !a[0].is_int64() || !a[1].is_string()) return Malformed{"bad message header"};
  std::string id(a[1].get_string());
  switch (a[0].get_int64()) {
    case 2:
      if (a.size() != 4 || !a[2].is_string() || !a[3].is_object()) return Malformed{"bad CALL"};
      return Call{std::move(id), std::string(a[2].get_string()), a[3].get_object()};
    case 3:
      if (a.size() != 3 || !a[2].is_object()) return Malformed{"bad CALLRESULT"};
      return CallResult{std::move(id), a[2].get_object()};
    case 4: {
      if (a.size() < 4 || !a[2].is_string()) return Malformed{"bad CALLERROR"};
      std::string desc = a[3].is_string() ? std::string(a[3].get_string()) : std::string();
      return CallError{std::move(id), std::string(a[2].get_string()), std::move(desc)};
    }
    default:
      return Malformed{"unknown message type"};
  }
}

std::string call_frame(std::string_view id, std::string_view action, const json::object& payload) {
  return json::serialize(json::array{2, json::string_view(id), json::string_view(action), payload});
}

std::string result_frame(std::string_view id, const json::object& payload) {
  return json::serialize(json::array{3, json::string_view(id), payload});
}

std::string error_frame(std::string_view id, std::string_view code, std::string_view description) {
  return json::serialize(json::array{4, json::string_view(id), json::string_view(code),
                                     json::string_view(description), json::object{}});
}

std::optional<Refusal> require_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return Refusal{"OccurenceConstraintViolation", std::string(key) + " is required"};
  if (!v->is_string()) return Refusal{"TypeConstraintViolation", std::string(key) + " must be a string"};
  return std::nullopt;
}

std::optional<Refusal> require_int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return Refusal{"OccurenceConstraintViolation", std::string(key) + " is required"};
  if (!v->is_int64() && !v->is_uint64()) return Refusal{"TypeConstraintViolation", std::string(key) + " must be an integer"};
  return std::nullopt;
}

Answer answer_get_configuration(const Configuration& config, const json::object& payload) {
  std::vector<std::string> keys;
  if (const auto* k = payload.if_contains("key")) {
    if (!k->is_array()) return Refusal{"TypeConstraintViolation", "key must be an array"};
    for (const auto& item : k->get_array()) {
      if (!item.is_string()) return Refusal{"TypeConstraintViolation", "key items must be strings"};
      keys.emplace_back(item.get_string());
    }
  }
  const auto q = config.get(keys);
  json::array known;
  for (const auto& k : q.known)
    known.push_back(json::object{{"key", k.key}, {"readonly", k.readonly}, {"value", k.value}});
  json::object out{{"configurationKey", std::move(known)}};
  if (!q.unknown.empty()) {
    json::array unknown;
    for (const auto& u : q.unknown) unknown.emplace_back(u);
    out["unknownKey"] = std::move(unknown);
  }
  return out;
}

Answer answer_change_configuration(Configuration& config, const json::object& payload) {
  if (auto r = require_string(payload, "key")) return *r;
  if (auto r = require_string(payload, "value")) return *r;
  const auto status = config.change(payload.at("key").get_string(), payload.at("value").get_string());
  return json::object{{"status", to_string(status)}};
}

namespace {
std::string format_value(double v) {
  // Integers print without a fraction; others with up to 2 decimals (what a meter shows).
  char buf[32];
  if (std::floor(v) == v && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}
}  // namespace

json::object meter_value(std::string_view timestamp, const std::vector<MeterReading>& readings,
                         std::string_view context) {
  json::array sampled;
  for (const auto& r : readings) {
    json::object s{{"value", format_value(r.value)}, {"context", context}, {"format", "Raw"},
                   {"measurand", r.measurand}, {"unit", r.unit}};
    if (!r.phase.empty()) s["phase"] = r.phase;
    if (!r.location.empty()) s["location"] = r.location;
    sampled.push_back(std::move(s));
  }
  return json::object{{"timestamp", timestamp}, {"sampledValue", std::move(sampled)}};
}

}  // namespace cp::sim::ocpp
