#include "protocol/ocpp/v16/command_runner.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;
using domain::CommandOutcome;
using domain::ParameterResult;
using domain::ParameterStatus;

class FixedClock final : public Clock {
 public:
  Timestamp now() const override { return t; }
  Timestamp t = from_millis(1'700'000'000'000);
};

// A pile on the other end of the CallFunction: records every CALL; the test answers the
// outstanding one. `refuse` makes the next call fail without sending.
struct FakePile {
  struct Sent {
    Action action;
    json::value payload;
  };
  std::vector<Sent> sent;
  std::optional<CentralSystemSession::CallReply> pending;
  std::optional<Error> refuse;

  CallFunction function() {
    return [this](Action a, json::value payload, CentralSystemSession::CallReply reply) -> Result<std::string> {
      if (refuse) return fail(*refuse);
      EXPECT_FALSE(pending.has_value()) << "a second CALL while one is outstanding";
      sent.push_back({a, std::move(payload)});
      pending = std::move(reply);
      return "cs-" + std::to_string(sent.size());
    };
  }
  void answer(json::value payload) { take()(std::move(payload)); }
  void answer_status(std::string_view status) { answer(json::value{{"status", status}}); }
  void failure(CallFailure::Kind kind, std::string code = "", std::string text = "") {
    take()(fail(CallFailure{kind, std::move(code), std::move(text)}));
  }
  CentralSystemSession::CallReply take() {
    EXPECT_TRUE(pending.has_value());
    auto r = std::move(*pending);
    pending.reset();
    return r;
  }
  const json::object& last() const { return sent.back().payload.as_object(); }
};

class CommandRunnerTest : public ::testing::Test {
 protected:
  void run(domain::Command c) {
    domain::CommandObserver obs;
    obs.parameter = [this](const ParameterResult& r) { reported_.push_back(r); };
    obs.done = [this](CommandOutcome o) {
      ++done_calls_;
      outcome_ = std::move(o);
    };
    run_command(std::move(c), pile_.function(), std::move(obs), clock_);
  }
  const CommandOutcome& outcome() {
    EXPECT_EQ(done_calls_, 1);
    EXPECT_TRUE(outcome_.has_value());
    static const CommandOutcome none;
    return outcome_ ? *outcome_ : none;
  }
  bool finished() const { return done_calls_ > 0; }

  FixedClock clock_;
  FakePile pile_;
  std::vector<ParameterResult> reported_;
  std::optional<CommandOutcome> outcome_;
  int done_calls_ = 0;
};

// ---- single-CALL commands: request mapping

TEST_F(CommandRunnerTest, RemoteStartSendsRemoteStartTransactionAndRecordsTheAnswer) {
  run(domain::RemoteStart{2, "TAG-1", ""});
  ASSERT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(pile_.sent[0].action, Action::RemoteStartTransaction);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"connectorId", 2}, {"idTag", "TAG-1"}}));
  EXPECT_FALSE(finished());
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().status, "Accepted");
  EXPECT_EQ(outcome().response_json, R"({"status":"Accepted"})");
}

TEST_F(CommandRunnerTest, RemoteStartWithoutConnectorOmitsConnectorId) {
  run(domain::RemoteStart{std::nullopt, "TAG-1", ""});
  EXPECT_FALSE(pile_.last().contains("connectorId"));
  pile_.answer_status("Rejected");
  EXPECT_EQ(outcome().status, "Rejected");
}

TEST_F(CommandRunnerTest, RemoteStartCarriesTheChargingProfile) {
  const std::string profile =
      R"({"chargingProfileId":7,"stackLevel":1,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative",)"
      R"("chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}})";
  run(domain::RemoteStart{1, "TAG-1", profile});
  ASSERT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(pile_.last().at("chargingProfile"), json::parse(profile));
}

TEST_F(CommandRunnerTest, RemoteStartWithSchemaViolatingProfileFailsBeforeSending) {
  run(domain::RemoteStart{1, "TAG-1", R"({"chargingProfileId":7,"stackLevel":1})"});
  EXPECT_TRUE(pile_.sent.empty());
  EXPECT_EQ(outcome().status, "InvalidRequest");
  EXPECT_NE(outcome().detail.find("chargingProfile"), std::string::npos) << outcome().detail;
}

