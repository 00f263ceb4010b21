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

// -?(0|[1-9][0-9]*), no fraction or exponent, within int64, starting at p: the end of the
// number, or nullptr when it is not one in that form.
const char* read_integer(const char* p, const char* end, std::int64_t& out) {
  const char* begin = p;
  if (p != end && *p == '-') ++p;
  const char* digits = p;
  while (p != end && *p >= '0' && *p <= '9') ++p;
  if (p == digits || (*digits == '0' && p - digits > 1)) return nullptr;
  if (p != end && (*p == '.' || *p == 'e' || *p == 'E')) return nullptr;
  const auto [last, ec] = std::from_chars(begin, p, out);
  if (ec != std::errc() || last != p || (out == 0 && *begin == '-')) return nullptr;  // "-0": the tree path's call
  return p;
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

  // An integer as read_integer reads it; `text` is its spelling.
  bool integer(std::int64_t& out, std::string_view& text) {
    skip_space();
    const char* last = read_integer(p_, end_, out);
    if (!last) return false;
    text = std::string_view(p_, static_cast<std::size_t>(last - p_));
    p_ = last;
    return true;
  }
  bool integer(std::int64_t& out) {
    std::string_view text;
    return integer(out, text);
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

using Slot = ShapeSlot;

// Where the places of the shape are, while decoding a frame to learn it (nullptr: not learning).
struct Recorder {
  std::vector<Slot>* slots;
  const char* base;
  void add(Slot::Kind kind, std::string_view text, std::size_t sample = 0, std::size_t value = 0) const {
    if (!slots) return;
    slots->push_back(Slot{.kind = kind,
                          .sample = static_cast<std::uint16_t>(sample),
                          .value = static_cast<std::uint16_t>(value),
                          .begin = static_cast<std::uint32_t>(text.data() - base),
                          .end = static_cast<std::uint32_t>(text.data() + text.size() - base),
                          .literal_end = 0});
  }
};

bool sampled_value(Cursor& c, domain::SampledValue& d, const Recorder& rec, std::size_t sample, std::size_t index) {
  static constexpr std::string_view kNames[] = {"value", "context", "format", "measurand", "phase", "location", "unit"};
  std::string_view value;
  bool signed_data = false;
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    switch (i) {
      case 0:
        if (!c.string(value)) return false;
        rec.add(Slot::Kind::Value, value, sample, index);  // SignedValue once the format is known
        return true;
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
  if (signed_data && rec.slots) {
    for (auto it = rec.slots->rbegin(); it != rec.slots->rend(); ++it)
      if (it->kind == Slot::Kind::Value) {
        it->kind = Slot::Kind::SignedValue;
        break;
      }
  }
  put_value(d, value, signed_data);
  return true;
}

bool meter_value(Cursor& c, domain::MeterSample& s, const Recorder& rec, std::size_t sample) {
  static constexpr std::string_view kNames[] = {"timestamp", "sampledValue"};
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    if (i == 0) {
      std::string_view text;
      if (!c.string(text)) return false;
      const auto at = parse_rfc3339(text);
      if (!at) return false;
      s.at = *at;
      rec.add(Slot::Kind::Timestamp, text, sample);
      return true;
    }
    return array(c, [&] {
      auto& d = s.values.emplace_back(domain::SampledValue{
          .measurand = {}, .phase = {}, .unit = {}, .context = {}, .location = {}, .value = 0, .raw = {}});
      return sampled_value(c, d, rec, sample, s.values.size() - 1);
    });
  });
  return ok && seen == 3u;  // both required
}

bool decode_frame(std::string_view text, std::size_t max_id_length, const domain::PileId& pile, std::string& id,
                  domain::TelemetrySampled& out, const Recorder& rec) {
  Cursor c(text);
  std::int64_t type = 0;
  std::string_view message_id, action;
  if (!c.next_is('[') || !c.integer(type) || type != 2 || !c.next_is(',') || !c.string(message_id) ||
      message_id.empty() || message_id.size() > max_id_length || !c.next_is(',') || !c.string(action) ||
      action != "MeterValues" || !c.next_is(','))
    return false;
  rec.add(Slot::Kind::Id, message_id);
  static constexpr std::string_view kNames[] = {"connectorId", "transactionId", "meterValue"};
  out.pile = pile;
  out.samples.clear();
  out.transaction.reset();
  std::uint32_t seen = 0;
  const bool ok = object(c, kNames, seen, [&](std::size_t i) {
    std::int64_t n = 0;
    std::string_view spelling;
    switch (i) {
      case 0:  // the mapping's check: a connector id is >= 0 and fits an int
        if (!c.integer(n, spelling) || n < 0 || n > std::numeric_limits<int>::max()) return false;
        out.connector = static_cast<int>(n);
        rec.add(Slot::Kind::Connector, spelling);
        return true;
      case 1:
        if (!c.integer(n, spelling)) return false;
        out.transaction = n;
        rec.add(Slot::Kind::Transaction, spelling);
        return true;
      default:
        return array(c, [&] {
          auto& sample = out.samples.emplace_back();
          return meter_value(c, sample, rec, out.samples.size() - 1);
        });
    }
  });
  if (!ok || (seen & 0b101u) != 0b101u || !c.next_is(']') || !c.at_end()) return false;
  id.assign(message_id);
  return true;
}

}  // namespace

