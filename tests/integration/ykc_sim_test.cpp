// The YKC simulator (`chargeplane sim --protocol ykc`, a separate process with its own codec
// state machine) against the real server: its piles register through the API, log in through
// the gateway and their real-time data lands as telemetry.
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "integration/support/ykc_fixture.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using YkcFleetSimulator = YkcServerTest;

TEST_F(YkcFleetSimulator, SimulatedPilesLogInAndReportThroughTheGateway) {
  const std::string cmd = std::string(CP_BINARY) + " sim --protocol ykc --piles 3 --ykc-address 127.0.0.1:" +
                          std::to_string(server.ykc_port()) + " --api http://127.0.0.1:" +
                          std::to_string(server.api_port()) + " --admin-password " + server.admin_password() +
                          " --first-pile 32010600019000 --interval 1 --duration 8 > " + server.data_dir() +
                          "/sim.out 2>&1";
  int sim_status = -1;
  std::thread sim([cmd, &sim_status] { sim_status = std::system(cmd.c_str()); });
  EXPECT_TRUE(eventually([&] {
    auto list = json::parse(api("GET", "/api/v1/piles?protocol=ykc&online=true").body);
    return list.at("items").as_array().size() == 3;
  }, 15s));
  EXPECT_TRUE(eventually([&] {
    auto r = json::parse(api("GET", "/api/v1/piles/32010600019000/telemetry?limit=1").body);
    return !r.at("items").as_array().empty();
  }, 15s));
  sim.join();
  EXPECT_EQ(sim_status, 0) << "the simulator exited with an error; see its output in the data dir";
  EXPECT_GE(metric(R"(chargeplane_ykc_logins_total{result="ok"})"), 3);
}

// Same with 3DES-encrypted frames: the simulator registers its key through the API, the
// gateway decrypts what the piles send and encrypts its replies.
TEST_F(YkcFleetSimulator, EncryptedSimulatedPilesLogInAndReport) {
  const std::string key_file = server.data_dir() + "/sim.key";
  std::FILE* f = std::fopen(key_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("0123456789ABCDEFFEDCBA98765432100011223344556677\n", f);
  std::fclose(f);
  const std::string cmd = std::string(CP_BINARY) + " sim --protocol ykc --piles 2 --encryption 3des --key-file " +
                          key_file + " --ykc-address 127.0.0.1:" + std::to_string(server.ykc_port()) +
                          " --api http://127.0.0.1:" + std::to_string(server.api_port()) + " --admin-password " +
                          server.admin_password() + " --first-pile 32010600019100 --interval 1 --duration 8 > " +
                          server.data_dir() + "/sim3des.out 2>&1";
  int sim_status = -1;
  std::thread sim([cmd, &sim_status] { sim_status = std::system(cmd.c_str()); });
  EXPECT_TRUE(eventually([&] {
    auto list = json::parse(api("GET", "/api/v1/piles?protocol=ykc&online=true").body);
    return list.at("items").as_array().size() == 2;
  }, 15s));
  EXPECT_TRUE(eventually([&] {
    auto r = json::parse(api("GET", "/api/v1/piles/32010600019101/telemetry?limit=1").body);
    return !r.at("items").as_array().empty();
  }, 15s));
  sim.join();
  EXPECT_EQ(sim_status, 0) << "the simulator exited with an error; see its output in the data dir";
  EXPECT_GE(metric(R"(chargeplane_ykc_logins_total{result="ok"})"), 2);
}

}  // namespace
}  // namespace cp::testing
