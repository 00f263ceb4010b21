#include "protocol/ykc/frame.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::hex;

std::span<const std::uint8_t> ascii(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(YkcCrc, MatchesTheCrc16ModbusCheckValue) { EXPECT_EQ(crc16_modbus(ascii("123456789")), 0x4B37); }

TEST(YkcCrc, MatchesPublishedVectors) {
  // Bit-by-bit reference (a Python loop, not our table): empty input keeps the init value.
  EXPECT_EQ(crc16_modbus({}), 0xFFFF);
  const Bytes one{0x00};
  EXPECT_EQ(crc16_modbus(one), 0x40BF);
  // The spec's 0x02 sample: CRC over seq..body is 0x4CDA, stored DA 4C.
  const auto f = hex("68 0C 00 00 00 02 55 03 14 12 78 23 05 00 DA 4C");
  EXPECT_EQ(crc16_modbus(std::span(f).subspan(2, 12)), 0x4CDA);
}

TEST(YkcFrame, DecodesHeaderFieldsAndBody) {
  auto f = decode_frame(hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 66"));
  ASSERT_TRUE(f.ok()) << f.error().detail;
  EXPECT_EQ(f->type, 0x36);
  EXPECT_EQ(f->seq, (Seq{0x08, 0x00}));
  EXPECT_EQ(f->encryption, kFlagClear);
  EXPECT_EQ(f->crc_order, CrcOrder::LowFirst);
  EXPECT_EQ(f->body, hex("32 01 06 00 01 92 36 01"));
}

TEST(YkcFrame, AcceptsCrcStoredHighByteFirstAndSaysSo) {
  auto f = decode_frame(hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 66 1E"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->crc_order, CrcOrder::HighFirst);
  EXPECT_EQ(encode_frame(*f).value(), hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 66 1E"));
}

TEST(YkcFrame, RejectsFrameWithWrongCrc) {
  auto f = decode_frame(hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 67"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Errc::bad_crc);
}

TEST(YkcFrame, RejectsEachMalformedShapeWithItsOwnCode) {
  EXPECT_EQ(decode_frame(hex("69 0C")).error().code, Errc::bad_start);
  EXPECT_EQ(decode_frame(hex("68 03 00 00 00 36 AA BB")).error().code, Errc::bad_length);
  EXPECT_EQ(decode_frame(hex("68 0C 08 00 00 36 32 01")).error().code, Errc::truncated);
  EXPECT_EQ(decode_frame(hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 66 00")).error().code, Errc::trailing_bytes);
  EXPECT_EQ(decode_frame(hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 66"), 12).error().code, Errc::oversized);
  EXPECT_EQ(decode_frame({}).error().code, Errc::truncated);
}

TEST(YkcFrame, EncodeWritesLengthAndLowFirstCrc) {
  Frame f;
  f.seq = make_seq(8);
  f.type = 0x36;
  f.body = hex("32 01 06 00 01 92 36 01");
  EXPECT_EQ(encode_frame(f).value(), hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 66"));
}

TEST(YkcFrame, EncodeRefusesBodyThatOverflowsTheLengthByte) {
  Frame f;
  f.body.resize(kMaxBodyBytes);
  EXPECT_TRUE(encode_frame(f).ok());
  f.body.resize(kMaxBodyBytes + 1);
  EXPECT_EQ(encode_frame(f).error().code, Errc::body_too_large);
}

TEST(YkcFrame, SequenceBytesFollowTheConfiguredByteOrder) {
  EXPECT_EQ(make_seq(0x1234), (Seq{0x34, 0x12}));
  EXPECT_EQ(make_seq(0x1234, SeqByteOrder::Big), (Seq{0x12, 0x34}));
  EXPECT_EQ(seq_value(Seq{0x46, 0x00}), 0x46);
  EXPECT_EQ(seq_value(Seq{0x00, 0x46}, SeqByteOrder::Big), 0x46);
}

TEST(YkcFrame, HexHelpersRoundTripAndRejectNonHex) {
  const auto b = hex("68 0c FF");
  EXPECT_EQ(to_hex(b), "68 0C FF");
  EXPECT_EQ(from_hex("6").error().code, Errc::bad_value);
  EXPECT_EQ(from_hex("6G").error().code, Errc::bad_value);
}

TEST(YkcFrame, ErrorNamesAreDistinct) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kErrcCount; ++i) names.insert(errc_name(static_cast<Errc>(i)));
  EXPECT_EQ(names.size(), kErrcCount);
  EXPECT_EQ(errc_name(Errc::bad_crc), "bad_crc");
}

}  // namespace
}  // namespace cp::ykc
