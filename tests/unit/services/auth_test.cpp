#include "services/auth.h"

#include <gtest/gtest.h>

#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

using cp::testing::FakeClock;
using cp::testing::FakeStore;

constexpr int kFast = 1000;  // iterations for tests: the cost is not what is under test

void add_pile(FakeStore& store, const std::string& id, std::string_view password) {
  store::PileRecord p;
  p.id = id;
  p.protocol = "ocpp1.6";
  p.password_hash = hash_password(password, kFast);
  store.submit({store::UpsertPile{p}}, [](const Status&) {});
  store.flush();
}

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  const auto h = hash_password("correct horse battery", kFast);
  EXPECT_TRUE(verify_password("correct horse battery", h));
  EXPECT_FALSE(verify_password("correct horse batterY", h));
  EXPECT_FALSE(verify_password("", h));
}

TEST(PasswordHash, EncodesSchemeIterationsSaltAndHash) {
  const auto h = hash_password("secret-secret-secret", 1234);
  EXPECT_EQ(h.rfind("pbkdf2-sha256$1234$", 0), 0u) << h;
  EXPECT_EQ(std::count(h.begin(), h.end(), '$'), 3);
  EXPECT_EQ(h.find("secret"), std::string::npos);
}

TEST(PasswordHash, SaltsAreRandom) {
  EXPECT_NE(hash_password("same", kFast), hash_password("same", kFast));
}

TEST(PasswordHash, RejectsMalformedEncodings) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$abc$AAAA$AAAA"));
  EXPECT_FALSE(verify_password("x", "bcrypt$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$999999999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$1000$!!$AAAAAAAAAAAAAAAAAAAAAA"));
}

TEST(PasswordHash, KnownVectorFromRfc7914) {
  // RFC 7914 §11: PBKDF2-HMAC-SHA256("passwd", "salt", c=1, dkLen=64) = 55ac046e56e3089f...
  const std::string encoded =
      "pbkdf2-sha256$1$c2FsdA$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLxJypzM8Xm2RZkWZLOdd+8x"
      "fHG4RbHjC9UJESBB06GXgw";
  EXPECT_TRUE(verify_password("passwd", encoded));
  EXPECT_FALSE(verify_password("passwe", encoded));
}

TEST(RandomSecret, IsUrlSafeAndCarriesTheRequestedEntropy) {
  const auto s = random_secret(24);
  EXPECT_EQ(s.size(), 32u);
  EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(s, random_secret(24));
}

TEST(Roles, NamesRoundTrip) {
  for (auto r : {Role::Viewer, Role::Operator, Role::Admin}) EXPECT_EQ(role_from_string(to_string(r)), r);
  EXPECT_FALSE(role_from_string("root"));
}

TEST(PileAuthenticator, AcceptsTheStoredPasswordAndRejectsOthers) {
  FakeStore store;
  add_pile(store, "CP-1", "0123456789abcdef");
  PileAuthenticator auth(store);
  EXPECT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
  EXPECT_EQ(auth.verify("CP-1", "0123456789abcdeX"), PileAuthResult::BadPassword);
  EXPECT_EQ(auth.verify("CP-2", "0123456789abcdef"), PileAuthResult::UnknownPile);
}

TEST(PileAuthenticator, CachedSuccessDoesNotNeedTheStore) {
  FakeStore store;
  add_pile(store, "CP-1", "0123456789abcdef");
  PileAuthenticator auth(store);
  ASSERT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
  store.fail_reads(true);
  EXPECT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
  // A different password is never served from the cache.
  EXPECT_EQ(auth.verify("CP-1", "fedcba9876543210"), PileAuthResult::UnknownPile);
}

TEST(PileAuthenticator, ForgetDropsTheCachedCredential) {
  FakeStore store;
  add_pile(store, "CP-1", "0123456789abcdef");
  PileAuthenticator auth(store);
  ASSERT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
  add_pile(store, "CP-1", "a-brand-new-password");
  EXPECT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);  // still cached
  auth.forget("CP-1");
  EXPECT_EQ(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::BadPassword);
  EXPECT_EQ(auth.verify("CP-1", "a-brand-new-password"), PileAuthResult::Ok);
}