TEST(CheckCommand, RefusesWhatWouldEndInvalidRequestAndPassesTheRest) {
  const std::string good =
      R"({"chargingProfileId":7,"stackLevel":1,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative",)"
      R"("chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}})";
  EXPECT_TRUE(check_command(domain::RemoteStart{1, "TAG-1", good}));
  EXPECT_TRUE(check_command(domain::RemoteStart{std::nullopt, "TAG-1", ""}));
  EXPECT_TRUE(check_command(domain::Reset{true}));
  EXPECT_TRUE(check_command(domain::ApplyConfig{{{"Nope.Unknown", "1"}}, true}));  // judged per setting
  const std::pair<domain::Command, const char*> refused[] = {
      {domain::RemoteStart{1, "TAG-1", R"({"chargingProfileId":7,"stackLevel":1})"}, "chargingProfile"},
      {domain::RemoteStart{1, "TAG-1", R"({"chargingProfileId":7,"stackLevel":1,"chargingProfilePurpose":"TxProfile",)"
                                       R"("chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"kW",)"
                                       R"("chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}})"},
       "chargingRateUnit"},
      {domain::RemoteStart{1, "TAG-1", "[1,2]"}, "chargingProfile"},
      {domain::RemoteStart{1, std::string(21, 'A'), ""}, "idTag"},
  };
  for (const auto& [command, names] : refused) {
    auto r = check_command(command);
    ASSERT_FALSE(r) << names;
    EXPECT_EQ(r.error().code, "invalid_command_args");
    EXPECT_NE(r.error().message.find(names), std::string::npos) << r.error().message;
  }
}

TEST_F(CommandRunnerTest, RemoteStartWithNonObjectProfileFailsBeforeSending) {
  run(domain::RemoteStart{1, "TAG-1", "[1,2]"});
  EXPECT_TRUE(pile_.sent.empty());
  EXPECT_EQ(outcome().status, "InvalidRequest");
}

TEST_F(CommandRunnerTest, RemoteStartWithTooLongIdTagFailsBeforeSending) {
  run(domain::RemoteStart{1, std::string(21, 'A'), ""});
  EXPECT_TRUE(pile_.sent.empty());
  EXPECT_EQ(outcome().status, "InvalidRequest");
  EXPECT_NE(outcome().detail.find("idTag"), std::string::npos) << outcome().detail;
}

TEST_F(CommandRunnerTest, RemoteStopSendsTheTransactionId) {
  run(domain::RemoteStop{4711});
  EXPECT_EQ(pile_.sent[0].action, Action::RemoteStopTransaction);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"transactionId", 4711}}));
  pile_.answer_status("Rejected");
  EXPECT_EQ(outcome().status, "Rejected");
}

TEST_F(CommandRunnerTest, ResetSendsSoftOrHard) {
  run(domain::Reset{true});
  EXPECT_EQ(pile_.sent[0].action, Action::Reset);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"type", "Hard"}}));
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().status, "Accepted");
  FakePile soft;
  run_command(domain::Reset{false}, soft.function(), {}, clock_);
  EXPECT_EQ(soft.sent[0].payload, (json::value{{"type", "Soft"}}));
}

TEST_F(CommandRunnerTest, UnlockRecordsUnlockedAndUnlockFailed) {
  run(domain::Unlock{2});
  EXPECT_EQ(pile_.sent[0].action, Action::UnlockConnector);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"connectorId", 2}}));
  pile_.answer_status("UnlockFailed");
  EXPECT_EQ(outcome().status, "UnlockFailed");
}

TEST_F(CommandRunnerTest, ChangeAvailabilityMapsOperativeAndRecordsScheduled) {
  run(domain::ChangeAvailability{0, false});
  EXPECT_EQ(pile_.sent[0].action, Action::ChangeAvailability);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"connectorId", 0}, {"type", "Inoperative"}}));
  pile_.answer_status("Scheduled");
  EXPECT_EQ(outcome().status, "Scheduled");
}

TEST_F(CommandRunnerTest, TriggerMessageSendsTheRequestedMessage) {
  run(domain::TriggerMessage{"StatusNotification", 1});
  EXPECT_EQ(pile_.sent[0].action, Action::TriggerMessage);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"requestedMessage", "StatusNotification"}, {"connectorId", 1}}));
  pile_.answer_status("NotImplemented");
  EXPECT_EQ(outcome().status, "NotImplemented");
}

