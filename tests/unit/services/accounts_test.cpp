// ApiAuth's durable tokens, users, API tokens, roles, audit entries and login throttling,
// against the FakeStore (restart = a second ApiAuth loading the same store).
#include <gtest/gtest.h>

#include <future>

#include "services/auth.h"
#include "services/detail/login_throttle.h"
#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

using cp::testing::FakeClock;
using cp::testing::FakeStore;
using namespace std::chrono_literals;

constexpr int kFast = 1000;
const std::string kPassword = "a-long-enough-password";

// Runs an asynchronous ApiAuth call and waits for its completion.
template <class T, class Start>
T await(Start&& start) {
  std::promise<T> p;
  auto f = p.get_future();
  start([&p](T r) { p.set_value(std::move(r)); });
  return f.get();
}

struct AccountsTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  std::unique_ptr<ApiAuth> auth = make();
  Principal admin;

  std::unique_ptr<ApiAuth> make() { return std::make_unique<ApiAuth>(store, clock, 1h, kFast); }

  void SetUp() override {
    ASSERT_TRUE(auth->ensure_user("admin", kPassword, Role::Admin).ok());
    auto issued = auth->issue_token("admin", kPassword);
    ASSERT_TRUE(issued.ok());
    admin = issued->principal;
  }

  Result<UserInfo> create(const std::string& name, Role role, const std::string& password = kPassword) {
    return await<Result<UserInfo>>([&](auto done) { auth->create_user(admin, name, password, role, done); });
  }
  Result<UserInfo> update(const Principal& by, const std::string& name, std::optional<Role> role,
                          std::optional<std::string> password = std::nullopt) {
    return await<Result<UserInfo>>([&](auto done) { auth->update_user(by, name, role, password, done); });
  }
  Status remove(const Principal& by, const std::string& name) {
    return await<Status>([&](auto done) { auth->delete_user(by, name, done); });
  }
  Result<IssuedToken> mint(const Principal& by, ApiTokenSpec spec) {
    return await<Result<IssuedToken>>([&](auto done) { auth->issue_api_token(by, std::move(spec), done); });
  }
  Status revoke(const Principal& by, const std::string& id) {
    return await<Status>([&](auto done) { auth->revoke_api_token(by, id, done); });
  }
  Result<IssuedToken, LoginError> login_from(const std::string& user, const std::string& password,
                                             const std::string& address) {
    return await<Result<IssuedToken, LoginError>>([&](auto done) { auth->login(user, password, address, done); });
  }
  IssuedToken session(const std::string& user) {
    auto issued = auth->issue_token(user, kPassword);
    EXPECT_TRUE(issued.ok());
    return issued.ok() ? *issued : IssuedToken{};
  }
  std::vector<store::AuditRecord> audit() {
    auto rows = store.audit({});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::AuditRecord>{};
  }
};

TEST_F(AccountsTest, SessionsAndApiTokensSurviveARestart) {
  auto op = create("olga", Role::Operator);
  ASSERT_TRUE(op.ok());
  auto olga = session("olga");
  auto machine = mint(olga.principal, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());

  auto restarted = make();
  EXPECT_FALSE(restarted->authenticate(olga.token));  // nothing until load()
  ASSERT_TRUE(restarted->load().ok());
  auto p = restarted->authenticate(olga.token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "olga");
  EXPECT_EQ(p->token_kind, TokenKind::Session);
  auto m = restarted->authenticate(machine->token);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, Role::Operator);
  EXPECT_EQ(m->token_kind, TokenKind::Api);
  EXPECT_EQ(m->token_id, machine->id);
}

TEST_F(AccountsTest, OnlyTheDigestOfASecretIsStored) {
  auto olga_created = create("olga", Role::Operator);
  auto olga = session("olga");
  auto machine = mint(olga.principal, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());
  for (const auto& [id, row] : store.token_rows()) {
    EXPECT_EQ(row.digest.size(), 32u);
    EXPECT_NE(row.digest, olga.token);
    EXPECT_NE(row.digest, machine->token);
    EXPECT_EQ(row.id.find(machine->token), std::string::npos);
  }
}

TEST_F(AccountsTest, LogoutIsImmediateAndDurable) {
  auto s = session("admin");
  auth->logout(s.token);
  EXPECT_FALSE(auth->authenticate(s.token));
  auto restarted = make();
  ASSERT_TRUE(restarted->load().ok());
  EXPECT_FALSE(restarted->authenticate(s.token));
  auto fresh = restarted->issue_token("admin", kPassword);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(restarted->authenticate(fresh->token));
}

TEST_F(AccountsTest, ExpiredSessionsAreNotLoaded) {
  auto s = session("admin");
  clock.advance(61min);
  auto restarted = make();
  ASSERT_TRUE(restarted->load().ok());
  EXPECT_FALSE(restarted->authenticate(s.token));
}

