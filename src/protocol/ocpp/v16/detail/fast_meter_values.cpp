#include "protocol/ocpp/v16/detail/fast_meter_values.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/time.h"
#include "protocol/ocpp/detail/schema_checks.h"
#include "protocol/ocpp/v16/detail/mapping.h"
#include "protocol/ocpp/v16/generated/types.h"

namespace cp::ocpp::v16::detail {
namespace {

// The closing quote of a string whose text starts at p: nullptr when the text has a
// backslash, a byte below 0x20 or one above 0x7F first, or no closing quote. Eight bytes at a
// time with the usual "has a zero byte" / "has a byte less than n" bit tricks.
const char* closing_quote(const char* p, const char* end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  for (; end - p >= 8; p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t q = w ^ (kOnes * '"');
    const std::uint64_t b = w ^ (kOnes * '\\');
    const std::uint64_t hits = (((q - kOnes) & ~q) | ((b - kOnes) & ~b) | ((w - kOnes * 0x20) & ~w) | w) & kHigh;
    if (hits) {
      // The first flagged byte (little-endian: the lowest) decides; a borrow can only flag
      // bytes above a true hit, never below it.
      const char* at = p + (__builtin_ctzll(hits) >> 3);
      return *at == '"' ? at : nullptr;
    }
  }
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return p;
    if (c == '\\' || c < 0x20 || c > 0x7F) return nullptr;
  }
  return nullptr;
}

// A cursor over the message. Every reader skips JSON whitespace first and returns false on
// anything outside the plain form, which makes the whole decode decline.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool next_is(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string with no escape, no control character and no byte above 0x7F.
  bool string(std::string_view& out) {
    if (!next_is('"')) return false;
    const char* begin = p_;
    const char* close = closing_quote(p_, end_);
    if (!close) return false;
    out = std::string_view(begin, static_cast<std::size_t>(close - begin));
    p_ = close + 1;
    return true;
  }

  // -?(0|[1-9][0-9]*), no fraction or exponent, within int64.
  bool integer(std::int64_t& out) {
    skip_space();
    const char* begin = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ == digits || (*digits == '0' && p_ - digits > 1)) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    const auto [end, ec] = std::from_chars(begin, p_, out);
    return ec == std::errc() && end == p_ && !(out == 0 && *begin == '-');  // "-0": the tree path's call
  }

  bool at_end() {
    skip_space();
    return p_ == end_;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  const char* p_;
  const char* end_;
};

// Reads `{ "k": v, ... }`, calling on_key(key) with the cursor before each value; on_key reads
// the value and returns false to decline. Repeated keys decline (the tree path decides them).
template <std::size_t N, class OnKey>
bool object(Cursor& c, const std::string_view (&names)[N], std::uint32_t& seen, OnKey&& on_key) {
  if (!c.next_is('{')) return false;
  seen = 0;
  if (c.next_is('}')) return true;
  do {
    std::string_view key;
    if (!c.string(key) || !c.next_is(':')) return false;
    std::size_t i = 0;
    while (i < N && !schema::same_text(names[i], key)) ++i;
    if (i == N || (seen & (1u << i))) return false;  // not a property (closed object), or repeated
    seen |= 1u << i;
    if (!on_key(i)) return false;
  } while (c.next_is(','));
  return c.next_is('}');
}

// Reads `[ item, ... ]`, calling item() with the cursor before each element.
template <class Item>
bool array(Cursor& c, Item&& item) {
  if (!c.next_is('[')) return false;
  if (c.next_is(']')) return true;
  do {
    if (!item()) return false;
  } while (c.next_is(','));
  return c.next_is(']');
}

// An enum member's spelling into `out` (the wire text is the member's name).
template <class E>
bool member(Cursor& c, std::string& out) {
  std::string_view text;
  if (!c.string(text) || !enum_from_string<E>(text)) return false;
  out.assign(text);
  return true;
}

bool sampled_value(Cursor& c, domain::SampledValue& d) {
  static constexpr std::string_view kNames[] = {"value", "context", "format", "measurand", "phase", "location", "unit"};
  std::string_view value;
  bool signed_data = false;
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    switch (i) {
      case 0: return c.string(value);
      case 1: return member<ReadingContext>(c, d.context);
      case 2: {
        std::string_view text;
        if (!c.string(text)) return false;
        const auto format = enum_from_string<ValueFormat>(text);
        signed_data = format == ValueFormat::SignedData;
        return format.has_value();
      }
      case 3: return member<Measurand>(c, d.measurand);
      case 4: return member<Phase>(c, d.phase);
      case 5: return member<Location>(c, d.location);
      default: return member<UnitOfMeasure>(c, d.unit);
    }
  });
  if (!ok || !(seen & 1u)) return false;  // value is required
  // OCPP 1.6 §7.17 defaults, as to_domain applies them.
  if (!(seen & (1u << 3))) d.measurand = "Energy.Active.Import.Register";
  if (!(seen & (1u << 1))) d.context = "Sample.Periodic";
  put_value(d, value, signed_data);
  return true;
}

bool meter_value(Cursor& c, domain::MeterSample& s) {
  static constexpr std::string_view kNames[] = {"timestamp", "sampledValue"};
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    if (i == 0) {
      std::string_view text;
      if (!c.string(text)) return false;
      const auto at = parse_rfc3339(text);
      if (!at) return false;
      s.at = *at;
      return true;
    }
    return array(c, [&] {
      auto& d = s.values.emplace_back(domain::SampledValue{
          .measurand = {}, .phase = {}, .unit = {}, .context = {}, .location = {}, .value = 0, .raw = {}});
      return sampled_value(c, d);
    });
  });
  return ok && seen == 3u;  // both required
}

}  // namespace

bool decode_meter_values_fast(std::string_view text, std::size_t max_id_length, const domain::PileId& pile,
                              std::string& id, domain::TelemetrySampled& out) {
  Cursor c(text);
  std::int64_t type = 0;
  std::string_view message_id, action;
  if (!c.next_is('[') || !c.integer(type) || type != 2 || !c.next_is(',') || !c.string(message_id) ||
      message_id.empty() || message_id.size() > max_id_length || !c.next_is(',') || !c.string(action) ||
      action != "MeterValues" || !c.next_is(','))
    return false;
  static constexpr std::string_view kNames[] = {"connectorId", "transactionId", "meterValue"};
  out.pile = pile;
  out.samples.clear();
  out.transaction.reset();
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    std::int64_t n = 0;
    switch (i) {
      case 0:  // the mapping's check: a connector id is >= 0 and fits an int
        if (!c.integer(n) || n < 0 || n > std::numeric_limits<int>::max()) return false;
        out.connector = static_cast<int>(n);
        return true;
      case 1:
        if (!c.integer(n)) return false;
        out.transaction = n;
        return true;
      default:
        return array(c, [&] { return meter_value(c, out.samples.emplace_back()); });
    }
  });
  if (!ok || (seen & 0b101u) != 0b101u || !c.next_is(']') || !c.at_end()) return false;
  id.assign(message_id);
  return true;
}

}  // namespace cp::ocpp::v16::detail