TEST_F(CommandRunnerTest, TriggerMessageOfUnknownMessageFailsBeforeSending) {
  run(domain::TriggerMessage{"Bogus", std::nullopt});
  EXPECT_TRUE(pile_.sent.empty());
  EXPECT_EQ(outcome().status, "InvalidRequest");
}

TEST_F(CommandRunnerTest, ClearCacheSendsAnEmptyPayload) {
  run(domain::ClearCache{});
  EXPECT_EQ(pile_.sent[0].action, Action::ClearCache);
  EXPECT_EQ(pile_.sent[0].payload, json::value(json::object{}));
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().status, "Accepted");
}

TEST_F(CommandRunnerTest, DataTransferKeepsThePilesDataInTheResponse) {
  run(domain::SendDataTransfer{"com.example", "ping", "x=1"});
  EXPECT_EQ(pile_.sent[0].action, Action::DataTransfer);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"vendorId", "com.example"}, {"messageId", "ping"}, {"data", "x=1"}}));
  pile_.answer(json::value{{"status", "UnknownVendorId"}, {"data", "pong"}});
  EXPECT_EQ(outcome().status, "UnknownVendorId");
  EXPECT_EQ(json::parse(outcome().response_json), (json::value{{"status", "UnknownVendorId"}, {"data", "pong"}}));
}

TEST_F(CommandRunnerTest, UpdateFirmwareEmptyConfirmationIsAccepted) {
  domain::UpdateFirmware fw;
  fw.location = "https://fw.example/pile.bin";
  fw.retrieve_date = from_millis(1'700'000'100'000);
  fw.retries = 3;
  run(fw);
  EXPECT_EQ(pile_.sent[0].action, Action::UpdateFirmware);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"location", "https://fw.example/pile.bin"},
                                                {"retrieveDate", "2023-11-14T22:15:00.000Z"},
                                                {"retries", 3}}));
  pile_.answer(json::object{});
  EXPECT_EQ(outcome().status, "Accepted");
  EXPECT_EQ(outcome().response_json, "{}");
}

TEST_F(CommandRunnerTest, GetDiagnosticsRecordsTheFileName) {
  domain::GetDiagnostics d;
  d.location = "ftp://logs.example/";
  d.start_time = from_millis(1'700'000'000'000);
  run(d);
  EXPECT_EQ(pile_.sent[0].action, Action::GetDiagnostics);
  EXPECT_EQ(pile_.last().at("startTime"), "2023-11-14T22:13:20.000Z");
  EXPECT_FALSE(pile_.last().contains("stopTime"));
  pile_.answer(json::value{{"fileName", "diag-1.zip"}});
  EXPECT_EQ(outcome().status, "Accepted");
  EXPECT_EQ(outcome().response_json, R"({"fileName":"diag-1.zip"})");
}

TEST_F(CommandRunnerTest, ReadConfigFillsConfigurationWithCatalogueNamesAndUnknownKeys) {
  run(domain::ReadConfig{{"HeartbeatInterval", "VendorThing", "Nope"}});
  EXPECT_EQ(pile_.sent[0].action, Action::GetConfiguration);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"key", json::array{"HeartbeatInterval", "VendorThing", "Nope"}}}));
  pile_.answer(json::parse(R"({"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"},)"
                           R"({"key":"VendorThing","readonly":true}],"unknownKey":["Nope"]})"));
  const auto& o = outcome();
  EXPECT_EQ(o.status, "Accepted");
  ASSERT_EQ(o.configuration.size(), 2u) << o.response_json;
  EXPECT_EQ(o.configuration[0].key, "HeartbeatInterval");
  EXPECT_EQ(o.configuration[0].parameter, "heartbeat_interval");
  EXPECT_EQ(o.configuration[0].value, std::optional<std::string>("300"));
  EXPECT_FALSE(o.configuration[0].readonly);
  EXPECT_EQ(o.configuration[1].parameter, "");
  EXPECT_FALSE(o.configuration[1].value.has_value());
  EXPECT_TRUE(o.configuration[1].readonly);
  EXPECT_EQ(o.unknown_keys, std::vector<std::string>{"Nope"});
}

TEST_F(CommandRunnerTest, ReadConfigWithoutKeysAsksForEverything) {
  run(domain::ReadConfig{});
  EXPECT_EQ(pile_.sent[0].payload, json::value(json::object{}));
}

// ---- single-CALL commands: failures

