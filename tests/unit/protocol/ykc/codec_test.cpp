#include "protocol/ykc/codec.h"

#include <gtest/gtest.h>

#include "protocol/ykc/assembler.h"
#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::hex;
using test::load_golden;

const std::string kPile = "32010600019236";

class YkcCodec : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lib = CipherLibrary::create();
    ASSERT_TRUE(lib.ok());
    lib_ = std::move(*lib);
  }
  PileCodec codec(CipherAlgorithm alg, std::string_view key, CipherMode mode = CipherMode::Ecb,
                  CipherPadding pad = CipherPadding::Zero) {
    return PileCodec(lib_.get(), Options{}, CipherProfile{alg, hex(key), mode, pad});
  }
  std::unique_ptr<CipherLibrary> lib_;
};

Frame frame_named(const std::string& file, const std::string& name) {
  for (const auto& g : load_golden(file))
    if (g.name == name) return decode_frame(g.bytes).value();
  ADD_FAILURE() << name;
  return {};
}

TEST_F(YkcCodec, DecryptsTheGoldenEncryptedHeartbeat) {
  auto c = codec(CipherAlgorithm::TripleDes, "0123456789ABCDEFFEDCBA9876543210");
  auto f = frame_named("encrypted_frames.txt", "heartbeat_3des16_ecb_zero");
  auto d = c.decode(f);
  ASSERT_TRUE(d.ok()) << d.error().detail;
  EXPECT_TRUE(d->encrypted);
  EXPECT_EQ(std::get<Heartbeat>(d->message), (Heartbeat{kPile, 1, 0}));
  // and encrypting it again gives the same frame, byte for byte
  EXPECT_EQ(c.encode_reply(d->message, f.seq, true).value(), encode_frame(f).value());
}

TEST_F(YkcCodec, DecryptsGoldenRealtimeDataUnderCbcAndThreeKeyEcb) {
  auto golden_plain = frame_named("worked_examples.txt", "realtime_data");
  const auto expect = decode_body(0x13, golden_plain.body).value();
  auto cbc = codec(CipherAlgorithm::TripleDes, "0123456789ABCDEFFEDCBA9876543210", CipherMode::Cbc);
  auto d1 = cbc.decode(frame_named("encrypted_frames.txt", "realtime_3des16_cbc_zero"));
  ASSERT_TRUE(d1.ok()) << d1.error().detail;
  EXPECT_EQ(d1->message, expect);
  auto ecb = codec(CipherAlgorithm::TripleDes, "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567");
  auto d2 = ecb.decode(frame_named("encrypted_frames.txt", "realtime_3des24_ecb_zero"));
  ASSERT_TRUE(d2.ok()) << d2.error().detail;
  EXPECT_EQ(d2->message, expect);
}

TEST_F(YkcCodec, WrongKeyIsBadPaddingOrBadBcdNeverACrash) {
  auto wrong = codec(CipherAlgorithm::TripleDes, "1123456789ABCDEFFEDCBA9876543211");
  for (const auto& name : {"heartbeat_3des16_ecb_zero", "realtime_3des24_ecb_zero"}) {
    auto d = wrong.decode(frame_named("encrypted_frames.txt", name));
    ASSERT_FALSE(d.ok()) << name;
    EXPECT_TRUE(d.error().code == Errc::bad_padding || d.error().code == Errc::bad_bcd) << errc_name(d.error().code);
  }
}

