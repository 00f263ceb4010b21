#include "protocol/ocpp/v16/central_system.h"

#include <gtest/gtest.h>

#include <thread>

#include "unit/protocol/ocpp/session_fixture.h"

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;
using testing::SessionTest;

constexpr const char* kBoot =
    R"([2,"b1","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"X1","chargePointSerialNumber":"S-1",
       "firmwareVersion":"1.2","iccid":"89","imsi":"46","meterType":"M","meterSerialNumber":"MS"}])";

// ---- incoming CALLs: acknowledge after durable

TEST_F(SessionTest, RepliesToBootNotificationOnlyAfterSinkCompletes) {
  session_->on_message(kBoot);
  ASSERT_EQ(sink_.boots.size(), 1u);
  EXPECT_TRUE(frames_.empty());
  const auto& b = sink_.boots[0].event;
  EXPECT_EQ(b.pile, "CP-1");
  EXPECT_EQ(b.vendor, "ACME");
  EXPECT_EQ(b.model, "X1");
  EXPECT_EQ(b.serial, "S-1");
  EXPECT_EQ(b.firmware, "1.2");
  EXPECT_EQ(b.iccid, "89");
  EXPECT_EQ(b.imsi, "46");
  EXPECT_EQ(b.meter_type, "M");
  EXPECT_EQ(b.meter_serial, "MS");
  EXPECT_EQ(b.at, clock_.t);

  sink_.boots[0].reply(domain::BootDecision{domain::Registration::Pending, 60, from_millis(1'700'000'000'123)});
  const auto p = expect_call_result("b1");
  EXPECT_EQ(p.at("status"), "Pending");
  EXPECT_EQ(p.at("currentTime"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(p.at("interval"), 60);
  EXPECT_EQ(counter("BootNotification", "ok"), 1u);
}

TEST_F(SessionTest, UsesHeartbeatFallbackWhenSinkGivesNoInterval) {
  make_session(SessionOptions{.heartbeat_interval_fallback_s = 77});
  session_->on_message(kBoot);
  sink_.boots[0].reply(domain::BootDecision{domain::Registration::Accepted, 0, {}});
  const auto p = expect_call_result("b1");
  EXPECT_EQ(p.at("interval"), 77);
  EXPECT_EQ(p.at("currentTime"), "2023-11-14T22:13:20.000Z");  // the session clock when the sink gives none
}

TEST_F(SessionTest, AnswersInternalErrorWhenSinkFails) {
  session_->on_message(R"([2,"m1","MeterValues",{"connectorId":1,"meterValue":[]}])");
  ASSERT_EQ(sink_.telemetry_events.size(), 1u);
  sink_.telemetry_events[0].reply(Status(fail("store_closed", "store is closed")));
  expect_call_error("m1", "InternalError");
  EXPECT_EQ(counter("MeterValues", "InternalError"), 1u);
}

TEST_F(SessionTest, RejectsSecondConcurrentCallWithGenericErrorAndAuditsIt) {
  session_->on_message(R"([2,"h1","Heartbeat",{}])");
  session_->on_message(R"([2,"h2","Heartbeat",{}])");
  expect_call_error("h2", "GenericError");
  ASSERT_EQ(sink_.rejected.size(), 1u);
  EXPECT_EQ(sink_.rejected[0].error_code, "GenericError");
  EXPECT_EQ(sink_.heartbeats.size(), 1u);

  sink_.heartbeats[0].reply(from_millis(0));
  expect_call_result("h1");
  session_->on_message(R"([2,"h3","Heartbeat",{}])");  // the connection is free again
  EXPECT_EQ(sink_.heartbeats.size(), 2u);
}

TEST_F(SessionTest, HopsThroughPostBeforeAnswering) {
  defer_posts_ = true;
  session_->on_message(R"([2,"h1","Heartbeat",{}])");
  std::thread writer([&] { sink_.heartbeats[0].reply(from_millis(1'700'000'000'000)); });
  writer.join();
  EXPECT_TRUE(frames_.empty());  // nothing sent from the writer thread
  ASSERT_EQ(posted_.size(), 1u);
  posted_.front()();
  EXPECT_EQ(expect_call_result("h1").at("currentTime"), "2023-11-14T22:13:20.000Z");
}

TEST_F(SessionTest, DropsCompletionsAfterClose) {
  session_->on_message(R"([2,"h1","Heartbeat",{}])");
  session_->on_closed();
  sink_.heartbeats[0].reply(from_millis(0));
  EXPECT_TRUE(frames_.empty());
}

TEST_F(SessionTest, DropsCompletionsAfterSessionIsDestroyed) {
  defer_posts_ = true;
  session_->on_message(R"([2,"h1","Heartbeat",{}])");
  auto reply = sink_.heartbeats[0].reply;
  session_.reset();
  reply(from_millis(0));
  for (auto& f : posted_) f();
  EXPECT_TRUE(frames_.empty());
}

// ---- refusals

TEST_F(SessionTest, UnknownActionIsNotImplemented) {
  session_->on_message(R"([2,"u1","Teleport",{}])");
  expect_call_error("u1", "NotImplemented");
  EXPECT_EQ(counter("unknown", "NotImplemented"), 1u);
  ASSERT_EQ(sink_.rejected.size(), 1u);
}

TEST_F(SessionTest, CentralSystemInitiatedActionFromPileIsNotSupported) {
  session_->on_message(R"([2,"r1","Reset",{"type":"Hard"}])");
  expect_call_error("r1", "NotSupported");
}

TEST_F(SessionTest, UnhandledChargePointActionIsNotSupported) {
  session_->on_message(R"([2,"s1","SecurityEventNotification",{"type":"x","timestamp":"2024-01-01T00:00:00Z"}])");
  expect_call_error("s1", "NotSupported");
}

TEST_F(SessionTest, SchemaViolationIsAnsweredWithItsCodeAndPathAndAudited) {
  session_->on_message(R"([2,"v1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}])");
  expect_call_error("v1", "PropertyConstraintViolation");
  EXPECT_EQ(last()[4].at("path"), "/status");
  ASSERT_EQ(sink_.rejected.size(), 1u);
  const auto& r = sink_.rejected[0];
  EXPECT_EQ(r.pile, "CP-1");
  EXPECT_EQ(r.protocol, domain::Protocol::Ocpp16);
  EXPECT_EQ(r.error_code, "PropertyConstraintViolation");
  EXPECT_NE(r.detail.find("/status"), std::string::npos);
  EXPECT_EQ(r.at, clock_.t);
  EXPECT_TRUE(sink_.statuses.empty());
  EXPECT_EQ(counter("StatusNotification", "PropertyConstraintViolation"), 1u);
}