bool decode_meter_values_fast(std::string_view text, std::size_t max_id_length, const domain::PileId& pile,
                              std::string& id, domain::TelemetrySampled& out) {
  return decode_frame(text, max_id_length, pile, id, out, Recorder{nullptr, text.data()});
}

std::shared_ptr<const MeterValuesShape> MeterValuesShapes::intern(MeterValuesShape shape) {
  std::string key = shape.literal;
  for (const auto& s : shape.slots) {
    const std::uint32_t fields[] = {static_cast<std::uint32_t>(s.kind), s.sample, s.value, s.literal_end};
    key.append(reinterpret_cast<const char*>(fields), sizeof fields);
  }
  std::lock_guard lock(mu_);
  auto& entry = shapes_[key];
  if (auto held = entry.lock()) return held;
  auto made = std::make_shared<const MeterValuesShape>(std::move(shape));
  entry = made;
  if (shapes_.size() >= sweep_at_) {
    std::erase_if(shapes_, [](const auto& e) { return e.second.expired(); });
    sweep_at_ = std::max<std::size_t>(64, 2 * shapes_.size());
  }
  return made;
}

std::size_t MeterValuesShapes::size() const {
  std::lock_guard lock(mu_);
  return shapes_.size();
}

bool MeterValuesDecoder::decode(std::string_view text, const domain::PileId& pile, std::string& id,
                                domain::TelemetrySampled& out) {
  if (decode_by_shape(text, pile, id, out)) {
    if (shapes_) shapes_->count(true);
    return true;
  }
  const bool learn = text.size() <= kMaxShapeBytes;
  MeterValuesShape learnt;
  if (!decode_frame(text, max_id_length_, pile, id, out, Recorder{learn ? &learnt.slots : nullptr, text.data()}))
    return false;
  if (shapes_) shapes_->count(false);
  if (!learn) return true;
  // kMaxShapeBytes keeps every offset and index well inside a slot's fields.
  static_assert(kMaxShapeBytes < UINT16_MAX);
  std::uint32_t at = 0;
  for (auto& s : learnt.slots) {
    learnt.literal.append(text.substr(at, s.begin - at));
    s.literal_end = static_cast<std::uint32_t>(learnt.literal.size());
    at = s.end;
  }
  learnt.literal.append(text.substr(at));
  learnt.event = out;
  learnt.event.pile.clear();
  shape_ = shapes_ ? shapes_->intern(std::move(learnt)) : std::make_shared<const MeterValuesShape>(std::move(learnt));
  return true;
}

bool MeterValuesDecoder::decode_by_shape(std::string_view text, const domain::PileId& pile, std::string& id,
                                         domain::TelemetrySampled& out) const {
  if (!shape_) return false;
  const MeterValuesShape& shape = *shape_;
  // The frame is read into a copy of the shape's event as it is checked: a frame of another
  // shape costs that copy, but a pile changes its shape rarely.
  out = shape.event;
  out.pile = pile;
  const char* p = text.data();
  const char* const end = p + text.size();
  std::uint32_t done = 0;  // literal bytes matched so far
  const auto literal_up_to = [&](std::uint32_t to) {
    const std::size_t n = to - done;
    if (static_cast<std::size_t>(end - p) < n || std::memcmp(p, shape.literal.data() + done, n) != 0) return false;
    p += n;
    done = to;
    return true;
  };
  for (const Slot& s : shape.slots) {
    if (!literal_up_to(s.literal_end)) return false;
    if (s.kind == Slot::Kind::Connector || s.kind == Slot::Kind::Transaction) {
      std::int64_t n = 0;
      const char* last = read_integer(p, end, n);
      if (!last) return false;
      p = last;
      if (s.kind == Slot::Kind::Transaction) {
        out.transaction = n;
        continue;
      }
      if (n < 0 || n > std::numeric_limits<int>::max()) return false;
      out.connector = static_cast<int>(n);
      continue;
    }
    const char* close = closing_quote(p, end);
    if (!close) return false;
    const std::string_view here(p, static_cast<std::size_t>(close - p));
    p = close;
    switch (s.kind) {
      case Slot::Kind::Id:
        if (here.empty() || here.size() > max_id_length_) return false;
        id.assign(here);
        break;
      case Slot::Kind::Timestamp: {
        const auto at = parse_rfc3339(here);
        if (!at) return false;
        out.samples[s.sample].at = *at;
        break;
      }
      default: {
        auto& d = out.samples[s.sample].values[s.value];
        d.value = 0;
        d.raw.clear();
        put_value(d, here, s.kind == Slot::Kind::SignedValue);
      }
    }
  }
  return literal_up_to(static_cast<std::uint32_t>(shape.literal.size())) && p == end;
}

}  // namespace cp::ocpp::v16::detail
