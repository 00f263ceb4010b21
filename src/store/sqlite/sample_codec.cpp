#include "store/sqlite/sample_codec.h"

#include <bit>
#include <optional>

namespace cp::store::sqlite {
namespace {

constexpr std::size_t kMaxVarint = 10;  // ceil(64 / 7)
// The smallest encoded value: 1-byte measurand, 1-byte tagged attributes, 1-byte raw length.
// Bounds `count` before anything is reserved, so a corrupt count cannot allocate much.
constexpr std::size_t kMinValueBytes = 3;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_f64(std::string& out, double d) {
  const auto bits = std::bit_cast<std::uint64_t>(d);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

Status corrupt(const char* what) { return fail("corrupt_sample", what); }

// A forward-only cursor over the blob; every read checks the remaining length first.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
  std::size_t left() const { return b_.size() - pos_; }

  std::optional<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < kMaxVarint; ++i) {
      if (pos_ == b_.size()) return std::nullopt;
      const std::uint8_t byte = b_[pos_++];
      // The 10th byte may carry only the top bit of a 64-bit value.
      if (i == kMaxVarint - 1 && byte > 1) return std::nullopt;
      v |= std::uint64_t(byte & 0x7f) << (7 * i);
      if (!(byte & 0x80)) return v;
    }
    return std::nullopt;
  }

  std::optional<double> f64() {
    if (left() < 8) return std::nullopt;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= std::uint64_t(b_[pos_ + i]) << (8 * i);
    pos_ += 8;
    return std::bit_cast<double>(bits);
  }

  std::optional<std::string_view> bytes(std::uint64_t n) {
    if (n > left()) return std::nullopt;
    std::string_view s(reinterpret_cast<const char*>(b_.data()) + pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }

  std::optional<std::uint8_t> byte() {
    if (pos_ == b_.size()) return std::nullopt;
    return b_[pos_++];
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
};

}  // namespace

void encode_sample(std::span<const PackedValue> values, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(kSampleFormatVersion));
  put_varint(out, values.size());
  for (const PackedValue& v : values) {
    const bool raw = !v.raw.empty();
    put_varint(out, v.measurand);
    put_varint(out, v.attributes << 1 | (raw ? 1u : 0u));
    if (raw) {
      put_varint(out, v.raw.size());
      out.append(v.raw);
    } else {
      put_f64(out, v.value);
    }
  }
}

Status decode_sample(std::span<const std::uint8_t> blob, std::vector<PackedValue>& out) {
  out.clear();
  Reader r(blob);
  const auto version = r.byte();
  if (!version) return corrupt("empty sample");
  if (*version != kSampleFormatVersion) return corrupt("unknown sample format version");
  const auto count = r.varint();
  if (!count) return corrupt("truncated value count");
  if (*count > r.left() / kMinValueBytes) return corrupt("value count exceeds the sample size");
  out.reserve(static_cast<std::size_t>(*count));
  for (std::uint64_t i = 0; i < *count; ++i) {
    PackedValue v;
    const auto measurand = r.varint();
    const auto tagged = r.varint();
    if (!measurand || !tagged) return corrupt("truncated value header");
    v.measurand = *measurand;
    v.attributes = *tagged >> 1;
    if (*tagged & 1) {
      const auto length = r.varint();
      if (!length || *length == 0) return corrupt("bad raw value length");
      const auto text = r.bytes(*length);
      if (!text) return corrupt("truncated raw value");
      v.raw = *text;
    } else {
      const auto d = r.f64();
      if (!d) return corrupt("truncated numeric value");
      v.value = *d;
    }
    out.push_back(v);
  }
  if (r.left() != 0) return corrupt("bytes after the last value");
  return {};
}

}  // namespace cp::store::sqlite
