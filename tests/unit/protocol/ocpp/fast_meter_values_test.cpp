// The MeterValues fast path against the general decoders: on every frame it accepts, the tree
// path (parse_message + decode + to_domain) must accept it too and build the same event; it
// declines whatever is not in its plain form, valid or not.
#include "protocol/ocpp/v16/detail/fast_meter_values.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <random>
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

// ---- MeterValuesDecoder: the learned shape of a pile's frames

namespace cp::ocpp::v16::detail {
namespace {

// The decoder, taught `first`; then what it makes of `next` by the shape alone (nullopt: not of
// the shape), checked against decode_meter_values_fast on the same frame.
std::optional<std::pair<std::string, std::string>> by_shape(const std::string& first, const std::string& next) {
  MeterValuesDecoder decoder(kMaxId);
  std::string id;
  domain::TelemetrySampled event;
  EXPECT_TRUE(decoder.decode(first, "CP-1", id, event)) << first;
  EXPECT_NE(decoder.shape(), nullptr);
  domain::TelemetrySampled shaped;
  if (!decoder.decode_by_shape(next, "CP-1", id, shaped)) return std::nullopt;
  const auto f = fast(next);
  EXPECT_TRUE(f.has_value()) << "the shape accepted what the fast path declines: " << next;
  const auto s = std::pair{id, describe(shaped)};
  if (f) {
    EXPECT_EQ(s, *f) << next;
  }
  return s;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(MeterValuesDecoder, ReadsTheNextFrameOfTheSameShapeAsTheFastPathWould) {
  const std::string first = frame(kSample, "m-1");
  std::string next = frame(kSample, "a-much-longer-message-id-0000000001");
  next = replace(next, R"("connectorId":1)", R"("connectorId":2147483647)");
  next = replace(next, R"("transactionId":42)", R"("transactionId":-9007199254740993)");
  next = replace(next, "2026-11-22T10:00:00.000Z", "2026-11-22T10:00:15+08:00");
  next = replace(next, R"("value":"1000001")", R"("value":"")");
  next = replace(next, R"("value":"15.94")", R"("value":"not a number")");
  next = replace(next, R"("value":"n/a")", R"("value":"-1.5e3")");  // was raw, now a number
  next = replace(next, R"("value":"0A1B")", R"("value":"12")");     // SignedData stays raw
  const auto s = by_shape(first, next);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->first, "a-much-longer-message-id-0000000001");
  EXPECT_NE(s->second.find("CP-1 c2147483647 tx-9007199254740993"), std::string::npos) << s->second;
  EXPECT_NE(s->second.find("[Energy.Active.Import.Register||Wh|Sample.Periodic|Outlet|0|]"), std::string::npos) << s->second;
  EXPECT_NE(s->second.find("[Current.Import|L1|A|Sample.Periodic||0|not a number]"), std::string::npos) << s->second;
  EXPECT_NE(s->second.find("[Energy.Active.Import.Register|||Sample.Periodic||-1500|]"), std::string::npos) << s->second;
  EXPECT_NE(s->second.find("[Power.Active.Import|||Transaction.End||0|12]"), std::string::npos) << s->second;
}

// Each place is checked as the fast path checks it, and everything else must be the same text.
TEST(MeterValuesDecoder, LeavesToTheFastPathWhatIsNotOfTheShape) {
  const std::string first = frame(kSample);
  for (const std::string& next : std::initializer_list<std::string>{
           frame(kSample, ""), frame(kSample, std::string(kMaxId + 1, 'x')),
           replace(frame(kSample), R"("connectorId":1)", R"("connectorId":-1)"),
           replace(frame(kSample), R"("connectorId":1)", R"("connectorId":2147483648)"),
           replace(frame(kSample), R"("connectorId":1)", R"("connectorId":01)"),
           replace(frame(kSample), R"("connectorId":1)", R"("connectorId":1.5)"),
           replace(frame(kSample), R"("connectorId":1)", R"("connectorId":1e2)"),
           replace(frame(kSample), R"("transactionId":42)", R"("transactionId":-0)"),
           replace(frame(kSample), R"("transactionId":42)", R"("transactionId":99999999999999999999)"),
           replace(frame(kSample), R"("transactionId":42)", R"("transactionId":"42")"),
           replace(frame(kSample), "2026-11-22T10:00:00.000Z", "yesterday"),
           replace(frame(kSample), R"("value":"15.94")", R"("value":"15\"94")"),
           replace(frame(kSample), R"("value":"15.94")", "\"value\":\"15\xC3\xA9\""),
           replace(frame(kSample), R"("value":"15.94")", R"("value":15.94)"),
           replace(frame(kSample), R"("unit":"A")", R"("unit":"V")"),            // another shape, valid
           replace(frame(kSample), R"("unit":"A")", R"("unit":"Parsecs")"),      // not a member
           replace(frame(kSample), R"("connectorId":1,)", R"("connectorId":1, )"),  // whitespace is literal
           frame(kSample) + " ", frame(kSample) + "x", frame(kSample).substr(0, 200),
           replace(frame(kSample), R"({"value":"n/a"},)", ""),                    // a value fewer
           replace(frame(kSample), "MeterValues", "Heartbeat"),
       }) {
    SCOPED_TRACE(next);
    EXPECT_FALSE(by_shape(first, next).has_value());
    // decode() then answers exactly as the fast path does.
    MeterValuesDecoder decoder(kMaxId);
    std::string id;
    domain::TelemetrySampled event;
    ASSERT_TRUE(decoder.decode(first, "CP-1", id, event));
    const auto f = fast(next);
    EXPECT_EQ(decoder.decode(next, "CP-1", id, event), f.has_value());
    if (f) {
      EXPECT_EQ(std::pair(id, describe(event)), *f);
    }
  }
}

TEST(MeterValuesDecoder, LearnsTheNewShapeWhenAPileChangesWhatItSends) {
  MeterValuesDecoder decoder(kMaxId);
  std::string id;
  domain::TelemetrySampled event;
  const std::string other = frame(R"({"connectorId":2,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z",)"
                                  R"("sampledValue":[{"value":"7","measurand":"SoC","unit":"Percent"}]}]})");
  ASSERT_TRUE(decoder.decode(frame(kSample), "CP-1", id, event));
  EXPECT_FALSE(decoder.decode_by_shape(other, "CP-1", id, event));
  ASSERT_TRUE(decoder.decode(other, "CP-1", id, event));  // by the fast path, and learnt
  EXPECT_TRUE(decoder.decode_by_shape(replace(other, R"("value":"7")", R"("value":"8")"), "CP-1", id, event));
  ASSERT_EQ(event.samples.size(), 1u);
  ASSERT_EQ(event.samples[0].values.size(), 1u);
  EXPECT_EQ(event.samples[0].values[0].value, 8);
  EXPECT_FALSE(decoder.decode_by_shape(frame(kSample), "CP-1", id, event));
}

TEST(MeterValuesDecoder, DecodesButDoesNotRememberFramesAboveTheBound) {
  std::string values;
  for (int i = 0; values.size() < MeterValuesDecoder::kMaxShapeBytes; ++i)
    values += (i ? "," : "") + fmt::format(R"({{"value":"{}","unit":"Wh"}})", i);
  const std::string big = frame(R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[)" +
                                values + "]}]}");
  MeterValuesDecoder decoder(kMaxId);
  std::string id;
  domain::TelemetrySampled event;
  ASSERT_TRUE(decoder.decode(big, "CP-1", id, event));
  EXPECT_EQ(decoder.shape(), nullptr);
  EXPECT_EQ(std::pair(id, describe(event)), *fast(big));
}

// Piles of one model send one shape: connections sharing a MeterValuesShapes hold one copy,
// and a shape no connection holds any more is dropped.
TEST(MeterValuesDecoder, ConnectionsShareOneCopyOfAShape) {
  auto shapes = std::make_shared<MeterValuesShapes>();
  std::string id;
  domain::TelemetrySampled event;
  auto a = std::make_unique<MeterValuesDecoder>(kMaxId, shapes);
  auto b = std::make_unique<MeterValuesDecoder>(kMaxId, shapes);
  ASSERT_TRUE(a->decode(frame(kSample, "a-1"), "CP-A", id, event));
  ASSERT_TRUE(b->decode(frame(kSample, "b-1"), "CP-B", id, event));
  EXPECT_EQ(a->shape(), b->shape());
  EXPECT_EQ(shapes->size(), 1u);
  // Each still decodes as its own pile.
  ASSERT_TRUE(b->decode_by_shape(frame(kSample, "b-2"), "CP-B", id, event));
  EXPECT_EQ(event.pile, "CP-B");
  EXPECT_EQ(id, "b-2");
  // Another shape is another entry; shapes nobody holds are swept as the table grows.
  const std::string other = replace(frame(kSample), R"("unit":"A")", R"("unit":"V")");
  ASSERT_TRUE(b->decode(other, "CP-B", id, event));
  EXPECT_NE(a->shape(), b->shape());
  EXPECT_EQ(shapes->size(), 2u);
  a.reset();
  b.reset();
  for (int i = 0; i < 80; ++i) {
    MeterValuesDecoder c(kMaxId, shapes);
    ASSERT_TRUE(c.decode(frame(R"({"connectorId":)" + std::to_string(i) + R"(,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z",)"
                               R"("sampledValue":[{"value":"1","unit":"Wh"}]}],"transactionId":1})" + std::string(i, ' ')),
                         "CP-C", id, event));
  }
  EXPECT_LT(shapes->size(), 64u);
}

