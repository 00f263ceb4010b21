#pragma once
// Shared by the YKC integration tests: a real server, an admin token, YKC pile registration
// through the API, metric reads and command polling.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <regex>
#include <thread>

#include "integration/support/server_process.h"
#include "integration/support/ykc_client.h"

namespace cp::testing {

inline constexpr const char* kYkcPile = "32010600019236";
inline constexpr const char* kYkcKey = "0123456789ABCDEFFEDCBA9876543210";

struct YkcServerTest : ::testing::Test {
  explicit YkcServerTest(std::vector<std::string> args = {}) : server(std::move(args)) {}
  ServerProcess server;
  std::string token;
  void SetUp() override { token = login(server.api_port(), server.admin_password()); }

  HttpResponse api(const std::string& method, const std::string& target, const std::string& body = {}) {
    return http_request(server.api_port(), method, target, body, token);
  }
  // Registers a ykc pile ("none", "des" or "3des").
  void register_ykc(const std::string& pile, const std::string& cipher = "none", const std::string& key = {}) {
    std::string body = R"({"id":")" + pile + R"(","protocol":"ykc")";
    if (cipher != "none") body += R"(,"encryption":{"cipher":")" + cipher + R"(","key":")" + key + R"("})";
    body += "}";
    auto r = api("POST", "/api/v1/piles", body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The value of one metric series (0 when absent), e.g. series("chargeplane_ykc_logins_total{result=\"ok\"}").
  double metric(const std::string& series) {
    auto r = http_request(server.api_port(), "GET", "/metrics");
    std::istringstream in(r.body);
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return 0;
  }
  // Polls `fn` until it is true or `timeout` passes.
  template <class F>
  bool eventually(F fn, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fn()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return fn();
  }
  boost::json::object pile_json(const std::string& pile) {
    auto r = api("GET", "/api/v1/piles/" + pile);
    EXPECT_EQ(r.status, 200) << r.body;
    return boost::json::parse(r.body).as_object();
  }
};

}  // namespace cp::testing
