#include "protocol/ocpp/rpc.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace cp::ocpp {
namespace {

namespace json = boost::json;

FrameError frame_error(std::string_view text) {
  auto r = parse_message(text);
  EXPECT_FALSE(r.ok()) << text;
  return r ? FrameError{} : r.error();
}

TEST(RpcParse, ParsesCall) {
  auto r = parse_message(R"([2,"19223201","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  ASSERT_TRUE(r.ok());
  const auto& call = std::get<Call>(*r);
  EXPECT_EQ(call.id, "19223201");
  EXPECT_EQ(call.action, "BootNotification");
  EXPECT_EQ(call.payload.at("chargePointVendor"), "V");
}

TEST(RpcParse, ParsesCallResult) {
  auto r = parse_message(R"( [3, "abc", {"status":"Accepted"}] )");
  ASSERT_TRUE(r.ok());
  const auto& res = std::get<CallResult>(*r);
  EXPECT_EQ(res.id, "abc");
  EXPECT_EQ(res.payload.at("status"), "Accepted");
}

TEST(RpcParse, ParsesCallError) {
  auto r = parse_message(R"([4,"abc","NotSupported","no such thing",{"x":1}])");
  ASSERT_TRUE(r.ok());
  const auto& e = std::get<CallError>(*r);
  EXPECT_EQ(e.id, "abc");
  EXPECT_EQ(e.code, "NotSupported");
  EXPECT_EQ(e.description, "no such thing");
  EXPECT_EQ(e.details.at("x"), 1);
}

TEST(RpcParse, MalformedJsonWithReadableIdIsFormationViolationForThatId) {
  const auto e = frame_error(R"([2, "id-7", "Heartbeat", {)");
  EXPECT_EQ(e.code, ErrorCode::FormationViolation);
  EXPECT_EQ(e.message_id, "id-7");
  EXPECT_EQ(e.message_type, 2);
}

TEST(RpcParse, MalformedJsonWithoutReadableIdIsProtocolErrorWithIdMinusOne) {
  for (std::string_view text : {"", "not json", "[2,", "{\"a\":", "[2, 17, \"x\"", "[\"2\",\"id\""}) {
    const auto e = frame_error(text);
    EXPECT_EQ(e.code, ErrorCode::ProtocolError) << text;
    EXPECT_EQ(e.message_id, "-1") << text;
  }
}

TEST(RpcParse, NonArrayIsProtocolError) {
  for (std::string_view text : {R"({"id":"1"})", "2", R"("text")", "null"}) {
    const auto e = frame_error(text);
    EXPECT_EQ(e.code, ErrorCode::ProtocolError) << text;
    EXPECT_EQ(e.message_id, "-1");
  }
}

TEST(RpcParse, UnreadableMessageIdIsProtocolError) {
  for (std::string_view text : {R"([])", R"([2])", R"([2, 5, "Heartbeat", {}])", R"([2, "", "Heartbeat", {}])",
                                R"([2, null, "Heartbeat", {}])"}) {
    const auto e = frame_error(text);
    EXPECT_EQ(e.code, ErrorCode::ProtocolError) << text;
    EXPECT_EQ(e.message_id, "-1") << text;
  }
}

TEST(RpcParse, MessageIdLongerThan36CharactersIsProtocolError) {
  const std::string id(37, 'a');
  const auto e = frame_error(R"([2,")" + id + R"(","Heartbeat",{}])");
  EXPECT_EQ(e.code, ErrorCode::ProtocolError);
  EXPECT_EQ(e.message_id, "-1");
  EXPECT_TRUE(parse_message(R"([2,")" + std::string(36, 'a') + R"(","Heartbeat",{}])").ok());
}

TEST(RpcParse, WrongElementCountIsFormationViolationForTheId) {
  for (std::string_view text : {R"([2,"a","Heartbeat"])", R"([2,"a","Heartbeat",{},{}])", R"([3,"a"])",
                                R"([3,"a",{},1])", R"([4,"a","GenericError","x"])"}) {
    const auto e = frame_error(text);
    EXPECT_EQ(e.code, ErrorCode::FormationViolation) << text;
    EXPECT_EQ(e.message_id, "a") << text;
  }
}

TEST(RpcParse, WrongElementTypesAreFormationViolation) {
  for (std::string_view text : {R"(["2","a","Heartbeat",{}])", R"([2.0,"a","Heartbeat",{}])",
                                R"([2,"a",7,{}])", R"([2,"a","",{}])", R"([2,"a","Heartbeat",[]])",
                                R"([3,"a","ok"])", R"([4,"a",1,"d",{}])", R"([4,"a","GenericError",2,{}])",
                                R"([4,"a","GenericError","d",[]])"}) {
    const auto e = frame_error(text);
    EXPECT_EQ(e.code, ErrorCode::FormationViolation) << text;
    EXPECT_EQ(e.message_id, "a") << text;
  }
}

TEST(RpcParse, UnknownMessageTypeIdIsFormationViolationForTheId) {
  const auto e = frame_error(R"([5,"a","Heartbeat",{}])");
  EXPECT_EQ(e.code, ErrorCode::FormationViolation);
  EXPECT_EQ(e.message_id, "a");
  EXPECT_EQ(e.message_type, 5);
}

TEST(RpcParse, ReportsMessageTypeOfBrokenAnswers) {
  EXPECT_EQ(frame_error(R"([3,"a"])").message_type, 3);
  EXPECT_EQ(frame_error(R"([4,"a","x"])").message_type, 4);
}

TEST(RpcParse, InvalidUtf8IsFormationViolationUnlessTheTransportCheckedIt) {
  const std::string text = "[2,\"u-1\",\"DataTransfer\",{\"vendorId\":\"V\",\"data\":\"\xc3\x28\"}]";
  const FrameError e = frame_error(text);
  EXPECT_EQ(e.code, ErrorCode::FormationViolation);
  EXPECT_EQ(e.message_id, "u-1");
  // A WebSocket text message is already valid UTF-8 (RFC 6455 §8.1): the parser trusts that.
  EXPECT_TRUE(parse_message(text, {}, kMaxMessageIdLength, /*utf8_checked=*/true).ok());
}

TEST(RpcParse, AllocatesPayloadFromGivenStorage) {
  json::monotonic_resource mr;
  auto r = parse_message(R"([2,"a","Heartbeat",{"k":"a string long enough to allocate"}])", json::storage_ptr(&mr));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Call>(*r).payload.storage().get(), &mr);
}

TEST(RpcSerialize, WritesCall) {
  EXPECT_EQ(serialize_call("c1", "Reset", json::value{{"type", "Soft"}}), R"([2,"c1","Reset",{"type":"Soft"}])");
}

TEST(RpcSerialize, WritesCallResult) {
  EXPECT_EQ(serialize_call_result("c\"1", json::object{}), R"([3,"c\"1",{}])");
}

