// YKC per-pile variant options: defaults follow the notes, patches, canonical JSON, errors.
#include "protocol/ykc/pile_settings.h"

#include <gtest/gtest.h>

namespace cp::ykc {
namespace {

TEST(YkcPileSettings, DefaultsAreTheNotesRecommendations) {
  auto s = parse_pile_settings("{}");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->codec.crc_byte_order, CrcByteOrder::Auto);
  EXPECT_EQ(s->codec.seq_byte_order, SeqByteOrder::Little);
  EXPECT_EQ(s->codec.fault_bit_numbering, FaultBitNumbering::FromOne);
  EXPECT_EQ(s->codec.bem_bit_order, BemBitOrder::LsbFirst);
  EXPECT_TRUE(s->codec.vin_reversed);
  EXPECT_FALSE(s->cipher_cbc);
  EXPECT_FALSE(s->cipher_pkcs7);
  EXPECT_TRUE(s->clock_sync_on_login);
  EXPECT_EQ(s->remote_start_balance_fen, 1'000'000u);  // 10,000.00 yuan
  EXPECT_EQ(s->billing_model.number, "0100");
  EXPECT_EQ(s->billing_model.slots.size(), 48u);
}

TEST(YkcPileSettings, CanonicalJsonRoundTripsEveryKey) {
  auto s = parse_pile_settings(
      R"({"crc_byte_order":"big","seq_byte_order":"big","fault_bit_numbering":"from_zero","vin_reversed":false,)"
      R"("bem_bit_order":"msb_first","cipher_mode":"cbc","cipher_padding":"pkcs7",)"
      R"("clock_sync_on_login":false,"remote_start_balance":250.5,"billing_model":{"number":"0203","energy_rates":[1.5,1,0.5,0.25],)"
      R"("service_rates":[0,0,0,0.12345],"loss_percent":5,"slots":")" + std::string(48, '2') + R"("}})");
  ASSERT_TRUE(s) << s.error().message;
  const auto text = to_json(*s);
  auto again = parse_pile_settings(text);
  ASSERT_TRUE(again);
  EXPECT_EQ(to_json(*again), text);
  EXPECT_EQ(again->codec.crc_byte_order, CrcByteOrder::Big);
  EXPECT_EQ(again->codec.seq_byte_order, SeqByteOrder::Big);
  EXPECT_EQ(again->codec.bem_bit_order, BemBitOrder::MsbFirst);
  EXPECT_TRUE(again->cipher_cbc);
  EXPECT_TRUE(again->cipher_pkcs7);
  EXPECT_DOUBLE_EQ(again->billing_model.service_rates[3], 0.12345);
  EXPECT_EQ(again->billing_model.loss_percent, 5);
  EXPECT_EQ(again->remote_start_balance_fen, 25'050u);
}

TEST(YkcPileSettings, PatchChangesOnlyTheGivenKeysAndNullResets) {
  auto base = parse_pile_settings(R"({"crc_byte_order":"little","vin_reversed":false})");
  auto patched = patch_pile_settings(*base, R"({"vin_reversed":null,"seq_byte_order":"big"})");
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->codec.crc_byte_order, CrcByteOrder::Little);
  EXPECT_TRUE(patched->codec.vin_reversed);
  EXPECT_EQ(patched->codec.seq_byte_order, SeqByteOrder::Big);
  auto canonical = canonical_settings(to_json(*base), R"({"crc_byte_order":null})");
  ASSERT_TRUE(canonical);
  EXPECT_EQ(parse_pile_settings(*canonical)->codec.crc_byte_order, CrcByteOrder::Auto);
}

TEST(YkcPileSettings, RefusesUnknownKeysAndOutOfRangeValuesNamingTheKey) {
  for (const char* bad : {R"({"crc":"big"})", R"({"crc_byte_order":"middle"})", R"({"cipher_mode":"ofb"})", R"({"vin_reversed":"yes"})",
                          R"({"remote_start_balance":-1})", R"({"remote_start_balance":1.005})",
                          R"({"remote_start_balance":"100"})", R"({"remote_start_balance":5e7})",
                          R"({"billing_model":{"number":"12"}})", R"({"billing_model":{"energy_rates":[1,2,3]}})",
                          R"({"billing_model":{"service_rates":[1,2,3,-1]}})",
                          R"({"billing_model":{"energy_rates":[1,2,3,0.000001]}})",
                          R"({"billing_model":{"slots":"0123"}})", R"({"billing_model":{"loss_percent":101}})",
                          R"([1])", "not json"}) {
    auto r = parse_pile_settings(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_ykc_options") << bad;
    EXPECT_EQ(r.error().message.rfind("ykc.", 0), 0u) << r.error().message;
  }
}

}  // namespace
}  // namespace cp::ykc
