// Transport, routing and authentication behaviour of the ApiServer.
#include <future>

#include "unit/api/api_fixture.h"

namespace cp::testing {
namespace {

TEST_F(ApiTest, HealthzIsPublic) {
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.json().at("status").as_string(), "ok");
}

TEST_F(ApiTest, MetricsArePrometheusTextWithRequestSeries) {
  ASSERT_EQ(call("GET", "/healthz").status, 200);
  auto r = call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(r.body.find("# TYPE chargeplane_http_requests_total counter"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"(chargeplane_http_requests_total{route="GET /healthz",status="2xx"} 1)"), std::string::npos)
      << r.body;
}

TEST_F(ApiTest, LoginReturnsATokenAndItsExpiry) {
  auto r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"admin-password"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j.at("token").as_string().size(), 43u);
  EXPECT_EQ(j.at("expires_at").as_string(), format_rfc3339(clock.now() + std::chrono::hours(1)));
  EXPECT_EQ(j.at("role").as_string(), "admin");
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, std::string(j.at("token").as_string())).status, 200);
}

TEST_F(ApiTest, LoginWithWrongPasswordIsAProblem) {
  auto r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"guess"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = r.json();
  EXPECT_EQ(j.at("code").as_string(), "invalid_credentials");
  EXPECT_EQ(j.at("status").as_int64(), 401);
  EXPECT_TRUE(j.at("title").is_string());
  EXPECT_TRUE(j.at("type").is_string());
  EXPECT_TRUE(j.at("detail").is_string());
}

TEST_F(ApiTest, LoginWithMalformedBodyIs400) {
  EXPECT_EQ(call("POST", "/api/v1/auth/login", "{nope").code(), "invalid_json");
  EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"username":"admin"})").code(), "invalid_field");
}

TEST_F(ApiTest, ApiRoutesNeedABearerToken) {
  auto none = call("GET", "/api/v1/piles");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.code(), "unauthorized");
  EXPECT_EQ(none.headers["WWW-Authenticate"].rfind("Bearer", 0), 0u);
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, "made-up-token").status, 401);
}

TEST_F(ApiTest, LogoutRevokesTheToken) {
  auto token = *auth.login("viewer", "viewer-password");
  EXPECT_EQ(call("POST", "/api/v1/auth/logout", {}, token).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, token).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, viewer).status, 200);  // other tokens stay
}

TEST_F(ApiTest, ViewersMayReadButNotWrite) {
  EXPECT_EQ(call("GET", "/api/v1/piles", {}, viewer).status, 200);
  auto r = call("POST", "/api/v1/piles", R"({"id":"CP-1","protocol":"ocpp1.6","password":"0123456789abcdef"})", viewer);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code(), "forbidden");
  EXPECT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"T"})", viewer).status, 403);
}

TEST_F(ApiTest, UnknownRouteIs404Problem) {
  auto r = call("GET", "/api/v1/nothing-here", {}, admin);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.code(), "not_found");
}

TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  auto r = call("PUT", "/api/v1/piles", "{}", admin);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.code(), "method_not_allowed");
  EXPECT_EQ(r.headers["Allow"], "GET, POST");
}

TEST_F(ApiTest, BodyTooLargeIs413) {
  HttpClient c(server->port());
  auto r = c.announce("POST", "/api/v1/piles", 2 * 1024 * 1024, admin);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.code(), "body_too_large");
}

TEST_F(ApiTest, BodyTooLargeIs413EvenWhenTheClientSendsItAll) {
  HttpClient c(server->port());
  auto r = c.request("POST", "/api/v1/id-tags", std::string(1024 * 1024 + 1, ' '), admin);
  EXPECT_EQ(r.status, 413);
}

TEST_F(ApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c(server->port());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.request("GET", "/api/v1/piles", {}, admin).status, 200);
}

TEST_F(ApiTest, WritesAreAcknowledgedOnlyAfterTheStoreIsDurable) {
  store.hold();
  auto pending = std::async(std::launch::async, [&] { return register_pile("CP-SLOW"); });
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  // Meanwhile the io threads are free: other requests are served.
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  store.release();
  EXPECT_EQ(pending.get().status, 201);
}

TEST_F(ApiTest, StoreWriteFailureIsA500Problem) {
  store.fail_next(1, "storage_error");
  auto r = call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG-X"})", admin);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.code(), "store_error");
}

TEST_F(ApiTest, StopClosesTheListener) {
  const auto port = server->port();
  server->stop();
  EXPECT_THROW(
      {
        HttpClient c(port);
        c.request("GET", "/healthz");
      },
      std::exception);
}

}  // namespace
}  // namespace cp::testing
