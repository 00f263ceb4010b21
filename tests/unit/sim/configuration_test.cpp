#include "sim/detail/configuration.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "sim/detail/ocpp_json.h"

namespace cp::sim {
namespace {
namespace json = boost::json;

TEST(Configuration, GetWithoutKeysReturnsEveryKey) {
  Configuration c(2, 300, 10);
  const auto q = c.get({});
  EXPECT_GE(q.known.size(), 25u);
  EXPECT_TRUE(q.unknown.empty());
}

TEST(Configuration, GetReportsUnknownKeysSeparately) {
  Configuration c(2, 300, 10);
  const auto q = c.get({"HeartbeatInterval", "NoSuchKey", "NumberOfConnectors"});
  ASSERT_EQ(q.known.size(), 2u);
  EXPECT_EQ(q.known[0].value, "300");
  EXPECT_EQ(q.known[1].value, "2");
  EXPECT_TRUE(q.known[1].readonly);
  ASSERT_EQ(q.unknown.size(), 1u);
  EXPECT_EQ(q.unknown[0], "NoSuchKey");
}

TEST(Configuration, ChangeAcceptsAValidIntegerAndStoresIt) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("MeterValueSampleInterval", "30"), ChangeStatus::Accepted);
  EXPECT_EQ(c.integer("MeterValueSampleInterval", 0), 30);
}

TEST(Configuration, ChangeRejectsIllTypedValues) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("HeartbeatInterval", "often"), ChangeStatus::Rejected);
  EXPECT_EQ(c.change("HeartbeatInterval", "-5"), ChangeStatus::Rejected);
  EXPECT_EQ(c.change("AuthorizeRemoteTxRequests", "yes"), ChangeStatus::Rejected);
  EXPECT_EQ(c.change("MeterValuesSampledData", "Voltage,Banana"), ChangeStatus::Rejected);
  EXPECT_EQ(c.integer("HeartbeatInterval", 0), 300);
}

TEST(Configuration, ChangeRejectsReadOnlyKeys) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("NumberOfConnectors", "4"), ChangeStatus::Rejected);
}

TEST(Configuration, ChangeOfUnknownKeyIsNotSupported) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("FluxCapacitorLevel", "1.21"), ChangeStatus::NotSupported);
}

TEST(Configuration, BootTimeKeysNeedAReboot) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("WebSocketPingInterval", "60"), ChangeStatus::RebootRequired);
  EXPECT_EQ(c.value("WebSocketPingInterval"), "60");
}

TEST(Configuration, MeasurandListAcceptsKnownMeasurandsWithSpaces) {
  Configuration c(2, 300, 10);
  EXPECT_EQ(c.change("MeterValuesSampledData", "Energy.Active.Import.Register, Voltage,SoC"), ChangeStatus::Accepted);
}

TEST(ConfigurationAnswers, GetConfigurationListsUnknownKeys) {
  Configuration c(2, 300, 10);
  auto a = ocpp::answer_get_configuration(c, json::object{{"key", json::array{"HeartbeatInterval", "Nope"}}});
  ASSERT_TRUE(std::holds_alternative<json::object>(a));
  EXPECT_EQ(json::serialize(std::get<json::object>(a)),
            R"({"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"}],"unknownKey":["Nope"]})");
}

TEST(ConfigurationAnswers, GetConfigurationWithNonArrayKeyIsATypeViolation) {
  Configuration c(2, 300, 10);
  auto a = ocpp::answer_get_configuration(c, json::object{{"key", "HeartbeatInterval"}});
  ASSERT_TRUE(std::holds_alternative<ocpp::Refusal>(a));
  EXPECT_EQ(std::get<ocpp::Refusal>(a).code, "TypeConstraintViolation");
}

TEST(ConfigurationAnswers, ChangeConfigurationAnswersWithStatus) {
  Configuration c(2, 300, 10);
  auto a = ocpp::answer_change_configuration(c, json::object{{"key", "HeartbeatInterval"}, {"value", "60"}});
  EXPECT_EQ(json::serialize(std::get<json::object>(a)), R"({"status":"Accepted"})");
  a = ocpp::answer_change_configuration(c, json::object{{"key", "NumberOfConnectors"}, {"value", "1"}});
  EXPECT_EQ(json::serialize(std::get<json::object>(a)), R"({"status":"Rejected"})");
}

TEST(ConfigurationAnswers, ChangeConfigurationWithoutValueIsAnOccurrenceViolation) {
  Configuration c(2, 300, 10);
  auto a = ocpp::answer_change_configuration(c, json::object{{"key", "HeartbeatInterval"}});
  ASSERT_TRUE(std::holds_alternative<ocpp::Refusal>(a));
  EXPECT_EQ(std::get<ocpp::Refusal>(a).code, "OccurenceConstraintViolation");
}

}  // namespace
}  // namespace cp::sim
