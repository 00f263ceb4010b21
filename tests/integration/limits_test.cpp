// Per-connection limits seen from the wire: floods are closed with 1008, and other piles are
// unaffected.
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

}  // namespace
}  // namespace cp::testing
