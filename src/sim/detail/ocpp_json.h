#pragma once
// OCPP-J 1.6 framing for the simulator (OCPP-J 1.6 §4): CALL [2,id,action,payload],
// CALLRESULT [3,id,payload], CALLERROR [4,id,code,description,details]. Built and parsed with
// Boost.JSON directly, independent of the server's codec on purpose: the simulator is a second,
// separately written implementation, so the two cannot share a misreading of the spec.
// Private to src/sim (includes Boost.JSON). Pure.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/detail/charging_curve.h"
#include "sim/detail/configuration.h"

namespace cp::sim::ocpp {

struct Call {
  std::string id;
  std::string action;
  boost::json::object payload;
};
struct CallResult {
  std::string id;
  boost::json::object payload;
};
struct CallError {
  std::string id;
  std::string code;
  std::string description;
};
struct Malformed {
  std::string reason;
};
using Frame = std::variant<Call, CallResult, CallError, Malformed>;

Frame parse_frame(std::string_view text);
std::string call_frame(std::string_view id, std::string_view action, const boost::json::object& payload);
std::string result_frame(std::string_view id, const boost::json::object& payload);
std::string error_frame(std::string_view id, std::string_view code, std::string_view description);

// A CALL the simulator cannot answer as asked: the CALLERROR code and why (OCPP-J 1.6 §4.2.3).
struct Refusal {
  std::string code;
  std::string description;
};
using Answer = std::variant<boost::json::object, Refusal>;

// Field access with the OCPP-J error a malformed payload earns.
std::optional<Refusal> require_string(const boost::json::object& o, std::string_view key);
std::optional<Refusal> require_int(const boost::json::object& o, std::string_view key);

Answer answer_get_configuration(const Configuration& config, const boost::json::object& payload);
Answer answer_change_configuration(Configuration& config, const boost::json::object& payload);

// {"timestamp", "sampledValue": [...]} with the given reading context ("Sample.Periodic", ...).
boost::json::object meter_value(std::string_view timestamp, const std::vector<MeterReading>& readings,
                                std::string_view context);

}  // namespace cp::sim::ocpp
