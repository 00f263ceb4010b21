#include "protocol/ocpp/v16/detail/mapping.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace cp::ocpp::v16::detail {
namespace {

Unexpected<ValidationError> out_of_range(const char* pointer, const char* what) {
  return fail(ValidationError{ErrorCode::PropertyConstraintViolation, pointer, what});
}

bool fits_int(std::int64_t v, std::int64_t min) { return v >= min && v <= std::numeric_limits<int>::max(); }

template <class E>
std::string_view name_or(const std::optional<E>& e, std::string_view absent) {
  return e ? to_string(*e) : absent;
}

AuthorizationStatus to_ocpp(domain::AuthorizationStatus s) {
  switch (s) {
    case domain::AuthorizationStatus::Accepted: return AuthorizationStatus::Accepted;
    case domain::AuthorizationStatus::Blocked: return AuthorizationStatus::Blocked;
    case domain::AuthorizationStatus::Expired: return AuthorizationStatus::Expired;
    case domain::AuthorizationStatus::ConcurrentTx: return AuthorizationStatus::ConcurrentTx;
    case domain::AuthorizationStatus::Invalid: break;
  }
  return AuthorizationStatus::Invalid;
}

RegistrationStatus to_ocpp(domain::Registration r) {
  switch (r) {
    case domain::Registration::Accepted: return RegistrationStatus::Accepted;
    case domain::Registration::Pending: return RegistrationStatus::Pending;
    case domain::Registration::Rejected: break;
  }
  return RegistrationStatus::Rejected;
}

}  // namespace

Result<domain::PileBooted, ValidationError> to_domain(const domain::PileId& pile, const BootNotificationRequest& m,
                                                      Timestamp now) {
  domain::PileBooted b;
  b.pile = pile;
  b.vendor = m.charge_point_vendor;
  b.model = m.charge_point_model;
  // chargeBoxSerialNumber is deprecated in 1.6 in favour of chargePointSerialNumber.
  b.serial = m.charge_point_serial_number.value_or(m.charge_box_serial_number.value_or(""));
  b.firmware = m.firmware_version.value_or("");
  b.iccid = m.iccid.value_or("");
  b.imsi = m.imsi.value_or("");
  b.meter_type = m.meter_type.value_or("");
  b.meter_serial = m.meter_serial_number.value_or("");
  b.at = now;
  return b;
}

Result<domain::ConnectorStatusChanged, ValidationError> to_domain(const domain::PileId& pile,
                                                                  const StatusNotificationRequest& m, Timestamp now) {
  if (!fits_int(m.connector_id, 0)) return out_of_range("/connectorId", "connectorId must be >= 0");
  domain::ConnectorStatusChanged c;
  c.pile = pile;
  c.connector = static_cast<int>(m.connector_id);
  c.status = to_string(m.status);
  c.error_code = to_string(m.error_code);
  c.vendor_error_code = m.vendor_error_code.value_or("");
  c.vendor_id = m.vendor_id.value_or("");
  c.info = m.info.value_or("");
  c.at = m.timestamp.value_or(now);  // optional in 1.6: the pile's clock, else arrival time
  return c;
}

Result<domain::TransactionStarted, ValidationError> to_domain(const domain::PileId& pile,
                                                              const StartTransactionRequest& m) {
  // OCPP 1.6 §6.45: connectorId > 0.
  if (!fits_int(m.connector_id, 1)) return out_of_range("/connectorId", "connectorId must be > 0");
  if (m.reservation_id && !fits_int(*m.reservation_id, std::numeric_limits<int>::min()))
    return out_of_range("/reservationId", "reservationId out of range");
  domain::TransactionStarted s;
  s.pile = pile;
  s.connector = static_cast<int>(m.connector_id);
  s.id_tag = m.id_tag;
  s.meter_start_wh = m.meter_start;
  if (m.reservation_id) s.reservation_id = static_cast<int>(*m.reservation_id);
  s.at = m.timestamp;
  return s;
}

Result<domain::TransactionEnded, ValidationError> to_domain(const domain::PileId& pile,
                                                            const StopTransactionRequest& m) {
  domain::TransactionEnded e;
  e.pile = pile;
  e.transaction = m.transaction_id;
  e.id_tag = m.id_tag.value_or("");
  e.meter_stop_wh = m.meter_stop;
  e.reason = name_or(m.reason, "Local");  // OCPP 1.6 §6.50: absent = Local
  e.at = m.timestamp;
  if (m.transaction_data) {
    e.transaction_data.reserve(m.transaction_data->size());
    for (const auto& mv : *m.transaction_data) e.transaction_data.push_back(to_domain(mv));
  }
  return e;
}

