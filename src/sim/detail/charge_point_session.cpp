// What a simulated charge point says: boot, status, heartbeat, charging sessions per connector,
// and the follow-ups server CALLs ask for. Only the charging loop changes a session's phase;
// server CALLs set requests (stop reason, remote id tag, availability) and wake it.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/time.h"
#include "sim/detail/charge_point_impl.h"

namespace cp::sim::detail {

using namespace asio::experimental::awaitable_operators;

namespace {
std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}
std::int64_t int_at(const json::object& o, std::string_view key, std::int64_t fallback) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return fallback;
}
std::string id_tag_status(const json::object& payload) {
  const auto* info = payload.if_contains("idTagInfo");
  return info != nullptr && info->is_object() ? string_at(info->get_object(), "status") : std::string();
}
}  // namespace

std::string ChargePoint::now_rfc3339() const { return format_rfc3339(SystemClock{}.now()); }

std::chrono::seconds ChargePoint::meter_interval() const {
  return std::chrono::seconds{std::max(1, config_.integer("MeterValueSampleInterval", 10))};
}

std::chrono::seconds ChargePoint::idle_gap() {
  const auto lo = opts_.idle_gap_min.count();
  const auto hi = std::max(lo, opts_.idle_gap_max.count());
  return std::chrono::seconds{std::uniform_int_distribution<long long>(lo, hi)(rng_)};
}

ConnectorSim* ChargePoint::connector(int id) {
  if (id < 1 || id > static_cast<int>(connectors_.size())) return nullptr;
  return &connectors_[static_cast<std::size_t>(id - 1)];
}

std::string ChargePoint::connector_status(const ConnectorSim& c) const {
  switch (c.phase) {
    case Phase::Starting: return "Preparing";
    case Phase::Charging: return "Charging";
    case Phase::Stopping: return "Finishing";
    case Phase::Idle: break;
  }
  return c.inoperative ? "Unavailable" : "Available";
}

json::object ChargePoint::boot_payload() const {
  // Field lengths per OCPP 1.6 BootNotification.req (CiString20/25/50).
  auto clip = [](std::string s, std::size_t n) { return s.size() > n ? s.substr(0, n) : s; };
  return {{"chargePointVendor", clip(opts_.vendor, 20)},
          {"chargePointModel", clip(opts_.model, 20)},
          {"chargePointSerialNumber", clip(cred_.id, 25)},
          {"firmwareVersion", "sim-1.0.0"},
          {"meterType", "SIM-3PH-METER"},
          {"meterSerialNumber", clip("M-" + cred_.id, 25)}};
}

Task<void> ChargePoint::status(ConnPtr conn, int connector, std::string status) {
  json::object payload{{"connectorId", connector}, {"errorCode", "NoError"}, {"status", status}, {"timestamp", now_rfc3339()}};
  co_await call(conn, std::string("StatusNotification"), std::move(payload));
}

Task<void> ChargePoint::serve(ConnPtr conn) {
  co_await boot(conn);
  const bool all_down = std::all_of(connectors_.begin(), connectors_.end(), [](auto& c) { return c.inoperative; });
  co_await status(conn, 0, std::string(all_down ? "Unavailable" : "Available"));
  for (auto& c : connectors_) co_await status(conn, c.id, connector_status(c));
  co_await (heartbeat_loop(conn) && charging_loop(conn));
}

// OCPP 1.6 §4.2: until Accepted, retry after the interval the Central System gave.
Task<void> ChargePoint::boot(ConnPtr conn) {
  while (!conn->accepted) {
    auto r = co_await call(conn, std::string("BootNotification"), boot_payload());
    auto wait = std::chrono::seconds{30};
    if (r.ok) {
      const auto interval = int_at(r.payload, "interval", 0);
      if (string_at(r.payload, "status") == "Accepted") {
        conn->accepted = true;
        counters_.booted.fetch_add(1, std::memory_order_relaxed);
        if (interval > 0) config_.set_heartbeat_interval(static_cast<int>(interval));
        break;
      }
      if (interval > 0) wait = std::chrono::seconds{interval};
    }
    conn->boot_wait.expires_after(wait);
    co_await sleep_until_woken(conn->boot_wait, conn);
  }
}

Task<void> ChargePoint::heartbeat_loop(ConnPtr conn) {
  for (;;) {
    const int interval = config_.integer("HeartbeatInterval", 0);
    if (interval > 0) conn->heartbeat.expires_after(std::chrono::seconds{interval});
    else conn->heartbeat.expires_at(SteadyClock::time_point::max());  // 0 disables heartbeats
    co_await sleep_until_woken(conn->heartbeat, conn);
    if (SteadyClock::now() < conn->heartbeat.expiry()) continue;  // interval changed: re-arm
    co_await call(conn, std::string("Heartbeat"), json::object());
  }
}

