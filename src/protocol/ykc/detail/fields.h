#pragma once
// The declarative field-table machinery behind messages.cpp. A layout is a tuple of
// Field<&Struct::member, Encoding>{"name"}; the same tuple drives encoding, decoding and the
// compile-time body size. Encodings (§1.1): Le<N> little-endian unsigned, Bcd<N> digit string,
// BcdByte (a 1-byte BCD number), Raw<N> opaque bytes, Ascii<N> NUL-padded text, Vin (ASCII 17,
// byte-reversed when Options::vin_reversed), Cp56 (CP56Time2a), Sub<T> (a nested layout),
// CountedList<E, Max> (count byte + entries) and TailList<E> (entries to the end of the body).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "protocol/ykc/errors.h"
#include "protocol/ykc/frame.h"
#include "protocol/ykc/messages.h"
#include "protocol/ykc/options.h"

namespace cp::ykc::detail {

inline constexpr std::size_t kVariable = static_cast<std::size_t>(-1);

struct Writer {
  Bytes& out;
  const Options& opt;
  std::optional<CodecError> err;
  void fail(Errc code, std::string detail) {
    if (!err) err = CodecError{code, std::move(detail)};
  }
};

struct Reader {
  std::span<const std::uint8_t> in;
  const Options& opt;
  std::size_t pos = 0;
  std::optional<CodecError> err;
  std::size_t left() const { return in.size() - pos; }
  bool need(std::size_t n, const char* name) {
    if (err) return false;
    if (left() >= n) return true;
    err = CodecError{Errc::short_body, fmt::format("field '{}' needs {} bytes, {} left", name, n, left())};
    return false;
  }
  void fail(Errc code, std::string detail) {
    if (!err) err = CodecError{code, std::move(detail)};
  }
};

template <std::size_t N>
struct Le {
  static constexpr std::size_t kSize = N;
  template <class V>
  static void put(const V& v, Writer& w, const char* name) {
    const auto x = static_cast<std::uint64_t>(v);
    if constexpr (N < 8) {
      if (x >> (8 * N)) return w.fail(Errc::bad_value, fmt::format("'{}' = {} does not fit {} bytes", name, x, N));
    }
    for (std::size_t i = 0; i < N; ++i) w.out.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
  }
  template <class V>
  static void get(Reader& r, V& v, const char* name) {
    static_assert(sizeof(V) >= N || (N == 3 && sizeof(V) >= 4) || (N == 5 && sizeof(V) >= 8));
    if (!r.need(N, name)) return;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < N; ++i) x |= std::uint64_t{r.in[r.pos + i]} << (8 * i);
    r.pos += N;
    v = static_cast<V>(x);
  }
};

