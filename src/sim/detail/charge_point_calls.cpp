// Answers to the CALLs a Central System sends a charge point (OCPP 1.6 §5). Each answer is
// decided at once from the pile's state; what has to happen afterwards (a status to send, a
// session to start or stop, a reboot) is queued or requested, never done inline.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "sim/detail/charge_point_impl.h"

namespace cp::sim::detail {
namespace {

using ocpp::Refusal;

// OCPP 1.6 Central System -> Charge Point actions the simulator knows but does not implement.
constexpr std::array<std::string_view, 10> kUnsupported{
    "CancelReservation", "ClearChargingProfile", "GetCompositeSchedule", "GetDiagnostics", "GetLocalListVersion",
    "ReserveNow",        "SendLocalList",        "SetChargingProfile",   "UpdateFirmware", "DataTransfer"};

std::optional<Refusal> require_enum(const json::object& o, std::string_view key,
                                    std::initializer_list<std::string_view> allowed) {
  if (auto r = ocpp::require_string(o, key)) return r;
  const auto v = o.at(key).get_string();
  if (std::find(allowed.begin(), allowed.end(), std::string_view(v)) == allowed.end())
    return Refusal{"PropertyConstraintViolation", std::string(key) + " has a value outside its enumeration"};
  return std::nullopt;
}

std::optional<std::int64_t> optional_int(const json::object& o, std::string_view key, std::optional<Refusal>& err) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  err = Refusal{"TypeConstraintViolation", std::string(key) + " must be an integer"};
  return std::nullopt;
}

json::object status_answer(std::string_view s) { return json::object{{"status", s}}; }

}  // namespace

ocpp::Answer ChargePoint::answer(const ConnPtr& conn, const std::string& action, const json::object& p) {
  if (action == "GetConfiguration") return ocpp::answer_get_configuration(config_, p);
  if (action == "ChangeConfiguration") {
    auto a = ocpp::answer_change_configuration(config_, p);
    const auto key = p.if_contains("key") && p.at("key").is_string() ? std::string(p.at("key").get_string()) : "";
    if (key == "HeartbeatInterval") conn->heartbeat.cancel();  // re-arm with the new interval
    return a;
  }
  if (action == "ClearCache") return status_answer("Accepted");
  if (action == "Reset") {
    if (auto r = require_enum(p, "type", {"Hard", "Soft"})) return *r;
    const bool hard = p.at("type").get_string() == "Hard";
    reboot_requested_ = hard ? "HardReset" : "SoftReset";
    for (auto& c : connectors_)
      if (c.phase != Phase::Idle && !c.stop_reason) c.stop_reason = *reboot_requested_;
    for (auto& c : connectors_)
      if (c.phase == Phase::Charging) c.due = SteadyClock::now();
    conn->wake.cancel();
    return status_answer("Accepted");
  }
  if (action == "RemoteStartTransaction") return answer_remote_start(conn, p);
  if (action == "RemoteStopTransaction") {
    if (auto r = ocpp::require_int(p, "transactionId")) return *r;
    const auto tx = p.at("transactionId").to_number<std::int64_t>();
    for (auto& c : connectors_) {
      if (c.phase == Phase::Charging && c.transaction_id == tx) {
        if (!c.stop_reason) c.stop_reason = "Remote";
        wake_now(conn, c);
        return status_answer("Accepted");
      }
    }
    return status_answer("Rejected");
  }
  if (action == "UnlockConnector") {
    if (auto r = ocpp::require_int(p, "connectorId")) return *r;
    auto* c = connector(static_cast<int>(p.at("connectorId").to_number<std::int64_t>()));
    if (c == nullptr) return status_answer("NotSupported");
    // OCPP 1.6 §5.18: a transaction on the connector is stopped first (reason UnlockCommand).
    if (c->phase == Phase::Charging && !c->stop_reason) {
      c->stop_reason = "UnlockCommand";
      wake_now(conn, *c);
    }
    return status_answer("Unlocked");
  }
  if (action == "ChangeAvailability") return answer_change_availability(conn, p);
  if (action == "TriggerMessage") {
    if (auto r = require_enum(p, "requestedMessage",
                              {"BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
                               "Heartbeat", "MeterValues", "StatusNotification"}))
      return *r;
    std::optional<Refusal> err;
    const auto cid = optional_int(p, "connectorId", err);
    if (err) return *err;
    if (cid && (*cid < 0 || *cid > static_cast<std::int64_t>(connectors_.size()))) return status_answer("Rejected");
    const std::string_view what = p.at("requestedMessage").get_string();
    using K = FollowUp::Kind;
    const K kind = what == "BootNotification"               ? K::Boot
                   : what == "Heartbeat"                    ? K::Heartbeat
                   : what == "MeterValues"                  ? K::MeterValues
                   : what == "StatusNotification"           ? K::Status
                   : what == "DiagnosticsStatusNotification" ? K::DiagnosticsStatus
                                                            : K::FirmwareStatus;
    follow_up(conn, FollowUp{kind, cid ? static_cast<int>(*cid) : -1});
    return status_answer("Accepted");
  }
  if (std::find(kUnsupported.begin(), kUnsupported.end(), action) != kUnsupported.end())
    return Refusal{"NotSupported", action + " is not supported by this charge point"};
  return Refusal{"NotImplemented", "unknown action " + action};
}

