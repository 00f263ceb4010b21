#include "protocol/ocpp/v16/command_runner.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "domain/parameters.h"
#include "protocol/ocpp/v16/generated/codec.h"

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;
using domain::CommandOutcome;
using domain::ParameterResult;
using domain::ParameterStatus;
using Reply = Result<json::value, CallFailure>;

constexpr std::string_view kProtocol = "ocpp1.6";

std::string describe(const ValidationError& e) { return e.path.empty() ? e.message : e.path + ": " + e.message; }

// The CALL for a single-exchange command; `error` set when the command cannot become a valid
// 1.6 request (nothing is sent).
struct Request {
  Action action = Action::ClearCache;
  json::object payload;
  std::string error;
};

void put_opt(json::object& o, std::string_view key, const std::optional<int>& v) {
  if (v) o[key] = *v;
}

Request build(const domain::RemoteStart& c) {
  Request r{Action::RemoteStartTransaction, {}, {}};
  put_opt(r.payload, "connectorId", c.connector);
  r.payload["idTag"] = c.id_tag;
  if (!c.charging_profile_json.empty()) {
    boost::system::error_code ec;
    auto profile = json::parse(c.charging_profile_json, ec);
    if (ec || !profile.is_object()) {
      r.error = "chargingProfile: not a JSON object";
      return r;
    }
    r.payload["chargingProfile"] = std::move(profile);
  }
  return r;
}
Request build(const domain::RemoteStartParallel&) {  // refused at the API (check_command)
  return {Action::RemoteStartTransaction, {}, "OCPP 1.6 has no parallel start: send remote_start for each connector"};
}
Request build(const domain::RemoteStop& c) {
  return {Action::RemoteStopTransaction, {{"transactionId", c.transaction}}, {}};
}
Request build(const domain::Reset& c) { return {Action::Reset, {{"type", c.hard ? "Hard" : "Soft"}}, {}}; }
Request build(const domain::Unlock& c) { return {Action::UnlockConnector, {{"connectorId", c.connector}}, {}}; }
Request build(const domain::ChangeAvailability& c) {
  return {Action::ChangeAvailability,
          {{"connectorId", c.connector}, {"type", c.operative ? "Operative" : "Inoperative"}},
          {}};
}
Request build(const domain::TriggerMessage& c) {
  Request r{Action::TriggerMessage, {{"requestedMessage", c.message}}, {}};
  put_opt(r.payload, "connectorId", c.connector);
  return r;
}
Request build(const domain::ClearCache&) { return {Action::ClearCache, {}, {}}; }
Request build(const domain::SendDataTransfer& c) {
  Request r{Action::DataTransfer, {{"vendorId", c.vendor_id}}, {}};
  if (!c.message_id.empty()) r.payload["messageId"] = c.message_id;
  if (!c.data.empty()) r.payload["data"] = c.data;
  return r;
}
Request build(const domain::UpdateFirmware& c) {
  Request r{Action::UpdateFirmware, {{"location", c.location}, {"retrieveDate", format_rfc3339(c.retrieve_date)}}, {}};
  put_opt(r.payload, "retries", c.retries);
  put_opt(r.payload, "retryInterval", c.retry_interval_s);
  return r;
}
Request build(const domain::GetDiagnostics& c) {
  Request r{Action::GetDiagnostics, {{"location", c.location}}, {}};
  put_opt(r.payload, "retries", c.retries);
  put_opt(r.payload, "retryInterval", c.retry_interval_s);
  if (c.start_time) r.payload["startTime"] = format_rfc3339(*c.start_time);
  if (c.stop_time) r.payload["stopTime"] = format_rfc3339(*c.stop_time);
  return r;
}
json::object get_configuration_payload(const std::vector<std::string>& keys) {
  json::object o;
  if (!keys.empty()) {
    json::array a;
    for (const auto& k : keys) a.emplace_back(k);
    o["key"] = std::move(a);
  }
  return o;
}
Request build(const domain::ReadConfig& c) { return {Action::GetConfiguration, get_configuration_payload(c.keys), {}}; }
Request build(const domain::ApplyConfig&) {  // never a single CALL: Run::start handles it
  return {Action::ChangeConfiguration, {}, "apply_config runs one CALL per setting"};
}

