// libFuzzer target for the two OCPP-J decoders (docs/ocpp.md, "Two decoders, one answer").
// The input is one WebSocket text message. The streaming decoder (stream_decode.h) is run on
// it for the message type its action names (the first byte picks Request or Response), and
// the tree path (parse_message + decode<T>) on the same text. The fast path may give up on
// anything, but whatever it accepts the tree path must accept too, with the same message id
// and an equal value: anything else, a crash or a sanitizer report is a finding. The MeterValues
// fast path (fast_meter_values.h) is held to the same rule against the tree path plus the
// domain mapping: whatever it decodes, they decode to the same message id and an equal event.
// The learned-shape decoder in front of it (MeterValuesDecoder) is held to the fast path: taught
// a pile-like frame once, whatever it accepts by that shape the fast path accepts alike.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/ocpp/detail/stream_decode.h"
#include "protocol/ocpp/rpc.h"
#include "protocol/ocpp/v16/generated/actions.h"
#include "protocol/ocpp/v16/generated/codec.h"
#include "protocol/ocpp/v16/detail/fast_meter_values.h"
#include "protocol/ocpp/v16/detail/mapping.h"
#include "protocol/ocpp/v16/generated/stream.h"

namespace {

using namespace cp::ocpp;
using namespace cp::ocpp::v16;

void check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void compare(std::string_view text, bool utf8_checked) {
  struct Into final : stream::TargetSelector {
    T value{};
    stream::Target select(std::string_view action) override {
      if (action != to_string(T::kAction)) return {};
      return {&stream_spec<T>(), &value};
    }
  } into;
  std::string id;
  const bool fast = stream::decode_call(text, stream::CallFrameOptions{kMaxMessageIdLength, utf8_checked}, into, id);
  if (!fast) return;
  auto tree = parse_message(text, {}, kMaxMessageIdLength, utf8_checked);
  check(tree.ok());
  const auto* call = std::get_if<Call>(&tree.value());
  check(call != nullptr);
  check(call->id == id);
  check(call->action == to_string(T::kAction));
  auto decoded = decode<T>(call->payload);
  check(decoded.ok());
  check(boost::json::serialize(to_json(*decoded)) == boost::json::serialize(to_json(into.value)));
}

bool same(const cp::domain::SampledValue& a, const cp::domain::SampledValue& b) {
  const bool same_value = a.value == b.value || (a.value != a.value && b.value != b.value);
  return a.measurand == b.measurand && a.phase == b.phase && a.unit == b.unit && a.context == b.context &&
         a.location == b.location && same_value && a.raw == b.raw;
}

void check_same(const cp::domain::TelemetrySampled& a, const cp::domain::TelemetrySampled& b) {
  check(a.pile == b.pile && a.connector == b.connector && a.transaction == b.transaction);
  check(a.samples.size() == b.samples.size());
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    check(a.samples[i].at == b.samples[i].at && a.samples[i].values.size() == b.samples[i].values.size());
    for (std::size_t j = 0; j < a.samples[i].values.size(); ++j) check(same(a.samples[i].values[j], b.samples[i].values[j]));
  }
}

// The frame the shape decoder is taught: bench/loadgen.js's MeterValues, with a transaction.
constexpr std::string_view kShapeFrame =
    R"([2,"1","MeterValues",{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-11-22T10:00:00.000Z",)"
    R"("sampledValue":[{"value":"1000000","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register",)"
    R"("unit":"Wh","location":"Outlet"},{"value":"15.94","context":"Sample.Periodic","measurand":"Current.Import",)"
    R"("unit":"A","location":"Outlet","phase":"L1"},{"value":"0A1B","format":"SignedData"}]}]}])";

void compare_meter_values_shape(std::string_view text) {
  static detail::MeterValuesDecoder decoder = [] {
    detail::MeterValuesDecoder d(kMaxMessageIdLength);
    std::string id;
    cp::domain::TelemetrySampled event;
    check(d.decode(kShapeFrame, "CP-1", id, event) && d.shape() != nullptr);
    return d;
  }();
  std::string shape_id, fast_id;
  cp::domain::TelemetrySampled shaped, fast;
  if (!decoder.decode_by_shape(text, "CP-1", shape_id, shaped)) return;
  check(detail::decode_meter_values_fast(text, kMaxMessageIdLength, "CP-1", fast_id, fast));
  check(shape_id == fast_id);
  check_same(shaped, fast);
}

void compare_meter_values_fast(std::string_view text) {
  std::string id;
  cp::domain::TelemetrySampled fast;
  if (!detail::decode_meter_values_fast(text, kMaxMessageIdLength, "CP-1", id, fast)) return;
  auto tree = parse_message(text, {}, kMaxMessageIdLength, false);
  check(tree.ok());
  const auto* call = std::get_if<Call>(&tree.value());
  check(call != nullptr && call->id == id && call->action == "MeterValues");
  auto decoded = decode<MeterValuesRequest>(call->payload);
  check(decoded.ok());
  auto event = detail::to_domain("CP-1", *decoded);
  check(event.ok());
  check_same(*event, fast);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool response = data[0] & 1;
  const bool utf8_checked = data[0] & 2;  // both decoders then skip their UTF-8 check alike
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  // The action named in the frame, if the tree parser can read one; otherwise try one type.
  std::optional<Action> action;
  if (auto parsed = parse_message(text, {}, kMaxMessageIdLength, utf8_checked); parsed.ok())
    if (const auto* call = std::get_if<Call>(&parsed.value())) action = action_from_string(call->action);
  const Action a = action.value_or(Action::MeterValues);
#define CP_FUZZ_COMPARE(A)                              \
  if (a == Action::A) {                                 \
    if (response) compare<A##Response>(text, utf8_checked); \
    else compare<A##Request>(text, utf8_checked);           \
  }
  CP_OCPP16_FOR_EACH_ACTION(CP_FUZZ_COMPARE)
#undef CP_FUZZ_COMPARE
  if (!response) {
    compare_meter_values_fast(text);
    compare_meter_values_shape(text);
  }
  return 0;
}