TEST(MeterValuesDecoder, CountsWhichPathDecodedEachFrame) {
  Counter by_shape, one_pass;
  auto shapes = std::make_shared<MeterValuesShapes>(&by_shape, &one_pass);
  const auto decoded = [&](const std::string& path) { return (path == "shape" ? by_shape : one_pass).value(); };
  MeterValuesDecoder decoder(kMaxId, shapes);
  std::string id;
  domain::TelemetrySampled event;
  ASSERT_TRUE(decoder.decode(frame(kSample, "a"), "CP-1", id, event));
  ASSERT_TRUE(decoder.decode(frame(kSample, "b"), "CP-1", id, event));
  ASSERT_TRUE(decoder.decode(frame(kSample, "c"), "CP-1", id, event));
  EXPECT_FALSE(decoder.decode(frame(kSample, ""), "CP-1", id, event));  // counted by neither
  EXPECT_EQ(decoded("one_pass"), 1u);
  EXPECT_EQ(decoded("shape"), 2u);
}

// Byte mutations of a learned frame: whatever the shape accepts, the fast path accepts with the
// same result (by_shape checks it); and most frames that only change places are accepted.
TEST(MeterValuesDecoder, NeverAcceptsWhatTheFastPathWouldNotOnMutatedFrames) {
  const std::string first = frame(kSample);
  std::mt19937 random(20261207);
  const std::string alphabet = "0123456789-.eE\"\\ ,:{}[]aZ\x01\xC3";
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string next = first;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % next.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: next[at] = c; break;
        case 1: next.insert(next.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: next.erase(at, 1);
      }
    }
    if (by_shape(first, next)) ++accepted;
  }
  EXPECT_GT(accepted, 30);  // the property was exercised, not only declines (67 with this seed)
}

}  // namespace
}  // namespace cp::ocpp::v16::detail