// OCPP 1.6 §3.13 / §5.16: the pile-wide limit is a ChargePointMaxProfile on connector 0.
// Kind Absolute with startSchedule = now and one open-ended period: the limit holds from now
// on. Relative is not used: its periods count from the start of a transaction, which a
// pile-wide profile does not have (OCPP 2.0.1 K01 rules Relative out for the equivalent
// ChargingStationMaxProfile).
std::optional<json::object> max_profile(std::string_view key, const std::string& value, Timestamp now) {
  std::string_view unit;
  if (key == "ChargePointMaxProfile.A") unit = "A";
  else if (key == "ChargePointMaxProfile.W") unit = "W";
  else return std::nullopt;
  std::int64_t limit = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
  if (ec != std::errc{} || ptr != value.data() + value.size()) return std::nullopt;
  json::object schedule{{"startSchedule", format_rfc3339(now)},
                        {"chargingRateUnit", unit},
                        {"chargingSchedulePeriod", json::array{json::object{{"startPeriod", 0}, {"limit", limit}}}}};
  json::object profile{{"chargingProfileId", kPlatformMaxProfileId},
                       {"stackLevel", 0},
                       {"chargingProfilePurpose", "ChargePointMaxProfile"},
                       {"chargingProfileKind", "Absolute"},
                       {"chargingSchedule", std::move(schedule)}};
  return json::object{{"connectorId", 0}, {"csChargingProfiles", std::move(profile)}};
}

std::string failure_detail(const CallFailure& f) {
  switch (f.kind) {
    case CallFailure::Kind::CallError: return "CALLERROR " + f.code + ": " + f.description;
    case CallFailure::Kind::InvalidResponse: return "invalid response (" + f.code + "): " + f.description;
    case CallFailure::Kind::Timeout: return "no answer from the pile in time";
    case CallFailure::Kind::Closed: return "the connection closed before the pile answered";
  }
  return f.description;
}

std::string failure_status(const CallFailure& f) {
  switch (f.kind) {
    case CallFailure::Kind::CallError: return "CallError";
    case CallFailure::Kind::InvalidResponse: return "InvalidResponse";
    case CallFailure::Kind::Timeout: return "Timeout";
    case CallFailure::Kind::Closed: return "Offline";
  }
  return "CallError";
}

// A CALL that could not be sent: status for single-CALL commands.
std::string not_sent_status(const Error& e) {
  if (e.code == "closed") return "Offline";
  if (e.code == "busy") return "Busy";
  return "InvalidRequest";
}

void fill_configuration(const GetConfigurationResponse& r, CommandOutcome& out) {
  if (r.configuration_key)
    for (const auto& kv : *r.configuration_key)
      out.configuration.push_back({kv.key, domain::parameter_for_key(kProtocol, kv.key), kv.value, kv.readonly});
  if (r.unknown_key) out.unknown_keys = *r.unknown_key;
}

class Run : public std::enable_shared_from_this<Run> {
 public:
  Run(CallFunction call, domain::CommandObserver observer, const Clock& clock)
      : call_(std::move(call)), observer_(std::move(observer)), clock_(clock) {}

  void start(domain::Command command) {
    if (auto* apply = std::get_if<domain::ApplyConfig>(&command)) {
      apply_ = std::move(*apply);
      settings_.reserve(apply_.settings.size());
      return next_setting();
    }
    const auto read = std::holds_alternative<domain::ReadConfig>(command);
    single(std::visit([](const auto& c) { return build(c); }, command), read);
  }

 private:
  // Validates against the request schema, then sends. Errors: as CallFunction, nothing sent.
  Result<std::string> send(Action action, json::object payload, std::function<void(Reply)> next) {
    json::value v(std::move(payload));
    if (auto ok = validate_request(action, v); !ok) return fail("invalid_request", describe(ok.error()));
    return call_(action, std::move(v), [self = shared_from_this(), next = std::move(next)](Reply r) { next(std::move(r)); });
  }

  void done(CommandOutcome outcome) {
    if (finished_) return;
    finished_ = true;
    if (observer_.done) observer_.done(std::move(outcome));
  }

