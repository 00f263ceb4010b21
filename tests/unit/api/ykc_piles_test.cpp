// YKC pile registration through /api/v1/piles: pile numbers, encryption keys (sealed, never
// returned), variant options, rotation through PATCH.
#include <boost/json/parse.hpp>

#include "protocol/ykc/pile_settings.h"
#include "services/pile_keys.h"
#include "unit/api/api_fixture.h"

namespace cp::testing {
namespace {

constexpr const char* kPile = "32010600019236";
constexpr const char* kKey = "0123456789ABCDEFFEDCBA9876543210";

struct ClosingLink final : services::PileLink {
  void close(const std::string& reason) override { closed = reason; }
  void execute(cp::domain::Command, cp::domain::CommandObserver o) override { o.done({"Offline", "", "", {}, {}, {}}); }
  std::string remote_address() const override { return "192.0.2.1:1"; }
  std::string closed;
};

struct YkcApiTest : ApiTest {
  services::PileKeyVault vault{std::string(32, 'v')};
  void configure_context(api::ApiContext& ctx) override {
    ctx.key_vault = &vault;
    ctx.protocol_options = [](std::string_view protocol, std::string_view current,
                              std::string_view patch) -> Result<std::string> {
      if (protocol != "ykc") return fail("invalid_field", "no options");
      return ykc::canonical_settings(current, patch);
    };
  }
  HttpReply post(const std::string& body) { return call("POST", "/api/v1/piles", body, admin); }
};

TEST_F(YkcApiTest, RegistersAnEncryptedPileAndShowsOnlyTheFingerprint) {
  auto r = post(std::string(R"({"id":")") + kPile + R"(","protocol":"ykc","encryption":{"cipher":"3des","key":")" +
                kKey + R"("},"ykc":{"crc_byte_order":"big"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body.find(kKey), std::string::npos);
  EXPECT_EQ(r.body.find("v1:"), std::string::npos);  // nor the sealed form
  auto j = r.json();
  EXPECT_EQ(j.at("protocol").as_string(), "ykc");
  EXPECT_EQ(j.at("encryption").at("cipher").as_string(), "3des");
  EXPECT_EQ(j.at("encryption").at("key_fingerprint").as_string(), "08D7B4");
  EXPECT_EQ(j.at("ykc").at("crc_byte_order").as_string(), "big");
  EXPECT_EQ(j.at("ykc").at("vin_reversed").as_bool(), true);  // defaults filled in

  auto stored = store.pile(kPile);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->cipher, "3des");
  EXPECT_EQ(*vault.unseal(kPile, (*stored)->sealed_key), *services::parse_pile_key("3des", kKey));
  auto audit = store.audit({});
  ASSERT_TRUE(audit);
  for (const auto& a : *audit) EXPECT_EQ(a.detail.find(kKey), std::string::npos);

  auto one = get(std::string("/api/v1/piles/") + kPile);
  EXPECT_EQ(one.json().at("encryption").at("key_fingerprint").as_string(), "08D7B4");
  EXPECT_EQ(one.body.find(kKey), std::string::npos);
}

TEST_F(YkcApiTest, PlainPileNeedsNoKeyAndShowsCipherNone) {
  auto r = post(std::string(R"({"id":")") + kPile + R"(","protocol":"ykc"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("encryption").at("cipher").as_string(), "none");
  EXPECT_TRUE(r.json().at("encryption").at("key_fingerprint").is_null());
  EXPECT_EQ(r.json().at("ykc").at("billing_model").at("number").as_string(), "0100");
}

TEST_F(YkcApiTest, RefusesBadInputWithProblemCodes) {
  const std::string id = std::string(R"("id":")") + kPile + "\"";
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"id":"CP-1","protocol":"ykc"})", "invalid_pile_id"},
      {R"({"id":"3201060001923","protocol":"ykc"})", "invalid_pile_id"},
      {"{" + id + R"(,"protocol":"ykc","password":"pile-password-0123456789"})", "invalid_field"},
      {"{" + id + R"(,"protocol":"ykc","encryption":{"cipher":"3des","key":"0011"}})", "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","encryption":{"cipher":"aes","key":"0011"}})", "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","encryption":{"cipher":"des"}})", "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","encryption":{"cipher":"none","key":"00"}})", "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","encryption":{"cipher":"des","key":"0123456789ABCDEF","mode":"cbc"}})",
       "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","encryption":"3des"})", "invalid_encryption"},
      {"{" + id + R"(,"protocol":"ykc","ykc":{"crc_byte_order":"sideways"}})", "invalid_ykc_options"},
      {"{" + id + R"(,"protocol":"ykc","ykc":[]})", "invalid_ykc_options"},
      {R"({"id":"CP-1","protocol":"ocpp1.6","password":"pile-password-0123456789","encryption":{"cipher":"none"}})",
       "invalid_field"},
  };
  for (const auto& [body, code] : cases) {
    auto r = post(body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.code(), code) << body;
    EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  }
  EXPECT_FALSE(registry.exists(kPile));
}

TEST_F(YkcApiTest, PatchRotatesTheKeyAndClosesTheLiveSession) {
  ASSERT_EQ(post(std::string(R"({"id":")") + kPile + R"(","protocol":"ykc"})").status, 201);
  auto link = std::make_shared<ClosingLink>();
  registry.attach(kPile, link, clock.now());
  auto r = call("PATCH", std::string("/api/v1/piles/") + kPile,
                R"({"encryption":{"cipher":"des","key":"0123456789ABCDEF"},"ykc":{"vin_reversed":false}})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("encryption").at("cipher").as_string(), "des");
  EXPECT_EQ(r.json().at("encryption").at("key_fingerprint").as_string(), "D5D44F");
  EXPECT_EQ(r.json().at("ykc").at("vin_reversed").as_bool(), false);
  EXPECT_EQ(link->closed, "pile settings changed");

  // Options merge: an untouched key keeps its value.
  r = call("PATCH", std::string("/api/v1/piles/") + kPile, R"({"ykc":{"seq_byte_order":"big"}})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("ykc").at("vin_reversed").as_bool(), false);
  EXPECT_EQ(r.json().at("ykc").at("seq_byte_order").as_string(), "big");
  EXPECT_EQ(r.json().at("encryption").at("cipher").as_string(), "des");  // untouched

  r = call("PATCH", std::string("/api/v1/piles/") + kPile, R"({"encryption":{"cipher":"none"}})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("encryption").at("key_fingerprint").is_null());
  EXPECT_EQ((*store.pile(kPile))->sealed_key, "");
  EXPECT_EQ(call("PATCH", std::string("/api/v1/piles/") + kPile, R"({"password":"pile-password-0123456789"})", admin)
                .code(),
            "invalid_field");
}

}  // namespace
}  // namespace cp::testing
