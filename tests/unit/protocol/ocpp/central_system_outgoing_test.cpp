#include "protocol/ocpp/v16/central_system.h"

#include <gtest/gtest.h>

#include "unit/protocol/ocpp/session_fixture.h"

namespace cp::ocpp::v16 {
namespace {

namespace json = boost::json;
using testing::SessionTest;

// ---- server-initiated CALLs

struct Replies {
  std::vector<Result<json::value, CallFailure>> got;
  CentralSystemSession::CallReply handler() {
    return [this](Result<json::value, CallFailure> r) { got.push_back(std::move(r)); };
  }
};

TEST_F(SessionTest, ServerCallIsSentAndMatchedByIdWithValidatedResponse) {
  Replies replies;
  auto id = session_->call(Action::Reset, json::value{{"type", "Soft"}}, replies.handler());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(frames_.back(), "[2,\"" + *id + "\",\"Reset\",{\"type\":\"Soft\"}]");
  session_->on_message("[3,\"other\",{\"status\":\"Accepted\"}]");  // unmatched: ignored
  EXPECT_TRUE(replies.got.empty());
  session_->on_message("[3,\"" + *id + "\",{\"status\":\"Accepted\"}]");
  ASSERT_EQ(replies.got.size(), 1u);
  ASSERT_TRUE(replies.got[0].ok());
  EXPECT_EQ(replies.got[0].value(), (json::value{{"status", "Accepted"}}));
  EXPECT_FALSE(session_->outgoing_call_pending());
  EXPECT_EQ(counter("Reset", "ok"), 1u);
}

TEST_F(SessionTest, SecondServerCallWhileOneIsOutstandingIsBusy) {
  Replies replies;
  ASSERT_TRUE(session_->call(Action::ClearCache, json::object{}, replies.handler()).ok());
  const auto second = session_->call(Action::ClearCache, json::object{}, replies.handler());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "busy");
  EXPECT_EQ(frames_.size(), 1u);
}

TEST_F(SessionTest, ServerCallRefusesChargePointActionsAndInvalidPayloads) {
  Replies replies;
  const auto wrong = session_->call(Action::Heartbeat, json::object{}, replies.handler());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "wrong_direction");
  const auto invalid = session_->call(Action::Reset, json::value{{"type", "Gentle"}}, replies.handler());
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, "invalid_request");
  EXPECT_TRUE(frames_.empty());
}

TEST_F(SessionTest, ServerCallAnsweredWithCallErrorFailsWithCallError) {
  Replies replies;
  auto id = session_->call(Action::UnlockConnector, json::value{{"connectorId", 1}}, replies.handler());
  session_->on_message("[4,\"" + *id + "\",\"NotSupported\",\"no lock\",{}]");
  ASSERT_EQ(replies.got.size(), 1u);
  ASSERT_FALSE(replies.got[0].ok());
  EXPECT_EQ(replies.got[0].error().kind, CallFailure::Kind::CallError);
  EXPECT_EQ(replies.got[0].error().code, "NotSupported");
  EXPECT_EQ(replies.got[0].error().description, "no lock");
}

TEST_F(SessionTest, ServerCallWithSchemaViolatingResponseFailsWithInvalidResponse) {
  Replies replies;
  auto id = session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler());
  session_->on_message("[3,\"" + *id + "\",{\"status\":\"Maybe\"}]");
  ASSERT_EQ(replies.got.size(), 1u);
  ASSERT_FALSE(replies.got[0].ok());
  EXPECT_EQ(replies.got[0].error().kind, CallFailure::Kind::InvalidResponse);
  EXPECT_EQ(replies.got[0].error().code, "PropertyConstraintViolation");
  EXPECT_EQ(frames_.size(), 1u);  // a CALLRESULT is never answered
  EXPECT_EQ(sink_.rejected.size(), 1u);
}

TEST_F(SessionTest, ServerCallWithMalformedResponseFailsWithInvalidResponseAndIsNotAnswered) {
  Replies replies;
  auto id = session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler());
  session_->on_message("[3,\"" + *id + "\"]");
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].error().kind, CallFailure::Kind::InvalidResponse);
  EXPECT_EQ(frames_.size(), 1u);
}

TEST_F(SessionTest, ServerCallTimesOut) {
  Replies replies;
  auto id = session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler());
  session_->on_call_timeout("not-it");
  EXPECT_TRUE(replies.got.empty());
  session_->on_call_timeout(*id);
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].error().kind, CallFailure::Kind::Timeout);
  session_->on_message("[3,\"" + *id + "\",{\"status\":\"Accepted\"}]");  // late answer: ignored
  EXPECT_EQ(replies.got.size(), 1u);
  EXPECT_TRUE(session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler()).ok());
}

TEST_F(SessionTest, ClosingFailsOutstandingServerCallAndRefusesNewOnes) {
  Replies replies;
  ASSERT_TRUE(session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler()).ok());
  session_->on_closed();
  ASSERT_EQ(replies.got.size(), 1u);
  EXPECT_EQ(replies.got[0].error().kind, CallFailure::Kind::Closed);
  const auto after = session_->call(Action::Reset, json::value{{"type", "Hard"}}, replies.handler());
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "closed");
}

TEST_F(SessionTest, ServerCallIdsAreUniquePerSession) {
  Replies replies;
  auto a = session_->call(Action::ClearCache, json::object{}, replies.handler());
  session_->on_message("[3,\"" + *a + "\",{\"status\":\"Accepted\"}]");
  auto b = session_->call(Action::ClearCache, json::object{}, replies.handler());
  EXPECT_NE(*a, *b);
}

TEST_F(SessionTest, IncomingAndOutgoingCallsProceedIndependently) {
  Replies replies;
  auto id = session_->call(Action::Reset, json::value{{"type", "Soft"}}, replies.handler());
  session_->on_message(R"([2,"h1","Heartbeat",{}])");
  EXPECT_EQ(sink_.heartbeats.size(), 1u);
  session_->on_message("[3,\"" + *id + "\",{\"status\":\"Accepted\"}]");
  EXPECT_EQ(replies.got.size(), 1u);
  EXPECT_TRUE(session_->incoming_call_pending());
}

}  // namespace
}  // namespace cp::ocpp::v16
