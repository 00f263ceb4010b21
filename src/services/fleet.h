#pragma once
// Fleet — the platform side of every pile conversation: implements domain::PileEventSink.
// It decides (boot registration, id-tag authorization, transaction ids), persists through the
// store's group-commit writer and replies only after the data is durable, and keeps the
// Registry's live state current. Thread-safe; callbacks run on the store writer thread or
// inline on the caller's thread for decisions that need no write (Authorize, Heartbeat).
// Lifetime: pending store callbacks refer to the Fleet; flush/close the store before
// destroying it. Callbacks never submit to the store from the writer thread.
// Live events (optional): with an EventBus, Fleet publishes pile.online/offline/booted,
// connector.status, telemetry (throttled per pile), transaction.started/ended and
// pile.firmware_status/diagnostics_status (docs/api.md "Live events"), each after its data is
// durable; nothing is rendered while the bus has no subscriber. `timers` runs the end of a
// pile's telemetry interval (services/detail/fleet_events.h).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/scheduler.h"
#include "core/time.h"
#include "domain/sink.h"
#include "services/acquisition.h"
#include "services/event_bus.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::services {
namespace detail {
class FleetEvents;
}

struct FleetOptions {
  int heartbeat_interval_s = 300;
  // Unknown id tags: Invalid (default) or Accepted (free-vend sites).
  bool accept_unknown_id_tags = false;
  // last_seen is live in the Registry on every message; the durable copy is written at most
  // this often per pile (a heartbeat is not worth a commit), and always at disconnect.
  std::chrono::seconds last_seen_write_interval{60};
  // Rejected-frame audit writes in flight; beyond this they are dropped and counted.
  std::size_t max_pending_rejected_frames = 1024;
  // Live `telemetry` events: at most one per pile per interval, with the newest values.
  std::chrono::milliseconds telemetry_event_interval{1000};
};

class Fleet final : public domain::PileEventSink {
 public:
  Fleet(store::Store& store, Registry& registry, const Clock& clock, Metrics& metrics, FleetOptions options,
        EventBus* events = nullptr, Scheduler* timers = nullptr);
  ~Fleet() override;

  // DataTransfer vendor handlers (OCPP 1.6 §4.3): vendor id -> decision. Without a handler
  // the message is stored and answered "UnknownVendorId". The handler runs on the caller's
  // thread before the store write; it must be quick and must not throw.
  using VendorHandler = std::function<DataTransferOutcome(const domain::DataTransferReceived&)>;
  void register_vendor(const std::string& vendor_id, VendorHandler handler);

  // Data-acquisition policy: the BootNotification heartbeat interval comes from it, and
  // telemetry is filtered through it before storage. Set before piles connect; may be null.
  void set_acquisition(AcquisitionPolicies* policies) { acquisition_ = policies; }
  // Called (on the gateway's thread) after a pile's session attaches; set before piles connect.
  void on_connected(std::function<void(const domain::PileId&)> hook) { connected_hook_ = std::move(hook); }

  // Session lifecycle, called by the gateway. `connected` returns the link it replaced (to close).
  std::shared_ptr<PileLink> connected(const domain::PileId& pile, std::shared_ptr<PileLink> link);
  void disconnected(const domain::PileId& pile, const PileLink* link);

  void booted(domain::PileBooted boot, domain::Reply<domain::BootDecision> reply) override;
  void heartbeat(const domain::PileId& pile, domain::Reply<Timestamp> reply) override;
  void authorize(const domain::PileId& pile, const std::string& id_tag,
                 domain::Reply<domain::Authorization> reply) override;
  void connector_status(domain::ConnectorStatusChanged change, domain::Done done) override;
  void transaction_started(domain::TransactionStarted start,
                           domain::Reply<domain::TransactionDecision> reply) override;
  void transaction_ended(domain::TransactionEnded end,
                         domain::Reply<std::optional<domain::Authorization>> reply) override;
  // fleet_records.cpp: ends the transaction started under the pile's reference, or records
  // start and end in one batch when there is none; a repeat is answered with the same id.
  void transaction_recorded(domain::TransactionRecorded record, domain::Reply<domain::TransactionId> reply) override;
  void telemetry(domain::TelemetrySampled sample, domain::Done done) override;
  void data_transfer(domain::DataTransferReceived message,
                     domain::Reply<DataTransferOutcome> reply) override;
  void firmware_status(domain::FirmwareStatusReported report, domain::Done done) override;
  void diagnostics_status(domain::DiagnosticsStatusReported report, domain::Done done) override;
  void frame_rejected(domain::FrameRejected rejected) override;

 private:
  store::Store& store_;
  Registry& registry_;
  const Clock& clock_;
  Metrics& metrics_;
  FleetOptions options_;
  AcquisitionPolicies* acquisition_ = nullptr;
  std::function<void(const domain::PileId&)> connected_hook_;
  struct Impl;  // counters, coalescing and vendor tables
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<detail::FleetEvents> events_;  // null without an EventBus
};

}  // namespace cp::services
