// The route table mechanics, without sockets.
#include "api/detail/router.h"

#include <gtest/gtest.h>

#include "unit/services/fake_store.h"

namespace cp::api::detail {
namespace {

struct RouterTest : ::testing::Test {
  cp::testing::FakeStore store;
  cp::testing::FakeClock clock;
  Metrics metrics;
  services::ApiAuth auth{store, clock, std::chrono::hours(1), 1000};
  std::string seen;

  Router make() {
    auto record = [this](const char* name) {
      return [this, name](Request& r, Respond respond) {
        seen = name;
        for (const auto& [k, v] : r.params) seen += " " + k + "=" + v;
        respond(no_content());
      };
    };
    return Router({{"GET", "/a/{id}", kPublic, Exec::Inline, record("get")},
                   {"DELETE", "/a/{id}", kPublic, Exec::Inline, record("delete")},
                   {"GET", "/a/{id}/b/{sub}", kPublic, Exec::Inline, record("sub")},
                   {"GET", "/secret", services::Role::Admin, Exec::Inline, record("secret")}},
                  auth, metrics, nullptr);
  }
  unsigned run(const Router& r, std::string method, std::string path, std::string authorization = {}) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.authorization = std::move(authorization);
    unsigned status = 0;
    r.dispatch(std::move(req), [&](Response res) { status = res.status; });
    return status;
  }
};

TEST_F(RouterTest, CapturesAndDecodesPathParameters) {
  auto r = make();
  EXPECT_EQ(run(r, "GET", "/a/CP%2D1/b/x%20y"), 204u);
  EXPECT_EQ(seen, "sub id=CP-1 sub=x y");
}

TEST_F(RouterTest, EmptySegmentsDoNotMatchParameters) {
  auto r = make();
  EXPECT_EQ(run(r, "GET", "/a/"), 404u);
  EXPECT_EQ(run(r, "GET", "/a//b/c"), 404u);
}

TEST_F(RouterTest, MethodMismatchIs405AndPathMismatchIs404) {
  auto r = make();
  EXPECT_EQ(run(r, "POST", "/a/1"), 405u);
  std::string allow;
  EXPECT_FALSE(r.match("PUT", "/a/1", &allow));
  EXPECT_EQ(allow, "GET, DELETE");
  EXPECT_EQ(run(r, "GET", "/nothing"), 404u);
}

TEST_F(RouterTest, RoleIsCheckedAfterTheToken) {
  ASSERT_TRUE(auth.ensure_user("v", "pw", services::Role::Viewer).ok());
  ASSERT_TRUE(auth.ensure_user("a", "pw", services::Role::Admin).ok());
  auto r = make();
  EXPECT_EQ(run(r, "GET", "/secret"), 401u);
  EXPECT_EQ(run(r, "GET", "/secret", "Bearer " + *auth.login("v", "pw")), 403u);
  EXPECT_EQ(run(r, "GET", "/secret", "bearer  " + *auth.login("a", "pw")), 204u);  // scheme is case-insensitive
  EXPECT_EQ(run(r, "GET", "/secret", "Basic " + *auth.login("a", "pw")), 401u);
}

}  // namespace
}  // namespace cp::api::detail
