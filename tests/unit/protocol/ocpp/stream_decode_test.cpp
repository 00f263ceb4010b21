// The streaming CALL decoder at the frame level: what it takes, and every frame it leaves to
// the tree path. Agreement with the tree decoder on every schema's payloads is in
// schema_conformance_test.cpp.
#include "protocol/ocpp/detail/stream_decode.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/ocpp/detail/schema_checks.h"
#include "protocol/ocpp/v16/generated/messages.h"
#include "protocol/ocpp/v16/generated/stream.h"

namespace cp::ocpp::stream {
namespace {

using v16::DataTransferRequest;
using v16::MeterValuesRequest;

// Takes one action into a T; any other action is not selected.
template <class T>
struct Into final : TargetSelector {
  explicit Into(std::string a, const ObjectSpec& s = v16::stream_spec<T>()) : action(std::move(a)), spec(s) {}
  Target select(std::string_view name) override {
    ++selected;
    if (name != action) return {};
    return {&spec, &value};
  }
  std::string action;
  const ObjectSpec& spec;
  T value{};
  int selected = 0;
};

bool decode(std::string_view text, TargetSelector& into, std::string& id, CallFrameOptions options = {}) {
  return decode_call(text, options, into, id);
}

constexpr const char* kMeterValues =
    R"([2,"19223201","MeterValues",{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2024-05-01T10:00:00Z",)"
    R"("sampledValue":[{"value":"1234.5","measurand":"Energy.Active.Import.Register","unit":"Wh"},)"
    R"({"value":"16.1","measurand":"Current.Import","phase":"L1","unit":"A"}]}]}])";

TEST(StreamDecode, DecodesACallIntoTheSelectedRequest) {
  Into<MeterValuesRequest> into("MeterValues");
  std::string id;
  ASSERT_TRUE(decode(kMeterValues, into, id));
  EXPECT_EQ(id, "19223201");
  const auto& m = into.value;
  EXPECT_EQ(m.connector_id, 1);
  EXPECT_EQ(m.transaction_id, 7);
  ASSERT_EQ(m.meter_value.size(), 1u);
  ASSERT_EQ(m.meter_value[0].sampled_value.size(), 2u);
  EXPECT_EQ(m.meter_value[0].timestamp, *parse_rfc3339("2024-05-01T10:00:00Z"));
  const auto& current = m.meter_value[0].sampled_value[1];
  EXPECT_EQ(current.value, "16.1");
  EXPECT_EQ(current.measurand, v16::Measurand::Current_Import);
  EXPECT_EQ(current.phase, v16::Phase::L1);
  EXPECT_EQ(current.unit, v16::UnitOfMeasure::A);
  EXPECT_FALSE(current.context);
}

TEST(StreamDecode, LeavesEveryOtherFrameShapeToTheTreePath) {
  const char* frames[] = {
      R"([3,"1",{}])",                                    // CALLRESULT
      R"([4,"1","GenericError","",{}])",                  // CALLERROR
      R"([2,"1","DataTransfer"])",                        // too few elements
      R"([2,"1","DataTransfer",{"vendorId":"v"},1])",     // too many
      R"(["2","1","DataTransfer",{"vendorId":"v"}])",     // MessageTypeId not an integer
      R"([2.0,"1","DataTransfer",{"vendorId":"v"}])",     // ... nor written as one
      R"([2,1,"DataTransfer",{"vendorId":"v"}])",         // id not a string
      R"([2,"","DataTransfer",{"vendorId":"v"}])",        // id empty
      R"([2,"1","",{"vendorId":"v"}])",                   // action empty
      R"([2,"1",7,{"vendorId":"v"}])",                    // action not a string
      R"([2,"1","DataTransfer",[]])",                     // payload not an object
      R"([2,"1","DataTransfer",{"vendorId":"v"}] x)",     // trailing data
      R"([2,"1","DataTransfer",{"vendorId":"v"}][])",     // a second document
      R"([2,"1","DataTransfer",{"vendorId":"v"})",        // truncated
      R"([2,"1","DataTransfer",{"vendorId":"v",}])",      // trailing comma
      R"([2,"1","DataTransfer",/*c*/{"vendorId":"v"}])",  // comment
      R"({"2":"1"})",                                     // not an array
      R"("text")",
      "",
  };
  for (const char* f : frames) {
    Into<DataTransferRequest> into("DataTransfer");
    std::string id;
    EXPECT_FALSE(decode(f, into, id)) << f;
  }
  Into<DataTransferRequest> into("DataTransfer");
  std::string id;
  EXPECT_TRUE(decode(R"( [ 2 , "1" , "DataTransfer" , { "vendorId" : "v" } ] )", into, id));
}

TEST(StreamDecode, LeavesActionsTheSelectorDoesNotTakeToTheTreePath) {
  Into<DataTransferRequest> into("DataTransfer");
  std::string id;
  EXPECT_FALSE(decode(R"([2,"1","Heartbeat",{}])", into, id));
  EXPECT_EQ(into.selected, 1);
}

TEST(StreamDecode, TakesMessageIdsUpToTheConfiguredLength) {
  const std::string id36(36, 'i');
  for (const auto& [id_in, ok] : {std::pair{id36, true}, std::pair{id36 + "i", false}}) {
    Into<DataTransferRequest> into("DataTransfer");
    std::string id;
    EXPECT_EQ(decode(R"([2,")" + id_in + R"(","DataTransfer",{"vendorId":"v"}])", into, id), ok) << id_in.size();
  }
  Into<DataTransferRequest> into("DataTransfer");
  std::string id;
  EXPECT_FALSE(decode(R"([2,"abcd","DataTransfer",{"vendorId":"v"}])", into, id, CallFrameOptions{3, false}));
}

TEST(StreamDecode, ChecksUtf8UnlessTheTransportHasAlready) {
  const std::string frame = "[2,\"1\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\"\xC3\x28\"}]";
  Into<DataTransferRequest> unchecked("DataTransfer");
  std::string id;
  EXPECT_FALSE(decode(frame, unchecked, id, CallFrameOptions{36, false}));
  Into<DataTransferRequest> checked("DataTransfer");
  EXPECT_TRUE(decode(frame, checked, id, CallFrameOptions{36, true}));  // as parse_message does
}

TEST(StreamDecode, JoinsStringsTheParserDeliversInPieces) {
  // Escaped text longer than the parser's buffer arrives in several on_string_part calls.
  std::string escaped, plain;
  for (int i = 0; i < 20000; ++i) escaped += "\\u00e9", plain += "\xC3\xA9";
  Into<DataTransferRequest> into("DataTransfer");
  std::string id;
  ASSERT_TRUE(decode(R"([2,"1","DataTransfer",{"vendorId":"v","data":")" + escaped + R"("}])", into, id));
  EXPECT_EQ(into.value.data, plain);
  EXPECT_EQ(into.value.vendor_id, "v");
}

// An object that allows undeclared properties (no OCPP 1.6 schema does; the decoder must
// still skip their values whole).
struct Named {
  std::string name;
};
constexpr ValueSpec kName{.kind = Kind::String, .max_length = 8};
const FieldSpec kNamedFields[] = {{"name", &kName, [](void* o) -> void* { return &static_cast<Named*>(o)->name; }}};
const ObjectSpec kOpenNamed{kNamedFields, 1, 0x1, false};

TEST(StreamDecode, SkipsUndeclaredPropertiesOfAnOpenObjectWhole) {
  Into<Named> into("Named", kOpenNamed);
  std::string id;
  ASSERT_TRUE(
      decode(R"([2,"1","Named",{"x":{"a":[1,{"name":5}],"c":"d"},"name":"v","y":[[]],"x":null,"z":true}])", into, id));
  EXPECT_EQ(into.value.name, "v");
  Into<Named> missing("Named", kOpenNamed);
  EXPECT_FALSE(decode(R"([2,"1","Named",{"x":{"name":"v"}}])", missing,
                      id));  // only nested: still missing
  Into<Named> repeated("Named", kOpenNamed);
  EXPECT_FALSE(decode(R"([2,"1","Named",{"name":"v","name":"w"}])", repeated, id));
}

TEST(StreamDecode, LeavesDocumentsDeeperThanTheParserAllowsToTheTreePath) {
  std::string deep = R"([2,"1","Named",{"x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += R"(,"name":"v"}])";
  Into<Named> into("Named", kOpenNamed);
  std::string id;
  EXPECT_FALSE(decode(deep, into, id));
}

// The word comparison behind every property and enum lookup: each length class (byte loop,
// 4-byte, 8-byte and memcmp), and a difference at each position of the word.
TEST(StreamDecode, ComparesWordsOfEveryLengthAtEveryPosition) {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'a');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(schema::same_text(a, std::string(a))) << n;
    EXPECT_FALSE(schema::same_text(a, a + "x")) << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = '#';
      EXPECT_FALSE(schema::same_text(a, b)) << n << " differs at " << i;
    }
  }
}

}  // namespace
}  // namespace cp::ocpp::stream
