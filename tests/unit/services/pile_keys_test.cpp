// Pile frame-encryption keys: validation, sealing at rest, the KEK file and the KCV fingerprint.
#include "services/pile_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

std::string unhex(std::string_view hex) { return *parse_pile_key(hex.size() == 16 ? "des" : "3des", hex); }

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("cp-keys-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

TEST(PileKey, AcceptsTheKeyLengthOfEachCipher) {
  EXPECT_EQ(parse_pile_key("des", "0123456789abcdef")->size(), 8u);
  EXPECT_EQ(parse_pile_key("3des", "0123456789ABCDEFFEDCBA9876543210")->size(), 16u);
  EXPECT_EQ(parse_pile_key("3des", std::string(48, 'a'))->size(), 24u);
  EXPECT_EQ(parse_pile_key("none", "")->size(), 0u);
}

TEST(PileKey, RefusesWrongLengthsNonHexAndUnknownCiphers) {
  for (auto [cipher, key] : std::vector<std::pair<std::string, std::string>>{
           {"des", std::string(32, 'a')}, {"3des", "0123456789abcdef"}, {"3des", std::string(40, 'a')},
           {"des", "0123456789abcdeg"}, {"none", "00"}, {"aes", std::string(32, 'a')}, {"des", ""}}) {
    auto r = parse_pile_key(cipher, key);
    ASSERT_FALSE(r) << cipher << " " << key;
    EXPECT_EQ(r.error().code, "invalid_key");
  }
}

TEST(PileKeyVault, SealedKeyOpensOnlyForThePileItWasSealedFor) {
  PileKeyVault vault(std::string(32, 'k'));
  const std::string key = unhex("0123456789ABCDEFFEDCBA9876543210");
  auto sealed = vault.seal("32010600019236", key);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->rfind("v1:", 0), 0u);
  EXPECT_EQ(sealed->find(key), std::string::npos);
  EXPECT_EQ(*vault.unseal("32010600019236", *sealed), key);
  EXPECT_EQ(vault.unseal("32010600019237", *sealed).error().code, "unseal_failed");
  EXPECT_EQ(PileKeyVault(std::string(32, 'x')).unseal("32010600019236", *sealed).error().code, "unseal_failed");
  auto tampered = *sealed;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(vault.unseal("32010600019236", tampered));
  EXPECT_FALSE(vault.unseal("32010600019236", "not sealed"));
}

TEST(PileKeyVault, FingerprintIsTheStandardKeyCheckValue) {
  // E_K(0^8) for the classic test keys (verified with `openssl enc -des-ede3 / -des-ecb`).
  EXPECT_EQ(PileKeyVault::fingerprint("3des", unhex("0123456789ABCDEFFEDCBA9876543210")), "08D7B4");
  EXPECT_EQ(PileKeyVault::fingerprint("des", unhex("0123456789ABCDEF")), "D5D44F");
  EXPECT_EQ(PileKeyVault::fingerprint("none", ""), "");
}

TEST(PileKeyVault, CreatesTheKekFile0600AndReadsTheSameKeyBack) {
  TempDir dir;
  const auto path = (dir.path / "pile-keys.kek").string();
  auto first = PileKeyVault::open_file(path);
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto sealed = first->seal("P", "12345678");
  auto second = PileKeyVault::open_file(path);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second->unseal("P", *sealed), "12345678");
}

TEST(PileKeyVault, RefusesAKekFileOthersCanReadOrOfTheWrongSize) {
  TempDir dir;
  const auto path = (dir.path / "pile-keys.kek").string();
  ASSERT_TRUE(PileKeyVault::open_file(path));
  ::chmod(path.c_str(), 0644);
  auto open = PileKeyVault::open_file(path);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, "kek_unavailable");
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  std::ofstream(path, std::ios::app) << "x";
  EXPECT_FALSE(PileKeyVault::open_file(path));
}

TEST(PileTransports, GivesTheKeyInClearOnlyToTheLookup) {
  testing::FakeStore store;
  PileKeyVault vault(std::string(32, 'k'));
  store::PileRecord p;
  p.id = "32010600019236";
  p.protocol = "ykc";
  p.cipher = "3des";
  p.sealed_key = *vault.seal(p.id, unhex("0123456789ABCDEFFEDCBA9876543210"));
  p.protocol_options = R"({"vin_reversed":false})";
  store.submit({store::UpsertPile{p}}, [](const Status&) {});
  store.flush();
  PileTransports transports(store, vault);
  auto t = transports.lookup(p.id);
  ASSERT_TRUE(t && t->has_value());
  EXPECT_EQ((*t)->protocol, "ykc");
  EXPECT_EQ((*t)->cipher, "3des");
  EXPECT_EQ((*t)->key, unhex("0123456789ABCDEFFEDCBA9876543210"));
  EXPECT_EQ((*t)->options_json, p.protocol_options);
  EXPECT_FALSE(transports.lookup("32010600019237")->has_value());
  store.close();
}

}  // namespace
}  // namespace cp::services