  // ---- single-CALL commands
  void single(Request req, bool read_config) {
    if (!req.error.empty()) return done({"InvalidRequest", req.error, "", {}, {}, {}});
    const Action action = req.action;
    auto sent = send(action, std::move(req.payload),
                     [this, action, read_config](Reply r) { on_single_reply(action, read_config, std::move(r)); });
    if (!sent) done({not_sent_status(sent.error()), "not sent: " + sent.error().message, "", {}, {}, {}});
  }

  void on_single_reply(Action action, bool read_config, Reply r) {
    if (!r) return done({failure_status(r.error()), failure_detail(r.error()), "", {}, {}, {}});
    CommandOutcome out;
    out.response_json = json::serialize(r.value());
    if (auto v = validate_response(action, r.value()); !v) {
      out.status = "InvalidResponse";
      out.detail = "invalid response: " + describe(v.error());
      return done(std::move(out));
    }
    const auto* status = r.value().is_object() ? r.value().as_object().if_contains("status") : nullptr;
    out.status = status && status->is_string() ? std::string(status->as_string()) : "Accepted";
    if (read_config) {
      auto decoded = decode<GetConfigurationResponse>(r.value());
      if (decoded) fill_configuration(*decoded, out);
    }
    done(std::move(out));
  }

  // ---- ApplyConfig: one CALL per setting, in order
  void report(ParameterStatus status, std::string detail) {
    const auto& s = apply_.settings[settings_.size()];
    ParameterResult r;
    r.parameter = s.parameter;
    r.status = status;
    r.detail = std::move(detail);
    r.at = clock_.now();
    settings_.push_back(r);
    if (observer_.parameter) observer_.parameter(settings_.back());
  }

  // Every remaining setting gets `status` (the pile stopped answering or is gone).
  void stop_all(ParameterStatus status, const std::string& first, const std::string& rest, std::string outcome) {
    if (settings_.size() < apply_.settings.size()) report(status, first);
    while (settings_.size() < apply_.settings.size()) report(status, rest);
    CommandOutcome out;
    out.status = std::move(outcome);
    out.detail = first;
    out.parameters = std::move(settings_);
    done(std::move(out));
  }

  void next_setting() {
    // Settings answered without a CALL (no 1.6 mapping) are reported in this loop; a sent CALL
    // continues from its reply.
    while (settings_.size() < apply_.settings.size()) {
      const auto& s = apply_.settings[settings_.size()];
      const auto mapping = domain::mapping_for(s.parameter, kProtocol);
      std::optional<json::object> payload;
      Action action = Action::ChangeConfiguration;
      if (mapping && mapping->via == "configuration_key") {
        payload = json::object{{"key", mapping->key}, {"value", s.value}};
      } else if (mapping && mapping->via == "charging_profile") {
        action = Action::SetChargingProfile;
        payload = max_profile(mapping->key, s.value, clock_.now());
      }
      if (!payload) {
        report(ParameterStatus::NotSupported, "OCPP 1.6 has no mapping for " + s.parameter);
        continue;
      }
      const bool raw = domain::parse_raw_key(s.parameter).has_value();
      auto sent = send(action, std::move(*payload), [this, raw](Reply r) { on_setting_reply(raw, std::move(r)); });
      if (sent) return;
      if (sent.error().code == "closed")
        return stop_all(ParameterStatus::Offline, "the connection closed before the setting was sent",
                        "not sent: the connection closed", "Offline");
      report(ParameterStatus::Rejected, "not sent: " + sent.error().message);
    }
    read_back();
  }

