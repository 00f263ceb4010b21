#include "domain/parameters.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace cp::domain {
namespace {

ProtocolMapping ocpp16(std::string key) { return {"ocpp1.6", "configuration_key", std::move(key)}; }
ProtocolMapping ocpp201(std::string component_variable) {
  return {"ocpp2.0.1", "variable", std::move(component_variable)};
}
ProtocolMapping ykc(std::string field) { return {"ykc", "frame_field", std::move(field)}; }
ProtocolMapping gbt(std::string id) { return {"gbt32960", "parameter_id", std::move(id)}; }

ParameterSpec integer(std::string name, std::string unit, double min, double max, std::string description,
                      std::vector<ProtocolMapping> mappings, bool reboot = false) {
  ParameterSpec p;
  p.name = std::move(name);
  p.type = ParameterType::Integer;
  p.unit = std::move(unit);
  p.min = min;
  p.max = max;
  p.description = std::move(description);
  p.mappings = std::move(mappings);
  p.reboot_may_be_needed = reboot;
  return p;
}

ParameterSpec typed(std::string name, ParameterType type, std::string description,
                    std::vector<ProtocolMapping> mappings, bool reboot = false) {
  ParameterSpec p;
  p.name = std::move(name);
  p.type = type;
  p.description = std::move(description);
  p.mappings = std::move(mappings);
  p.reboot_may_be_needed = reboot;
  return p;
}

std::vector<ParameterSpec> build_catalogue() {
  using T = ParameterType;
  std::vector<ParameterSpec> c;
  c.push_back(integer("heartbeat_interval", "s", 0, 86400, "Seconds between heartbeats when the pile is idle",
                      {ocpp16("HeartbeatInterval"), ocpp201("OCPPCommCtrlr.HeartbeatInterval"), gbt("0x09")}));
  c.push_back(integer("meter_value_sample_interval", "s", 0, 86400,
                      "Seconds between sampled meter values during a transaction (0 = none)",
                      {ocpp16("MeterValueSampleInterval"), ocpp201("SampledDataCtrlr.TxUpdatedInterval"),
                       gbt("0x02")}));
  c.push_back(integer("clock_aligned_data_interval", "s", 0, 86400,
                      "Seconds between clock-aligned meter values (0 = none)",
                      {ocpp16("ClockAlignedDataInterval"), ocpp201("AlignedDataCtrlr.Interval")}));
  c.push_back(typed("meter_values_sampled_data", T::MeasurandList, "Measurands sampled during a transaction",
                    {ocpp16("MeterValuesSampledData"), ocpp201("SampledDataCtrlr.TxUpdatedMeasurands")}));
  c.push_back(typed("meter_values_aligned_data", T::MeasurandList, "Measurands sent at clock-aligned intervals",
                    {ocpp16("MeterValuesAlignedData"), ocpp201("AlignedDataCtrlr.Measurands")}));
  c.push_back(typed("stop_txn_sampled_data", T::MeasurandList,
                    "Sampled measurands included in the StopTransaction transaction data",
                    {ocpp16("StopTxnSampledData"), ocpp201("SampledDataCtrlr.TxEndedMeasurands")}));
  c.push_back(integer("connection_timeout", "s", 0, 3600,
                      "Seconds a pile waits for the EV to connect after authorisation",
                      {ocpp16("ConnectionTimeOut"), ocpp201("TxCtrlr.EVConnectionTimeOut")}));
  c.push_back(typed("local_pre_authorize", T::Boolean, "Start without waiting for Authorize when the id is cached",
                    {ocpp16("LocalPreAuthorize"), ocpp201("AuthCtrlr.LocalPreAuthorize")}));
  c.push_back(typed("local_authorize_offline", T::Boolean, "Accept cached or listed ids while offline",
                    {ocpp16("LocalAuthorizeOffline"), ocpp201("AuthCtrlr.LocalAuthorizeOffline")}));
  c.push_back(typed("authorize_remote_tx_requests", T::Boolean,
                    "Authorize the id tag of a remote start before starting",
                    {ocpp16("AuthorizeRemoteTxRequests"), ocpp201("AuthCtrlr.AuthorizeRemoteStart")}));
  c.push_back(integer("max_current", "A", 0, 1000, "Maximum charging current of the whole pile",
                      {{"ocpp1.6", "charging_profile", "ChargePointMaxProfile.A"}}));
  c.push_back(integer("max_power", "W", 0, 2000000, "Maximum charging power of the whole pile",
                      {{"ocpp1.6", "charging_profile", "ChargePointMaxProfile.W"}}));
  c.push_back(integer("max_output_power_percent", "%", 30, 100, "Maximum output power, percent of rated power",
                      {ykc("0x52.max_output_power_percent")}));
  c.push_back(typed("work_enabled", T::Boolean, "Whether the pile may charge (false locks it out of service)",
                    {ykc("0x52.work_enabled")}));
  c.push_back(integer("reset_retries", "", 0, 100, "Times the pile retries an unsuccessful reset",
                      {ocpp16("ResetRetries")}));
  c.push_back(integer("transaction_message_attempts", "", 0, 100,
                      "Times the pile tries to deliver a transaction message the platform did not answer",
                      {ocpp16("TransactionMessageAttempts"), ocpp201("OCPPCommCtrlr.MessageAttempts")}));
  c.push_back(integer("transaction_message_retry_interval", "s", 0, 86400,
                      "Seconds before a transaction message is retried (multiplied per attempt)",
                      {ocpp16("TransactionMessageRetryInterval"), ocpp201("OCPPCommCtrlr.MessageAttemptInterval")}));
  c.push_back(integer("minimum_status_duration", "s", 0, 3600,
                      "Seconds a connector status must hold before it is reported",
                      {ocpp16("MinimumStatusDuration")}));
  c.push_back(integer("websocket_ping_interval", "s", 0, 3600, "Seconds between WebSocket pings (0 = none)",
                      {ocpp16("WebSocketPingInterval"), ocpp201("OCPPCommCtrlr.WebSocketPingInterval")},
                      /*reboot=*/true));
  c.push_back(typed("stop_transaction_on_ev_side_disconnect", T::Boolean,
                    "Stop the transaction when the cable is unplugged at the EV",
                    {ocpp16("StopTransactionOnEVSideDisconnect"), ocpp201("TxCtrlr.StopTxOnEVSideDisconnect")}));
  c.push_back(typed("unlock_connector_on_ev_side_disconnect", T::Boolean,
                    "Unlock the connector when the cable is unplugged at the EV",
                    {ocpp16("UnlockConnectorOnEVSideDisconnect")}));
  c.push_back(integer("alarm_report_interval", "ms", 0, 60000, "Reporting period while an alarm is active",
                      {gbt("0x03")}));
  c.push_back(integer("local_storage_interval", "ms", 0, 60000, "Local storage period of a vehicle terminal",
                      {gbt("0x01")}));
  return c;
}

constexpr std::string_view kRawProtocols[] = {"ocpp1.6", "ocpp2.0.1", "ykc", "gbt32960"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string describe_range(const ParameterSpec& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%g..%g%s%s", p.min.value_or(0), p.max.value_or(0), p.unit.empty() ? "" : " ",
                p.unit.c_str());
  return buf;
}

Unexpected<Error> invalid(std::string_view name, std::string what) {
  return fail("invalid_parameter_value", std::string(name) + ": " + what);
}

std::optional<std::vector<std::string>> split_list(const ParameterValue& v) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&v)) return *list;
  if (const auto* text = std::get_if<std::string>(&v)) {
    std::vector<std::string> out;
    std::string_view rest = *text;
    if (trim(rest).empty()) return out;
    while (true) {
      const auto comma = rest.find(',');
      out.emplace_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(ParameterType t) {
  switch (t) {
    case ParameterType::Integer: return "integer";
    case ParameterType::Number: return "number";
    case ParameterType::Boolean: return "boolean";
    case ParameterType::String: return "string";
    case ParameterType::MeasurandList: return "measurand_list";
  }
  return "string";
}

const std::vector<ParameterSpec>& parameter_catalogue() {
  static const std::vector<ParameterSpec> catalogue = build_catalogue();
  return catalogue;
}

const ParameterSpec* find_parameter(std::string_view name) {
  for (const auto& p : parameter_catalogue())
    if (p.name == name) return &p;
  return nullptr;
}

std::optional<RawKey> parse_raw_key(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto protocol = name.substr(0, colon);
  const auto key = name.substr(colon + 1);
  if (std::find(std::begin(kRawProtocols), std::end(kRawProtocols), protocol) == std::end(kRawProtocols))
    return std::nullopt;
  // OCPP 1.6 keys are CiString50; reject empty keys and control characters.
  if (key.empty() || key.size() > 50) return std::nullopt;
  for (char ch : key)
    if (static_cast<unsigned char>(ch) < 0x21 || ch == 0x7f) return std::nullopt;
  return RawKey{std::string(protocol), std::string(key)};
}

const std::vector<std::string_view>& known_measurands() {
  static const std::vector<std::string_view> m = {
      "Current.Export", "Current.Import", "Current.Offered", "Energy.Active.Export.Register",
      "Energy.Active.Import.Register", "Energy.Reactive.Export.Register", "Energy.Reactive.Import.Register",
      "Energy.Active.Export.Interval", "Energy.Active.Import.Interval", "Energy.Reactive.Export.Interval",
      "Energy.Reactive.Import.Interval", "Frequency", "Power.Active.Export", "Power.Active.Import", "Power.Factor",
      "Power.Offered", "Power.Reactive.Export", "Power.Reactive.Import", "RPM", "SoC", "Temperature", "Voltage"};
  return m;
}

Result<std::string> canonical_value(std::string_view name, const ParameterValue& value) {
  if (auto raw = parse_raw_key(name)) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text) {
      // Vendor keys are strings on the wire; accept JSON scalars and send their text.
      if (const auto* b = std::get_if<bool>(&value)) return std::string(*b ? "true" : "false");
      if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
      return invalid(name, "a vendor key takes a string, integer or boolean value");
    }
    if (text->size() > 500) return invalid(name, "value longer than 500 characters");
    return *text;
  }
  const auto* spec = find_parameter(name);
  if (!spec) return fail("unknown_parameter", std::string(name) + ": not in the parameter catalogue (GET /api/v1/parameters)");
  switch (spec->type) {
    case ParameterType::Integer: {
      std::int64_t v = 0;
      if (const auto* i = std::get_if<std::int64_t>(&value)) {
        v = *i;
      } else if (const auto* d = std::get_if<double>(&value); d && std::floor(*d) == *d && std::abs(*d) < 1e15) {
        v = static_cast<std::int64_t>(*d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        const auto t = trim(*s);
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc{} || ptr != t.data() + t.size()) return invalid(name, "expected an integer");
      } else {
        return invalid(name, "expected an integer");
      }
      if ((spec->min && v < *spec->min) || (spec->max && v > *spec->max))
        return invalid(name, std::to_string(v) + " is out of range " + describe_range(*spec));
      return std::to_string(v);
    }
    case ParameterType::Number: {
      double v = 0;
      if (const auto* i = std::get_if<std::int64_t>(&value)) v = static_cast<double>(*i);
      else if (const auto* d = std::get_if<double>(&value)) v = *d;
      else return invalid(name, "expected a number");
      if (!std::isfinite(v)) return invalid(name, "expected a finite number");
      if ((spec->min && v < *spec->min) || (spec->max && v > *spec->max))
        return invalid(name, "out of range " + describe_range(*spec));
      char buf[64];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
      return std::string(buf, ptr);
    }
    case ParameterType::Boolean: {
      if (const auto* b = std::get_if<bool>(&value)) return std::string(*b ? "true" : "false");
      if (const auto* s = std::get_if<std::string>(&value); s && (*s == "true" || *s == "false")) return *s;
      return invalid(name, "expected true or false");
    }
    case ParameterType::String: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s) return invalid(name, "expected a string");
      if (s->size() > spec->max_length) return invalid(name, "longer than " + std::to_string(spec->max_length) + " characters");
      return *s;
    }
    case ParameterType::MeasurandList: {
      auto items = split_list(value);
      if (!items) return invalid(name, "expected a list of measurands (array or comma-separated string)");
      std::string out;
      for (const auto& item : *items) {
        const auto& known = known_measurands();
        if (std::find(known.begin(), known.end(), item) == known.end())
          return invalid(name, "unknown measurand \"" + item.substr(0, 60) + "\"");
        if (!out.empty()) out += ',';
        out += item;
      }
      return out;
    }
  }
  return invalid(name, "unsupported type");
}

std::optional<ProtocolMapping> mapping_for(std::string_view parameter, std::string_view protocol) {
  if (auto raw = parse_raw_key(parameter)) {
    if (raw->protocol != protocol) return std::nullopt;
    return ProtocolMapping{raw->protocol, "configuration_key", raw->key};
  }
  const auto* spec = find_parameter(parameter);
  if (!spec) return std::nullopt;
  for (const auto& m : spec->mappings)
    if (m.protocol == protocol) return m;
  return std::nullopt;
}

std::string parameter_for_key(std::string_view protocol, std::string_view key) {
  for (const auto& p : parameter_catalogue())
    for (const auto& m : p.mappings)
      if (m.protocol == protocol && m.key == key) return p.name;
  return {};
}

}  // namespace cp::domain