TEST_F(CommandRunnerTest, CallErrorIsRecordedWithCodeAndText) {
  run(domain::Unlock{1});
  pile_.failure(CallFailure::Kind::CallError, "NotImplemented", "no lock motor");
  EXPECT_EQ(outcome().status, "CallError");
  EXPECT_NE(outcome().detail.find("NotImplemented"), std::string::npos);
  EXPECT_NE(outcome().detail.find("no lock motor"), std::string::npos);
  EXPECT_EQ(outcome().response_json, "");
}

TEST_F(CommandRunnerTest, SchemaViolatingAnswerFromTheSessionIsInvalidResponse) {
  run(domain::Reset{false});
  pile_.failure(CallFailure::Kind::InvalidResponse, "PropertyConstraintViolation", "status: not in enumeration");
  EXPECT_EQ(outcome().status, "InvalidResponse");
  EXPECT_NE(outcome().detail.find("PropertyConstraintViolation"), std::string::npos);
}

TEST_F(CommandRunnerTest, AnswerTheRunnerCannotValidateIsInvalidResponse) {
  run(domain::Reset{false});
  pile_.answer(json::value{{"status", "Maybe"}});
  EXPECT_EQ(outcome().status, "InvalidResponse");
  EXPECT_EQ(outcome().response_json, R"({"status":"Maybe"})");
}

TEST_F(CommandRunnerTest, TimeoutAndClosedMapToTimeoutAndOffline) {
  run(domain::ClearCache{});
  pile_.failure(CallFailure::Kind::Timeout, "Timeout");
  EXPECT_EQ(outcome().status, "Timeout");

  FakePile other;
  std::optional<CommandOutcome> got;
  run_command(domain::ClearCache{}, other.function(), {nullptr, [&](CommandOutcome o) { got = std::move(o); }}, clock_);
  other.failure(CallFailure::Kind::Closed, "Closed");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, "Offline");
}

TEST_F(CommandRunnerTest, CallThatCannotBeSentOnAClosedSessionIsOffline) {
  pile_.refuse = Error{"closed", "the connection is closed"};
  run(domain::Reset{true});
  EXPECT_EQ(outcome().status, "Offline");
}

// ---- ApplyConfig

domain::ApplyConfig apply(std::vector<domain::ParameterSetting> settings, bool read_back = false) {
  return domain::ApplyConfig{std::move(settings), read_back};
}

TEST_F(CommandRunnerTest, ApplyConfigSendsOneChangeConfigurationPerSettingInOrder) {
  run(apply({{"heartbeat_interval", "120"}, {"meter_value_sample_interval", "30"}}));
  ASSERT_EQ(pile_.sent.size(), 1u);  // one at a time
  EXPECT_EQ(pile_.sent[0].action, Action::ChangeConfiguration);
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"key", "HeartbeatInterval"}, {"value", "120"}}));
  pile_.answer_status("Accepted");
  ASSERT_EQ(reported_.size(), 1u);  // reported as soon as known
  EXPECT_EQ(reported_[0].parameter, "heartbeat_interval");
  EXPECT_EQ(reported_[0].status, ParameterStatus::Accepted);
  EXPECT_EQ(reported_[0].at, clock_.t);
  ASSERT_EQ(pile_.sent.size(), 2u);
  EXPECT_EQ(pile_.sent[1].payload, (json::value{{"key", "MeterValueSampleInterval"}, {"value", "30"}}));
  pile_.answer_status("RebootRequired");
  const auto& o = outcome();
  EXPECT_EQ(o.status, "Completed");
  ASSERT_EQ(o.parameters.size(), 2u);
  EXPECT_EQ(o.parameters[1].status, ParameterStatus::RebootRequired);
  EXPECT_EQ(reported_.size(), 2u);
}

TEST_F(CommandRunnerTest, ApplyConfigMapsRejectedAndNotSupportedOfCatalogueParameters) {
  run(apply({{"heartbeat_interval", "120"}, {"reset_retries", "3"}}));
  pile_.answer_status("Rejected");
  pile_.answer_status("NotSupported");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Rejected);
  EXPECT_EQ(outcome().parameters[1].status, ParameterStatus::NotSupported);
}

TEST_F(CommandRunnerTest, ApplyConfigMapsNotSupportedOfARawVendorKeyToUnknownParameter) {
  run(apply({{"ocpp1.6:LightIntensity", "40"}}));
  EXPECT_EQ(pile_.sent[0].payload, (json::value{{"key", "LightIntensity"}, {"value", "40"}}));
  pile_.answer_status("NotSupported");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::UnknownParameter);
}

