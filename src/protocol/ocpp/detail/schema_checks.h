#pragma once
// Building blocks of the generated OCPP decoders (tools/gen_ocpp.py): each check reads one
// JSON value against one schema keyword and either fills the target or records the first
// violation in `err` and returns false. The JSON-pointer path is a chain of stack frames
// (`PathNode`) that is turned into a string only when a violation is reported, so the happy
// path allocates nothing for it. Code mapping (OCPP-J 1.6 §4.2.3, see docs/ocpp.md):
//   wrong JSON type, fractional "integer"            -> TypeConstraintViolation
//   enum, maxLength, minimum/maximum, multipleOf,
//   date-time/uri format, integer outside int64      -> PropertyConstraintViolation
//   missing required property, too few array items   -> OccurenceConstraintViolation
//   unknown property, payload not an object          -> FormationViolation
// Internal to protocol/ocpp; not a public header.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "protocol/ocpp/errors.h"

namespace cp::ocpp::schema {

struct PathNode {
  const PathNode* parent = nullptr;
  std::string_view key;  // member name; unused when `is_index`
  std::size_t index = 0;
  bool is_index = false;

  PathNode() = default;
  PathNode(const PathNode& p, std::string_view k) : parent(&p), key(k) {}
  PathNode(const PathNode& p, std::size_t i) : parent(&p), index(i), is_index(true) {}
};

// The predicates behind the checks below, shared with the streaming decoder (stream_decode.h)
// so both accept exactly the same values.
// max_length: 0 = unbounded; counted in Unicode code points as JSON Schema specifies.
bool within_max_length(std::string_view s, std::size_t max_length);
bool is_uri(std::string_view s);  // RFC 3986 §3.1 scheme, then no space or control character
bool is_multiple_of(double value, double factor);

// Equality of two strings the decoders compare on every property and enum value: property
// names and enum spellings are short, and a call to memcmp costs more than the comparison
// itself. Words of up to 16 bytes are compared as two overlapping 8- or 4-byte loads.
inline bool same_text(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8 && n <= 16) {
    std::uint64_t x[2], y[2];
    std::memcpy(&x[0], p, 8), std::memcpy(&x[1], p + n - 8, 8);
    std::memcpy(&y[0], q, 8), std::memcpy(&y[1], q + n - 8, 8);
    return x[0] == y[0] && x[1] == y[1];
  }
  if (n >= 4 && n < 8) {
    std::uint32_t x[2], y[2];
    std::memcpy(&x[0], p, 4), std::memcpy(&x[1], p + n - 4, 4);
    std::memcpy(&y[0], q, 4), std::memcpy(&y[1], q + n - 4, 4);
    return x[0] == y[0] && x[1] == y[1];
  }
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != q[i]) return false;
    return true;
  }
  return std::memcmp(p, q, n) == 0;
}

// RFC 6901 pointer of `at` ("" for the root).
std::string json_pointer(const PathNode& at);

// Records a violation and returns false (so callers can `return violation(...)`).
bool violation(ValidationError& err, ErrorCode code, const PathNode& at, std::string message);
bool unknown_property(ValidationError& err, const PathNode& at);
bool missing_property(ValidationError& err, const PathNode& parent, std::string_view name);

// The payload itself must be an object (FormationViolation otherwise).
const boost::json::object* payload_object(const boost::json::value& v, ValidationError& err);
// A nested value must be an object (TypeConstraintViolation otherwise).
const boost::json::object* object_at(const boost::json::value& v, const PathNode& at, ValidationError& err);
const boost::json::array* array_at(const boost::json::value& v, const PathNode& at, std::size_t min_items,
                                   ValidationError& err);

// max_length: 0 = unbounded; counted in Unicode code points as JSON Schema specifies.
bool read_string(const boost::json::value& v, const PathNode& at, std::size_t max_length, std::string& out,
                 ValidationError& err);
bool read_uri(const boost::json::value& v, const PathNode& at, std::size_t max_length, std::string& out,
              ValidationError& err);
bool read_date_time(const boost::json::value& v, const PathNode& at, Timestamp& out, ValidationError& err);
bool read_integer(const boost::json::value& v, const PathNode& at, std::int64_t& out, ValidationError& err);
bool read_number(const boost::json::value& v, const PathNode& at, double& out, ValidationError& err);
bool read_boolean(const boost::json::value& v, const PathNode& at, bool& out, ValidationError& err);
bool check_multiple_of(double value, double factor, const PathNode& at, ValidationError& err);
bool check_minimum(double value, double minimum, const PathNode& at, ValidationError& err);
bool check_maximum(double value, double maximum, const PathNode& at, ValidationError& err);

// Strings restricted by "enum": the generated table lookup is passed in.
template <class E>
bool read_enum(const boost::json::value& v, const PathNode& at, std::optional<E> (*lookup)(std::string_view),
               E& out, ValidationError& err) {
  const auto* s = v.if_string();
  if (!s) return violation(err, ErrorCode::TypeConstraintViolation, at, "expected string");
  const auto e = lookup(std::string_view(s->data(), s->size()));
  if (!e) return violation(err, ErrorCode::PropertyConstraintViolation, at, "value not allowed by enum");
  out = *e;
  return true;
}

}  // namespace cp::ocpp::schema
