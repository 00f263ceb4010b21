#include "sim/detail/ocpp_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/base64.h"
#include "sim/detail/counters.h"
#include "sim/detail/url.h"

namespace cp::sim {
namespace {
namespace json = boost::json;

TEST(OcppFrame, CallRoundTrips) {
  const auto text = ocpp::call_frame("7", "Heartbeat", json::object{});
  EXPECT_EQ(text, R"([2,"7","Heartbeat",{}])");
  auto f = ocpp::parse_frame(text);
  ASSERT_TRUE(std::holds_alternative<ocpp::Call>(f));
  EXPECT_EQ(std::get<ocpp::Call>(f).action, "Heartbeat");
}

TEST(OcppFrame, ParsesResultAndError) {
  auto r = ocpp::parse_frame(R"([3,"1",{"currentTime":"2026-01-01T00:00:00Z"}])");
  ASSERT_TRUE(std::holds_alternative<ocpp::CallResult>(r));
  EXPECT_EQ(std::get<ocpp::CallResult>(r).id, "1");
  auto e = ocpp::parse_frame(R"([4,"2","NotImplemented","nope",{}])");
  ASSERT_TRUE(std::holds_alternative<ocpp::CallError>(e));
  EXPECT_EQ(std::get<ocpp::CallError>(e).code, "NotImplemented");
}

TEST(OcppFrame, RejectsMalformedFrames) {
  for (const char* bad : {"not json", "{}", "[2]", R"([2,"1","Reset"])", R"([9,"1",{}])", R"([3,1,{}])"})
    EXPECT_TRUE(std::holds_alternative<ocpp::Malformed>(ocpp::parse_frame(bad))) << bad;
}

TEST(OcppFrame, ErrorFrameHasEmptyDetails) {
  EXPECT_EQ(ocpp::error_frame("5", "NotImplemented", "unknown action X"),
            R"([4,"5","NotImplemented","unknown action X",{}])");
}

TEST(MeterValue, SampledValuesCarryContextUnitPhaseAndStringValues) {
  const auto mv = ocpp::meter_value("2026-01-01T00:00:00.000Z",
                                    {{"Voltage", "L1-N", "V", "Outlet", 231.4}, {"SoC", "", "Percent", "EV", 55}},
                                    "Sample.Periodic");
  EXPECT_EQ(json::serialize(mv),
            R"({"timestamp":"2026-01-01T00:00:00.000Z","sampledValue":[)"
            R"({"value":"231.40","context":"Sample.Periodic","format":"Raw","measurand":"Voltage","unit":"V","phase":"L1-N","location":"Outlet"},)"
            R"({"value":"55","context":"Sample.Periodic","format":"Raw","measurand":"SoC","unit":"Percent","location":"EV"}]})");
}

TEST(Base64, EncodesBasicCredentialsPerRfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(Url, SplitsWebSocketUrl) {
  auto u = parse_url("ws://127.0.0.1:9000/ocpp/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "9000");
  EXPECT_EQ(u->path, "/ocpp");
  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->path, "");
  EXPECT_FALSE(parse_url("wss://host/ocpp"));
  EXPECT_FALSE(parse_url("ws://host:port/ocpp"));
}

TEST(LatencyHistogram, QuantilesAreWithinABucket) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(std::chrono::microseconds{i * 1000});  // 1..1000 ms
  EXPECT_NEAR(h.quantile_ms(0.5), 500, 500 * 0.1);
  EXPECT_NEAR(h.quantile_ms(0.99), 990, 990 * 0.1);
  EXPECT_DOUBLE_EQ(h.max_ms(), 1000);
  EXPECT_EQ(h.count(), 1000u);
}

}  // namespace
}  // namespace cp::sim
