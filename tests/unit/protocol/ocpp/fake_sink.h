#pragma once
// A PileEventSink that records every event and keeps each completion so a test decides when
// (and whether) the platform answers.
#include <functional>
#include <vector>

#include "domain/sink.h"

namespace cp::ocpp::testing {

class FakeSink : public domain::PileEventSink {
 public:
  template <class Event, class Callback>
  struct Pending {
    Event event;
    Callback reply;
  };

  std::vector<Pending<domain::PileBooted, domain::Reply<domain::BootDecision>>> boots;
  std::vector<Pending<domain::PileId, domain::Reply<Timestamp>>> heartbeats;
  std::vector<Pending<std::string, domain::Reply<domain::Authorization>>> authorizations;
  std::vector<Pending<domain::ConnectorStatusChanged, domain::Done>> statuses;
  std::vector<Pending<domain::TransactionStarted, domain::Reply<domain::TransactionDecision>>> starts;
  std::vector<Pending<domain::TransactionEnded, domain::Reply<std::optional<domain::Authorization>>>> ends;
  std::vector<Pending<domain::TransactionRecorded, domain::Reply<domain::TransactionId>>> records;
  std::vector<Pending<domain::TelemetrySampled, domain::Done>> telemetry_events;
  std::vector<Pending<domain::DataTransferReceived, domain::Reply<DataTransferOutcome>>> data_transfers;
  std::vector<Pending<domain::FirmwareStatusReported, domain::Done>> firmware;
  std::vector<Pending<domain::DiagnosticsStatusReported, domain::Done>> diagnostics;
  std::vector<domain::FrameRejected> rejected;

  void booted(domain::PileBooted b, domain::Reply<domain::BootDecision> r) override {
    boots.push_back({std::move(b), std::move(r)});
  }
  void heartbeat(const domain::PileId& p, domain::Reply<Timestamp> r) override { heartbeats.push_back({p, std::move(r)}); }
  void authorize(const domain::PileId&, const std::string& id_tag, domain::Reply<domain::Authorization> r) override {
    authorizations.push_back({id_tag, std::move(r)});
  }
  void connector_status(domain::ConnectorStatusChanged c, domain::Done d) override {
    statuses.push_back({std::move(c), std::move(d)});
  }
  void transaction_started(domain::TransactionStarted s, domain::Reply<domain::TransactionDecision> r) override {
    starts.push_back({std::move(s), std::move(r)});
  }
  void transaction_ended(domain::TransactionEnded e, domain::Reply<std::optional<domain::Authorization>> r) override {
    ends.push_back({std::move(e), std::move(r)});
  }
  void transaction_recorded(domain::TransactionRecorded t, domain::Reply<domain::TransactionId> r) override {
    records.push_back({std::move(t), std::move(r)});
  }
  void telemetry(domain::TelemetrySampled t, domain::Done d) override {
    telemetry_events.push_back({std::move(t), std::move(d)});
  }
  void data_transfer(domain::DataTransferReceived m, domain::Reply<DataTransferOutcome> r) override {
    data_transfers.push_back({std::move(m), std::move(r)});
  }
  void firmware_status(domain::FirmwareStatusReported f, domain::Done d) override {
    firmware.push_back({std::move(f), std::move(d)});
  }
  void diagnostics_status(domain::DiagnosticsStatusReported f, domain::Done d) override {
    diagnostics.push_back({std::move(f), std::move(d)});
  }
  void frame_rejected(domain::FrameRejected r) override { rejected.push_back(std::move(r)); }
};

}  // namespace cp::ocpp::testing
