#include "protocol/ykc/cipher.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "protocol/ykc/codec.h"
#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::hex;

struct Vector {
  CipherProfile profile;
  Bytes plain, cipher;
  std::string line;
};

std::vector<Vector> load_vectors() {
  std::ifstream in(std::string(CP_TEST_DATA_DIR) + "/ykc/cipher_vectors.txt");
  EXPECT_TRUE(in.good());
  std::vector<Vector> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string alg, mode, pad, key, plain, cipher;
    s >> alg >> mode >> pad >> key >> plain >> cipher;
    Vector v;
    v.line = line;
    v.profile.algorithm = alg == "des" ? CipherAlgorithm::Des : CipherAlgorithm::TripleDes;
    v.profile.mode = mode == "cbc" ? CipherMode::Cbc : CipherMode::Ecb;
    v.profile.padding = pad == "pkcs7" ? CipherPadding::Pkcs7 : CipherPadding::Zero;
    v.profile.key = hex(key);
    v.plain = hex(plain);
    v.cipher = hex(cipher);
    out.push_back(std::move(v));
  }
  return out;
}

class YkcCipher : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lib = CipherLibrary::create();
    ASSERT_TRUE(lib.ok()) << lib.error().detail;
    lib_ = std::move(*lib);
  }
  std::unique_ptr<CipherLibrary> lib_;
};

TEST_F(YkcCipher, LoadsSingleDesFromTheLegacyProvider) {
  EXPECT_TRUE(lib_->supports(CipherAlgorithm::Des));
  EXPECT_TRUE(lib_->supports(CipherAlgorithm::TripleDes));
}

TEST_F(YkcCipher, MatchesOpensslCommandLineVectors) {
  const auto vectors = load_vectors();
  ASSERT_EQ(vectors.size(), 8u);
  for (const auto& v : vectors) {
    auto c = lib_->encrypt(v.profile, v.plain);
    ASSERT_TRUE(c.ok()) << v.line << ": " << c.error().detail;
    EXPECT_EQ(*c, v.cipher) << v.line;
    auto p = lib_->decrypt(v.profile, v.cipher);
    ASSERT_TRUE(p.ok()) << v.line;
    Bytes expect = v.plain;
    if (v.profile.padding == CipherPadding::Zero) expect.resize((expect.size() + 7) / 8 * 8, 0);
    EXPECT_EQ(*p, expect) << v.line;
  }
}

TEST_F(YkcCipher, RoundTripsEveryBodyLength) {
  for (auto alg : {CipherAlgorithm::Des, CipherAlgorithm::TripleDes})
    for (auto pad : {CipherPadding::Zero, CipherPadding::Pkcs7})
      for (auto mode : {CipherMode::Ecb, CipherMode::Cbc}) {
        CipherProfile p{alg, Bytes(alg == CipherAlgorithm::Des ? 8 : 24, 0x5A), mode, pad};
        for (std::size_t n = 1; n < 40; ++n) {
          Bytes plain(n);
          for (std::size_t i = 0; i < n; ++i) plain[i] = static_cast<std::uint8_t>(i * 37 + 1);
          auto c = lib_->encrypt(p, plain);
          ASSERT_TRUE(c.ok());
          EXPECT_EQ(c->size() % 8, 0u);
          auto d = lib_->decrypt(p, *c);
          ASSERT_TRUE(d.ok());
          if (pad == CipherPadding::Zero) d->resize(n);
          EXPECT_EQ(*d, plain);
        }
      }
}

TEST_F(YkcCipher, RejectsKeysOfTheWrongLength) {
  CipherProfile des{CipherAlgorithm::Des, Bytes(16, 1)};
  EXPECT_EQ(lib_->encrypt(des, Bytes(8)).error().code, Errc::bad_key);
  CipherProfile tdes{CipherAlgorithm::TripleDes, Bytes(8, 1)};
  EXPECT_EQ(lib_->decrypt(tdes, Bytes(8)).error().code, Errc::bad_key);
  tdes.key.clear();
  EXPECT_EQ(validate(tdes).error().code, Errc::bad_key);
}

TEST_F(YkcCipher, RejectsCiphertextThatIsNotWholeBlocks) {
  CipherProfile p{CipherAlgorithm::TripleDes, Bytes(16, 1)};
  EXPECT_EQ(lib_->decrypt(p, Bytes(7)).error().code, Errc::bad_ciphertext);
  EXPECT_EQ(lib_->decrypt(p, Bytes{}).error().code, Errc::bad_ciphertext);
}

TEST_F(YkcCipher, WrongKeyUnderPkcs7IsABadPaddingErrorNotACrash) {
  CipherProfile right{CipherAlgorithm::TripleDes, hex("0123456789ABCDEFFEDCBA9876543210"), CipherMode::Ecb, CipherPadding::Pkcs7};
  CipherProfile wrong = right;
  wrong.key[0] ^= 0xFE;  // DES ignores the parity bit; change real key bits
  int bad = 0;
  for (int i = 0; i < 32; ++i) {
    Bytes plain(static_cast<std::size_t>(9 + i), static_cast<std::uint8_t>(i));
    auto c = lib_->encrypt(right, plain);
    ASSERT_TRUE(c.ok());
    auto d = lib_->decrypt(wrong, *c);
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, Errc::bad_padding);
      ++bad;
    }
  }
  EXPECT_GT(bad, 20);  // a random last block passes the PKCS#7 check about 1 time in 256
}

TEST_F(YkcCipher, ErrorTextNeverContainsTheKey) {
  CipherProfile p{CipherAlgorithm::Des, hex("A1B2C3D4E5F60718"), CipherMode::Ecb, CipherPadding::Pkcs7};
  auto d = lib_->decrypt(p, Bytes(8, 0));
  if (!d.ok()) {
    EXPECT_EQ(d.error().detail.find("A1B2"), std::string::npos);
    EXPECT_EQ(d.error().detail.find("a1b2"), std::string::npos);
  }
}

}  // namespace
}  // namespace cp::ykc
