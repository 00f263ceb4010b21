#pragma once
// The configuration keys a simulated OCPP 1.6 charge point exposes (OCPP 1.6 §9, core profile
// plus the local-auth-list and smart-charging keys a typical AC pile reports), and the rules
// it applies to ChangeConfiguration (§5.3): unknown key -> NotSupported, read-only or an
// ill-typed value -> Rejected, keys that only take effect at boot -> RebootRequired.
// Pure: no clock, no I/O; the charge point reads the intervals it needs from here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cp::sim {

enum class KeyType { Integer, Boolean, MeasurandList, FeatureList, String };

struct ConfigurationKey {
  std::string key;
  std::string value;
  bool readonly = false;
  KeyType type = KeyType::String;
  bool reboot_required = false;  // a change is stored but applies after the next boot
};

enum class ChangeStatus { Accepted, Rejected, RebootRequired, NotSupported };
const char* to_string(ChangeStatus s);

struct ConfigurationQuery {
  std::vector<ConfigurationKey> known;
  std::vector<std::string> unknown;
};

class Configuration {
 public:
  Configuration(int connectors, int heartbeat_interval_s, int meter_interval_s);

  // All keys when `keys` is empty (OCPP 1.6 §5.8), else the ones asked for, in order.
  ConfigurationQuery get(const std::vector<std::string>& keys) const;
  ChangeStatus change(std::string_view key, std::string_view value);

  std::optional<std::string> value(std::string_view key) const;
  int integer(std::string_view key, int fallback) const;
  void set_heartbeat_interval(int seconds);  // BootNotification.conf sets it (§4.2)

 private:
  const ConfigurationKey* find(std::string_view key) const;
  ConfigurationKey* find(std::string_view key);
  std::vector<ConfigurationKey> keys_;
};

}  // namespace cp::sim
