// Walks the real route table (make_routes): every mutating route above viewer refuses a viewer
// with 403, every admin route refuses an operator, and only the listed routes are public.
// Routes added later are covered without touching this file.
#include <gtest/gtest.h>

#include <set>

#include "api/detail/handlers.h"
#include "unit/services/fake_store.h"

namespace cp::api::detail {
namespace {

using services::Role;

struct RolesTest : ::testing::Test {
  cp::testing::FakeStore store;
  cp::testing::FakeClock clock;
  Metrics metrics;
  services::Registry registry;
  services::ApiAuth auth{store, clock, std::chrono::hours(1), 1000};
  services::PileAuthenticator pile_auth{store};
  std::shared_ptr<ApiState> state =
      std::make_shared<ApiState>(ApiContext{store, registry, auth, pile_auth, metrics, clock, {}});
  std::vector<Route> table = make_routes(state);
  Router router{make_routes(state), auth, metrics, nullptr};

  void TearDown() override { store.close(); }

  // The route's pattern with every {placeholder} filled in.
  static std::string concrete(const std::string& pattern) {
    std::string out;
    bool in_param = false;
    for (char c : pattern) {
      if (c == '{') in_param = true, out += "x1";
      else if (c == '}') in_param = false;
      else if (!in_param) out += c;
    }
    return out;
  }

  Response call(const Route& r, const std::string& token) {
    Request req;
    req.method = r.method;
    req.path = concrete(r.pattern);
    req.authorization = "Bearer " + token;
    req.body = "{}";
    Response out;
    router.dispatch(std::move(req), [&](Response res) { out = std::move(res); });
    return out;
  }

  std::string token_for(const std::string& user, Role role) {
    EXPECT_TRUE(auth.ensure_user(user, user + "-password", role).ok());
    auto t = auth.login(user, user + "-password");
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : "";
  }
};

TEST_F(RolesTest, AViewerGets403OnEveryMutatingRouteAboveViewer) {
  const auto viewer = token_for("vera", Role::Viewer);
  Request me;
  me.method = "GET";
  me.path = "/api/v1/me";
  me.authorization = "Bearer " + viewer;
  unsigned me_status = 0;
  router.dispatch(std::move(me), [&](Response r) { me_status = r.status; });
  ASSERT_EQ(me_status, 200u);  // the token is good: a 403 below is the role check, not a 401

  int checked = 0;
  for (const auto& r : table) {
    if (r.method == "GET" || !r.min_role || *r.min_role == Role::Viewer) continue;
    const auto res = call(r, viewer);
    EXPECT_EQ(res.status, 403u) << r.method << " " << r.pattern;
    EXPECT_NE(res.body.find("\"code\":\"forbidden\""), std::string::npos) << r.method << " " << r.pattern;
    ++checked;
  }
  // Piles (POST, PATCH, DELETE), id tags, users (POST, PATCH, DELETE), tokens (POST) at least.
  EXPECT_GE(checked, 8);
}

TEST_F(RolesTest, AnOperatorGets403OnEveryAdminRoute) {
  const auto op = token_for("olga", Role::Operator);
  int checked = 0;
  for (const auto& r : table) {
    if (r.min_role != Role::Admin) continue;
    EXPECT_EQ(call(r, op).status, 403u) << r.method << " " << r.pattern;
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(RolesTest, OnlyHealthMetricsAndLoginArePublic) {
  const std::set<std::string> expected{"GET /healthz", "GET /metrics", "POST /api/v1/auth/login"};
  std::set<std::string> found;
  for (const auto& r : table)
    if (!r.min_role) found.insert(r.method + " " + r.pattern);
  EXPECT_EQ(found, expected);
}

TEST_F(RolesTest, UserTokenAndAuditRoutesHaveTheDocumentedRoles) {
  std::map<std::string, Role> roles;
  for (const auto& r : table)
    if (r.min_role) roles[r.method + " " + r.pattern] = *r.min_role;
  EXPECT_EQ(roles.at("POST /api/v1/users"), Role::Admin);
  EXPECT_EQ(roles.at("GET /api/v1/users"), Role::Admin);
  EXPECT_EQ(roles.at("DELETE /api/v1/users/{username}"), Role::Admin);
  EXPECT_EQ(roles.at("POST /api/v1/tokens"), Role::Operator);
  EXPECT_EQ(roles.at("GET /api/v1/tokens"), Role::Viewer);
  EXPECT_EQ(roles.at("GET /api/v1/audit"), Role::Admin);
  EXPECT_EQ(roles.at("GET /api/v1/me"), Role::Viewer);
}

}  // namespace
}  // namespace cp::api::detail