TEST_F(SessionTest, MissingFieldIsOccurenceConstraintViolation) {
  session_->on_message(R"([2,"v2","Authorize",{}])");
  expect_call_error("v2", "OccurenceConstraintViolation");
}

TEST_F(SessionTest, WrongTypeIsTypeConstraintViolation) {
  session_->on_message(R"([2,"v3","Authorize",{"idTag":5}])");
  expect_call_error("v3", "TypeConstraintViolation");
}

TEST_F(SessionTest, UnknownPropertyIsFormationViolation) {
  session_->on_message(R"([2,"v4","Heartbeat",{"x":1}])");
  expect_call_error("v4", "FormationViolation");
}

TEST_F(SessionTest, MalformedFrameIsProtocolErrorForIdMinusOneAndAuditedTruncated) {
  const std::string junk = "{" + std::string(2000, 'x');
  session_->on_message(junk);
  expect_call_error("-1", "ProtocolError");
  ASSERT_EQ(sink_.rejected.size(), 1u);
  EXPECT_EQ(sink_.rejected[0].raw.size(), 512u);
  EXPECT_EQ(counter("unknown", "ProtocolError"), 1u);
}

TEST_F(SessionTest, AuditTruncationKeepsUtf8Whole) {
  std::string text = "[2,\"a\",\"Teleport\",{\"k\":\"";
  text += std::string(511 - text.size(), 'x');
  text += "\u00e9\u00e9\"}]";  // bytes 511..512 are one 2-byte character: cut before it
  session_->on_message(text);
  ASSERT_EQ(sink_.rejected.size(), 1u);
  EXPECT_EQ(sink_.rejected[0].raw.size(), 511u);
}

