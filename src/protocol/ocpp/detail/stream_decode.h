#pragma once
// The streaming decoder of OCPP-J CALL frames: `[2, "<id>", "<Action>", {payload}]` goes
// through Boost.JSON's event parser straight into the typed request, with no JSON tree in
// between. It is a fast path and nothing more:
//   - it accepts a frame only when the tree path (parse_message + the generated decode<T>)
//     would accept it and build the same value;
//   - on anything else it gives up and returns false: a schema violation, an unknown or
//     repeated property, an integer written as 5.0, a frame that is not a CALL, an action
//     the caller does not take this way, malformed JSON. The caller then runs the tree
//     path, which reports the exact OCPP-J error.
// The descriptions of the types (`ObjectSpec`) are generated with the messages by
// tools/gen_ocpp.py. Internal to protocol/ocpp; pure, any thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cp::ocpp::stream {

enum class Kind : unsigned char { String, Uri, DateTime, Integer, Number, Boolean, Enum, Object, Array };

struct ObjectSpec;

// One schema'd value. A `place` is an object of the value's C++ type: std::string (String,
// Uri), cp::Timestamp (DateTime), std::int64_t (Integer), double (Number), bool (Boolean),
// the enum, the struct (Object) or the std::vector (Array).
struct ValueSpec {
  enum Bound : unsigned char { kMinimum = 1, kMaximum = 2, kMultipleOf = 4 };

  Kind kind = Kind::String;
  std::uint32_t max_length = 0;  // String, Uri: in code points, 0 = unbounded
  unsigned char bounds = 0;      // Integer, Number: which of the three below apply
  double minimum = 0;
  double maximum = 0;
  double multiple_of = 0;
  std::uint32_t min_items = 0;         // Array
  const ValueSpec* item = nullptr;     // Array
  const ObjectSpec* object = nullptr;  // Object
  bool (*put_enum)(void* place, std::string_view) = nullptr;  // Enum: false when not a member
  void* (*append)(void* vector) = nullptr;                     // Array: adds an item, returns its place
};

struct FieldSpec {
  std::string_view name;
  const ValueSpec* value = nullptr;
  void* (*place)(void* owner) = nullptr;  // the member's place; engages an optional member
};

struct ObjectSpec {
  const FieldSpec* fields = nullptr;
  std::size_t count = 0;       // at most 64
  std::uint64_t required = 0;  // bit i set: fields[i] is required
  bool closed = true;          // additionalProperties: false
};

// Where the payload of a CALL goes, chosen by its action name.
struct Target {
  const ObjectSpec* spec = nullptr;  // nullptr: not taken this way
  void* place = nullptr;             // a default-constructed object of the request type
};

class TargetSelector {
 public:
  virtual Target select(std::string_view action) = 0;

 protected:
  ~TargetSelector() = default;
};

struct CallFrameOptions {
  std::size_t max_id_length = 36;  // OCPP-J 1.6 §4.1.3
  bool utf8_checked = false;       // the transport has already refused invalid UTF-8
};

// Decodes `text` when it is a CALL whose action `selector` takes and whose payload satisfies
// the schema; fills `id` and the selected target. False otherwise: the target may then be
// partly filled and is to be discarded.
bool decode_call(std::string_view text, const CallFrameOptions& options, TargetSelector& selector, std::string& id);

}  // namespace cp::ocpp::stream
