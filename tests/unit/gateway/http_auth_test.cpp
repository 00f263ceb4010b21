#include "gateway/detail/http_auth.h"

#include "core/base64.h"

#include <gtest/gtest.h>

namespace cp::gateway::detail {
namespace {

TEST(PileIdFromTarget, ReadsIdAfterPrefix) {
  EXPECT_EQ(pile_id_from_target("/ocpp/CP-001"), "CP-001");
  EXPECT_EQ(pile_id_from_target("/ocpp/CP-001?x=1"), "CP-001");
}

TEST(PileIdFromTarget, DecodesPercentEscapes) {
  EXPECT_EQ(pile_id_from_target("/ocpp/CP%20A%2F"), std::nullopt);  // '/' may not hide in an id
  EXPECT_EQ(pile_id_from_target("/ocpp/CP%20A"), "CP A");
}

TEST(PileIdFromTarget, RejectsWrongPathsAndBadIds) {
  EXPECT_EQ(pile_id_from_target("/other/CP1"), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/"), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/a/b"), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/%zz"), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/%4"), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/" + std::string(49, 'x')), std::nullopt);
  EXPECT_EQ(pile_id_from_target("/ocpp/" + std::string(48, 'x')), std::string(48, 'x'));
  EXPECT_EQ(pile_id_from_target("/ocpp/a%00b"), std::nullopt);
}

TEST(OfferedSubprotocols, SplitsAndTrims) {
  EXPECT_EQ(offered_subprotocols("ocpp2.0.1, ocpp1.6 ,"), (std::vector<std::string>{"ocpp2.0.1", "ocpp1.6"}));
  EXPECT_TRUE(offered_subprotocols("").empty());
}

TEST(BasicAuth, ParsesUserAndPasswordWithColons) {
  const auto c = parse_basic_auth("Basic " + base64_encode("CP1:pa:ss"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "CP1");
  EXPECT_EQ(c->password, "pa:ss");
}

TEST(BasicAuth, SchemeIsCaseInsensitive) {
  EXPECT_TRUE(parse_basic_auth("basic " + base64_encode("a:b")));
}

TEST(BasicAuth, RejectsMalformedHeaders) {
  EXPECT_FALSE(parse_basic_auth(""));
  EXPECT_FALSE(parse_basic_auth("Bearer abc"));
  EXPECT_FALSE(parse_basic_auth("Basic !!!!"));
  EXPECT_FALSE(parse_basic_auth("Basic " + base64_encode("nocolon")));
  EXPECT_FALSE(parse_basic_auth("Basic abc"));  // not a multiple of 4
}

}  // namespace
}  // namespace cp::gateway::detail