TEST_F(AccountsTest, LastUsedIsWrittenCoarsely) {
  auto s = session("admin");
  const auto before = store.ops<store::TouchToken>().size();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(auth->authenticate(s.token));
  store.flush();
  EXPECT_EQ(store.ops<store::TouchToken>().size(), before);  // just issued: nothing to write yet
  clock.advance(kTokenTouchInterval);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(auth->authenticate(s.token));
  store.flush();
  const auto touches = store.ops<store::TouchToken>();
  ASSERT_EQ(touches.size(), before + 1);
  EXPECT_EQ(touches.back().id, s.id);
  EXPECT_EQ(touches.back().at, clock.now());
}

TEST_F(AccountsTest, LoginIsAuditedInTheSameBatchAsTheSession) {
  auto s = session("admin");
  bool found = false;
  for (const auto& batch : store.committed()) {
    bool has_token = false, has_audit = false;
    for (const auto& op : batch) {
      if (auto* t = std::get_if<store::InsertToken>(&op)) has_token = t->token.id == s.id;
      if (auto* a = std::get_if<store::InsertAudit>(&op)) has_audit = a->record.action == "auth.login";
    }
    found = found || (has_token && has_audit);
  }
  EXPECT_TRUE(found);
}

TEST_F(AccountsTest, CreateUserChecksTheRules) {
  EXPECT_EQ(create("bad name", Role::Viewer).error().code, "invalid_username");
  EXPECT_EQ(create("", Role::Viewer).error().code, "invalid_username");
  EXPECT_EQ(create("system", Role::Viewer).error().code, "invalid_username");  // an audit actor
  EXPECT_EQ(create("vera", Role::Viewer, "elevenchars").error().code, "invalid_password");
  ASSERT_TRUE(create("vera", Role::Viewer, "twelve-chars").ok());
  EXPECT_EQ(create("vera", Role::Admin).error().code, "user_exists");
  auto u = auth->user("vera");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->role, Role::Viewer);
  EXPECT_TRUE(auth->issue_token("vera", "twelve-chars").ok());
}

TEST_F(AccountsTest, ACreateTheStoreRefusesLeavesNoUser) {
  store.fail_next(1);
  EXPECT_FALSE(create("vera", Role::Viewer).ok());
  EXPECT_FALSE(auth->user("vera"));
  EXPECT_TRUE(create("vera", Role::Viewer).ok());
}

TEST_F(AccountsTest, ChangesAreAuditedWithTheActor) {
  ASSERT_TRUE(create("vera", Role::Viewer).ok());
  ASSERT_TRUE(update(admin, "vera", Role::Operator).ok());
  ASSERT_TRUE(remove(admin, "vera").ok());
  auto rows = audit();
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0].action, "user.delete");
  EXPECT_EQ(rows[1].action, "user.update");
  EXPECT_EQ(rows[2].action, "user.create");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i].actor, "admin");
    EXPECT_EQ(rows[i].target, "vera");
  }
  EXPECT_NE(rows[1].detail.find(R"("role":"operator")"), std::string::npos) << rows[1].detail;
  EXPECT_EQ(rows[2].detail.find(kPassword), std::string::npos);
}

TEST_F(AccountsTest, DeletingAUserRevokesAllItsTokens) {
  ASSERT_TRUE(create("olga", Role::Operator).ok());
  auto olga = session("olga");
  auto machine = mint(olga.principal, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());
  ASSERT_TRUE(remove(admin, "olga").ok());
  EXPECT_FALSE(auth->authenticate(olga.token));
  EXPECT_FALSE(auth->authenticate(machine->token));
  EXPECT_FALSE(auth->user("olga"));
  auto restarted = make();
  ASSERT_TRUE(restarted->load().ok());
  EXPECT_FALSE(restarted->authenticate(machine->token));
  EXPECT_EQ(remove(admin, "olga").error().code, "user_not_found");
}

TEST_F(AccountsTest, NobodyDeletesThemselvesOrTheLastAdmin) {
  EXPECT_EQ(remove(admin, "admin").error().code, "cannot_delete_self");
  ASSERT_TRUE(create("ada", Role::Admin).ok());
  const auto ada = session("ada").principal;
  ASSERT_TRUE(remove(ada, "admin").ok());
  ASSERT_TRUE(create("vera", Role::Viewer).ok());
  EXPECT_EQ(update(ada, "ada", Role::Viewer).error().code, "last_admin");
  EXPECT_EQ(remove(Principal{"someone", Role::Admin, "", TokenKind::Session}, "ada").error().code, "last_admin");
  EXPECT_EQ(auth->user("ada")->role, Role::Admin);
}

TEST_F(AccountsTest, ADemotionAppliesToLiveTokensAtOnce) {
  ASSERT_TRUE(create("olga", Role::Operator).ok());
  auto olga = session("olga");
  auto machine = mint(olga.principal, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());
  ASSERT_TRUE(update(admin, "olga", Role::Viewer).ok());
  EXPECT_EQ(auth->authenticate(olga.token)->role, Role::Viewer);
  EXPECT_EQ(auth->authenticate(machine->token)->role, Role::Viewer);
  // Promoted again, the API token is still capped by the role it was minted with.
  ASSERT_TRUE(update(admin, "olga", Role::Admin).ok());
  EXPECT_EQ(auth->authenticate(olga.token)->role, Role::Admin);
  EXPECT_EQ(auth->authenticate(machine->token)->role, Role::Operator);
}