Result<domain::TelemetrySampled, ValidationError> to_domain(const domain::PileId& pile, const MeterValuesRequest& m) {
  if (!fits_int(m.connector_id, 0)) return out_of_range("/connectorId", "connectorId must be >= 0");
  domain::TelemetrySampled t;
  t.pile = pile;
  t.connector = static_cast<int>(m.connector_id);
  t.transaction = m.transaction_id;
  t.samples.reserve(m.meter_value.size());
  for (const auto& mv : m.meter_value) t.samples.push_back(to_domain(mv));
  return t;
}

// Fills `d` (whose strings start empty) from `v`.
void fill(domain::SampledValue& d, const SampledValue& v) {
  d.measurand = name_or(v.measurand, "Energy.Active.Import.Register");
  d.phase = name_or(v.phase, {});
  d.unit = name_or(v.unit, {});
  d.context = name_or(v.context, "Sample.Periodic");
  d.location = name_or(v.location, {});
  put_value(d, v.value, v.format && *v.format == ValueFormat::SignedData);
}

void put_value(domain::SampledValue& d, std::string_view value, bool signed_data) {
  // A plain decimal number becomes `value`; anything else (SignedData, "n/a", ...) is kept raw.
  const char* first = value.data();
  const char* last = first + value.size();
  double x = 0;
  const auto [end, ec] = std::from_chars(first, last, x);
  if (!signed_data && ec == std::errc() && end == last && first != last && std::isfinite(x)) {
    d.value = x;
  } else {
    d.raw = value;
  }
}

domain::SampledValue empty_value() {
  return domain::SampledValue{.measurand = {}, .phase = {}, .unit = {}, .context = {}, .location = {}, .value = 0,
                              .raw = {}};
}

domain::SampledValue to_domain(const SampledValue& v) {
  auto d = empty_value();
  fill(d, v);
  return d;
}

domain::MeterSample to_domain(const MeterValue& v) {
  domain::MeterSample s;
  s.at = v.timestamp;
  // Each value is filled where it lives: no temporary to move (six strings) per value.
  s.values.reserve(v.sampled_value.size());
  for (const auto& sv : v.sampled_value) fill(s.values.emplace_back(empty_value()), sv);
  return s;
}

domain::DataTransferReceived to_domain(const domain::PileId& pile, const DataTransferRequest& m, Timestamp now) {
  return domain::DataTransferReceived{pile, m.vendor_id, m.message_id.value_or(""), m.data.value_or(""), now};
}

domain::FirmwareStatusReported to_domain(const domain::PileId& pile, const FirmwareStatusNotificationRequest& m,
                                         Timestamp now) {
  return domain::FirmwareStatusReported{pile, std::string(to_string(m.status)), now};
}

domain::DiagnosticsStatusReported to_domain(const domain::PileId& pile,
                                            const DiagnosticsStatusNotificationRequest& m, Timestamp now) {
  return domain::DiagnosticsStatusReported{pile, std::string(to_string(m.status)), now};
}

BootNotificationResponse to_response(const domain::BootDecision& d, Timestamp now, int fallback_interval_s) {
  BootNotificationResponse r;
  r.status = to_ocpp(d.status);
  r.current_time = d.now.time_since_epoch().count() != 0 ? d.now : now;
  r.interval = d.heartbeat_interval_s > 0 ? d.heartbeat_interval_s : fallback_interval_s;
  return r;
}

IdTagInfo to_id_tag_info(const domain::Authorization& a) {
  IdTagInfo i;
  i.status = to_ocpp(a.status);
  i.expiry_date = a.expiry;
  i.parent_id_tag = a.parent_id_tag;
  return i;
}

StartTransactionResponse to_response(const domain::TransactionDecision& d) {
  StartTransactionResponse r;
  r.transaction_id = d.transaction;
  r.id_tag_info = to_id_tag_info(d.authorization);
  return r;
}

StopTransactionResponse to_response(const std::optional<domain::Authorization>& a) {
  StopTransactionResponse r;
  if (a) r.id_tag_info = to_id_tag_info(*a);
  return r;
}

std::optional<DataTransferResponse> to_response(const domain::PileEventSink::DataTransferOutcome& o) {
  const auto status = enum_from_string<DataTransferStatus>(o.status);
  if (!status) return std::nullopt;
  DataTransferResponse r;
  r.status = *status;
  if (!o.data.empty()) r.data = o.data;
  return r;
}

}  // namespace cp::ocpp::v16::detail
