#include "services/detail/fleet_events.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace cp::services::detail {
namespace json = boost::json;
namespace {

json::object base(const std::string& type, const domain::PileId& pile, Timestamp at) {
  return json::object{{"type", type}, {"pile", pile}, {"at", format_rfc3339(at)}};
}

PendingEvent pending(std::string type, const domain::PileId& pile, Timestamp at, const json::object& o) {
  return PendingEvent{std::move(type), pile, at, json::serialize(o)};
}

}  // namespace

FleetEvents::FleetEvents(EventBus& bus, Scheduler* timers, const Clock& clock,
                         std::chrono::milliseconds telemetry_interval)
    : bus_(bus), timers_(timers), telemetry_(std::make_shared<Telemetry>(bus, clock, telemetry_interval)) {}

void FleetEvents::publish(PendingEvent e) {
  bus_.publish(std::move(e.type), std::move(e.pile), e.at, std::move(e.json));
}

std::optional<PendingEvent> FleetEvents::render_online(const domain::PileId& pile, Timestamp at,
                                                       const std::string& remote_address, bool replaced) const {
  if (!listening()) return std::nullopt;
  auto o = base("pile.online", pile, at);
  o["remote_address"] = remote_address;
  o["replaced"] = replaced;
  return pending("pile.online", pile, at, o);
}

std::optional<PendingEvent> FleetEvents::render_offline(const domain::PileId& pile, Timestamp at) const {
  if (!listening()) return std::nullopt;
  return pending("pile.offline", pile, at, base("pile.offline", pile, at));
}

std::optional<PendingEvent> FleetEvents::render_booted(const domain::PileBooted& boot,
                                                       domain::Registration registration, Timestamp at) const {
  if (!listening()) return std::nullopt;
  auto o = base("pile.booted", boot.pile, at);
  o["vendor"] = boot.vendor;
  o["model"] = boot.model;
  o["serial"] = boot.serial;
  o["firmware"] = boot.firmware;
  o["registration"] = domain::to_string(registration);
  return pending("pile.booted", boot.pile, at, o);
}

std::optional<PendingEvent> FleetEvents::render_connector_status(const domain::ConnectorStatusChanged& change,
                                                                 const std::string& previous, Timestamp at) const {
  if (!listening()) return std::nullopt;
  auto o = base("connector.status", change.pile, at);
  o["connector"] = change.connector;
  o["status"] = change.status;
  o["previous_status"] = previous;
  o["error_code"] = change.error_code.empty() ? "NoError" : change.error_code;
  o["vendor_error_code"] = change.vendor_error_code;
  o["info"] = change.info;
  o["reported_at"] = format_rfc3339(change.at);
  return pending("connector.status", change.pile, at, o);
}

std::optional<PendingEvent> FleetEvents::render_transaction_started(const domain::TransactionStarted& start,
                                                                    domain::TransactionId transaction,
                                                                    domain::AuthorizationStatus authorization,
                                                                    Timestamp at) const {
  if (!listening()) return std::nullopt;
  auto o = base("transaction.started", start.pile, at);
  o["transaction"] = transaction;
  o["connector"] = start.connector;
  o["id_tag"] = start.id_tag;
  o["authorization"] = domain::to_string(authorization);
  o["meter_start_wh"] = start.meter_start_wh;
  o["started"] = format_rfc3339(start.at);
  return pending("transaction.started", start.pile, at, o);
}

std::optional<PendingEvent> FleetEvents::render_transaction_ended(const domain::TransactionEnded& end, int connector,
                                                                  Timestamp at) const {
  if (!listening()) return std::nullopt;
  auto o = base("transaction.ended", end.pile, at);
  o["transaction"] = end.transaction;
  o["connector"] = connector;
  o["id_tag"] = end.id_tag;
  o["meter_stop_wh"] = end.meter_stop_wh;
  o["reason"] = end.reason.empty() ? "Local" : end.reason;
  o["stopped"] = format_rfc3339(end.at);
  return pending("transaction.ended", end.pile, at, o);
}

std::optional<PendingEvent> FleetEvents::render_status_report(const char* kind, const domain::PileId& pile,
                                                              const std::string& status, Timestamp reported_at,
                                                              Timestamp at) const {
  if (!listening()) return std::nullopt;
  const std::string type = std::string("pile.") + kind + "_status";
  auto o = base(type, pile, at);
  o["status"] = status;
  o["reported_at"] = format_rfc3339(reported_at);
  return pending(type, pile, at, o);
}

void FleetEvents::telemetry(const domain::TelemetrySampled& sample, Timestamp at) {
  if (!listening()) return;
  auto outcome = telemetry_->throttle.offer(sample, at);
  if (outcome.publish_now) return telemetry_->publish(sample.pile, std::move(*outcome.publish_now), at);
  if (!outcome.flush_after || !timers_) return;
  // The timer is not kept: it is never cancelled, a flush after `forget` finds nothing.
  timers_->after(*outcome.flush_after, [weak = std::weak_ptr<Telemetry>(telemetry_), pile = sample.pile] {
    auto t = weak.lock();
    if (!t) return;  // the Fleet is gone
    const auto now = t->clock.now();
    if (auto snapshot = t->throttle.flush(pile, now)) t->publish(pile, std::move(*snapshot), now);
  });
}

void FleetEvents::forget(const domain::PileId& pile) { telemetry_->throttle.forget(pile); }

void FleetEvents::Telemetry::publish(const domain::PileId& pile, TelemetrySnapshot snapshot, Timestamp at) {
  if (snapshot.empty() || !bus.has_subscribers()) return;
  auto o = base("telemetry", pile, at);
  json::array connectors;
  json::object* current = nullptr;
  for (const auto& v : snapshot) {
    if (!current || current->at("connector").as_int64() != v.connector) {
      json::object c{{"connector", v.connector}, {"values", json::array{}}};
      if (v.transaction) c["transaction"] = *v.transaction;
      else c["transaction"] = nullptr;
      connectors.push_back(std::move(c));
      current = &connectors.back().as_object();
    }
    if (v.transaction) (*current)["transaction"] = *v.transaction;
    current->at("values").as_array().push_back(json::object{{"measurand", v.measurand},
                                                            {"phase", v.phase},
                                                            {"location", v.location},
                                                            {"value", v.value},
                                                            {"unit", v.unit},
                                                            {"at", format_rfc3339(v.at)}});
  }
  o["connectors"] = std::move(connectors);
  bus.publish("telemetry", pile, at, json::serialize(o));
}

}  // namespace cp::services::detail
