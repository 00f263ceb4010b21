// The MeterValues fast path against the general decoders: on every frame it accepts, the tree
// path (parse_message + decode + to_domain) must accept it too and build the same event; it
// declines whatever is not in its plain form, valid or not.
#include "protocol/ocpp/v16/detail/fast_meter_values.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

#include "protocol/ocpp/rpc.h"
#include "protocol/ocpp/v16/detail/mapping.h"
#include "protocol/ocpp/v16/generated/codec.h"

namespace cp::ocpp::v16::detail {
namespace {

constexpr std::size_t kMaxId = 36;

std::string describe(const domain::TelemetrySampled& t) {
  std::string s = fmt::format("{} c{} tx{}", t.pile, t.connector, t.transaction ? std::to_string(*t.transaction) : "-");
  for (const auto& m : t.samples) {
    s += fmt::format(" @{}", m.at.time_since_epoch().count());
    for (const auto& v : m.values)
      s += fmt::format(" [{}|{}|{}|{}|{}|{:.17g}|{}]", v.measurand, v.phase, v.unit, v.context, v.location, v.value, v.raw);
  }
  return s;
}

// What the general decoders make of `text`: the id and the event, or nullopt when they refuse it.
std::optional<std::pair<std::string, std::string>> general(const std::string& text) {
  auto message = parse_message(text, {}, kMaxId, false);
  if (!message) return std::nullopt;
  const auto* call = std::get_if<Call>(&message.value());
  if (!call || call->action != "MeterValues") return std::nullopt;
  auto request = decode<MeterValuesRequest>(call->payload);
  if (!request) return std::nullopt;
  auto event = to_domain("CP-1", *request);
  if (!event) return std::nullopt;
  return std::pair{call->id, describe(*event)};
}

std::optional<std::pair<std::string, std::string>> fast(const std::string& text) {
  std::string id;
  domain::TelemetrySampled event;
  if (!decode_meter_values_fast(text, kMaxId, "CP-1", id, event)) return std::nullopt;
  return std::pair{id, describe(event)};
}

std::string frame(const std::string& payload, const std::string& id = "m-1") {
  return R"([2,")" + id + R"(","MeterValues",)" + payload + "]";
}

const std::string kSample =
    R"({"connectorId":1,"transactionId":42,"meterValue":[{"timestamp":"2026-11-22T10:00:00.000Z","sampledValue":[)"
    R"({"value":"1000001","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh","location":"Outlet"},)"
    R"({"value":"15.94","measurand":"Current.Import","unit":"A","phase":"L1"},)"
    R"({"value":"31.2","measurand":"Temperature","unit":"Celsius","location":"Body"},)"
    R"({"value":"n/a"},)"
    R"({"value":"0A1B","format":"SignedData","measurand":"Power.Active.Import","context":"Transaction.End"}]}]})";

TEST(FastMeterValues, AcceptsThePlainFormAndBuildsWhatTheGeneralPathBuilds) {
  for (const std::string& text : std::initializer_list<std::string>{
           frame(kSample), frame(R"({"connectorId":0,"meterValue":[]})"),
        frame(R"({"meterValue":[{"sampledValue":[],"timestamp":"2026-11-22T10:00:00+08:00"}],"connectorId":2})"),
        std::string(" [ 2 , \"id 7\" , \"MeterValues\" , { \"connectorId\" : 3 , \"meterValue\" : [ ] } ] \n"),
        frame(R"({"connectorId":1,"transactionId":-5,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z",)"
              R"("sampledValue":[{"value":"-1e3","unit":"kWh"},{"value":""}]}]})")}) {
    SCOPED_TRACE(text);
    const auto f = fast(text);
    ASSERT_TRUE(f.has_value());
    const auto g = general(text);
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(*f, *g);
  }
}

TEST(FastMeterValues, AppliesTheOcppDefaultsAndKeepsNonNumbersRaw) {
  const auto f = fast(frame(kSample));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->first, "m-1");
  EXPECT_NE(f->second.find("[Energy.Active.Import.Register|||Sample.Periodic||0|n/a]"), std::string::npos) << f->second;
  EXPECT_NE(f->second.find("[Power.Active.Import|||Transaction.End||0|0A1B]"), std::string::npos) << f->second;
  EXPECT_NE(f->second.find("[Current.Import|L1|A|Sample.Periodic||15.94|]"), std::string::npos) << f->second;
}

// Valid frames outside the plain form, and invalid ones: declined here, so the general path
// accepts the first kind and names the error of the second.
TEST(FastMeterValues, DeclinesWhatItDoesNotHandleValidOrNot) {
  const std::string ok_value = R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[{"value":")";
  const std::string end = R"("}]}]})";
  struct Case {
    std::string text;
    bool valid;  // what the general path says
  };
  for (const Case& c : std::initializer_list<Case>{
           {frame(ok_value + R"(a\"b)" + end), true},                 // an escape
           {frame(ok_value + "\xC3\xA9" + end), true},                // non-ASCII
           {frame(ok_value + R"(0123456789abcdef\n)" + end), true},  // an escape past the first 8 bytes
           {frame(ok_value + "0123456789abcdef\xE2\x82\xAC" + end), true},
           {frame(ok_value + "0123456789abcdef\x01" + end), false},  // a control character
           {frame(R"({"connectorId":1.0,"meterValue":[]})"), true},    // an integer with a fraction
           {frame(R"({"connectorId":1,"connectorId":1,"meterValue":[]})"), true},  // repeated key: the tree's call
           {frame(R"({"connectorId":-1,"meterValue":[]})"), false},    // the mapping's connectorId >= 0
           {frame(R"({"connectorId":1})"), false},                     // meterValue is required
           {frame(R"({"meterValue":[]})"), false},                     // connectorId is required
           {frame(R"({"connectorId":1,"meterValue":[],"x":1})"), false},  // not a property
           {frame(R"({"connectorId":"1","meterValue":[]})"), false},   // wrong type
           {frame(R"({"connectorId":1,"meterValue":[{"timestamp":"yesterday","sampledValue":[]}]})"), false},
           {frame(R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z"}]})"), false},
           {frame(ok_value + R"(1","unit":"Parsecs)" + end), false},   // not an enum member
           {frame(R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[{}]}]})"), false},
           {frame(R"({"connectorId":99999999999,"meterValue":[]})"), false},  // beyond an int
           {frame(R"({"connectorId":1,"meterValue":[]})", ""), false},        // empty message id
           {frame(R"({"connectorId":1,"meterValue":[]})", std::string(37, 'x')), false},  // id too long
           {frame(R"({"connectorId":1,"meterValue":[]})") + "x", false},  // trailing bytes
           {R"([2,"m-1","Heartbeat",{}])", true},                     // another action
           {R"([3,"m-1",{}])", true},                                 // not a CALL
       }) {
    SCOPED_TRACE(c.text);
    EXPECT_FALSE(fast(c.text).has_value());
    if (c.text.find("MeterValues") != std::string::npos) {
      EXPECT_EQ(general(c.text).has_value(), c.valid);
    }
  }
}

}  // namespace
}  // namespace cp::ocpp::v16::detail
