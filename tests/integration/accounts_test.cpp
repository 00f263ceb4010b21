// Accounts against the real binary: login sessions and API tokens survive a restart, a revoked
// token is refused at once (and after a restart), a viewer cannot write, the audit log says
// who did what, and `chargeplane user` manages users on a stopped server's data directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace json = boost::json;

json::value parse(const HttpResponse& r) { return json::parse(r.body); }

TEST(Accounts, TokensSurviveARestartAndRevocationIsImmediate) {
  ServerProcess server;
  auto admin = login(server.api_port(), server.admin_password());
  auto port = server.api_port();

  auto user = http_request(port, "POST", "/api/v1/users",
                           R"({"username":"olga","password":"olga-long-password","role":"operator"})", admin);
  ASSERT_EQ(user.status, 201) << user.body;
  auto olga_login = http_request(port, "POST", "/api/v1/auth/login",
                                 R"({"username":"olga","password":"olga-long-password"})");
  ASSERT_EQ(olga_login.status, 200) << olga_login.body;
  const std::string olga(parse(olga_login).at("token").as_string());

  auto minted = http_request(port, "POST", "/api/v1/tokens", R"({"name":"ci-runner"})", olga);
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string machine(parse(minted).at("token").as_string());
  const std::string machine_id(parse(minted).at("id").as_string());
  auto doomed = http_request(port, "POST", "/api/v1/tokens", R"({"name":"doomed"})", admin);
  ASSERT_EQ(doomed.status, 201);
  const std::string doomed_token(parse(doomed).at("token").as_string());
  const std::string doomed_id(parse(doomed).at("id").as_string());

  ASSERT_EQ(http_request(port, "GET", "/api/v1/me", {}, doomed_token).status, 200);
  ASSERT_EQ(http_request(port, "DELETE", "/api/v1/tokens/" + doomed_id, {}, admin).status, 204);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/me", {}, doomed_token).status, 401);

  server.restart();
  port = server.api_port();
  auto me = http_request(port, "GET", "/api/v1/me", {}, olga);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(parse(me).at("username").as_string(), "olga");
  auto as_machine = http_request(port, "GET", "/api/v1/me", {}, machine);
  ASSERT_EQ(as_machine.status, 200) << as_machine.body;
  EXPECT_EQ(parse(as_machine).at("token").at("id").as_string(), machine_id);
  EXPECT_EQ(parse(as_machine).at("role").as_string(), "operator");
  EXPECT_EQ(http_request(port, "GET", "/api/v1/me", {}, doomed_token).status, 401);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/piles", {}, admin).status, 200);

  // Deleting the owner kills its API token at once.
  ASSERT_EQ(http_request(port, "DELETE", "/api/v1/users/olga", {}, admin).status, 204);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/me", {}, machine).status, 401);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/me", {}, olga).status, 401);
}

TEST(Accounts, AuditLogRecordsWhoDidWhat) {
  ServerProcess server;
  const auto port = server.api_port();
  auto admin = login(port, server.admin_password());
  ASSERT_EQ(http_request(port, "POST", "/api/v1/users",
                         R"({"username":"vera","password":"vera-long-password","role":"viewer"})", admin)
                .status,
            201);
  auto vera_login = http_request(port, "POST", "/api/v1/auth/login",
                                 R"({"username":"vera","password":"vera-long-password"})");
  const std::string vera(parse(vera_login).at("token").as_string());
  register_pile(port, admin, "CP-A1", "audit-pile-password-1");
  auto refused = http_request(port, "DELETE", "/api/v1/piles/CP-A1", {}, vera);
  EXPECT_EQ(refused.status, 403);
  ASSERT_EQ(http_request(port, "DELETE", "/api/v1/piles/CP-A1", {}, admin).status, 204);

  EXPECT_EQ(server.log().find("vera-long-password"), std::string::npos);  // secrets are never logged
  EXPECT_EQ(server.log().find(vera), std::string::npos);
  server.restart();  // SIGKILL: the audit log is durable
  admin = login(server.api_port(), server.admin_password());
  auto audit = http_request(server.api_port(), "GET", "/api/v1/audit?target=CP-A1", {}, admin);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto body = parse(audit);
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << audit.body;  // the refused delete changed nothing
  EXPECT_EQ(items.at(0).at("action").as_string(), "pile.delete");
  EXPECT_EQ(items.at(1).at("action").as_string(), "pile.create");
  for (const auto& i : items) EXPECT_EQ(i.at("actor").as_string(), "admin");
  EXPECT_FALSE(items.at(0).at("at").as_string().empty());

  auto by_action = http_request(server.api_port(), "GET", "/api/v1/audit?action=user.create", {}, admin);
  ASSERT_EQ(by_action.status, 200);
  bool saw_vera = false;
  const auto actions = parse(by_action);
  for (const auto& i : actions.at("items").as_array())
    saw_vera = saw_vera || (i.at("target").as_string() == "vera" && i.at("actor").as_string() == "admin");
  EXPECT_TRUE(saw_vera) << by_action.body;
}

// Runs `chargeplane user ...` with the password on stdin; returns the exit status.
int user_command(const std::string& args, const std::string& password) {
  const std::string cmd = std::string(CP_BINARY) + " user " + args + " >/dev/null 2>&1";
  FILE* p = popen(cmd.c_str(), "w");
  if (!p) return -1;
  std::fputs((password + "\n").c_str(), p);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Accounts, UserCommandAddsUsersAndResetsPasswordsOffline) {
  ServerProcess server;
  ASSERT_EQ(server.terminate(), 0);
  const std::string dir = "--data-dir " + server.data_dir() + "/data";
  EXPECT_EQ(user_command("add olga --role operator " + dir, "olga-long-password"), 0);
  EXPECT_EQ(user_command("add olga --role operator " + dir, "olga-long-password"), 1);  // exists
  EXPECT_EQ(user_command("add shorty " + dir, "short"), 1);
  EXPECT_EQ(user_command("passwd admin " + dir, "recovered-admin-password"), 0);
  server.restart();
  const auto port = server.api_port();
  auto olga = http_request(port, "POST", "/api/v1/auth/login",
                           R"({"username":"olga","password":"olga-long-password"})");
  ASSERT_EQ(olga.status, 200) << olga.body;
  EXPECT_EQ(parse(olga).at("role").as_string(), "operator");
  EXPECT_EQ(http_request(port, "POST", "/api/v1/auth/login",
                         R"({"username":"admin","password":"recovered-admin-password"})")
                .status,
            200);
  EXPECT_EQ(http_request(port, "POST", "/api/v1/auth/login",
                         R"({"username":"shorty","password":"short"})").status,
            401);
}

}  // namespace
}  // namespace cp::testing
