#pragma once
// The parameter catalogue (DESIGN.md §4): every parameter an operator can configure, under a
// protocol-neutral name, with its type, unit, range, whether the pile may need a reboot, and
// how each protocol carries it. Configuration jobs validate and canonicalise values here
// before anything is sent; protocol command runners look up their own mapping here.
//
// Beyond the catalogue, a raw vendor key passes through as "<protocol>:<Key>"
// ("ocpp1.6:LightIntensity"): a string value, sent as is, only to piles of that protocol.
//
// Canonical values are strings: integers in decimal, numbers in shortest round-trip form,
// booleans "true"/"false", measurand lists comma-separated without spaces.
// The catalogue is immutable data built once; everything here is pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace cp::domain {

enum class ParameterType { Integer, Number, Boolean, String, MeasurandList };
const char* to_string(ParameterType t);

// How one protocol carries a parameter.
struct ProtocolMapping {
  std::string protocol;  // "ocpp1.6", "ocpp2.0.1", "ykc", "gbt32960"
  std::string via;       // "configuration_key" | "charging_profile" | "frame_field" | "variable"
  std::string key;       // the protocol's name: "HeartbeatInterval", "0x52.max_power_percent", "0x09", ...
};

struct ParameterSpec {
  std::string name;  // "heartbeat_interval"
  ParameterType type = ParameterType::Integer;
  std::string unit;  // "s", "A", "W", "%", "" for none
  std::optional<double> min, max;  // inclusive range for Integer / Number
  std::size_t max_length = 500;    // String (CiString500 in OCPP 1.6)
  bool reboot_may_be_needed = false;
  std::string description;
  std::vector<ProtocolMapping> mappings;
};

const std::vector<ParameterSpec>& parameter_catalogue();
const ParameterSpec* find_parameter(std::string_view name);

// Raw vendor keys ("ocpp1.6:<Key>"); nullopt when `name` is not of that form.
struct RawKey {
  std::string protocol;
  std::string key;
};
std::optional<RawKey> parse_raw_key(std::string_view name);

// A value as the API received it (JSON scalar, or an array of strings for lists).
using ParameterValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

// Validates `value` for parameter `name` and returns its canonical string. Errors:
// "unknown_parameter" (not in the catalogue and not a raw key) and "invalid_parameter_value";
// the message names the parameter and says what is allowed.
Result<std::string> canonical_value(std::string_view name, const ParameterValue& value);

// The mapping `protocol` uses for `parameter` (catalogue name or raw key), or nullopt when the
// protocol cannot carry it (the job records NotSupported without sending anything).
std::optional<ProtocolMapping> mapping_for(std::string_view parameter, std::string_view protocol);
// The catalogue name a protocol key stands for ("HeartbeatInterval" -> "heartbeat_interval"),
// or "" when the key maps to no catalogue parameter.
std::string parameter_for_key(std::string_view protocol, std::string_view key);

// OCPP 1.6 measurand names (the values a MeasurandList accepts).
const std::vector<std::string_view>& known_measurands();

}  // namespace cp::domain