TEST(RpcSerialize, CallErrorDetailsAreAlwaysAnObject) {
  EXPECT_EQ(serialize_call_error("-1", ErrorCode::ProtocolError, "bad"), R"([4,"-1","ProtocolError","bad",{}])");
  const json::value not_object = json::array{1};
  EXPECT_EQ(serialize_call_error("a", ErrorCode::GenericError, "x", &not_object), R"([4,"a","GenericError","x",{}])");
  const json::value details = {{"path", "/a"}};
  EXPECT_EQ(serialize_call_error("a", ErrorCode::GenericError, "x", &details),
            R"([4,"a","GenericError","x",{"path":"/a"}])");
}

TEST(RpcSerialize, SerializedFramesParseBack) {
  auto r = parse_message(serialize_call_error("id", ErrorCode::TypeConstraintViolation, "d\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<CallError>(*r).code, "TypeConstraintViolation");
  EXPECT_EQ(std::get<CallError>(*r).description, "d\n");
}

TEST(ErrorCodes, SpelledAsOcppJ16Section423) {
  EXPECT_STREQ(to_string(ErrorCode::OccurenceConstraintViolation), "OccurenceConstraintViolation");
  EXPECT_STREQ(to_string(ErrorCode::FormationViolation), "FormationViolation");
  for (std::size_t i = 0; i < kErrorCodeCount; ++i) {
    const auto c = static_cast<ErrorCode>(i);
    EXPECT_EQ(error_code_from_string(to_string(c)), c);
  }
  EXPECT_FALSE(error_code_from_string("OccurrenceConstraintViolation"));  // the 2.0.1 spelling
}

}  // namespace
}  // namespace cp::ocpp
