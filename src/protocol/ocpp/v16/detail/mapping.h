#pragma once
// OCPP 1.6 message <-> domain vocabulary, both ways, as pure functions (docs/ocpp.md has the
// field tables). Requests become domain events; the platform's decisions become responses.
// Semantic checks the schema cannot express (OCPP 1.6 §6: connectorId >= 0, > 0 for
// StartTransaction; ids that must fit the domain's int) fail with PropertyConstraintViolation.
// Internal to protocol/ocpp.
#include <optional>
#include <string_view>

#include "core/result.h"
#include "domain/events.h"
#include "domain/sink.h"
#include "protocol/ocpp/errors.h"
#include "protocol/ocpp/v16/generated/messages.h"

namespace cp::ocpp::v16::detail {

Result<domain::PileBooted, ValidationError> to_domain(const domain::PileId& pile, const BootNotificationRequest& m,
                                                      Timestamp now);
Result<domain::ConnectorStatusChanged, ValidationError> to_domain(const domain::PileId& pile,
                                                                  const StatusNotificationRequest& m, Timestamp now);
Result<domain::TransactionStarted, ValidationError> to_domain(const domain::PileId& pile,
                                                              const StartTransactionRequest& m);
Result<domain::TransactionEnded, ValidationError> to_domain(const domain::PileId& pile,
                                                            const StopTransactionRequest& m);
Result<domain::TelemetrySampled, ValidationError> to_domain(const domain::PileId& pile, const MeterValuesRequest& m);
domain::DataTransferReceived to_domain(const domain::PileId& pile, const DataTransferRequest& m, Timestamp now);
domain::FirmwareStatusReported to_domain(const domain::PileId& pile, const FirmwareStatusNotificationRequest& m,
                                         Timestamp now);
domain::DiagnosticsStatusReported to_domain(const domain::PileId& pile,
                                            const DiagnosticsStatusNotificationRequest& m, Timestamp now);

// One OCPP SampledValue with the OCPP 1.6 §7.17 defaults applied (measurand
// Energy.Active.Import.Register, context Sample.Periodic; phase/unit/location stay "").
domain::SampledValue to_domain(const SampledValue& v);
domain::MeterSample to_domain(const MeterValue& v);
// A SampledValue's `value` text into `d`: a plain finite decimal number becomes `d.value`,
// anything else (and every SignedData value) is kept in `d.raw`.
void put_value(domain::SampledValue& d, std::string_view value, bool signed_data);

BootNotificationResponse to_response(const domain::BootDecision& d, Timestamp now, int fallback_interval_s);
IdTagInfo to_id_tag_info(const domain::Authorization& a);
StartTransactionResponse to_response(const domain::TransactionDecision& d);
StopTransactionResponse to_response(const std::optional<domain::Authorization>& a);
// nullopt when the vendor handler's status is not a DataTransferStatus.
std::optional<DataTransferResponse> to_response(const domain::PileEventSink::DataTransferOutcome& o);

}  // namespace cp::ocpp::v16::detail