Task<void> ChargePoint::charging_loop(ConnPtr conn) {
  const auto start = SteadyClock::now();
  for (auto& c : connectors_) {
    if (c.due == SteadyClock::time_point{}) c.due = start + idle_gap();
    if (c.phase == Phase::Charging) c.due = std::min(c.due, start + meter_interval());
  }
  for (;;) {
    const bool busy = std::any_of(connectors_.begin(), connectors_.end(), [](auto& c) { return c.phase != Phase::Idle; });
    if (reboot_requested_ && !busy) {
      // OCPP 1.6 §5.14: transactions are stopped, then the pile reboots (reconnects shortly).
      spdlog::info("sim_reboot pile={} kind={}", cred_.id, *reboot_requested_);
      reboot_requested_.reset();
      reboot_pending_ = true;
      // The Reset.conf must reach the server before the socket goes: let the outbox drain.
      do {
        conn->wake.expires_after(std::chrono::milliseconds{200});
        co_await sleep_until_woken(conn->wake, conn);
      } while (!conn->outbox.empty());
      beast::error_code ec;
      co_await conn->ws.async_close(websocket::close_code::going_away, asio::redirect_error(asio::use_awaitable, ec));
      throw ConnectionLost("rebooting");
    }
    auto next = std::min_element(connectors_.begin(), connectors_.end(), [](auto& a, auto& b) {
      auto due = [](auto& c) { return c.inoperative && c.phase == Phase::Idle ? SteadyClock::time_point::max() : c.due; };
      return due(a) < due(b);
    });
    if (next == connectors_.end()) co_return;
    ConnectorSim& c = *next;
    const bool parked = c.inoperative && c.phase == Phase::Idle;
    if (parked || c.due > SteadyClock::now()) {
      conn->wake.expires_at(parked ? SteadyClock::time_point::max() : c.due);
      co_await sleep_until_woken(conn->wake, conn);
      continue;  // woken early or due: decide again
    }
    if (c.phase == Phase::Idle) co_await start_session(conn, c);
    else if (c.stop_reason) co_await stop_session(conn, c);
    else co_await meter_step(conn, c);
  }
}

Task<void> ChargePoint::start_session(ConnPtr conn, ConnectorSim& c) {
  c.phase = Phase::Starting;
  const bool remote = c.remote_id_tag.has_value();
  std::string tag = remote ? *c.remote_id_tag
                           : opts_.id_tags[std::uniform_int_distribution<std::size_t>(0, opts_.id_tags.size() - 1)(rng_)];
  c.remote_id_tag.reset();
  c.tx_limit = remote ? std::exchange(c.remote_limit, std::nullopt) : std::nullopt;
  if (!remote || config_.value("AuthorizeRemoteTxRequests") == "true") {
    json::object payload{{"idTag", tag}};
    auto r = co_await call(conn, std::string("Authorize"), std::move(payload));
    if (!r.ok || id_tag_status(r.payload) != "Accepted") {
      c.phase = Phase::Idle;
      c.due = SteadyClock::now() + idle_gap();
      co_return;
    }
  }
  co_await status(conn, c.id, std::string("Preparing"));
  c.curve.emplace(random_ev(rng_), c.meter_wh, ambient_c_, rng_());
  apply_power_caps();
  c.meter_start_wh = std::floor(c.meter_wh);
  c.start_timestamp = now_rfc3339();
  json::object start{{"connectorId", c.id},
                     {"idTag", tag},
                     {"meterStart", static_cast<std::int64_t>(c.meter_start_wh)},
                     {"timestamp", c.start_timestamp}};
  auto r = co_await call(conn, std::string("StartTransaction"), std::move(start));
  if (!r.ok || !r.payload.contains("transactionId")) {
    c.phase = Phase::Idle;
    c.curve.reset();
    c.tx_limit.reset();
    apply_power_caps();
    co_await status(conn, c.id, connector_status(c));
    c.due = SteadyClock::now() + idle_gap();
    co_return;
  }
  counters_.transactions_started.fetch_add(1, std::memory_order_relaxed);
  c.transaction_id = int_at(r.payload, "transactionId", 0);
  c.id_tag = tag;
  c.last_sample = SteadyClock::now();
  c.phase = Phase::Charging;
  if (id_tag_status(r.payload) != "Accepted") {
    // OCPP 1.6 §5.11 / StopTransactionOnInvalidId: stop at once, reason DeAuthorized.
    c.stop_reason = "DeAuthorized";
    c.due = SteadyClock::now();
    co_return;
  }
  co_await status(conn, c.id, std::string("Charging"));
  c.samples_left = std::uniform_int_distribution<int>(opts_.session_samples_min,
                                                      std::max(opts_.session_samples_min, opts_.session_samples_max))(rng_);
  c.due = c.last_sample + meter_interval();
}

