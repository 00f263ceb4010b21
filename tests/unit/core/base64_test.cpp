#include "core/base64.h"

#include <gtest/gtest.h>

namespace cp {
namespace {

TEST(Base64, EncodesRfc4648VectorsPadded) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, UrlAlphabetUnpaddedForTokens) {
  EXPECT_EQ(base64_encode("\xfb\xff", Base64Alphabet::Url, Base64Padding::Unpadded), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff", Base64Alphabet::Standard), "+/8=");
}

TEST(Base64, DecodesWithOrWithoutPaddingAndRejectsForeignCharacters) {
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_EQ(base64_decode("-_8", Base64Alphabet::Url), "\xfb\xff");
  EXPECT_FALSE(base64_decode("-_8"));  // url characters in the standard alphabet
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));  // no byte can end on a single sextet
}

TEST(Base64, RoundTripsEveryLength) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    s.push_back(static_cast<char>(i * 37));
    EXPECT_EQ(base64_decode(base64_encode(s)), s) << i;
    EXPECT_EQ(base64_decode(base64_encode(s, Base64Alphabet::Url, Base64Padding::Unpadded), Base64Alphabet::Url), s);
  }
}

}  // namespace
}  // namespace cp
