#pragma once
// An in-process ApiServer on 127.0.0.1:<ephemeral> over the FakeStore, with an admin and a
// viewer user, and helpers to call it.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <thread>

#include "api/server.h"
#include "unit/api/http_client.h"
#include "unit/services/fake_store.h"

namespace cp::testing {

constexpr int kTestIterations = 1000;
inline const std::string kPilePassword = "pile-password-0123456789";

struct ApiTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  Metrics metrics;
  services::Registry registry;
  services::ApiAuth auth{store, clock, std::chrono::hours(1), kTestIterations};
  services::PileAuthenticator pile_auth{store};
  services::EventBus events{metrics};  // before io: streams left in io unsubscribe from it
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<api::ApiServer> server;
  std::thread runner;
  std::string admin, viewer;  // tokens

  // Lets a fixture adjust the server's options (and context) before it starts.
  virtual void configure(api::ApiOptions&) {}
  virtual void configure_context(api::ApiContext&) {}

  void SetUp() override {
    api::ApiOptions options;
    options.pile_password_iterations = kTestIterations;
    options.worker_threads = 1;
    configure(options);
    api::ApiContext ctx{store, registry, auth, pile_auth, metrics, clock, options};
    ctx.events = &events;
    configure_context(ctx);
    server = std::make_unique<api::ApiServer>(io, "127.0.0.1", 0, ctx);
    ASSERT_TRUE(server->start().ok());
    ASSERT_NE(server->port(), 0);
    runner = std::thread([this] { io.run(); });
    ASSERT_TRUE(auth.ensure_user("admin", "admin-password", services::Role::Admin).ok());
    ASSERT_TRUE(auth.ensure_user("viewer", "viewer-password", services::Role::Viewer).ok());
    admin = *auth.login("admin", "admin-password");
    viewer = *auth.login("viewer", "viewer-password");
  }

  void TearDown() override {
    store.release();
    server->stop();
    work.reset();
    io.stop();
    runner.join();
    server.reset();
    store.close();
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {},
                 const std::string& token = {}) {
    HttpClient c(server->port());
    return c.request(method, target, body, token);
  }
  HttpReply get(const std::string& target) { return call("GET", target, {}, admin); }

  HttpReply register_pile(const std::string& id, const std::string& extra = {}) {
    return call("POST", "/api/v1/piles",
                R"({"id":")" + id + R"(","protocol":"ocpp1.6","password":")" + kPilePassword + "\"" + extra + "}",
                admin);
  }
};

}  // namespace cp::testing
