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
constexpr std::array<std::string_view, 5> kUnsupported{"CancelReservation", "GetCompositeSchedule",
                                                       "GetLocalListVersion", "ReserveNow", "SendLocalList"};
constexpr double kNominalVoltage = 230.0;  // the charging curve's phase voltage

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

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// OCPP 1.6 §7.8/§7.13: the first schedule period's limit (startPeriod 0) in A or W; nullopt
// for a profile the simulator cannot honour (missing schedule, no period at 0).
std::optional<ChargingLimit> first_limit(const json::object& profile) {
  const auto* schedule = object_at(profile, "chargingSchedule");
  if (schedule == nullptr) return std::nullopt;
  const auto* unit = schedule->if_contains("chargingRateUnit");
  const auto* periods = schedule->if_contains("chargingSchedulePeriod");
  if (unit == nullptr || !unit->is_string() || periods == nullptr || !periods->is_array()) return std::nullopt;
  for (const auto& p : periods->get_array()) {
    const auto* po = p.if_object();
    if (po == nullptr || !po->contains("startPeriod") || !po->contains("limit")) continue;
    if (!po->at("startPeriod").is_number() || !po->at("limit").is_number()) continue;
    if (po->at("startPeriod").to_number<double>() != 0) continue;
    return ChargingLimit{unit->get_string() == "A", po->at("limit").to_number<double>()};
  }
  return std::nullopt;
}

double to_watts(const ChargingLimit& l, int phases) { return l.amps ? l.limit * kNominalVoltage * phases : l.limit; }

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
    follow_up(conn, FollowUp{kind, cid ? static_cast<int>(*cid) : -1, "Idle"});
    return status_answer("Accepted");
  }
  if (action == "SetChargingProfile") return answer_set_charging_profile(p);
  if (action == "ClearChargingProfile") return answer_clear_charging_profile(p);
  if (action == "UpdateFirmware" || action == "GetDiagnostics") return answer_firmware_or_diagnostics(conn, action, p);
  if (action == "DataTransfer") {
    if (auto r = ocpp::require_string(p, "vendorId")) return *r;
    return status_answer("UnknownVendorId");  // OCPP 1.6 §5.6: no vendor extensions here
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
  target->remote_limit.reset();
  if (const auto* profile = object_at(p, "chargingProfile")) {
    // OCPP 1.6 §5.11: a RemoteStartTransaction profile must be a TxProfile.
    const auto* purpose = profile->if_contains("chargingProfilePurpose");
    if (purpose == nullptr || !purpose->is_string() || purpose->get_string() != "TxProfile") {
      target->remote_id_tag.reset();
      return status_answer("Rejected");
    }
    target->remote_limit = first_limit(*profile);
  }
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
    follow_up(conn, FollowUp{FollowUp::Kind::Status, c.id, ""});
  }
  if (cid == 0) follow_up(conn, FollowUp{FollowUp::Kind::Status, 0, ""});
  conn->wake.cancel();
  return status_answer(scheduled ? "Scheduled" : "Accepted");
}

// OCPP 1.6 §5.16 / §3.13: ChargePointMaxProfile on connector 0 caps the whole pile;
// TxProfile applies to the transaction running on its connector (Rejected without one);
// TxDefaultProfile is accepted and, like every later period, not modelled.
ocpp::Answer ChargePoint::answer_set_charging_profile(const json::object& p) {
  if (auto r = ocpp::require_int(p, "connectorId")) return *r;
  const auto* profile = object_at(p, "csChargingProfiles");
  if (profile == nullptr) return Refusal{"OccurrenceConstraintViolation", "csChargingProfiles is required"};
  if (auto r = require_enum(*profile, "chargingProfilePurpose", {"ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"}))
    return *r;
  if (auto r = require_enum(*profile, "chargingProfileKind", {"Absolute", "Recurring", "Relative"})) return *r;
  const auto cid = p.at("connectorId").to_number<std::int64_t>();
  const std::string_view purpose = profile->at("chargingProfilePurpose").get_string();
  const auto limit = first_limit(*profile);
  if (!limit) return status_answer("Rejected");
  if (purpose == "ChargePointMaxProfile") {
    if (cid != 0 || profile->at("chargingProfileKind").get_string() == "Relative") return status_answer("Rejected");
    max_profile_ = limit;
  } else if (purpose == "TxProfile") {
    auto* c = connector(static_cast<int>(cid));
    if (c == nullptr || c->phase != Phase::Charging) return status_answer("Rejected");
    c->tx_limit = limit;
  } else if (cid < 0 || cid > static_cast<std::int64_t>(connectors_.size())) {
    return status_answer("Rejected");
  }
  spdlog::debug("sim_charging_profile pile={} purpose={} limit={}{}", cred_.id, purpose, limit->limit,
                limit->amps ? "A" : "W");
  apply_power_caps();
  return status_answer("Accepted");
}

ocpp::Answer ChargePoint::answer_clear_charging_profile(const json::object& p) {
  const auto* purpose = p.if_contains("chargingProfilePurpose");
  const bool any = !p.contains("id") && !p.contains("connectorId") && purpose == nullptr && !p.contains("stackLevel");
  const bool max = purpose != nullptr && purpose->is_string() && purpose->get_string() == "ChargePointMaxProfile";
  bool cleared = false;
  if ((any || max) && max_profile_) {
    max_profile_.reset();
    cleared = true;
  }
  if (any)
    for (auto& c : connectors_) cleared = std::exchange(c.tx_limit, std::nullopt).has_value() || cleared;
  apply_power_caps();
  return status_answer(cleared ? "Accepted" : "Unknown");
}

void ChargePoint::apply_power_caps() {
  const auto sessions = std::count_if(connectors_.begin(), connectors_.end(), [](auto& c) { return c.curve.has_value(); });
  for (auto& c : connectors_) {
    if (!c.curve) continue;
    std::optional<double> cap;
    const int phases = c.curve->ev().phases;
    if (max_profile_) cap = to_watts(*max_profile_, phases) / static_cast<double>(sessions);  // shared equally
    if (c.tx_limit) cap = std::min(cap.value_or(to_watts(*c.tx_limit, phases)), to_watts(*c.tx_limit, phases));
    c.curve->set_power_cap_w(cap);
  }
}

// OCPP 1.6 §5.9 / §5.19: the pile answers at once and reports progress with status
// notifications (the transfer itself is simulated: it always succeeds).
ocpp::Answer ChargePoint::answer_firmware_or_diagnostics(const ConnPtr& conn, const std::string& action,
                                                         const json::object& p) {
  if (auto r = ocpp::require_string(p, "location")) return *r;
  using K = FollowUp::Kind;
  if (action == "UpdateFirmware") {
    if (auto r = ocpp::require_string(p, "retrieveDate")) return *r;
    for (const char* s : {"Downloading", "Downloaded", "Installing", "Installed"})
      follow_up(conn, FollowUp{K::FirmwareStatus, -1, s});
    return json::object{};
  }
  for (const char* s : {"Uploading", "Uploaded"}) follow_up(conn, FollowUp{K::DiagnosticsStatus, -1, s});
  return json::object{{"fileName", "diagnostics-" + cred_.id + ".log"}};
}

}  // namespace cp::sim::detail
