// Per-connection limits seen from the wire: floods are closed with 1008, and other piles are
// unaffected; silent connections are closed after the idle timeout.
#include <gtest/gtest.h>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

TEST(Limits, FloodBeyondBurstIsClosedWithPolicyViolation) {
  ServerProcess server({"--messages-per-second", "5", "--message-burst", "10"});
  const std::string password = "limits-pile-secret-0001";
  auto token = login(server.api_port(), server.admin_password());
  register_pile(server.api_port(), token, "CP-FLOOD", password);
  register_pile(server.api_port(), token, "CP-CALM", password);

  OcppClient flood, calm;
  ASSERT_EQ(flood.connect(server.ocpp_port(), "CP-FLOOD", password), 101);
  ASSERT_EQ(calm.connect(server.ocpp_port(), "CP-CALM", password), 101);
  for (int i = 0; i < 50; ++i) flood.send_text("[2,\"h" + std::to_string(i) + "\",\"Heartbeat\",{}]");
  int replies = 0;
  while (flood.read(std::chrono::seconds(5))) ++replies;
  EXPECT_EQ(flood.close_code(), 1008);
  EXPECT_LE(replies, 11);
  EXPECT_GE(replies, 1);
  EXPECT_NE(calm.call("c1", "Heartbeat", "{}").find("currentTime"), std::string::npos);
  EXPECT_NE(server.log().find("message rate"), std::string::npos);
}

// Half-open connections: a pile that stops answering (no frame, no pong) is closed after
// --idle-timeout; one whose WebSocket stack still answers the server's pings stays connected.
TEST(Limits, SilentConnectionThatAnswersNoPingIsClosedAfterTheIdleTimeout) {
  ServerProcess server({"--idle-timeout", "3"});
  const std::string password = "limits-pile-secret-0002";
  auto token = login(server.api_port(), server.admin_password());
  register_pile(server.api_port(), token, "CP-SILENT", password);
  register_pile(server.api_port(), token, "CP-ALIVE", password);

  OcppClient silent, alive;
  ASSERT_EQ(silent.connect(server.ocpp_port(), "CP-SILENT", password), 101);
  ASSERT_EQ(alive.connect(server.ocpp_port(), "CP-ALIVE", password), 101);
  ASSERT_NE(silent.call("s1", "Heartbeat", "{}").find("currentTime"), std::string::npos);
  ASSERT_NE(alive.call("a1", "Heartbeat", "{}").find("currentTime"), std::string::npos);

  const auto pile_online = [&](const std::string& id) {
    const auto r = http_request(server.api_port(), "GET", "/api/v1/piles/" + id, {}, token);
    return r.body.find("\"online\":true") != std::string::npos;
  };
  // The live pile only answers pings for more than twice the idle timeout, the silent one
  // reads nothing. Both are checked before either client touches its socket again, so only
  // the server can have closed the silent one.
  const auto listened = alive.listen_for(std::chrono::milliseconds(7000), [&] {
    EXPECT_FALSE(pile_online("CP-SILENT"));
    EXPECT_TRUE(pile_online("CP-ALIVE"));
  });
  EXPECT_FALSE(listened.closed);
  EXPECT_GE(listened.pings, 2);
  EXPECT_FALSE(silent.read(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace cp::testing
