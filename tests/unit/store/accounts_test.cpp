// Tokens and the audit log (0003_accounts.sql) through the SQLite store.
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

TokenRecord token(const std::string& id, const std::string& owner, const std::string& kind = "api") {
  TokenRecord t;
  t.id = id;
  t.kind = kind;
  t.name = kind == "api" ? "ci" : "";
  t.owner = owner;
  t.role = "operator";
  t.digest = std::string(32, static_cast<char>(id.back()));
  t.digest[0] = '\0';  // digests are raw bytes: NUL must survive the round trip
  t.created = at(1'000);
  return t;
}

AuditRecord entry(const std::string& actor, const std::string& action, const std::string& target, std::int64_t ms) {
  return AuditRecord{0, at(ms), actor, action, target, R"({"k":"v"})"};
}

class SqliteAccounts : public SqliteStoreTest {
 protected:
  std::vector<std::string> live_ids(std::int64_t now_ms) {
    auto live = store_->live_tokens(at(now_ms));
    EXPECT_TRUE(live);
    std::vector<std::string> ids;
    for (const auto& t : *live) ids.push_back(t.id);
    return ids;
  }
};

TEST_F(SqliteAccounts, TokenRoundTripsWithItsBinaryDigest) {
  auto t = token("tok_1", "alice");
  t.expires = at(9'000);
  must_write({InsertToken{t}});
  auto live = store_->live_tokens(at(2'000));
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  const auto& got = live->front();
  EXPECT_EQ(got.id, "tok_1");
  EXPECT_EQ(got.kind, "api");
  EXPECT_EQ(got.name, "ci");
  EXPECT_EQ(got.owner, "alice");
  EXPECT_EQ(got.role, "operator");
  EXPECT_EQ(got.digest, t.digest);
  EXPECT_EQ(got.created, at(1'000));
  EXPECT_EQ(got.expires, at(9'000));
  EXPECT_FALSE(got.last_used);
  EXPECT_FALSE(got.revoked);
}

TEST_F(SqliteAccounts, LiveTokensLeaveOutExpiredAndRevoked) {
  auto expiring = token("tok_e", "alice");
  expiring.expires = at(5'000);
  must_write({InsertToken{token("tok_a", "alice")}, InsertToken{expiring}, InsertToken{token("tok_r", "alice")}});
  must_write({RevokeToken{"tok_r", at(2'000)}});
  EXPECT_EQ(live_ids(4'999), (std::vector<std::string>{"tok_a", "tok_e"}));
  EXPECT_EQ(live_ids(5'000), (std::vector<std::string>{"tok_a"}));
}

TEST_F(SqliteAccounts, RevokeKeepsTheFirstRevocationTime) {
  must_write({InsertToken{token("tok_1", "alice")}});
  must_write({RevokeToken{"tok_1", at(2'000)}});
  must_write({RevokeToken{"tok_1", at(3'000)}});
  store_->close();
  RawDb raw(options_.path);
  EXPECT_EQ(raw.scalar("SELECT revoked FROM tokens WHERE id = 'tok_1'"), 2'000);
}

TEST_F(SqliteAccounts, RevokeTokensOfTouchesOnlyThatOwnerAndKind) {
  must_write({InsertToken{token("tok_1", "alice", "session")}, InsertToken{token("tok_2", "alice", "api")},
              InsertToken{token("tok_3", "bob", "session")}});
  must_write({RevokeTokensOf{"alice", at(2'000), std::string("session")}});
  EXPECT_EQ(live_ids(2'500), (std::vector<std::string>{"tok_2", "tok_3"}));
  must_write({RevokeTokensOf{"alice", at(3'000), std::nullopt}});
  EXPECT_EQ(live_ids(3'500), (std::vector<std::string>{"tok_3"}));
}

TEST_F(SqliteAccounts, DuplicateDigestIsAConstraintViolation) {
  must_write({InsertToken{token("tok_1", "alice")}});
  auto twin = token("tok_2", "alice");
  twin.digest = token("tok_1", "alice").digest;
  auto s = write(*store_, {InsertToken{twin}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "constraint");
}

TEST_F(SqliteAccounts, TouchTokenOnlyMovesLastUsedForward) {
  must_write({InsertToken{token("tok_1", "alice")}});
  must_write({TouchToken{"tok_1", at(5'000)}});
  must_write({TouchToken{"tok_1", at(4'000)}});
  auto live = store_->live_tokens(at(6'000));
  ASSERT_TRUE(live && live->size() == 1);
  EXPECT_EQ(live->front().last_used, at(5'000));
}

TEST_F(SqliteAccounts, PurgeSessionsDropsOnlyEndedSessions) {
  auto old_session = token("tok_old", "alice", "session");
  old_session.expires = at(1'500);
  auto live_session = token("tok_live", "alice", "session");
  live_session.expires = at(99'000);
  auto expired_api = token("tok_api", "alice", "api");
  expired_api.expires = at(1'500);
  auto revoked_session = token("tok_rev", "alice", "session");
  revoked_session.expires = at(99'000);
  must_write({InsertToken{old_session}, InsertToken{live_session}, InsertToken{expired_api},
              InsertToken{revoked_session}, RevokeToken{"tok_rev", at(1'600)}});
  must_write({PurgeSessions{at(2'000)}});
  store_->close();
  RawDb raw(options_.path);
  EXPECT_EQ(raw.lines("SELECT id FROM tokens ORDER BY id", 0), "tok_api\ntok_live\n");
}

TEST_F(SqliteAccounts, AuditIsNewestFirstAndFiltersExactly) {
  must_write({InsertAudit{entry("alice", "user.create", "bob", 1)}});
  must_write({InsertAudit{entry("bob", "pile.create", "CP-1", 2)}, InsertAudit{entry("alice", "pile.delete", "CP-1", 3)}});
  auto all = store_->audit({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].action, "pile.delete");
  EXPECT_EQ((*all)[2].action, "user.create");
  EXPECT_GT((*all)[0].id, (*all)[1].id);
  EXPECT_EQ((*all)[0].at, at(3));
  EXPECT_EQ((*all)[0].detail, R"({"k":"v"})");

  AuditQuery by_actor;
  by_actor.actor = "alice";
  auto a = store_->audit(by_actor);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].target, "CP-1");
  EXPECT_EQ((*a)[1].target, "bob");

  AuditQuery combined;
  combined.target = "CP-1";
  combined.action = "pile.create";
  auto c = store_->audit(combined);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].actor, "bob");
}

TEST_F(SqliteAccounts, AuditPagesWithTheBeforeCursor) {
  for (int i = 1; i <= 5; ++i) must_write({InsertAudit{entry("alice", "pile.create", "CP-" + std::to_string(i), i)}});
  AuditQuery q;
  q.limit = 2;
  auto first = store_->audit(q);
  ASSERT_TRUE(first && first->size() == 2);
  EXPECT_EQ((*first)[0].target, "CP-5");
  q.before = first->back().id;
  auto second = store_->audit(q);
  ASSERT_TRUE(second && second->size() == 2);
  EXPECT_EQ((*second)[0].target, "CP-3");
  EXPECT_EQ((*second)[1].target, "CP-2");
}

TEST_F(SqliteAccounts, AuditCommitsOrRollsBackWithItsBatch) {
  PileRecord bad = pile_record("CP-1");
  bad.registration = "Maybe";  // violates the CHECK: the whole batch must roll back
  auto s = write(*store_, {InsertAudit{entry("alice", "pile.create", "CP-1", 1)}, UpsertPile{bad}});
  ASSERT_FALSE(s);
  auto all = store_->audit({});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(SqliteAccounts, FilteredAuditPagesUseAnIndex) {
  store_->close();
  RawDb raw(options_.path);
  for (const char* column : {"actor", "action", "target"}) {
    const auto plan = raw.lines(std::string("EXPLAIN QUERY PLAN SELECT id FROM audit WHERE ") + column +
                                    " = 'x' AND id < 10 ORDER BY id DESC LIMIT 5",
                                3);
    EXPECT_NE(plan.find(std::string("audit_by_") + column), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort step
  }
}

}  // namespace
}  // namespace cp::store