TEST_F(YkcCodec, EncryptedFrameWithoutCipherProfileIsNoCipher) {
  PileCodec clear(nullptr, Options{});
  auto d = clear.decode(frame_named("encrypted_frames.txt", "heartbeat_3des16_ecb_zero"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::no_cipher);
  EXPECT_EQ(clear.encode_request(Heartbeat{kPile, 1, 0}, true).error().code, Errc::no_cipher);
}

TEST_F(YkcCodec, UnknownEncryptionFlagIsRefused) {
  auto f = frame_named("worked_examples.txt", "heartbeat");
  f.encryption = 0x02;
  PileCodec clear(nullptr, Options{});
  EXPECT_EQ(clear.decode(f).error().code, Errc::unexpected_encryption);
}

TEST_F(YkcCodec, EveryMessageRoundTripsEncryptedUnderEveryProfile) {
  const auto golden = load_golden();
  for (auto alg : {CipherAlgorithm::Des, CipherAlgorithm::TripleDes})
    for (auto pad : {CipherPadding::Zero, CipherPadding::Pkcs7}) {
      auto c = codec(alg, alg == CipherAlgorithm::Des ? "0123456789ABCDEF" : "0123456789ABCDEFFEDCBA9876543210",
                     CipherMode::Ecb, pad);
      for (const auto& g : golden) {
        auto plain = decode_frame(g.bytes).value();
        auto m = decode_body(plain.type, plain.body).value();
        auto bytes = c.encode_reply(m, plain.seq, true);
        ASSERT_TRUE(bytes.ok()) << g.name;
        auto f = decode_frame(*bytes);
        ASSERT_TRUE(f.ok()) << g.name;
        EXPECT_EQ(f->encryption, kFlagEncrypted);
        EXPECT_EQ(f->body.size() % 8, 0u);
        auto back = c.decode(*f);
        ASSERT_TRUE(back.ok()) << g.name << ": " << back.error().detail;
        EXPECT_EQ(back->message, m) << g.name;
        EXPECT_EQ(back->seq, plain.seq);
      }
    }
}

TEST_F(YkcCodec, NonZeroBytesAfterTheBodyAreBadPadding) {
  auto c = codec(CipherAlgorithm::TripleDes, "0123456789ABCDEFFEDCBA9876543210");
  Bytes plain = hex("32 01 06 00 01 92 36 01 00 00 00 00 00 00 00 07");  // heartbeat + pad ending 07
  Frame f;
  f.type = 0x03;
  f.encryption = kFlagEncrypted;
  f.body = lib_->encrypt(CipherProfile{CipherAlgorithm::TripleDes, hex("0123456789ABCDEFFEDCBA9876543210")}, plain).value();
  EXPECT_EQ(c.decode(f).error().code, Errc::bad_padding);
}

TEST_F(YkcCodec, LearnsTheCrcByteOrderFromTheFirstFrameInAutoMode) {
  PileCodec c(nullptr, Options{});
  EXPECT_EQ(c.send_crc_order(), CrcOrder::LowFirst);
  Frame high = frame_named("worked_examples.txt", "heartbeat");
  high.crc_order = CrcOrder::HighFirst;
  c.observe(high);
  EXPECT_EQ(c.send_crc_order(), CrcOrder::HighFirst);
  Frame low = high;
  low.crc_order = CrcOrder::LowFirst;
  c.observe(low);  // only the first frame counts
  EXPECT_EQ(c.send_crc_order(), CrcOrder::HighFirst);
  auto bytes = c.encode_reply(HeartbeatReply{kPile, 1, 0}, high.seq, false).value();
  EXPECT_EQ(decode_frame(bytes)->crc_order, CrcOrder::HighFirst);

  Options forced;
  forced.crc_byte_order = CrcByteOrder::Little;
  PileCodec little(nullptr, forced);
  little.observe(high);
  EXPECT_EQ(little.send_crc_order(), CrcOrder::LowFirst);
}

TEST_F(YkcCodec, OriginatedFramesCountUpInThePilesSequenceByteOrder) {
  Options big;
  big.seq_byte_order = SeqByteOrder::Big;
  PileCodec c(nullptr, big);
  for (std::uint16_t i = 0; i < 3; ++i) {
    auto f = decode_frame(c.encode_request(RemoteStop{kPile, 1}, false).value()).value();
    EXPECT_EQ(f.seq, make_seq(i, SeqByteOrder::Big));
  }
}

TEST_F(YkcCodec, RepliesEchoTheRequestSequenceBytesVerbatim) {
  PileCodec c(nullptr, Options{});
  auto f = decode_frame(c.encode_reply(TransactionRecordAck{"32010600019236012405201030000001", 0}, Seq{0x46, 0x00}, false)
                            .value()).value();
  EXPECT_EQ(f.seq, (Seq{0x46, 0x00}));
  EXPECT_EQ(encode_frame(f).value(), hex("68 15 46 00 00 40 32 01 06 00 01 92 36 01 24 05 20 10 30 00 00 01 00 55 E2"));
}

}  // namespace
}  // namespace cp::ykc