TEST_F(CommandRunnerTest, ApplyConfigWithoutOcpp16MappingIsNotSupportedWithoutSending) {
  run(apply({{"max_output_power_percent", "80"}, {"ykc:0x52", "1"}, {"heartbeat_interval", "60"}}));
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_EQ(reported_[0].status, ParameterStatus::NotSupported);
  EXPECT_EQ(reported_[1].status, ParameterStatus::NotSupported);
  ASSERT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(pile_.last().at("key"), "HeartbeatInterval");
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().parameters.size(), 3u);
}

TEST_F(CommandRunnerTest, ApplyConfigSetsMaxCurrentThroughAChargePointMaxProfile) {
  run(apply({{"max_current", "32"}}));
  ASSERT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(pile_.sent[0].action, Action::SetChargingProfile);
  const auto expected = json::parse(R"({"connectorId":0,"csChargingProfiles":{"chargingProfileId":900001,)"
                                    R"("stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile",)"
                                    R"("chargingProfileKind":"Absolute","chargingSchedule":{)"
                                    R"("startSchedule":"2023-11-14T22:13:20.000Z","chargingRateUnit":"A",)"
                                    R"("chargingSchedulePeriod":[{"startPeriod":0,"limit":32}]}}})");
  EXPECT_EQ(pile_.sent[0].payload, expected);
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Accepted);
}

TEST_F(CommandRunnerTest, ApplyConfigSetsMaxPowerInWattsAndMapsNotSupported) {
  run(apply({{"max_power", "22000"}}, /*read_back=*/true));
  const auto& schedule = pile_.last().at("csChargingProfiles").at("chargingSchedule").as_object();
  EXPECT_EQ(schedule.at("chargingRateUnit"), "W");
  EXPECT_EQ(schedule.at("chargingSchedulePeriod").at(0).at("limit"), 22000);
  pile_.answer_status("NotSupported");
  EXPECT_EQ(pile_.sent.size(), 1u);  // a charging profile is not read back with GetConfiguration
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::NotSupported);
}

TEST_F(CommandRunnerTest, ApplyConfigCallErrorRejectsThatSettingWithDetailAndContinues) {
  run(apply({{"heartbeat_interval", "120"}, {"reset_retries", "2"}}));
  pile_.failure(CallFailure::Kind::CallError, "FormationViolation", "bad value");
  EXPECT_EQ(reported_[0].status, ParameterStatus::Rejected);
  EXPECT_NE(reported_[0].detail.find("FormationViolation"), std::string::npos);
  EXPECT_NE(reported_[0].detail.find("bad value"), std::string::npos);
  pile_.answer_status("Accepted");
  EXPECT_EQ(outcome().parameters[1].status, ParameterStatus::Accepted);
}

TEST_F(CommandRunnerTest, ApplyConfigInvalidResponseRejectsThatSetting) {
  run(apply({{"heartbeat_interval", "120"}, {"reset_retries", "2"}}));
  pile_.failure(CallFailure::Kind::InvalidResponse, "PropertyConstraintViolation", "status");
  pile_.answer(json::value{{"status", "Sure"}});
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Rejected);
  EXPECT_NE(outcome().parameters[0].detail.find("invalid response"), std::string::npos);
  EXPECT_EQ(outcome().parameters[1].status, ParameterStatus::Rejected);
  EXPECT_NE(outcome().parameters[1].detail.find("Sure"), std::string::npos);
}

TEST_F(CommandRunnerTest, ApplyConfigTimeoutStopsSendingAndTimesOutTheRest) {
  run(apply({{"heartbeat_interval", "120"}, {"reset_retries", "2"}, {"connection_timeout", "60"}}, true));
  pile_.answer_status("Accepted");
  pile_.failure(CallFailure::Kind::Timeout, "Timeout");
  EXPECT_EQ(pile_.sent.size(), 2u);  // nothing more, not even the read-back
  const auto& o = outcome();
  EXPECT_EQ(o.status, "Timeout");
  EXPECT_EQ(o.parameters[0].status, ParameterStatus::Accepted);
  EXPECT_EQ(o.parameters[1].status, ParameterStatus::Timeout);
  EXPECT_EQ(o.parameters[2].status, ParameterStatus::Timeout);
  EXPECT_NE(o.parameters[2].detail.find("stopped answering"), std::string::npos);
  EXPECT_EQ(reported_.size(), 3u);
}

