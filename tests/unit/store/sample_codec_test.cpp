#include "store/sqlite/sample_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace cp::store::sqlite {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string encode(const std::vector<PackedValue>& values) {
  std::string out;
  encode_sample(values, out);
  return out;
}

TEST(SampleCodec, RoundTripsNumbersRawTextAndLargeIds) {
  const std::vector<PackedValue> in{
      {1, 1, 7200.5, {}},
      {300, 70000, -0.0, {}},
      {2, 3, 0, "3045022100ab\x01\xff"},
      {std::numeric_limits<std::uint64_t>::max(), (std::uint64_t(1) << 63) - 1,
       std::numeric_limits<double>::infinity(), {}},
  };
  const std::string blob = encode(in);
  std::vector<PackedValue> out;
  ASSERT_TRUE(decode_sample(bytes(blob), out));
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].measurand, in[i].measurand) << i;
    EXPECT_EQ(out[i].attributes, in[i].attributes) << i;
    EXPECT_EQ(out[i].raw, in[i].raw) << i;
    EXPECT_EQ(std::signbit(out[i].value), std::signbit(in[i].value)) << i;
    EXPECT_EQ(out[i].value, in[i].value) << i;
  }
}

TEST(SampleCodec, NumericValueIsTenBytesWithSmallIds) {
  // version, count, then measurand 5, attributes 9 (tagged 18), 1.0 little-endian.
  const std::string blob = encode({{5, 9, 1.0, {}}});
  const std::string expected("\x01\x01\x05\x12\x00\x00\x00\x00\x00\x00\xf0\x3f", 12);
  EXPECT_EQ(blob, expected);
}

TEST(SampleCodec, EmptySampleRoundTrips) {
  std::vector<PackedValue> out{{1, 1, 1, {}}};
  ASSERT_TRUE(decode_sample(bytes(encode({})), out));
  EXPECT_TRUE(out.empty());
}

TEST(SampleCodec, EveryTruncationIsACleanError) {
  const std::string blob = encode({{1, 2, 3.5, {}}, {4, 5, 0, "signed"}, {6, 7, 8, {}}});
  std::vector<PackedValue> out;
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto r = decode_sample(bytes(blob.substr(0, n)), out);
    ASSERT_FALSE(r) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.error().code, "corrupt_sample");
  }
}

TEST(SampleCodec, RejectsUnknownVersionTrailingBytesAndHugeCount) {
  std::string blob = encode({{1, 2, 3.5, {}}});
  std::vector<PackedValue> out;
  std::string bad_version = blob;
  bad_version[0] = 2;
  EXPECT_FALSE(decode_sample(bytes(bad_version), out));
  EXPECT_FALSE(decode_sample(bytes(blob + '\0'), out));
  // A count of 2^63 with nothing behind it must fail before reserving anything.
  const std::string huge("\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11);
  EXPECT_FALSE(decode_sample(bytes(huge), out));
}

TEST(SampleCodec, RejectsOverlongVarintAndEmptyRawText) {
  std::vector<PackedValue> out;
  // Measurand varint of 11 continuation bytes.
  const std::string overlong("\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 13);
  EXPECT_FALSE(decode_sample(bytes(overlong), out));
  // 10-byte varint whose last byte would overflow 64 bits.
  const std::string overflow("\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00\x00", 14);
  EXPECT_FALSE(decode_sample(bytes(overflow), out));
  // Raw kind with length 0: the encoder never writes it (empty raw means a number).
  const std::string empty_raw("\x01\x01\x01\x03\x00\x00", 6);
  EXPECT_FALSE(decode_sample(bytes(empty_raw), out));
}

TEST(SampleCodec, RandomBytesNeverCrashAndMutatedBlobsStayInBounds) {
  std::mt19937 rng(42);
  std::vector<PackedValue> out;
  const std::string blob = encode({{1, 2, 3.5, {}}, {4, 5, 0, "signed-meter-data"}, {300, 70000, 8, {}}});
  for (int i = 0; i < 20000; ++i) {
    std::string b = blob;
    for (int k = 0; k < 3; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
    if (decode_sample(bytes(b), out)) {
      for (const PackedValue& v : out) {
        if (v.raw.empty()) continue;
        EXPECT_GE(v.raw.data(), b.data());
        EXPECT_LE(v.raw.data() + v.raw.size(), b.data() + b.size());
      }
    }
  }
}

}  // namespace
}  // namespace cp::store::sqlite
