#pragma once
// FleetEvents — the live events Fleet publishes on the EventBus (docs/api.md "Live events"),
// rendered as JSON objects with `type`, `pile`, `at` (RFC 3339 ms, the platform's clock when
// it handled the event) and the event's fields. Private to services.
//
// Cost contract: every `render_*` returns nullopt without allocating when nobody is subscribed,
// so Fleet can prepare an event before its store write and publish it after the commit; the
// OCPP hot path pays one atomic load per event when no live client is connected.
// Telemetry goes through a TelemetryThrottle; the end-of-interval flush runs on `timers`
// (without a Scheduler, held values wait for the pile's next sample). Scheduled flushes hold
// only a weak reference, so they are harmless after the Fleet is gone.
// Thread-safe.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/scheduler.h"
#include "core/time.h"
#include "domain/events.h"
#include "services/detail/telemetry_throttle.h"
#include "services/event_bus.h"

namespace cp::services::detail {

// A rendered event waiting for its data to become durable.
struct PendingEvent {
  std::string type;
  std::string pile;
  Timestamp at;
  std::string json;
};

class FleetEvents {
 public:
  FleetEvents(EventBus& bus, Scheduler* timers, const Clock& clock, std::chrono::milliseconds telemetry_interval);

  bool listening() const { return bus_.has_subscribers(); }
  void publish(PendingEvent event);

  std::optional<PendingEvent> render_online(const domain::PileId& pile, Timestamp at, const std::string& remote_address,
                                            bool replaced) const;
  std::optional<PendingEvent> render_offline(const domain::PileId& pile, Timestamp at) const;
  std::optional<PendingEvent> render_booted(const domain::PileBooted& boot, domain::Registration registration,
                                            Timestamp at) const;
  std::optional<PendingEvent> render_connector_status(const domain::ConnectorStatusChanged& change,
                                                      const std::string& previous, Timestamp at) const;
  std::optional<PendingEvent> render_transaction_started(const domain::TransactionStarted& start,
                                                         domain::TransactionId transaction,
                                                         domain::AuthorizationStatus authorization,
                                                         Timestamp at) const;
  std::optional<PendingEvent> render_transaction_ended(const domain::TransactionEnded& end, int connector,
                                                       Timestamp at) const;
  // kind: "firmware" or "diagnostics" -> pile.firmware_status / pile.diagnostics_status.
  std::optional<PendingEvent> render_status_report(const char* kind, const domain::PileId& pile,
                                                   const std::string& status, Timestamp reported_at,
                                                   Timestamp at) const;

  // After the sample is durable: publishes now, or holds it for the end of the pile's interval.
  void telemetry(const domain::TelemetrySampled& sample, Timestamp at);
  // The pile went offline: its held telemetry is dropped with it.
  void forget(const domain::PileId& pile);

 private:
  // What a scheduled flush needs; it holds this weakly, so a flush firing after the Fleet is
  // gone does nothing.
  struct Telemetry {
    Telemetry(EventBus& b, const Clock& c, std::chrono::milliseconds interval) : bus(b), clock(c), throttle(interval) {}
    EventBus& bus;
    const Clock& clock;
    TelemetryThrottle throttle;
    void publish(const domain::PileId& pile, TelemetrySnapshot snapshot, Timestamp at);
  };

  EventBus& bus_;
  Scheduler* timers_;
  std::shared_ptr<Telemetry> telemetry_;
};

}  // namespace cp::services::detail