TEST(PileAuthenticator, StoreErrorFailsClosed) {
  FakeStore store;
  add_pile(store, "CP-1", "0123456789abcdef");
  PileAuthenticator auth(store);
  store.fail_reads(true);
  EXPECT_NE(auth.verify("CP-1", "0123456789abcdef"), PileAuthResult::Ok);
}

struct ApiAuthTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  ApiAuth auth{store, clock, std::chrono::hours(1), kFast};
};

TEST_F(ApiAuthTest, EnsureUserIsDurableAndHashesThePassword) {
  ASSERT_TRUE(auth.ensure_user("admin", "admin-password", Role::Admin).ok());
  auto u = store.user("admin");
  ASSERT_TRUE(u.ok() && u->has_value());
  EXPECT_EQ((*u)->role, "admin");
  EXPECT_EQ((*u)->password_hash.find("admin-password"), std::string::npos);
  EXPECT_TRUE(verify_password("admin-password", (*u)->password_hash));
}

TEST_F(ApiAuthTest, EnsureUserKeepsAnExistingUser) {
  ASSERT_TRUE(auth.ensure_user("admin", "first", Role::Admin).ok());
  ASSERT_TRUE(auth.ensure_user("admin", "second", Role::Viewer).ok());
  EXPECT_TRUE(auth.login("admin", "first").ok());
  EXPECT_FALSE(auth.login("admin", "second").ok());
}

TEST_F(ApiAuthTest, EnsureUserReportsAStoreFailure) {
  store.fail_next(1);
  EXPECT_FALSE(auth.ensure_user("admin", "pw", Role::Admin).ok());
}

TEST_F(ApiAuthTest, LoginIssuesATokenThatAuthenticates) {
  ASSERT_TRUE(auth.ensure_user("op", "operator-pw", Role::Operator).ok());
  auto issued = auth.issue_token("op", "operator-pw");
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->token.size(), 43u);  // 32 bytes, base64url unpadded
  EXPECT_EQ(issued->expires_at, clock.now() + std::chrono::hours(1));
  auto p = auth.authenticate(issued->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "op");
  EXPECT_EQ(p->role, Role::Operator);
}

TEST_F(ApiAuthTest, BadCredentialsAreOneError) {
  ASSERT_TRUE(auth.ensure_user("op", "operator-pw", Role::Operator).ok());
  auto wrong = auth.login("op", "nope");
  auto unknown = auth.login("ghost", "nope");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, "invalid_credentials");
  EXPECT_EQ(unknown.error().code, "invalid_credentials");
  EXPECT_EQ(wrong.error().message, unknown.error().message);  // no user enumeration
}

TEST_F(ApiAuthTest, TokensExpire) {
  ASSERT_TRUE(auth.ensure_user("v", "viewer-pw", Role::Viewer).ok());
  auto token = auth.login("v", "viewer-pw");
  ASSERT_TRUE(token.ok());
  clock.advance(std::chrono::minutes(59));
  EXPECT_TRUE(auth.authenticate(*token));
  clock.advance(std::chrono::minutes(1));
  EXPECT_FALSE(auth.authenticate(*token));
}

TEST_F(ApiAuthTest, LogoutRevokesOnlyThatToken) {
  ASSERT_TRUE(auth.ensure_user("v", "viewer-pw", Role::Viewer).ok());
  auto a = auth.login("v", "viewer-pw");
  auto b = auth.login("v", "viewer-pw");
  ASSERT_TRUE(a.ok() && b.ok());
  auth.logout(*a);
  EXPECT_FALSE(auth.authenticate(*a));
  EXPECT_TRUE(auth.authenticate(*b));
}

TEST_F(ApiAuthTest, UnknownOrEmptyTokenIsRejected) {
  EXPECT_FALSE(auth.authenticate(""));
  EXPECT_FALSE(auth.authenticate("not-a-token"));
}

}  // namespace
}  // namespace cp::services