ocpp::Answer ChargePoint::answer_remote_start(const ConnPtr& conn, const json::object& p) {
  if (auto r = ocpp::require_string(p, "idTag")) return *r;
  const std::string tag(p.at("idTag").get_string());
  if (tag.size() > 20) return Refusal{"PropertyConstraintViolation", "idTag longer than 20"};
  std::optional<Refusal> err;
  const auto cid = optional_int(p, "connectorId", err);
  if (err) return *err;
  ConnectorSim* target = nullptr;
  if (cid) {
    target = connector(static_cast<int>(*cid));
  } else {
    for (auto& c : connectors_)
      if (c.phase == Phase::Idle && !c.inoperative && !c.remote_id_tag) {
        target = &c;
        break;
      }
  }
  if (target == nullptr || target->phase != Phase::Idle || target->inoperative || target->remote_id_tag)
    return status_answer("Rejected");
  target->remote_id_tag = tag;
  wake_now(conn, *target);
  return status_answer("Accepted");
}

// OCPP 1.6 §5.2: connector 0 means the whole pile; a connector in a transaction changes
// when the transaction ends (Scheduled).
ocpp::Answer ChargePoint::answer_change_availability(const ConnPtr& conn, const json::object& p) {
  if (auto r = ocpp::require_int(p, "connectorId")) return *r;
  if (auto r = require_enum(p, "type", {"Inoperative", "Operative"})) return *r;
  const auto cid = p.at("connectorId").to_number<std::int64_t>();
  if (cid < 0 || cid > static_cast<std::int64_t>(connectors_.size())) return status_answer("Rejected");
  const bool inoperative = p.at("type").get_string() == "Inoperative";
  bool scheduled = false;
  for (auto& c : connectors_) {
    if (cid != 0 && c.id != cid) continue;
    if (c.phase != Phase::Idle) {
      c.pending_inoperative = inoperative;
      scheduled = true;
      continue;
    }
    if (c.inoperative == inoperative) continue;
    c.inoperative = inoperative;
    if (!inoperative) c.due = SteadyClock::now() + idle_gap();
    follow_up(conn, FollowUp{FollowUp::Kind::Status, c.id});
  }
  if (cid == 0) follow_up(conn, FollowUp{FollowUp::Kind::Status, 0});
  conn->wake.cancel();
  return status_answer(scheduled ? "Scheduled" : "Accepted");
}

}  // namespace cp::sim::detail
