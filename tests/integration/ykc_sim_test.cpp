// The YKC simulator (`chargeplane sim --protocol ykc`, a separate process with its own codec
// state machine) against the real server: its piles register through the API, log in through
// the gateway (in clear, or with 3DES-encrypted frames) and their real-time data lands as
// telemetry.
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "integration/support/ykc_fixture.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct YkcFleetSimulator : YkcServerTest {
  // Runs `piles` simulated piles numbered from `first` for 8 s with `extra` sim flags, and
  // checks they all come online, the first one's telemetry is stored and the simulator exits 0.
  void run_and_check(int piles, const std::string& first, const std::string& extra, const std::string& log) {
    const std::string cmd = std::string(CP_BINARY) + " sim --protocol ykc --piles " + std::to_string(piles) + extra +
                            " --ykc-address 127.0.0.1:" + std::to_string(server.ykc_port()) +
                            " --api http://127.0.0.1:" + std::to_string(server.api_port()) +
                            " --admin-password " + server.admin_password() + " --first-pile " + first +
                            " --interval 1 --duration 8 > " + server.data_dir() + "/" + log + " 2>&1";
    int sim_status = -1;
    std::thread sim([cmd, &sim_status] { sim_status = std::system(cmd.c_str()); });
    EXPECT_TRUE(eventually([&] {
      auto list = json::parse(api("GET", "/api/v1/piles?protocol=ykc&online=true").body);
      return list.at("items").as_array().size() == static_cast<std::size_t>(piles);
    }, 15s));
    EXPECT_TRUE(eventually([&] {
      auto r = json::parse(api("GET", "/api/v1/piles/" + first + "/telemetry?limit=1").body);
      return !r.at("items").as_array().empty();
    }, 15s));
    sim.join();
    EXPECT_EQ(sim_status, 0) << "the simulator exited with an error; see " << log << " in the data dir";
    EXPECT_GE(metric(R"(chargeplane_ykc_logins_total{result="ok"})"), piles);
  }
};

TEST_F(YkcFleetSimulator, SimulatedPilesLogInAndReportThroughTheGateway) {
  run_and_check(3, "32010600019000", "", "sim.out");
}

// The simulator registers its key through the API; the gateway decrypts what the piles send
// and encrypts its replies.
TEST_F(YkcFleetSimulator, EncryptedSimulatedPilesLogInAndReport) {
  const std::string key_file = server.data_dir() + "/sim.key";
  std::FILE* f = std::fopen(key_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("0123456789ABCDEFFEDCBA98765432100011223344556677\n", f);
  std::fclose(f);
  run_and_check(2, "32010600019100", " --encryption 3des --key-file " + key_file, "sim3des.out");
}

}  // namespace
}  // namespace cp::testing