TEST_F(SessionTest, StartTransactionOnConnectorZeroIsPropertyConstraintViolation) {
  session_->on_message(
      R"([2,"t0","StartTransaction",{"connectorId":0,"idTag":"T","meterStart":0,"timestamp":"2024-05-01T10:00:00Z"}])");
  expect_call_error("t0", "PropertyConstraintViolation");
  EXPECT_TRUE(sink_.starts.empty());
}

// ---- mapping

TEST_F(SessionTest, MapsMeterValuesEverySampledValueWithDefaults) {
  session_->on_message(R"([2,"mv","MeterValues",{"connectorId":2,"transactionId":99,"meterValue":[
    {"timestamp":"2024-05-01T10:00:00.250+02:00","sampledValue":[
      {"value":"1234.5"},
      {"value":"230.1","measurand":"Voltage","phase":"L1-N","unit":"V","context":"Sample.Clock","location":"Inlet","format":"Raw"},
      {"value":"n/a","measurand":"Temperature","unit":"Celsius","location":"Body"},
      {"value":"3031","format":"SignedData"}]},
    {"timestamp":"2024-05-01T08:01:00Z","sampledValue":[{"value":"-2e3","measurand":"Power.Active.Export","unit":"W"}]}]}])");
  ASSERT_EQ(sink_.telemetry_events.size(), 1u);
  EXPECT_TRUE(frames_.empty());
  const auto& t = sink_.telemetry_events[0].event;
  EXPECT_EQ(t.pile, "CP-1");
  EXPECT_EQ(t.connector, 2);
  EXPECT_EQ(t.transaction, 99);
  ASSERT_EQ(t.samples.size(), 2u);
  EXPECT_EQ(t.samples[0].at, *parse_rfc3339("2024-05-01T08:00:00.250Z"));
  ASSERT_EQ(t.samples[0].values.size(), 4u);

  const auto& d = t.samples[0].values[0];  // OCPP 1.6 §7.17 defaults
  EXPECT_EQ(d.measurand, "Energy.Active.Import.Register");
  EXPECT_EQ(d.context, "Sample.Periodic");
  EXPECT_EQ(d.phase, "");
  EXPECT_EQ(d.unit, "");
  EXPECT_EQ(d.location, "");
  EXPECT_DOUBLE_EQ(d.value, 1234.5);
  EXPECT_EQ(d.raw, "");

  const auto& v = t.samples[0].values[1];
  EXPECT_EQ(v.measurand, "Voltage");
  EXPECT_EQ(v.phase, "L1-N");
  EXPECT_EQ(v.unit, "V");
  EXPECT_EQ(v.context, "Sample.Clock");
  EXPECT_EQ(v.location, "Inlet");
  EXPECT_DOUBLE_EQ(v.value, 230.1);

  const auto& raw = t.samples[0].values[2];
  EXPECT_EQ(raw.measurand, "Temperature");
  EXPECT_EQ(raw.unit, "Celsius");
  EXPECT_EQ(raw.location, "Body");
  EXPECT_EQ(raw.raw, "n/a");
  EXPECT_EQ(raw.value, 0);

  EXPECT_EQ(t.samples[0].values[3].raw, "3031");  // signed data is never read as a number

  ASSERT_EQ(t.samples[1].values.size(), 1u);
  EXPECT_DOUBLE_EQ(t.samples[1].values[0].value, -2000);
  EXPECT_EQ(t.samples[1].values[0].measurand, "Power.Active.Export");

  sink_.telemetry_events[0].reply(Status{});
  EXPECT_EQ(expect_call_result("mv"), json::object{});
}

