// `serve --config FILE.toml`: keys from the file apply, flags on the command line win, and a
// typo in the file is a clear start-up error.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

std::string write_config(const std::string& text) {
  char path[] = "/tmp/cp-config-XXXXXX.toml";
  const int fd = mkstemps(path, 5);
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}

int boot_interval(ServerProcess& server) {
  const std::string password = "config-test-pile-secret";
  auto token = login(server.api_port(), server.admin_password());
  register_pile(server.api_port(), token, "CP-CFG", password);
  OcppClient c;
  EXPECT_EQ(c.connect(server.ocpp_port(), "CP-CFG", password), 101);
  auto reply = boost::json::parse(c.call("1", "BootNotification", R"({"chargePointVendor":"V","chargePointModel":"M"})"));
  return static_cast<int>(reply.as_array().at(2).at("interval").as_int64());
}

TEST(Config, FileKeysApply) {
  const auto path = write_config("heartbeat-interval = 120\nmax-message-bytes = 32768\n");
  ServerProcess server({"--config", path});
  EXPECT_EQ(boot_interval(server), 120);
  std::remove(path.c_str());
}

TEST(Config, CommandLineFlagsWinOverTheFile) {
  const auto path = write_config("heartbeat-interval = 120\n");
  ServerProcess server({"--config", path, "--heartbeat-interval", "45"});
  EXPECT_EQ(boot_interval(server), 45);
  std::remove(path.c_str());
}

TEST(Config, UnknownKeyIsAStartupError) {
  const auto path = write_config("heartbeat-intreval = 120\n");
  EXPECT_THROW(ServerProcess server({"--config", path}), std::runtime_error);
  std::remove(path.c_str());
}

TEST(Config, OcppCallTimeoutOutsideItsRangeIsAStartupError) {
  const auto path = write_config("ocpp-call-timeout = 0\n");
  EXPECT_THROW(ServerProcess server({"--config", path}), std::runtime_error);
  EXPECT_THROW(ServerProcess server({"--ocpp-call-timeout", "0"}), std::runtime_error);
  std::remove(path.c_str());
  const auto ok = write_config("ocpp-call-timeout = 5\n");
  ServerProcess server({"--config", ok});
  EXPECT_GT(server.api_port(), 0);
  std::remove(ok.c_str());
}

TEST(Config, CommitDelayIsAKeyAndAFlagWithinItsRange) {
  const auto negative = write_config("commit-delay = -1\n");
  EXPECT_THROW(ServerProcess server({"--config", negative}), std::runtime_error);
  EXPECT_THROW(ServerProcess server({"--commit-delay", "100001"}), std::runtime_error);
  std::remove(negative.c_str());
  const auto ok = write_config("commit-delay = 2000\n");
  ServerProcess server({"--config", ok});
  EXPECT_EQ(boot_interval(server), 300);  // the default heartbeat: it serves piles as usual
  std::remove(ok.c_str());
}

TEST(Config, IoCoalesceIsAKeyAndAFlagWithinItsRange) {
  const auto negative = write_config("io-coalesce = -1\n");
  EXPECT_THROW(ServerProcess server({"--config", negative}), std::runtime_error);
  EXPECT_THROW(ServerProcess server({"--io-coalesce", "10001"}), std::runtime_error);
  std::remove(negative.c_str());
  for (const char* value : {"0", "1000"}) {  // off (plain io_context::run), and a long pause
    const auto ok = write_config(std::string("io-coalesce = ") + value + "\n");
    ServerProcess server({"--config", ok});
    EXPECT_EQ(boot_interval(server), 300) << "io-coalesce = " << value;
    std::remove(ok.c_str());
  }
}

}  // namespace
}  // namespace cp::testing
