#include "protocol/ocpp/detail/schema_checks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

namespace cp::ocpp::schema {
namespace {

void append_escaped(std::string& out, std::string_view key) {
  for (char c : key) {  // RFC 6901 §3: '~' -> "~0", '/' -> "~1"
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string format_number(double d) {
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

bool within_max_length(std::string_view s, std::size_t max_length) {
  // Code points never exceed bytes, so the byte count settles the common case.
  return !max_length || s.size() <= max_length || code_points(s) <= max_length;
}

bool is_uri(std::string_view s) {
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'.
  const auto colon = s.find(':');
  bool ok = colon != std::string_view::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(s[0]));
  for (std::size_t i = 1; ok && i < colon; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    ok = std::isalnum(c) || c == '+' || c == '-' || c == '.';
  }
  for (unsigned char c : s) ok = ok && c > 0x20 && c != 0x7F;
  return ok;
}

bool is_multiple_of(double value, double factor) {
  // Decimal factors such as 0.1 are not exact in binary: 0.3 / 0.1 == 2.9999999999999996.
  // Accept a quotient within a relative 1e-9 of an integer (what a decimal reading means).
  const double q = value / factor;
  return std::isfinite(q) && std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
}

std::string json_pointer(const PathNode& at) {
  std::vector<const PathNode*> chain;
  for (const PathNode* p = &at; p && p->parent; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out += '/';
    if ((*it)->is_index) out += std::to_string((*it)->index);
    else append_escaped(out, (*it)->key);
  }
  return out;
}

bool violation(ValidationError& err, ErrorCode code, const PathNode& at, std::string message) {
  err.code = code;
  err.path = json_pointer(at);
  err.message = std::move(message);
  return false;
}

bool unknown_property(ValidationError& err, const PathNode& at) {
  return violation(err, ErrorCode::FormationViolation, at, "property not allowed by schema");
}

bool missing_property(ValidationError& err, const PathNode& parent, std::string_view name) {
  return violation(err, ErrorCode::OccurenceConstraintViolation, PathNode(parent, name),
                   "required property missing");
}

const boost::json::object* payload_object(const boost::json::value& v, ValidationError& err) {
  const auto* o = v.if_object();
  if (!o) violation(err, ErrorCode::FormationViolation, PathNode{}, "payload is not a JSON object");
  return o;
}

const boost::json::object* object_at(const boost::json::value& v, const PathNode& at, ValidationError& err) {
  const auto* o = v.if_object();
  if (!o) violation(err, ErrorCode::TypeConstraintViolation, at, "expected object");
  return o;
}

const boost::json::array* array_at(const boost::json::value& v, const PathNode& at, std::size_t min_items,
                                   ValidationError& err) {
  const auto* a = v.if_array();
  if (!a) {
    violation(err, ErrorCode::TypeConstraintViolation, at, "expected array");
    return nullptr;
  }
  if (a->size() < min_items) {
    violation(err, ErrorCode::OccurenceConstraintViolation, at,
              "fewer than " + std::to_string(min_items) + " items");
    return nullptr;
  }
  return a;
}

bool read_string(const boost::json::value& v, const PathNode& at, std::size_t max_length, std::string& out,
                 ValidationError& err) {
  const auto* s = v.if_string();
  if (!s) return violation(err, ErrorCode::TypeConstraintViolation, at, "expected string");
  const std::string_view sv(s->data(), s->size());
  if (!within_max_length(sv, max_length))
    return violation(err, ErrorCode::PropertyConstraintViolation, at,
                     "longer than " + std::to_string(max_length) + " characters");
  out.assign(sv);
  return true;
}

bool read_uri(const boost::json::value& v, const PathNode& at, std::size_t max_length, std::string& out,
              ValidationError& err) {
  if (!read_string(v, at, max_length, out, err)) return false;
  if (!is_uri(out)) return violation(err, ErrorCode::PropertyConstraintViolation, at, "not a URI");
  return true;
}

bool read_date_time(const boost::json::value& v, const PathNode& at, Timestamp& out, ValidationError& err) {
  const auto* s = v.if_string();
  if (!s) return violation(err, ErrorCode::TypeConstraintViolation, at, "expected string");
  const auto t = parse_rfc3339(std::string_view(s->data(), s->size()));
  if (!t) return violation(err, ErrorCode::PropertyConstraintViolation, at, "not an RFC 3339 date-time");
  out = *t;
  return true;
}

bool read_integer(const boost::json::value& v, const PathNode& at, std::int64_t& out, ValidationError& err) {
  switch (v.kind()) {
    case boost::json::kind::int64:
      out = v.get_int64();
      return true;
    case boost::json::kind::uint64:
      return violation(err, ErrorCode::PropertyConstraintViolation, at, "integer out of range");
    case boost::json::kind::double_: {
      // JSON Schema: an "integer" is any number with a zero fractional part (so 5.0 is one).
      const double d = v.get_double();
      if (!std::isfinite(d) || std::trunc(d) != d)
        return violation(err, ErrorCode::TypeConstraintViolation, at, "expected integer");
      if (d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
        return violation(err, ErrorCode::PropertyConstraintViolation, at, "integer out of range");
      out = static_cast<std::int64_t>(d);
      return true;
    }
    default:
      return violation(err, ErrorCode::TypeConstraintViolation, at, "expected integer");
  }
}

bool read_number(const boost::json::value& v, const PathNode& at, double& out, ValidationError& err) {
  switch (v.kind()) {
    case boost::json::kind::int64: out = static_cast<double>(v.get_int64()); return true;
    case boost::json::kind::uint64: out = static_cast<double>(v.get_uint64()); return true;
    case boost::json::kind::double_: out = v.get_double(); return true;
    default: return violation(err, ErrorCode::TypeConstraintViolation, at, "expected number");
  }
}

bool read_boolean(const boost::json::value& v, const PathNode& at, bool& out, ValidationError& err) {
  if (!v.is_bool()) return violation(err, ErrorCode::TypeConstraintViolation, at, "expected boolean");
  out = v.get_bool();
  return true;
}

bool check_multiple_of(double value, double factor, const PathNode& at, ValidationError& err) {
  if (is_multiple_of(value, factor)) return true;
  return violation(err, ErrorCode::PropertyConstraintViolation, at, "not a multiple of " + format_number(factor));
}

bool check_minimum(double value, double minimum, const PathNode& at, ValidationError& err) {
  if (value >= minimum) return true;
  return violation(err, ErrorCode::PropertyConstraintViolation, at, "less than " + format_number(minimum));
}

bool check_maximum(double value, double maximum, const PathNode& at, ValidationError& err) {
  if (value <= maximum) return true;
  return violation(err, ErrorCode::PropertyConstraintViolation, at, "greater than " + format_number(maximum));
}

}  // namespace cp::ocpp::schema