  void on_setting_reply(bool raw, Reply r) {
    if (!r) {
      const auto& f = r.error();
      if (f.kind == CallFailure::Kind::Timeout)
        return stop_all(ParameterStatus::Timeout, failure_detail(f),
                        "not sent: the pile stopped answering (an earlier CALL timed out)", "Timeout");
      if (f.kind == CallFailure::Kind::Closed)
        return stop_all(ParameterStatus::Offline, failure_detail(f), "not sent: the connection closed", "Offline");
      report(ParameterStatus::Rejected, failure_detail(f));
      return next_setting();
    }
    const auto* o = r.value().if_object();
    const auto* st = o ? o->if_contains("status") : nullptr;
    const std::string status = st && st->is_string() ? std::string(st->as_string()) : "";
    if (status == "Accepted") report(ParameterStatus::Accepted, "");
    else if (status == "RebootRequired") report(ParameterStatus::RebootRequired, "the pile applies it after a reboot");
    else if (status == "Rejected") report(ParameterStatus::Rejected, "the pile rejected the value");
    else if (status == "NotSupported" && raw) report(ParameterStatus::UnknownParameter, "the pile does not know this key");
    else if (status == "NotSupported") report(ParameterStatus::NotSupported, "the pile does not support this parameter");
    else report(ParameterStatus::Rejected, "invalid response: status " + (status.empty() ? "missing" : status));
    next_setting();
  }

  // One GetConfiguration for the configuration-key settings the pile did not refuse as unknown.
  void read_back() {
    CommandOutcome out;
    out.status = "Completed";
    std::vector<std::string> keys;
    if (apply_.read_back) {
      for (std::size_t i = 0; i < settings_.size(); ++i) {
        const auto st = settings_[i].status;
        if (st == ParameterStatus::NotSupported || st == ParameterStatus::UnknownParameter) continue;
        const auto m = domain::mapping_for(apply_.settings[i].parameter, kProtocol);
        if (m && m->via == "configuration_key" && std::find(keys.begin(), keys.end(), m->key) == keys.end())
          keys.push_back(m->key);
      }
    }
    if (keys.empty()) {
      out.parameters = std::move(settings_);
      return done(std::move(out));
    }
    auto sent = send(Action::GetConfiguration, get_configuration_payload(keys),
                     [this](Reply r) { on_read_back(std::move(r)); });
    if (!sent) {
      out.detail = "read-back not sent: " + sent.error().message;
      out.parameters = std::move(settings_);
      done(std::move(out));
    }
  }

  void on_read_back(Reply r) {
    CommandOutcome out;
    out.status = "Completed";
    if (!r) {
      out.detail = "read-back failed: " + failure_detail(r.error());
    } else {
      out.response_json = json::serialize(r.value());
      auto decoded = decode<GetConfigurationResponse>(r.value());
      if (!decoded) {
        out.detail = "read-back failed: invalid response: " + describe(decoded.error());
      } else {
        fill_configuration(*decoded, out);
        apply_read_back(out);
      }
    }
    out.parameters = std::move(settings_);
    done(std::move(out));
  }

  void apply_read_back(const CommandOutcome& out) {
    for (std::size_t i = 0; i < settings_.size(); ++i) {
      const auto m = domain::mapping_for(apply_.settings[i].parameter, kProtocol);
      if (!m || m->via != "configuration_key") continue;
      for (const auto& entry : out.configuration)
        if (entry.key == m->key) settings_[i].reported_value = entry.value;
      if (std::find(out.unknown_keys.begin(), out.unknown_keys.end(), m->key) != out.unknown_keys.end()) {
        settings_[i].status = ParameterStatus::UnknownParameter;
        settings_[i].detail = "the pile lists " + m->key + " as unknown (GetConfiguration)";
      }
    }
  }

  CallFunction call_;
  domain::CommandObserver observer_;
  const Clock& clock_;
  domain::ApplyConfig apply_;
  std::vector<ParameterResult> settings_;  // results so far, in the order of apply_.settings
  bool finished_ = false;
};

}  // namespace

Status check_command(const domain::Command& command) {
  if (std::holds_alternative<domain::ApplyConfig>(command)) return {};
  Request r = std::visit([](const auto& c) { return build(c); }, command);
  if (!r.error.empty()) return fail("invalid_command_args", r.error);
  const json::value payload(std::move(r.payload));
  if (auto v = validate_request(r.action, payload); !v)
    return fail("invalid_command_args", std::string(to_string(r.action)) + " " + describe(v.error()));
  return {};
}

void run_command(domain::Command command, CallFunction call, domain::CommandObserver observer, const Clock& clock) {
  auto run = std::make_shared<Run>(std::move(call), std::move(observer), clock);
  run->start(std::move(command));
}

}  // namespace cp::ocpp::v16
