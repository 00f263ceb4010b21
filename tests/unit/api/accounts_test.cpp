// /api/v1/users, /tokens, /me, /audit and login throttling over HTTP (in-process server).
#include <gtest/gtest.h>

#include "unit/api/api_fixture.h"

namespace cp::testing {
namespace {

namespace json = boost::json;

struct AccountsApiTest : ApiTest {
  HttpReply as(const std::string& token, const std::string& method, const std::string& target,
               const std::string& body = {}) {
    return call(method, target, body, token);
  }
  std::string login(const std::string& user, const std::string& password) {
    auto r = call("POST", "/api/v1/auth/login", R"({"username":")" + user + R"(","password":")" + password + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : "";
  }
  void add_user(const std::string& name, const std::string& role) {
    auto r = as(admin, "POST", "/api/v1/users",
                R"({"username":")" + name + R"(","password":"long-enough-password","role":")" + role + "\"}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
};

TEST_F(AccountsApiTest, AdminCreatesListsChangesAndDeletesUsers) {
  auto created = as(admin, "POST", "/api/v1/users",
                    R"({"username":"olga","password":"long-enough-password","role":"operator"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers["Location"], "/api/v1/users/olga");
  EXPECT_EQ(created.json().at("role").as_string(), "operator");
  EXPECT_EQ(created.body.find("password"), std::string::npos);

  auto list = as(admin, "GET", "/api/v1/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 3u);  // admin, olga, viewer

  auto patched = as(admin, "PATCH", "/api/v1/users/olga", R"({"role":"viewer"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("role").as_string(), "viewer");
  EXPECT_EQ(as(admin, "GET", "/api/v1/users/olga").json().at("role").as_string(), "viewer");

  EXPECT_EQ(as(admin, "DELETE", "/api/v1/users/olga").status, 204);
  auto gone = as(admin, "GET", "/api/v1/users/olga");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.code(), "user_not_found");
  EXPECT_EQ(as(admin, "DELETE", "/api/v1/users/olga").code(), "user_not_found");
}

TEST_F(AccountsApiTest, CreateUserRefusesBadInput) {
  auto r = as(admin, "POST", "/api/v1/users", R"({"username":"u1","password":"long-enough-password","role":"root"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.code(), "invalid_role");
  r = as(admin, "POST", "/api/v1/users", R"({"username":"u1","password":"long-enough-password"})");
  EXPECT_EQ(r.code(), "invalid_role");
  r = as(admin, "POST", "/api/v1/users", R"({"username":"u1","password":"short","role":"viewer"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.code(), "invalid_password");
  r = as(admin, "POST", "/api/v1/users", R"({"username":"a b","password":"long-enough-password","role":"viewer"})");
  EXPECT_EQ(r.code(), "invalid_username");
  r = as(admin, "POST", "/api/v1/users", R"({"username":"viewer","password":"long-enough-password","role":"viewer"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.code(), "user_exists");
  EXPECT_EQ(as(admin, "POST", "/api/v1/users", "[]").code(), "invalid_json");
  EXPECT_EQ(as(admin, "PATCH", "/api/v1/users/viewer", "{}").code(), "invalid_body");
}

TEST_F(AccountsApiTest, NoSelfDeletionAndTheLastAdminStays) {
  auto self = as(admin, "DELETE", "/api/v1/users/admin");
  EXPECT_EQ(self.status, 409);
  EXPECT_EQ(self.code(), "cannot_delete_self");
  add_user("ada", "admin");
  const auto ada = login("ada", "long-enough-password");
  EXPECT_EQ(as(ada, "DELETE", "/api/v1/users/admin").status, 204);
  EXPECT_EQ(as(admin, "GET", "/api/v1/me").status, 401);  // deleted user: the token is dead
  auto demote = as(ada, "PATCH", "/api/v1/users/ada", R"({"role":"operator"})");
  EXPECT_EQ(demote.status, 409);
  EXPECT_EQ(demote.code(), "last_admin");
}

TEST_F(AccountsApiTest, MeShowsThePrincipal) {
  auto me = as(viewer, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("username").as_string(), "viewer");
  EXPECT_EQ(me.json().at("role").as_string(), "viewer");
  EXPECT_EQ(me.json().at("token").at("kind").as_string(), "session");
}

TEST_F(AccountsApiTest, ApiTokenIsShownOnceWorksAndDiesWhenRevoked) {
  auto created = as(admin, "POST", "/api/v1/tokens", R"({"name":"ci","role":"operator","expires_in_days":30})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto j = created.json();
  const std::string secret(j.at("token").as_string());
  const std::string id(j.at("id").as_string());
  EXPECT_EQ(j.at("role").as_string(), "operator");
  EXPECT_EQ(j.at("expires_at").as_string(), format_rfc3339(clock.now() + std::chrono::days(30)));

  auto me = as(secret, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("token").at("kind").as_string(), "api");
  EXPECT_EQ(me.json().at("role").as_string(), "operator");
  EXPECT_EQ(as(secret, "POST", "/api/v1/piles", "{}").status, 403);  // operator < admin

  auto list = as(admin, "GET", "/api/v1/tokens");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(list.json().at("items").at(0).at("id").as_string(), id);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_FALSE(list.json().at("items").at(0).as_object().contains("token"));

  EXPECT_EQ(as(viewer, "DELETE", "/api/v1/tokens/" + id).code(), "token_not_found");  // not theirs
  EXPECT_EQ(as(admin, "DELETE", "/api/v1/tokens/" + id).status, 204);
  EXPECT_EQ(as(secret, "GET", "/api/v1/me").status, 401);
}

TEST_F(AccountsApiTest, TokenRulesAreEnforced) {
  add_user("olga", "operator");
  const auto olga = login("olga", "long-enough-password");
  auto high = as(olga, "POST", "/api/v1/tokens", R"({"name":"x","role":"admin"})");
  EXPECT_EQ(high.status, 403);
  EXPECT_EQ(high.code(), "role_too_high");
  EXPECT_EQ(as(olga, "POST", "/api/v1/tokens", R"({"role":"viewer"})").code(), "invalid_token_name");
  EXPECT_EQ(as(olga, "POST", "/api/v1/tokens", R"({"name":"x","expires_in_days":0})").code(), "invalid_expiry");
  EXPECT_EQ(as(olga, "POST", "/api/v1/tokens", R"({"name":"x","role":"root"})").code(), "invalid_role");
  EXPECT_EQ(as(viewer, "POST", "/api/v1/tokens", R"({"name":"x"})").status, 403);
  auto ok = as(olga, "POST", "/api/v1/tokens", R"({"name":"x"})");
  ASSERT_EQ(ok.status, 201);
  const std::string machine(ok.json().at("token").as_string());
  EXPECT_EQ(as(machine, "POST", "/api/v1/tokens", R"({"name":"y"})").code(), "session_required");
  EXPECT_EQ(as(olga, "GET", "/api/v1/tokens").json().at("items").as_array().size(), 1u);
  EXPECT_EQ(as(viewer, "GET", "/api/v1/tokens").json().at("items").as_array().size(), 0u);
}

TEST_F(AccountsApiTest, RepeatedBadLoginsGet429WithRetryAfter) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong"})").status, 401);
  auto r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"admin-password"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.code(), "too_many_attempts");
  EXPECT_EQ(r.headers["Retry-After"], "1");
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"admin-password"})").status, 200);
}

TEST_F(AccountsApiTest, AuditRecordsWhoDidWhatNewestFirst) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  ASSERT_EQ(call("PATCH", "/api/v1/piles/CP-1", R"({"registration":"Rejected"})", admin).status, 200);
  ASSERT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG1"})", admin).status, 201);
  ASSERT_EQ(call("DELETE", "/api/v1/piles/CP-1", {}, admin).status, 204);
  add_user("olga", "operator");

