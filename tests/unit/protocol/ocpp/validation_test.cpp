// Error codes produced from realistic OCPP 1.6 payloads (OCPP-J 1.6 §4.2.3; docs/ocpp.md).
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/ocpp/v16/generated/codec.h"

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;

ValidationError error_of(Action action, std::string_view payload) {
  auto r = validate_request(action, json::parse(payload));
  EXPECT_FALSE(r.ok()) << payload;
  return r ? ValidationError{} : r.error();
}

constexpr std::string_view kMeterValues = R"({"connectorId":1,"transactionId":7,"meterValue":[
  {"timestamp":"2024-05-01T10:00:00Z","sampledValue":[
    {"value":"1234.5","measurand":"Energy.Active.Import.Register","unit":"Wh"},
    {"value":"230.1","measurand":"Voltage","phase":"L1-N","unit":"V","context":"Sample.Periodic","location":"Outlet"}]}]})";

TEST(Validation, AcceptsRealisticMeterValues) {
  auto r = decode<MeterValuesRequest>(json::parse(kMeterValues));
  ASSERT_TRUE(r.ok()) << r.error().path << " " << r.error().message;
  ASSERT_EQ(r->meter_value.size(), 1u);
  ASSERT_EQ(r->meter_value[0].sampled_value.size(), 2u);
  EXPECT_EQ(r->meter_value[0].sampled_value[1].phase, Phase::L1_N);
  EXPECT_EQ(r->meter_value[0].timestamp, from_millis(1714557600000));
}

TEST(Validation, RejectsMissingRequiredFieldWithOccurenceConstraintViolation) {
  const auto e = error_of(Action::BootNotification, R"({"chargePointVendor":"ACME"})");
  EXPECT_EQ(e.code, ErrorCode::OccurenceConstraintViolation);
  EXPECT_EQ(e.path, "/chargePointModel");
}

TEST(Validation, RejectsMissingNestedRequiredFieldWithOccurenceConstraintViolation) {
  const auto e = error_of(Action::MeterValues,
                          R"({"connectorId":1,"meterValue":[{"timestamp":"2024-05-01T10:00:00Z","sampledValue":[{"unit":"Wh"}]}]})");
  EXPECT_EQ(e.code, ErrorCode::OccurenceConstraintViolation);
  EXPECT_EQ(e.path, "/meterValue/0/sampledValue/0/value");
}

TEST(Validation, RejectsStringWhereIntegerExpectedWithTypeConstraintViolation) {
  const auto e = error_of(Action::StatusNotification,
                          R"({"connectorId":"1","errorCode":"NoError","status":"Available"})");
  EXPECT_EQ(e.code, ErrorCode::TypeConstraintViolation);
  EXPECT_EQ(e.path, "/connectorId");
}

TEST(Validation, RejectsFractionalIntegerWithTypeConstraintViolation) {
  const auto e = error_of(Action::StartTransaction,
                          R"({"connectorId":1,"idTag":"T","meterStart":10.5,"timestamp":"2024-05-01T10:00:00Z"})");
  EXPECT_EQ(e.code, ErrorCode::TypeConstraintViolation);
  EXPECT_EQ(e.path, "/meterStart");
}

TEST(Validation, AcceptsIntegralDoubleForInteger) {
  EXPECT_TRUE(validate_request(Action::StartTransaction,
                               json::parse(R"({"connectorId":1.0,"idTag":"T","meterStart":10,"timestamp":"2024-05-01T10:00:00Z"})"))
                  .ok());
}

TEST(Validation, RejectsNullForOptionalFieldWithTypeConstraintViolation) {
  const auto e = error_of(Action::StatusNotification,
                          R"({"connectorId":1,"errorCode":"NoError","status":"Available","info":null})");
  EXPECT_EQ(e.code, ErrorCode::TypeConstraintViolation);
  EXPECT_EQ(e.path, "/info");
}

TEST(Validation, RejectsEnumMismatchWithPropertyConstraintViolation) {
  const auto e = error_of(Action::StatusNotification,
                          R"({"connectorId":1,"errorCode":"NoError","status":"Sleeping"})");
  EXPECT_EQ(e.code, ErrorCode::PropertyConstraintViolation);
  EXPECT_EQ(e.path, "/status");
}

TEST(Validation, RejectsTooLongStringWithPropertyConstraintViolation) {
  const auto e = error_of(Action::Authorize, R"({"idTag":"123456789012345678901"})");
  EXPECT_EQ(e.code, ErrorCode::PropertyConstraintViolation);
  EXPECT_EQ(e.path, "/idTag");
}

TEST(Validation, CountsMaxLengthInCharactersNotBytes) {
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += "\u00e9";  // 20 characters, 40 bytes of UTF-8
  EXPECT_TRUE(validate_request(Action::Authorize, json::value{{"idTag", twenty}}).ok());
  EXPECT_FALSE(validate_request(Action::Authorize, json::value{{"idTag", twenty + "\u00e9"}}).ok());
}

