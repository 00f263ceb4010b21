#pragma once
// The MeterValues CALL, the one message a fleet sends all day, decoded straight into the domain
// event in one pass, when it is in the plain form piles send: strings without escapes, control
// or non-ASCII bytes, integers without fraction or exponent, no repeated key. It checks what
// the schema asks (types, required properties, no others, enum members, date-time) and what
// the mapping asks (connectorId a non-negative int), and builds the same TelemetrySampled as
// decode<MeterValuesRequest> + to_domain. Anything else, valid or not, returns false and is
// left to the general decoders, which also name every error; so this can only decline, never
// refuse. tests/fuzz/ocpp_call_fuzz.cpp checks that what it accepts, the tree path accepts
// with the same id and an equal event. Pure; internal to protocol/ocpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"

namespace cp::ocpp::v16::detail {

// `text` is one whole WebSocket message. On true, `id` is the CALL's message id and `out` the
// event for `pile`; on false both are unspecified.
bool decode_meter_values_fast(std::string_view text, std::size_t max_id_length, const domain::PileId& pile,
                              std::string& id, domain::TelemetrySampled& out);

// A pile sends the same MeterValues every interval: the same keys in the same order, the same
// measurands, units, phases, contexts and locations, the same whitespace. Only the message id,
// the integers, the timestamps and the values change. One connection's decoder remembers the
// last frame decode_meter_values_fast accepted as literal text with those places cut out (its
// shape), and decodes the next frame by comparing the literal text and reading only the cut-out
// places, each checked as decode_meter_values_fast checks it there. Since the rest of the text is
// byte for byte the text that decoder accepted, and each cut-out place can only end where it
// ended before (a plain string at its closing quote, an integer at its last digit), what it
// accepts decode_meter_values_fast accepts, with the same result (tests/unit/protocol/ocpp/
// fast_meter_values_test.cpp and the fuzz target hold it to that). Anything else goes to
// decode_meter_values_fast, and a frame that decoder accepts becomes the new shape.
// Frames above kMaxShapeBytes are decoded but not remembered, which bounds the memory a busy
// connection keeps (about twice the frame). One per connection; not thread-safe.
class MeterValuesDecoder {
 public:
  static constexpr std::size_t kMaxShapeBytes = 4096;

  explicit MeterValuesDecoder(std::size_t max_id_length) : max_id_length_(max_id_length) {}

  // decode_meter_values_fast's contract; tries the shape first.
  bool decode(std::string_view text, const domain::PileId& pile, std::string& id, domain::TelemetrySampled& out);
  // The shape alone (false when there is none, or the frame is not of it).
  bool decode_by_shape(std::string_view text, const domain::PileId& pile, std::string& id,
                       domain::TelemetrySampled& out);
  bool has_shape() const { return !slots_.empty(); }

  // A place cut out of the literal text, in frame order.
  struct Slot {
    enum class Kind : std::uint8_t { Id, Connector, Transaction, Timestamp, Value, SignedValue };
    Kind kind;
    std::uint16_t sample = 0;      // Timestamp, Value, SignedValue: index into samples
    std::uint16_t value = 0;       // Value, SignedValue: index into the sample's values
    std::uint32_t begin = 0, end = 0;  // while learning: the place in the frame
    std::uint32_t literal_end = 0;     // once learned: literal_ bytes that come before this place
  };

 private:
  void learn(std::string_view text, std::vector<Slot>& slots, const domain::TelemetrySampled& event);

  std::size_t max_id_length_;
  std::string literal_;                // the shape's text, places cut out
  std::vector<Slot> slots_;            // empty: no shape yet
  domain::TelemetrySampled event_;     // the shape's event; places are overwritten per frame
  // Scratch, reused across frames.
  struct Place {
    std::string_view text;  // Id, Timestamp, Value, SignedValue
    std::int64_t number = 0;  // Connector, Transaction
    Timestamp at{};           // Timestamp
  };
  std::vector<Slot> learning_;
  std::vector<Place> places_;
};

}  // namespace cp::ocpp::v16::detail