  auto all = as(admin, "GET", "/api/v1/audit?actor=admin&limit=10");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto body = all.json();
  const auto& items = body.at("items").as_array();
  std::vector<std::string> actions;
  for (const auto& i : items) actions.emplace_back(i.at("action").as_string());
  const std::vector<std::string> head(actions.begin(), actions.begin() + 5);
  EXPECT_EQ(head, (std::vector<std::string>{"user.create", "pile.delete", "id_tag.create", "pile.update",
                                            "pile.create"}));
  EXPECT_EQ(items.at(4).at("target").as_string(), "CP-1");
  EXPECT_EQ(items.at(4).at("actor").as_string(), "admin");
  EXPECT_EQ(items.at(4).at("detail").at("protocol").as_string(), "ocpp1.6");
  EXPECT_EQ(items.at(3).at("detail").at("registration").as_string(), "Rejected");
  EXPECT_EQ(all.body.find(kPilePassword), std::string::npos);

  auto page = as(admin, "GET", "/api/v1/audit?target=CP-1&limit=2");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.json().at("items").as_array().size(), 2u);
  const auto next = page.json().at("next").as_int64();
  auto rest = as(admin, "GET", "/api/v1/audit?target=CP-1&limit=2&before=" + std::to_string(next));
  ASSERT_EQ(rest.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(rest.json().at("items").at(0).at("action").as_string(), "pile.create");
  EXPECT_TRUE(rest.json().at("next").is_null());

  EXPECT_EQ(as(viewer, "GET", "/api/v1/audit").status, 403);
  EXPECT_EQ(as(admin, "GET", "/api/v1/audit?limit=0").code(), "invalid_parameter");
}

TEST_F(AccountsApiTest, AuditNamesTheApiTokenThatActed) {
  auto created = as(admin, "POST", "/api/v1/tokens", R"({"name":"provisioner"})");
  ASSERT_EQ(created.status, 201);
  const std::string secret(created.json().at("token").as_string());
  const std::string id(created.json().at("id").as_string());
  ASSERT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG9"})", secret).status, 201);
  auto r = as(admin, "GET", "/api/v1/audit?action=id_tag.create");
  ASSERT_EQ(r.status, 200);
  const auto body = r.json();
  const auto& entry = body.at("items").at(0);
  EXPECT_EQ(entry.at("actor").as_string(), "admin");
  EXPECT_EQ(entry.at("detail").at("token").as_string(), id);
}

TEST_F(AccountsApiTest, LogoutKillsTheTokenAtOnce) {
  const auto t = login("viewer", "viewer-password");
  EXPECT_EQ(as(t, "POST", "/api/v1/auth/logout").status, 204);
  EXPECT_EQ(as(t, "GET", "/api/v1/me").status, 401);
}

}  // namespace
}  // namespace cp::testing