Task<void> ChargePoint::meter_step(ConnPtr conn, ConnectorSim& c) {
  const auto now = SteadyClock::now();
  c.curve->advance(std::chrono::duration<double>(now - c.last_sample).count());
  c.last_sample = now;
  c.meter_wh = c.curve->energy_register_wh();
  json::array values{ocpp::meter_value(now_rfc3339(), c.curve->sample(), "Sample.Periodic")};
  c.due = now + meter_interval();
  json::object payload{{"connectorId", c.id}, {"transactionId", c.transaction_id}, {"meterValue", std::move(values)}};
  co_await call(conn, std::string("MeterValues"), std::move(payload));
  counters_.meter_values.fetch_add(1, std::memory_order_relaxed);
  if (c.stop_reason) co_return;
  if (c.curve->ev_full()) c.stop_reason = "EVDisconnected";  // the EV ends the session when full
  else if (--c.samples_left <= 0) c.stop_reason = "Local";   // the driver stops it
  if (c.stop_reason) c.due = SteadyClock::now();
}

Task<void> ChargePoint::stop_session(ConnPtr conn, ConnectorSim& c) {
  c.phase = Phase::Stopping;
  const auto now = SteadyClock::now();
  c.curve->advance(std::chrono::duration<double>(now - c.last_sample).count());
  c.last_sample = now;
  c.meter_wh = c.curve->energy_register_wh();
  const auto end = now_rfc3339();
  const auto end_reading = c.curve->energy_reading();
  MeterReading begin = end_reading;
  begin.value = c.meter_start_wh;
  json::array data{ocpp::meter_value(c.start_timestamp, {begin}, "Transaction.Begin"),
                   ocpp::meter_value(end, {end_reading}, "Transaction.End")};
  json::object payload{{"transactionId", c.transaction_id},
                       {"idTag", c.id_tag},
                       {"meterStop", static_cast<std::int64_t>(end_reading.value)},
                       {"timestamp", end},
                       {"reason", *c.stop_reason},
                       {"transactionData", std::move(data)}};
  co_await call(conn, std::string("StopTransaction"), std::move(payload));
  counters_.transactions_stopped.fetch_add(1, std::memory_order_relaxed);
  co_await status(conn, c.id, std::string("Finishing"));
  c.phase = Phase::Idle;
  c.curve.reset();
  c.tx_limit.reset();
  apply_power_caps();  // the pile-wide limit is shared by fewer sessions now
  c.stop_reason.reset();
  if (c.pending_inoperative) c.inoperative = *c.pending_inoperative;
  c.pending_inoperative.reset();
  c.due = SteadyClock::now() + idle_gap();
  co_await status(conn, c.id, connector_status(c));
}

Task<void> ChargePoint::trigger_loop(ConnPtr conn) {
  for (;;) {
    while (follow_ups_.empty()) {
      conn->trigger_signal.expires_at(SteadyClock::time_point::max());
      co_await sleep_until_woken(conn->trigger_signal, conn);
    }
    auto f = follow_ups_.front();
    follow_ups_.pop_front();
    co_await send_follow_up(conn, f);
  }
}

void ChargePoint::follow_up(const ConnPtr& conn, FollowUp f) {
  follow_ups_.push_back(f);
  conn->trigger_signal.cancel();
}

void ChargePoint::wake_now(const ConnPtr& conn, ConnectorSim& c) {
  c.due = SteadyClock::now();
  conn->wake.cancel();
}

Task<void> ChargePoint::send_follow_up(ConnPtr conn, FollowUp f) {
  using K = FollowUp::Kind;
  switch (f.kind) {
    case K::Heartbeat: co_await call(conn, std::string("Heartbeat"), json::object()); break;
    case K::Boot: {
      auto r = co_await call(conn, std::string("BootNotification"), boot_payload());
      if (r.ok && string_at(r.payload, "status") == "Accepted" && !conn->accepted) {
        conn->accepted = true;
        counters_.booted.fetch_add(1, std::memory_order_relaxed);
        conn->boot_wait.cancel();
      }
      break;
    }
    case K::DiagnosticsStatus:
    case K::FirmwareStatus: {
      json::object payload{{"status", f.status}};
      const bool diag = f.kind == K::DiagnosticsStatus;
      co_await call(conn, std::string(diag ? "DiagnosticsStatusNotification" : "FirmwareStatusNotification"),
                    std::move(payload));
      break;
    }
    case K::Status:
      if (f.connector <= 0) {
        const bool all_down = std::all_of(connectors_.begin(), connectors_.end(), [](auto& c) { return c.inoperative; });
        co_await status(conn, 0, std::string(all_down ? "Unavailable" : "Available"));
      }
      for (auto& c : connectors_)
        if (f.connector < 0 || f.connector == c.id) co_await status(conn, c.id, connector_status(c));
      break;
    case K::MeterValues:
      for (auto& c : connectors_) {
        if (f.connector > 0 && f.connector != c.id) continue;
        json::object payload{{"connectorId", c.id}};
        std::vector<MeterReading> readings;
        if (c.phase == Phase::Charging && c.curve) {
          readings = c.curve->sample();
          payload["transactionId"] = c.transaction_id;
        } else {
          readings.push_back({"Energy.Active.Import.Register", "", "Wh", "Outlet", std::floor(c.meter_wh)});
        }
        payload["meterValue"] = json::array{ocpp::meter_value(now_rfc3339(), readings, "Trigger")};
        co_await call(conn, std::string("MeterValues"), std::move(payload));
      }
      break;
  }
}

}  // namespace cp::sim::detail