TEST(Validation, RejectsInvalidDateTimeWithPropertyConstraintViolation) {
  const auto e = error_of(Action::MeterValues,
                          R"({"connectorId":1,"meterValue":[{"timestamp":"yesterday","sampledValue":[{"value":"1"}]}]})");
  EXPECT_EQ(e.code, ErrorCode::PropertyConstraintViolation);
  EXPECT_EQ(e.path, "/meterValue/0/timestamp");
}

TEST(Validation, RejectsNonMultipleOfWithPropertyConstraintViolation) {
  const auto payload = R"({"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,
    "chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",
    "chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":%s}]}}})";
  char buf[512];
  std::snprintf(buf, sizeof buf, payload, "16.05");
  const auto e = error_of(Action::SetChargingProfile, buf);
  EXPECT_EQ(e.code, ErrorCode::PropertyConstraintViolation);
  EXPECT_EQ(e.path, "/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit");
  for (const char* ok : {"16", "16.1", "0.3", "32.7"}) {
    std::snprintf(buf, sizeof buf, payload, ok);
    EXPECT_TRUE(validate_request(Action::SetChargingProfile, json::parse(buf)).ok()) << ok;
  }
}

TEST(Validation, RejectsUnknownPropertyWithFormationViolation) {
  const auto e = error_of(Action::Heartbeat, R"({"uptime":5})");
  EXPECT_EQ(e.code, ErrorCode::FormationViolation);
  EXPECT_EQ(e.path, "/uptime");
}

TEST(Validation, EscapesJsonPointerSegments) {
  const auto e = error_of(Action::Heartbeat, R"({"a/b~c":5})");
  EXPECT_EQ(e.path, "/a~1b~0c");
}

TEST(Validation, RejectsNonObjectPayloadWithFormationViolation) {
  const auto e = error_of(Action::Heartbeat, "[]");
  EXPECT_EQ(e.code, ErrorCode::FormationViolation);
  EXPECT_EQ(e.path, "");
}

TEST(Validation, RejectsIntegerBeyondInt64WithPropertyConstraintViolation) {
  const auto e = error_of(Action::MeterValues, R"({"connectorId":18446744073709551615,"meterValue":[]})");
  EXPECT_EQ(e.code, ErrorCode::PropertyConstraintViolation);
  EXPECT_EQ(e.path, "/connectorId");
}

TEST(Validation, RejectsTooFewArrayItemsWithOccurenceConstraintViolation) {
  auto r = validate_request(Action::DeleteCertificate, json::parse(R"({"certificateHashData":{}})"));
  ASSERT_FALSE(r.ok());  // wrong type first; then the minItems case on GetInstalledCertificateIds.conf
  auto r2 = validate_response(Action::GetInstalledCertificateIds,
                              json::parse(R"({"status":"Accepted","certificateHashData":[]})"));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::OccurenceConstraintViolation);
  EXPECT_EQ(r2.error().path, "/certificateHashData");
}

TEST(Actions, NamesDirectionsAndLookup) {
  EXPECT_EQ(action_from_string("MeterValues"), Action::MeterValues);
  EXPECT_FALSE(action_from_string("meterValues"));
  EXPECT_FALSE(action_from_string("Unknown"));
  EXPECT_STREQ(to_string(Action::RemoteStartTransaction), "RemoteStartTransaction");
  EXPECT_EQ(direction(Action::BootNotification), Direction::ChargePointToCentralSystem);
  EXPECT_EQ(direction(Action::Reset), Direction::CentralSystemToChargePoint);
  EXPECT_EQ(direction(Action::DataTransfer), Direction::Both);
  EXPECT_EQ(direction(Action::SecurityEventNotification), Direction::ChargePointToCentralSystem);
  for (std::size_t i = 0; i < kActionCount; ++i)
    EXPECT_EQ(action_from_string(to_string(static_cast<Action>(i))), static_cast<Action>(i));
}

TEST(Encoding, EncodesOptionalFieldsOnlyWhenSet) {
  BootNotificationResponse r{RegistrationStatus::Accepted, from_millis(1700000000123), 300};
  EXPECT_EQ(json::serialize(to_json(r)),
            R"({"status":"Accepted","currentTime":"2023-11-14T22:13:20.123Z","interval":300})");
  StopTransactionResponse empty;
  EXPECT_EQ(json::serialize(to_json(empty)), "{}");
  StopTransactionResponse with;
  with.id_tag_info = IdTagInfo{std::nullopt, std::string("PARENT"), AuthorizationStatus::Blocked};
  EXPECT_EQ(json::serialize(to_json(with)), R"({"idTagInfo":{"parentIdTag":"PARENT","status":"Blocked"}})");
}

TEST(Encoding, DecodeOfEncodedRequestGivesTheSameStruct) {
  auto in = decode<MeterValuesRequest>(json::parse(kMeterValues));
  ASSERT_TRUE(in.ok());
  auto again = decode<MeterValuesRequest>(to_json(*in));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(json::serialize(to_json(*again)), json::serialize(to_json(*in)));
  EXPECT_EQ(again->meter_value[0].sampled_value[0].measurand, Measurand::Energy_Active_Import_Register);
}

}  // namespace
}  // namespace cp::ocpp::v16
