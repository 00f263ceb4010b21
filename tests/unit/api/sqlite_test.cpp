// The API over the real SQLite store: registration, queries and deletion end to end.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

#include "api/server.h"
#include "unit/api/http_client.h"
#include "unit/services/fake_store.h"
#include "unit/services/temp_sqlite.h"

namespace cp::testing {
namespace {

struct ApiSqlite : ::testing::Test {
  TempSqlite db;
  FakeClock clock;
  Metrics metrics;
  services::Registry registry;
  services::ApiAuth auth{*db, clock, std::chrono::hours(1), 1000};
  services::PileAuthenticator pile_auth{*db};
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<api::ApiServer> server;
  std::thread runner;
  std::string token;

  void SetUp() override {
    api::ApiOptions options;
    options.pile_password_iterations = 1000;
    server = std::make_unique<api::ApiServer>(io, "127.0.0.1", 0,
                                              api::ApiContext{*db, registry, auth, pile_auth, metrics, clock, options});
    ASSERT_TRUE(server->start().ok());
    runner = std::thread([this] { io.run(); });
    ASSERT_TRUE(auth.ensure_user("admin", "admin-password", services::Role::Admin).ok());
    HttpClient c(server->port());
    auto r = c.request("POST", "/api/v1/auth/login", R"({"username":"admin","password":"admin-password"})");
    ASSERT_EQ(r.status, 200) << r.body;
    token = std::string(r.json().at("token").as_string());
  }
  void TearDown() override {
    server->stop();
    work.reset();
    io.stop();
    runner.join();
    server.reset();
  }
  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) {
    HttpClient c(server->port());
    return c.request(method, target, body, token);
  }
};

TEST_F(ApiSqlite, PileLifecycleIsDurable) {
  auto created = call("POST", "/api/v1/piles", R"({"id":"CP-1","protocol":"ocpp1.6","password":"0123456789abcdef"})");
  ASSERT_EQ(created.status, 201) << created.body;
  // 201 means committed: a fresh read sees it without flushing.
  auto stored = db->pile("CP-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_TRUE(services::verify_password("0123456789abcdef", (*stored)->password_hash));
  EXPECT_EQ(call("POST", "/api/v1/piles", R"({"id":"CP-1","protocol":"ocpp1.6","password":"0123456789abcdef"})").status,
            409);
  EXPECT_EQ(call("GET", "/api/v1/piles/CP-1").json().at("created").as_string(), format_rfc3339(clock.now()));
  ASSERT_EQ(call("PATCH", "/api/v1/piles/CP-1", R"({"registration":"Rejected"})").status, 200);
  EXPECT_EQ((*db->pile("CP-1"))->registration, "Rejected");
  ASSERT_EQ(call("DELETE", "/api/v1/piles/CP-1").status, 204);
  EXPECT_FALSE(db->pile("CP-1")->has_value());
}

TEST_F(ApiSqlite, IdTagsAndTelemetryQueries) {
  ASSERT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG1","expiry":"2030-01-01T00:00:00Z"})").status, 201);
  auto tags = call("GET", "/api/v1/id-tags").json().at("items").as_array();
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags.at(0).at("expiry").as_string(), "2030-01-01T00:00:00.000Z");

  ASSERT_EQ(call("POST", "/api/v1/piles", R"({"id":"CP-T","protocol":"ocpp1.6","password":"0123456789abcdef"})").status,
            201);
  std::vector<domain::MeterSample> samples;
  for (int i = 0; i < 3; ++i) {
    domain::SampledValue v;
    v.measurand = "Voltage";
    v.phase = "L1";
    v.unit = "V";
    v.value = 230.0 + i;
    samples.push_back({clock.now() + std::chrono::minutes(i), {v}});
  }
  db->submit({store::InsertTelemetry{"CP-T", 1, std::nullopt,
                                     std::make_shared<const std::vector<domain::MeterSample>>(std::move(samples))}},
             [](const Status&) {});
  db->flush();
  auto all = call("GET", "/api/v1/piles/CP-T/telemetry?measurand=Voltage");
  ASSERT_EQ(all.status, 200) << all.body;
  auto items = all.json().at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_DOUBLE_EQ(items.at(0).at("value").as_double(), 232.0);  // newest first
  auto from = format_rfc3339(clock.now() + std::chrono::minutes(1));
  EXPECT_EQ(call("GET", "/api/v1/piles/CP-T/telemetry?from=" + from).json().at("items").as_array().size(), 2u);
}

}  // namespace
}  // namespace cp::testing
