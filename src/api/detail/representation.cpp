#include "api/detail/representation.h"

#include <boost/json/parse.hpp>

#include <charconv>

namespace cp::api::detail {
namespace json = boost::json;

json::value time_or_null(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::object connector_json(const services::ConnectorState& c, bool with_last_values) {
  json::object o{{"connector", c.connector},
                 {"status", c.status},
                 {"error_code", c.error_code},
                 {"vendor_error_code", c.vendor_error_code},
                 {"info", c.info},
                 {"updated", time_or_null(c.updated)},
                 {"transaction", c.transaction ? json::value(*c.transaction) : json::value(nullptr)}};
  if (with_last_values) {
    json::object values;
    for (const auto* e : c.last_values.sorted()) {
      const services::LastValue& v = e->second;
      values[e->first] = json::object{{"value", v.value}, {"unit", v.unit}, {"at", format_rfc3339(v.at)}};
    }
    o["last_values"] = std::move(values);
  }
  return o;
}

json::object pile_json(const services::PileState& s) {
  json::array connectors;
  for (const auto& c : s.connectors) connectors.push_back(connector_json(c, false));
  return {{"id", s.id},
          {"protocol", s.protocol},
          {"online", s.online},
          {"registration", s.registration},
          {"vendor", s.vendor},
          {"model", s.model},
          {"serial", s.serial},
          {"firmware", s.firmware},
          {"remote_address", s.online ? json::value(s.remote_address) : json::value(nullptr)},
          {"connected_since", time_or_null(s.connected_since)},
          {"last_seen", time_or_null(s.last_seen)},
          {"last_boot", time_or_null(s.last_boot)},
          {"connectors", std::move(connectors)}};
}

json::object transaction_json(const store::TransactionRecord& t) {
  auto opt = [](const auto& v) { return v ? json::value(*v) : json::value(nullptr); };
  return {{"id", t.id},
          {"pile", t.pile},
          {"connector", t.connector},
          {"id_tag", t.id_tag},
          {"meter_start_wh", t.meter_start_wh},
          {"started", format_rfc3339(t.started)},
          {"meter_stop_wh", opt(t.meter_stop_wh)},
          {"stopped", time_or_null(t.stopped)},
          {"stop_reason", opt(t.stop_reason)},
          {"stop_id_tag", opt(t.stop_id_tag)}};
}

json::object telemetry_json(const store::TelemetryRow& r) {
  return {{"at", format_rfc3339(r.at)},
          {"connector", r.connector},
          {"transaction", r.transaction ? json::value(*r.transaction) : json::value(nullptr)},
          {"measurand", r.measurand},
          {"phase", r.phase},
          {"unit", r.unit},
          {"context", r.context},
          {"location", r.location},
          // Non-numeric values (e.g. OCPP SignedData) keep their text in "raw"; value is then null.
          {"value", r.raw.empty() ? json::value(r.value) : json::value(nullptr)},
          {"raw", r.raw.empty() ? json::value(nullptr) : json::value(r.raw)}};
}

json::object id_tag_json(const store::IdTagRecord& t) {
  return {{"id_tag", t.id_tag},
          {"status", t.status},
          {"expiry", time_or_null(t.expiry)},
          {"parent_id_tag", t.parent_id_tag ? json::value(*t.parent_id_tag) : json::value(nullptr)}};
}

bool valid_pile_id(std::string_view id) {
  if (id.empty() || id.size() > 48) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_pile_password(std::string_view password) {
  if (password.size() < 16 || password.size() > 40) return false;
  for (char c : password)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

bool valid_id_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 20) return false;
  for (char c : tag)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

Result<std::optional<std::int64_t>> query_int(const Query& q, const std::string& name, std::int64_t min,
                                              std::int64_t max) {
  auto it = q.find(name);
  if (it == q.end()) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  const auto& s = it->second;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max)
    return fail("invalid_parameter", "'" + name + "' must be an integer from " + std::to_string(min) + " to " +
                                         std::to_string(max));
  return std::optional<std::int64_t>{v};
}

Result<std::optional<bool>> query_bool(const Query& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::optional<bool>{};
  if (it->second == "true") return std::optional<bool>{true};
  if (it->second == "false") return std::optional<bool>{false};
  return fail("invalid_parameter", "'" + name + "' must be true or false");
}

Result<std::optional<Timestamp>> query_time(const Query& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::optional<Timestamp>{};
  auto t = parse_rfc3339(it->second);
  if (!t) return fail("invalid_parameter", "'" + name + "' must be an RFC 3339 date-time");
  return std::optional<Timestamp>{*t};
}

std::optional<std::string> query_string(const Query& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<json::object> parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return fail("invalid_json", "the request body must be a JSON object");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> string_field(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>{};
  if (!it->value().is_string()) return fail("invalid_field", "'" + std::string(name) + "' must be a string");
  return std::optional<std::string>{std::string(it->value().as_string())};
}

}  // namespace cp::api::detail