template <std::size_t N>
struct Bcd {
  static constexpr std::size_t kSize = N;
  static void put(const std::string& v, Writer& w, const char* name) {
    if (v.size() > 2 * N || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return w.fail(Errc::bad_value, fmt::format("'{}' must be at most {} decimal digits", name, 2 * N));
    const std::string d = std::string(2 * N - v.size(), '0') + v;  // left-padded with 0
    for (std::size_t i = 0; i < N; ++i)
      w.out.push_back(static_cast<std::uint8_t>((d[2 * i] - '0') << 4 | (d[2 * i + 1] - '0')));
  }
  static void get(Reader& r, std::string& v, const char* name) {
    if (!r.need(N, name)) return;
    v.assign(2 * N, '0');
    for (std::size_t i = 0; i < N; ++i) {
      const std::uint8_t b = r.in[r.pos + i];
      if ((b >> 4) > 9 || (b & 0xF) > 9)
        return r.fail(Errc::bad_bcd, fmt::format("'{}' byte {} is 0x{:02X}", name, i, b));
      v[2 * i] = static_cast<char>('0' + (b >> 4));
      v[2 * i + 1] = static_cast<char>('0' + (b & 0xF));
    }
    r.pos += N;
  }
};

struct BcdByte {
  static constexpr std::size_t kSize = 1;
  static void put(std::uint8_t v, Writer& w, const char* name) {
    if (v > 99) return w.fail(Errc::bad_value, fmt::format("'{}' = {} is not a 2-digit number", name, v));
    w.out.push_back(static_cast<std::uint8_t>((v / 10) << 4 | (v % 10)));
  }
  static void get(Reader& r, std::uint8_t& v, const char* name) {
    if (!r.need(1, name)) return;
    const std::uint8_t b = r.in[r.pos];
    if ((b >> 4) > 9 || (b & 0xF) > 9) return r.fail(Errc::bad_bcd, fmt::format("'{}' is 0x{:02X}", name, b));
    v = static_cast<std::uint8_t>((b >> 4) * 10 + (b & 0xF));
    r.pos += 1;
  }
};

template <std::size_t N>
struct Raw {
  static constexpr std::size_t kSize = N;
  static void put(const std::array<std::uint8_t, N>& v, Writer& w, const char*) { w.out.insert(w.out.end(), v.begin(), v.end()); }
  static void get(Reader& r, std::array<std::uint8_t, N>& v, const char* name) {
    if (!r.need(N, name)) return;
    std::copy_n(r.in.begin() + static_cast<std::ptrdiff_t>(r.pos), N, v.begin());
    r.pos += N;
  }
};

template <std::size_t N, bool Reversible = false>
struct Ascii {
  static constexpr std::size_t kSize = N;
  static void put(const std::string& v, Writer& w, const char* name) {
    if (v.size() > N) return w.fail(Errc::bad_value, fmt::format("'{}' longer than {} characters", name, N));
    std::string padded = v + std::string(N - v.size(), '\0');
    if (Reversible && w.opt.vin_reversed) std::reverse(padded.begin(), padded.end());
    w.out.insert(w.out.end(), padded.begin(), padded.end());
  }
  static void get(Reader& r, std::string& v, const char* name) {
    if (!r.need(N, name)) return;
    v.assign(reinterpret_cast<const char*>(r.in.data() + r.pos), N);
    if (Reversible && r.opt.vin_reversed) std::reverse(v.begin(), v.end());
    while (!v.empty() && v.back() == '\0') v.pop_back();
    r.pos += N;
  }
};
using Vin = Ascii<17, true>;  // §1.1 ⚠: reversed in 0x31/0xA1 only

struct Cp56 {
  static constexpr std::size_t kSize = 7;
  static void put(const Cp56Time& t, Writer& w, const char*) {
    w.out.push_back(static_cast<std::uint8_t>(t.milliseconds & 0xFF));
    w.out.push_back(static_cast<std::uint8_t>(t.milliseconds >> 8));
    w.out.push_back(static_cast<std::uint8_t>((t.minute & 0x3F) | (t.invalid ? 0x80 : 0)));
    w.out.push_back(static_cast<std::uint8_t>((t.hour & 0x1F) | (t.summer ? 0x80 : 0)));
    w.out.push_back(static_cast<std::uint8_t>((t.day & 0x1F) | ((t.day_of_week & 0x07) << 5)));
    w.out.push_back(static_cast<std::uint8_t>(t.month & 0x0F));
    w.out.push_back(static_cast<std::uint8_t>(t.year & 0x7F));
  }
  static void get(Reader& r, Cp56Time& t, const char* name) {
    if (!r.need(7, name)) return;
    const auto* b = r.in.data() + r.pos;
    t.milliseconds = static_cast<std::uint16_t>(b[0] | (b[1] << 8));
    t.minute = b[2] & 0x3F;
    t.invalid = (b[2] & 0x80) != 0;
    t.hour = b[3] & 0x1F;
    t.summer = (b[3] & 0x80) != 0;
    t.day = b[4] & 0x1F;
    t.day_of_week = static_cast<std::uint8_t>(b[4] >> 5);
    t.month = b[5] & 0x0F;
    t.year = b[6] & 0x7F;
    r.pos += 7;
  }
};

template <auto Member, class Enc>
struct Field {
  const char* name;
};

template <class T>
struct Layout;  // specialised per struct in messages.cpp: static constexpr auto fields = std::tuple{...}

template <class T>
constexpr std::size_t layout_size();

template <class T>
struct Sub {
  static constexpr std::size_t kSize = layout_size<T>();
  static void put(const T& v, Writer& w, const char*);
  static void get(Reader& r, T& v, const char*);
};

template <class E, std::size_t Max>
struct CountedList {
  static constexpr std::size_t kSize = kVariable;
  template <class V>
  static void put(const std::vector<V>& v, Writer& w, const char* name) {
    if (v.size() > Max) return w.fail(Errc::bad_value, fmt::format("'{}': {} entries, at most {}", name, v.size(), Max));
    w.out.push_back(static_cast<std::uint8_t>(v.size()));
    for (const auto& e : v) E::put(e, w, name);
  }
  template <class V>
  static void get(Reader& r, std::vector<V>& v, const char* name) {
    if (!r.need(1, name)) return;
    const std::size_t n = r.in[r.pos++];
    if (n > Max) return r.fail(Errc::bad_value, fmt::format("'{}': count {} above {}", name, n, Max));
    v.assign(n, V{});
    for (auto& e : v) E::get(r, e, name);
  }
};

template <class E>
struct TailList {
  static constexpr std::size_t kSize = kVariable;
  template <class V>
  static void put(const std::vector<V>& v, Writer& w, const char*) {
    for (const auto& e : v) E::put(e, w, "entry");
  }
  template <class V>
  static void get(Reader& r, std::vector<V>& v, const char* name) {
    if (r.err) return;
    if (r.left() % E::kSize != 0)
      return r.fail(Errc::short_body, fmt::format("'{}': {} bytes is not a whole number of {}-byte entries", name, r.left(), E::kSize));
    v.assign(r.left() / E::kSize, V{});
    for (auto& e : v) E::get(r, e, name);
  }
};

template <class T, auto Member, class Enc>
void put_field(const T& msg, const Field<Member, Enc>& f, Writer& w) {
  if (!w.err) Enc::put(msg.*Member, w, f.name);
}
template <class T, auto Member, class Enc>
void get_field(T& msg, const Field<Member, Enc>& f, Reader& r) {
  if (!r.err) Enc::get(r, msg.*Member, f.name);
}

template <class T>
void put_struct(const T& msg, Writer& w) {
  std::apply([&](const auto&... f) { (put_field(msg, f, w), ...); }, Layout<T>::fields);
}
template <class T>
void get_struct(Reader& r, T& msg) {
  std::apply([&](const auto&... f) { (get_field(msg, f, r), ...); }, Layout<T>::fields);
}

template <class Enc, auto Member>
constexpr std::size_t field_size(const Field<Member, Enc>&) {
  return Enc::kSize;
}
template <class T>
constexpr std::size_t layout_size() {
  return std::apply(
      [](const auto&... f) {
        std::size_t total = 0;
        bool variable = false;
        ((field_size(f) == kVariable ? (variable = true) : (total += field_size(f), false)), ...);
        return variable ? kVariable : total;
      },
      Layout<T>::fields);
}

template <class T>
void Sub<T>::put(const T& v, Writer& w, const char*) {
  put_struct(v, w);
}
template <class T>
void Sub<T>::get(Reader& r, T& v, const char*) {
  get_struct(r, v);
}

}  // namespace cp::ykc::detail