TEST_F(SessionTest, MapsStatusNotificationAndDefaultsTimestampToArrival) {
  session_->on_message(R"([2,"s1","StatusNotification",{"connectorId":1,"errorCode":"GroundFailure","status":"Faulted",
    "info":"i","vendorId":"V","vendorErrorCode":"E42"}])");
  ASSERT_EQ(sink_.statuses.size(), 1u);
  const auto& s = sink_.statuses[0].event;
  EXPECT_EQ(s.connector, 1);
  EXPECT_EQ(s.status, "Faulted");
  EXPECT_EQ(s.error_code, "GroundFailure");
  EXPECT_EQ(s.info, "i");
  EXPECT_EQ(s.vendor_id, "V");
  EXPECT_EQ(s.vendor_error_code, "E42");
  EXPECT_EQ(s.at, clock_.t);
  sink_.statuses[0].reply(Status{});
  EXPECT_EQ(expect_call_result("s1"), json::object{});

  session_->on_message(R"([2,"s2","StatusNotification",{"connectorId":0,"errorCode":"NoError","status":"Available",
    "timestamp":"2024-05-01T10:00:00Z"}])");
  EXPECT_EQ(sink_.statuses[1].event.at, *parse_rfc3339("2024-05-01T10:00:00Z"));
}

TEST_F(SessionTest, MapsStartTransactionAndRepliesWithTransactionIdAndIdTagInfo) {
  session_->on_message(R"([2,"st","StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":15000,
    "reservationId":12,"timestamp":"2024-05-01T10:00:00Z"}])");
  ASSERT_EQ(sink_.starts.size(), 1u);
  const auto& s = sink_.starts[0].event;
  EXPECT_EQ(s.connector, 1);
  EXPECT_EQ(s.id_tag, "TAG1");
  EXPECT_EQ(s.meter_start_wh, 15000);
  EXPECT_EQ(s.reservation_id, 12);
  EXPECT_EQ(s.at, *parse_rfc3339("2024-05-01T10:00:00Z"));
  domain::TransactionDecision d;
  d.transaction = 4711;
  d.authorization.status = domain::AuthorizationStatus::Accepted;
  d.authorization.expiry = from_millis(1'700'000'000'000);
  d.authorization.parent_id_tag = "PARENT";
  sink_.starts[0].reply(d);
  const auto p = expect_call_result("st");
  EXPECT_EQ(p.at("transactionId"), 4711);
  EXPECT_EQ(p.at("idTagInfo").at("status"), "Accepted");
  EXPECT_EQ(p.at("idTagInfo").at("expiryDate"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(p.at("idTagInfo").at("parentIdTag"), "PARENT");
}

TEST_F(SessionTest, MapsStopTransactionWithTransactionDataAndDefaultReason) {
  session_->on_message(R"([2,"sp","StopTransaction",{"transactionId":4711,"meterStop":17500,
    "timestamp":"2024-05-01T11:00:00Z","transactionData":[{"timestamp":"2024-05-01T10:30:00Z",
    "sampledValue":[{"value":"16000","context":"Sample.Periodic"},{"value":"17500","context":"Transaction.End"}]}]}])");
  ASSERT_EQ(sink_.ends.size(), 1u);
  const auto& e = sink_.ends[0].event;
  EXPECT_EQ(e.transaction, 4711);
  EXPECT_EQ(e.id_tag, "");
  EXPECT_EQ(e.meter_stop_wh, 17500);
  EXPECT_EQ(e.reason, "Local");
  EXPECT_EQ(e.at, *parse_rfc3339("2024-05-01T11:00:00Z"));
  ASSERT_EQ(e.transaction_data.size(), 1u);
  ASSERT_EQ(e.transaction_data[0].values.size(), 2u);
  EXPECT_EQ(e.transaction_data[0].values[1].context, "Transaction.End");
  EXPECT_DOUBLE_EQ(e.transaction_data[0].values[1].value, 17500);
  sink_.ends[0].reply(std::optional<domain::Authorization>{});
  EXPECT_EQ(expect_call_result("sp"), json::object{});
}

