#pragma once
// PileEventSink — how a protocol adapter hands domain events to the platform services and
// gets the platform's decision back. Implemented by services/ (Fleet); used by protocol
// adapters, which never see a store or a socket.
//
// Every method completes exactly once through its callback. Callbacks may run on any thread
// (typically the store's writer thread, after the data is durable): the caller re-posts to
// its own strand. A failed Result means the platform could not accept the event (store closed,
// queue error): the adapter answers with an internal error and must not acknowledge.
#include <functional>

#include "core/result.h"
#include "domain/events.h"

namespace cp::domain {

template <class T>
using Reply = std::function<void(Result<T>)>;
using Done = std::function<void(const Status&)>;

struct BootDecision {
  Registration status = Registration::Accepted;
  int heartbeat_interval_s = 300;
  Timestamp now;
};

struct TransactionDecision {
  TransactionId transaction = 0;
  Authorization authorization;
};

class PileEventSink {
 public:
  virtual ~PileEventSink() = default;

  virtual void booted(PileBooted boot, Reply<BootDecision> reply) = 0;
  virtual void heartbeat(const PileId& pile, Reply<Timestamp> reply) = 0;  // returns "now"
  virtual void authorize(const PileId& pile, const std::string& id_tag, Reply<Authorization> reply) = 0;
  // Durable before `done` succeeds:
  virtual void connector_status(ConnectorStatusChanged change, Done done) = 0;
  virtual void transaction_started(TransactionStarted start, Reply<TransactionDecision> reply) = 0;
  virtual void transaction_ended(TransactionEnded end, Reply<std::optional<Authorization>> reply) = 0;
  // Durable before `reply` succeeds; replies with the transaction's id (also for a repeat).
  virtual void transaction_recorded(TransactionRecorded record, Reply<TransactionId> reply) = 0;
  virtual void telemetry(TelemetrySampled sample, Done done) = 0;
  // Returns the vendor handler's status ("Accepted", "Rejected", "UnknownMessageId",
  // "UnknownVendorId") and optional response data; stored before replying.
  struct DataTransferOutcome {
    std::string status;
    std::string data;
  };
  virtual void data_transfer(DataTransferReceived message, Reply<DataTransferOutcome> reply) = 0;
  virtual void firmware_status(FirmwareStatusReported report, Done done) = 0;
  virtual void diagnostics_status(DiagnosticsStatusReported report, Done done) = 0;
  // Fire-and-forget audit of a refused frame (bounded; never blocks the session).
  virtual void frame_rejected(FrameRejected rejected) = 0;
};

}  // namespace cp::domain
