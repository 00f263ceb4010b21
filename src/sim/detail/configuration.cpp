#include "sim/detail/configuration.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace cp::sim {
namespace {

constexpr std::string_view kMeasurands[] = {
    "Energy.Active.Export.Register", "Energy.Active.Import.Register", "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register", "Energy.Active.Export.Interval", "Energy.Active.Import.Interval",
    "Energy.Reactive.Export.Interval", "Energy.Reactive.Import.Interval", "Power.Active.Export",
    "Power.Active.Import", "Power.Offered", "Power.Reactive.Export", "Power.Reactive.Import",
    "Power.Factor", "Current.Import", "Current.Export", "Current.Offered", "Voltage", "Frequency",
    "Temperature", "SoC", "RPM"};
constexpr std::string_view kFeatures[] = {"Core", "FirmwareManagement", "LocalAuthListManagement",
                                          "Reservation", "SmartCharging", "RemoteTrigger"};

bool is_integer(std::string_view v) {
  int out = 0;
  const auto* end = v.data() + v.size();
  auto [ptr, ec] = std::from_chars(v.data(), end, out);
  return !v.empty() && ec == std::errc{} && ptr == end && out >= 0;
}

template <std::size_t N>
bool is_list_of(std::string_view v, const std::string_view (&allowed)[N]) {
  if (v.empty()) return true;  // an empty list is valid: sample nothing
  while (true) {
    const auto comma = v.find(',');
    auto item = v.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (std::find(std::begin(allowed), std::end(allowed), item) == std::end(allowed)) return false;
    if (comma == std::string_view::npos) return true;
    v.remove_prefix(comma + 1);
  }
}

bool valid(KeyType type, std::string_view v) {
  switch (type) {
    case KeyType::Integer: return is_integer(v);
    case KeyType::Boolean: return v == "true" || v == "false";
    case KeyType::MeasurandList: return is_list_of(v, kMeasurands);
    case KeyType::FeatureList: return is_list_of(v, kFeatures);
    case KeyType::String: return v.size() <= 500;  // CiString500 (OCPP 1.6 §7.20 value)
  }
  return false;
}

}  // namespace

const char* to_string(ChangeStatus s) {
  switch (s) {
    case ChangeStatus::Accepted: return "Accepted";
    case ChangeStatus::Rejected: return "Rejected";
    case ChangeStatus::RebootRequired: return "RebootRequired";
    case ChangeStatus::NotSupported: return "NotSupported";
  }
  return "Rejected";
}

Configuration::Configuration(int connectors, int heartbeat_interval_s, int meter_interval_s) {
  const auto I = KeyType::Integer;
  const auto B = KeyType::Boolean;
  const auto M = KeyType::MeasurandList;
  const std::string sampled =
      "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,Temperature,SoC";
  keys_ = {
      {"AllowOfflineTxForUnknownId", "false", false, B, false},
      {"AuthorizationCacheEnabled", "true", false, B, false},
      {"AuthorizeRemoteTxRequests", "false", false, B, false},
      {"ChargeProfileMaxStackLevel", "8", true, I, false},
      {"ChargingScheduleAllowedChargingRateUnit", "Current,Power", true, KeyType::String, false},
      {"ChargingScheduleMaxPeriods", "24", true, I, false},
      {"ClockAlignedDataInterval", "900", false, I, false},
      {"ConnectionTimeOut", "60", false, I, false},
      {"ConnectorPhaseRotation", "0.RST,1.RST,2.RST", false, KeyType::String, true},
      {"GetConfigurationMaxKeys", "64", true, I, false},
      {"HeartbeatInterval", std::to_string(heartbeat_interval_s), false, I, false},
      {"LocalAuthListEnabled", "true", false, B, false},
      {"LocalAuthListMaxLength", "1000", true, I, false},
      {"LocalAuthorizeOffline", "true", false, B, false},
      {"LocalPreAuthorize", "false", false, B, false},
      {"MaxChargingProfilesInstalled", "16", true, I, false},
      {"MeterValuesAlignedData", "Energy.Active.Import.Register", false, M, false},
      {"MeterValuesSampledData", sampled, false, M, false},
      {"MeterValueSampleInterval", std::to_string(meter_interval_s), false, I, false},
      {"NumberOfConnectors", std::to_string(connectors), true, I, false},
      {"ResetRetries", "3", false, I, false},
      {"SendLocalListMaxLength", "100", true, I, false},
      {"StopTransactionOnEVSideDisconnect", "true", false, B, false},
      {"StopTransactionOnInvalidId", "true", false, B, false},
      {"StopTxnAlignedData", "Energy.Active.Import.Register", false, M, false},
      {"StopTxnSampledData", "Energy.Active.Import.Register", false, M, false},
      {"SupportedFeatureProfiles", "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
       true, KeyType::FeatureList, false},
      {"TransactionMessageAttempts", "3", false, I, false},
      {"TransactionMessageRetryInterval", "60", false, I, false},
      {"UnlockConnectorOnEVSideDisconnect", "true", false, B, false},
      {"WebSocketPingInterval", "0", false, I, true},
  };
}

const ConfigurationKey* Configuration::find(std::string_view key) const {
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const ConfigurationKey& k) { return k.key == key; });
  return it == keys_.end() ? nullptr : &*it;
}

ConfigurationKey* Configuration::find(std::string_view key) {
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const ConfigurationKey& k) { return k.key == key; });
  return it == keys_.end() ? nullptr : &*it;
}

ConfigurationQuery Configuration::get(const std::vector<std::string>& keys) const {
  ConfigurationQuery q;
  if (keys.empty()) {
    q.known = keys_;
    return q;
  }
  for (const auto& k : keys) {
    if (const auto* found = find(k)) q.known.push_back(*found);
    else q.unknown.push_back(k);
  }
  return q;
}

ChangeStatus Configuration::change(std::string_view key, std::string_view value) {
  auto* k = find(key);
  if (k == nullptr) return ChangeStatus::NotSupported;
  if (k->readonly || !valid(k->type, value)) return ChangeStatus::Rejected;
  k->value = std::string(value);
  return k->reboot_required ? ChangeStatus::RebootRequired : ChangeStatus::Accepted;
}

std::optional<std::string> Configuration::value(std::string_view key) const {
  if (const auto* k = find(key)) return k->value;
  return std::nullopt;
}

int Configuration::integer(std::string_view key, int fallback) const {
  const auto* k = find(key);
  if (k == nullptr || !is_integer(k->value)) return fallback;
  return std::stoi(k->value);
}

void Configuration::set_heartbeat_interval(int seconds) {
  (void)change("HeartbeatInterval", std::to_string(seconds));
}

}  // namespace cp::sim