TEST_F(SessionTest, StopTransactionKeepsReasonAndAnswersIdTagInfo) {
  session_->on_message(R"([2,"sp","StopTransaction",{"transactionId":1,"idTag":"T","meterStop":1,
    "timestamp":"2024-05-01T11:00:00Z","reason":"EVDisconnected"}])");
  EXPECT_EQ(sink_.ends[0].event.reason, "EVDisconnected");
  EXPECT_EQ(sink_.ends[0].event.id_tag, "T");
  domain::Authorization a;
  a.status = domain::AuthorizationStatus::Blocked;
  sink_.ends[0].reply(std::optional<domain::Authorization>(a));
  EXPECT_EQ(expect_call_result("sp").at("idTagInfo").at("status"), "Blocked");
}

TEST_F(SessionTest, AuthorizeAnswersIdTagInfo) {
  session_->on_message(R"([2,"a1","Authorize",{"idTag":"TAG"}])");
  ASSERT_EQ(sink_.authorizations.size(), 1u);
  EXPECT_EQ(sink_.authorizations[0].event, "TAG");
  domain::Authorization a;
  a.status = domain::AuthorizationStatus::Invalid;
  sink_.authorizations[0].reply(a);
  EXPECT_EQ(expect_call_result("a1"), (json::value{{"idTagInfo", {{"status", "Invalid"}}}}));
}

TEST_F(SessionTest, DataTransferAnswersVendorStatusAndData) {
  session_->on_message(R"([2,"d1","DataTransfer",{"vendorId":"com.acme","messageId":"m","data":"payload"}])");
  ASSERT_EQ(sink_.data_transfers.size(), 1u);
  const auto& m = sink_.data_transfers[0].event;
  EXPECT_EQ(m.vendor_id, "com.acme");
  EXPECT_EQ(m.message_id, "m");
  EXPECT_EQ(m.data, "payload");
  EXPECT_EQ(m.at, clock_.t);
  sink_.data_transfers[0].reply(domain::PileEventSink::DataTransferOutcome{"Accepted", "out"});
  EXPECT_EQ(expect_call_result("d1"), (json::value{{"status", "Accepted"}, {"data", "out"}}));
}

TEST_F(SessionTest, DataTransferWithInvalidVendorStatusIsInternalError) {
  session_->on_message(R"([2,"d1","DataTransfer",{"vendorId":"com.acme"}])");
  sink_.data_transfers[0].reply(domain::PileEventSink::DataTransferOutcome{"Maybe", ""});
  expect_call_error("d1", "InternalError");
}

TEST_F(SessionTest, ForwardsFirmwareAndDiagnosticsStatus) {
  session_->on_message(R"([2,"f1","FirmwareStatusNotification",{"status":"Downloading"}])");
  ASSERT_EQ(sink_.firmware.size(), 1u);
  EXPECT_EQ(sink_.firmware[0].event.status, "Downloading");
  sink_.firmware[0].reply(Status{});
  expect_call_result("f1");
  session_->on_message(R"([2,"g1","DiagnosticsStatusNotification",{"status":"Uploaded"}])");
  ASSERT_EQ(sink_.diagnostics.size(), 1u);
  EXPECT_EQ(sink_.diagnostics[0].event.status, "Uploaded");
  sink_.diagnostics[0].reply(Status{});
  expect_call_result("g1");
}

}  // namespace
}  // namespace cp::ocpp::v16
