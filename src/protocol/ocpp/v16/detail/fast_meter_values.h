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
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "domain/events.h"

namespace cp::ocpp::v16::detail {

// `text` is one whole WebSocket message. On true, `id` is the CALL's message id and `out` the
// event for `pile`; on false both are unspecified.
bool decode_meter_values_fast(std::string_view text, std::size_t max_id_length, const domain::PileId& pile,
                              std::string& id, domain::TelemetrySampled& out);

// A pile sends the same MeterValues every interval: the same keys in the same order, the same
// measurands, units, phases, contexts and locations, the same whitespace. Only the message id,
// the integers, the timestamps and the values change. A frame's *shape* is its text with those
// places cut out. A connection's MeterValuesDecoder holds the shape of the last frame
// decode_meter_values_fast accepted, and decodes the next frame by comparing the literal text
// and reading only the places, each checked as decode_meter_values_fast checks it there. Since
// the rest of the text is byte for byte text that decoder accepted, and each place can only end
// where it ended before (a plain string at its closing quote, an integer at its last digit),
// what it accepts decode_meter_values_fast accepts, with the same result (tests/unit/protocol/
// ocpp/fast_meter_values_test.cpp and the fuzz target hold it to that). Anything else goes to
// decode_meter_values_fast, and a frame that decoder accepts gives the new shape.
// Piles of one model and configuration send one shape: with a MeterValuesShapes shared by the
// connections, they share one copy of it (immutable; any thread may read it).

// A place cut out of the literal text, in frame order.
struct ShapeSlot {
  enum class Kind : std::uint8_t { Id, Connector, Transaction, Timestamp, Value, SignedValue };
  Kind kind;
  std::uint16_t sample = 0;           // Timestamp, Value, SignedValue: index into samples
  std::uint16_t value = 0;            // Value, SignedValue: index into the sample's values
  std::uint32_t begin = 0, end = 0;   // while learning: the place in the frame
  std::uint32_t literal_end = 0;      // in a shape: literal bytes that come before this place
};

struct MeterValuesShape {
  std::string literal;               // the frame's text, places cut out
  std::vector<ShapeSlot> slots;      // never empty (the message id is a place)
  domain::TelemetrySampled event;    // the frame's event; the places are written over per frame
};

// The shapes connections hold, one copy each: piles of one model share it. A shape lives while
// a connection holds it. Thread-safe; only learning a shape takes the lock. With counters, it
// counts the MeterValues read by a shape and those read in one pass (the gateway exports them
// as chargeplane_ocpp_meter_values_decoded_total{path="shape"|"one_pass"}): a fleet whose
// frames keep missing their shape shows as a high one_pass share.
class MeterValuesShapes {
 public:
  MeterValuesShapes(Counter* by_shape = nullptr, Counter* one_pass = nullptr)
      : by_shape_(by_shape), one_pass_(one_pass) {}
  std::shared_ptr<const MeterValuesShape> intern(MeterValuesShape shape);
  std::size_t size() const;  // shapes held by a connection or not yet swept
  void count(bool by_shape) const {
    if (Counter* c = by_shape ? by_shape_ : one_pass_) c->inc();
  }

 private:
  Counter* by_shape_;
  Counter* one_pass_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<const MeterValuesShape>> shapes_;  // key: literal + slots
  std::size_t sweep_at_ = 64;  // expired entries are dropped when the table reaches this size
};

// One per connection; not thread-safe. `shapes` may be null: the decoder then keeps its own.
class MeterValuesDecoder {
 public:
  static constexpr std::size_t kMaxShapeBytes = 4096;  // larger frames are decoded, not learnt

  MeterValuesDecoder(std::size_t max_id_length, std::shared_ptr<MeterValuesShapes> shapes = nullptr)
      : max_id_length_(max_id_length), shapes_(std::move(shapes)) {}

  // decode_meter_values_fast's contract; tries the shape first.
  bool decode(std::string_view text, const domain::PileId& pile, std::string& id, domain::TelemetrySampled& out);
  // The shape alone (false when there is none, or the frame is not of it; `id` and `out` are
  // then unspecified).
  bool decode_by_shape(std::string_view text, const domain::PileId& pile, std::string& id,
                       domain::TelemetrySampled& out) const;
  const MeterValuesShape* shape() const { return shape_.get(); }

 private:
  std::size_t max_id_length_;
  std::shared_ptr<MeterValuesShapes> shapes_;
  std::shared_ptr<const MeterValuesShape> shape_;
};

}  // namespace cp::ocpp::v16::detail
