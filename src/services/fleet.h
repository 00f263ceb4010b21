#pragma once
// Fleet — the platform side of every pile conversation: implements domain::PileEventSink.
// It decides (boot registration, id-tag authorization, transaction ids), persists through the
// store's group-commit writer and replies only after the data is durable, and keeps the
// Registry's live state current. Thread-safe; callbacks run on the store writer thread or
// inline on the caller's thread for decisions that need no write (Authorize, Heartbeat).
#include "core/metrics.h"
#include "core/time.h"
#include "domain/sink.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::services {

struct FleetOptions {
  int heartbeat_interval_s = 300;
  // Unknown id tags: Invalid (default) or Accepted (free-vend sites).
  bool accept_unknown_id_tags = false;
};

class Fleet final : public domain::PileEventSink {
 public:
  Fleet(store::Store& store, Registry& registry, const Clock& clock, Metrics& metrics, FleetOptions options);

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
};

}  // namespace cp::services