TEST_F(CommandRunnerTest, ApplyConfigClosedConnectionMarksTheRestOffline) {
  run(apply({{"heartbeat_interval", "120"}, {"reset_retries", "2"}}, true));
  pile_.failure(CallFailure::Kind::Closed, "Closed");
  EXPECT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(outcome().status, "Offline");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Offline);
  EXPECT_EQ(outcome().parameters[1].status, ParameterStatus::Offline);
}

TEST_F(CommandRunnerTest, ApplyConfigOnAClosedSessionIsOfflineWithoutSending) {
  pile_.refuse = Error{"closed", "the connection is closed"};
  run(apply({{"heartbeat_interval", "120"}, {"max_output_power_percent", "50"}}));
  EXPECT_EQ(outcome().status, "Offline");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Offline);
  EXPECT_EQ(outcome().parameters[1].status, ParameterStatus::Offline);
}

TEST_F(CommandRunnerTest, ApplyConfigReadsBackConfigurationKeysOnceAndRecordsReportedValues) {
  run(apply({{"heartbeat_interval", "120"},
             {"max_current", "16"},
             {"reset_retries", "2"},
             {"ocpp1.6:Gadget", "on"},
             {"ocpp1.6:Widget", "x"}},
            true));
  pile_.answer_status("Accepted");        // HeartbeatInterval
  pile_.answer_status("Accepted");        // max_current profile
  pile_.answer_status("NotSupported");    // ResetRetries: not read back
  pile_.answer_status("Rejected");        // Gadget: read back
  pile_.answer_status("Accepted");        // Widget
  ASSERT_EQ(pile_.sent.size(), 6u);
  EXPECT_EQ(pile_.sent[5].action, Action::GetConfiguration);
  EXPECT_EQ(pile_.sent[5].payload, (json::value{{"key", json::array{"HeartbeatInterval", "Gadget", "Widget"}}}));
  EXPECT_FALSE(finished());
  pile_.answer(json::parse(R"({"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"120"},)"
                           R"({"key":"Gadget","readonly":true,"value":"off"}],"unknownKey":["Widget"]})"));
  const auto& o = outcome();
  EXPECT_EQ(o.status, "Completed");
  ASSERT_EQ(o.parameters.size(), 5u);
  EXPECT_EQ(o.parameters[0].reported_value, std::optional<std::string>("120"));
  EXPECT_EQ(o.parameters[0].status, ParameterStatus::Accepted);
  EXPECT_FALSE(o.parameters[1].reported_value.has_value());
  EXPECT_EQ(o.parameters[3].status, ParameterStatus::Rejected);
  EXPECT_EQ(o.parameters[3].reported_value, std::optional<std::string>("off"));
  EXPECT_EQ(o.parameters[4].status, ParameterStatus::UnknownParameter);
  ASSERT_EQ(o.configuration.size(), 2u);
  EXPECT_EQ(o.configuration[0].parameter, "heartbeat_interval");
  EXPECT_EQ(o.unknown_keys, std::vector<std::string>{"Widget"});
}

TEST_F(CommandRunnerTest, ApplyConfigReadBackFailureKeepsSettingStatusesAndSaysWhy) {
  run(apply({{"heartbeat_interval", "120"}}, true));
  pile_.answer_status("Accepted");
  pile_.failure(CallFailure::Kind::Timeout, "Timeout");
  EXPECT_EQ(outcome().status, "Completed");
  EXPECT_EQ(outcome().parameters[0].status, ParameterStatus::Accepted);
  EXPECT_NE(outcome().detail.find("read-back"), std::string::npos);
}

TEST_F(CommandRunnerTest, ApplyConfigWithoutReadBackSendsNoGetConfiguration) {
  run(apply({{"heartbeat_interval", "120"}}, false));
  pile_.answer_status("Accepted");
  EXPECT_EQ(pile_.sent.size(), 1u);
  EXPECT_EQ(outcome().status, "Completed");
}

TEST_F(CommandRunnerTest, EmptyApplyConfigCompletesAtOnce) {
  run(apply({}, true));
  EXPECT_TRUE(pile_.sent.empty());
  EXPECT_EQ(outcome().status, "Completed");
}

}  // namespace
}  // namespace cp::ocpp::v16