TEST_F(AccountsTest, APasswordChangeEndsSessionsButNotApiTokens) {
  ASSERT_TRUE(create("olga", Role::Operator).ok());
  auto olga = session("olga");
  auto machine = mint(olga.principal, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(update(admin, "olga", std::nullopt, std::string("short")).error().code, "invalid_password");
  ASSERT_TRUE(update(admin, "olga", std::nullopt, std::string("another-long-password")).ok());
  EXPECT_FALSE(auth->authenticate(olga.token));
  EXPECT_TRUE(auth->authenticate(machine->token));
  EXPECT_FALSE(auth->issue_token("olga", kPassword).ok());
  EXPECT_TRUE(auth->issue_token("olga", "another-long-password").ok());
}

TEST_F(AccountsTest, ApiTokensNeverExceedTheirOwner) {
  ASSERT_TRUE(create("olga", Role::Operator).ok());
  auto olga = session("olga").principal;
  EXPECT_EQ(mint(olga, {"x", Role::Admin, std::nullopt}).error().code, "role_too_high");
  auto viewer_token = mint(olga, {"x", Role::Viewer, std::nullopt});
  ASSERT_TRUE(viewer_token.ok());
  EXPECT_EQ(auth->authenticate(viewer_token->token)->role, Role::Viewer);
  EXPECT_EQ(mint(olga, {"", std::nullopt, std::nullopt}).error().code, "invalid_token_name");
}

TEST_F(AccountsTest, ATokenCannotMintTokens) {
  auto machine = mint(admin, {"ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(machine.ok());
  auto as_machine = auth->authenticate(machine->token);
  ASSERT_TRUE(as_machine);
  EXPECT_EQ(mint(*as_machine, {"child", std::nullopt, std::nullopt}).error().code, "session_required");
}

TEST_F(AccountsTest, ApiTokensExpireWhenAsked) {
  auto machine = mint(admin, {"ci", std::nullopt, std::chrono::days(2)});
  ASSERT_TRUE(machine.ok());
  ASSERT_TRUE(machine->expires_at);
  EXPECT_EQ(*machine->expires_at, clock.now() + std::chrono::days(2));
  clock.advance(std::chrono::days(2) - 1ms);
  EXPECT_TRUE(auth->authenticate(machine->token));
  clock.advance(1ms);
  EXPECT_FALSE(auth->authenticate(machine->token));
}

TEST_F(AccountsTest, OwnersSeeAndRevokeTheirTokensAdminsAll) {
  ASSERT_TRUE(create("olga", Role::Operator).ok());
  ASSERT_TRUE(create("otto", Role::Operator).ok());
  auto olga = session("olga").principal;
  auto otto = session("otto").principal;
  auto a = mint(olga, {"olga-ci", std::nullopt, std::nullopt});
  auto b = mint(otto, {"otto-ci", std::nullopt, std::nullopt});
  ASSERT_TRUE(a.ok() && b.ok());
  auto mine = auth->api_tokens(olga);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].name, "olga-ci");
  EXPECT_EQ(auth->api_tokens(admin).size(), 2u);

  EXPECT_EQ(revoke(otto, a->id).error().code, "token_not_found");
  EXPECT_TRUE(auth->authenticate(a->token));
  EXPECT_EQ(revoke(olga, session("olga").id).error().code, "token_not_found");  // sessions: logout
  ASSERT_TRUE(revoke(olga, a->id).ok());
  EXPECT_FALSE(auth->authenticate(a->token));
  ASSERT_TRUE(revoke(admin, b->id).ok());
  EXPECT_FALSE(auth->authenticate(b->token));
  EXPECT_TRUE(auth->api_tokens(admin).empty());
  auto rows = audit();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].action, "token.revoke");
  EXPECT_EQ(rows[0].target, b->id);
}

TEST_F(AccountsTest, RepeatedFailuresLockTheUsernameOut) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login_from("admin", "wrong", "10.0.0.1").error().error.code, "invalid_credentials");
  auto refused = login_from("admin", kPassword, "10.0.0.2");  // even the right password, from elsewhere
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().error.code, "too_many_attempts");
  EXPECT_EQ(refused.error().retry_after, 1s);
  clock.advance(1s);
  EXPECT_TRUE(login_from("admin", kPassword, "10.0.0.2").ok());
  // Success cleared the count: the next failure is free again.
  EXPECT_EQ(login_from("admin", "wrong", "10.0.0.2").error().error.code, "invalid_credentials");
  EXPECT_TRUE(login_from("admin", kPassword, "10.0.0.2").ok());
}

TEST_F(AccountsTest, UnknownUsersAreThrottledLikeKnownOnes) {
  for (int i = 0; i < 5; ++i) (void)login_from("ghost", "wrong", "10.0.0.1");
  EXPECT_EQ(login_from("ghost", "wrong", "10.0.0.3").error().error.code, "too_many_attempts");
}

}  // namespace
}  // namespace cp::services
