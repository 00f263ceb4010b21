// "Acknowledged means durable": samples whose CALLRESULT arrived survive a SIGKILL.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace json = boost::json;

TEST(Durability, EveryAcknowledgedSampleSurvivesSigkill) {
  ServerProcess server({"--messages-per-second", "100000", "--message-burst", "100000"});
  const std::string password = "durability-pile-secret";
  auto token = login(server.api_port(), server.admin_password());
  // Enough piles at once that the server is under load: its I/O thread gathers events into
  // rounds (core/io_loop.h) and the writer commits groups, the paths a busy fleet takes.
  constexpr int kPiles = 16;
  for (int p = 0; p < kPiles; ++p) register_pile(server.api_port(), token, "CP-D" + std::to_string(p), password);

  std::mutex mu;
  std::set<std::pair<int, long>> acked;  // (pile, sample value)
  std::atomic<bool> stop{false};
  std::vector<std::thread> piles;
  for (int p = 0; p < kPiles; ++p) {
    piles.emplace_back([&, p] {
      OcppClient c;
      if (c.connect(server.ocpp_port(), "CP-D" + std::to_string(p), password) != 101) return;
      for (long i = 1; !stop; ++i) {
        const auto value = p * 1'000'000L + i;
        try {
          c.send_text("[2,\"" + std::to_string(i) + R"(","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z","sampledValue":[{"value":")" +
                      std::to_string(value) + R"(","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}])");
          auto r = c.read(std::chrono::seconds(5));
          if (!r) return;
          auto reply = json::parse(*r).as_array();
          if (reply.at(0).as_int64() == 3) {
            std::lock_guard lock(mu);
            acked.emplace(p, value);
          }
        } catch (...) {
          return;  // the server died under us: expected
        }
      }
    });
  }
  // Let acknowledgements accumulate, then kill without warning.
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mu);
    if (acked.size() > 1000) break;
  }
  server.kill_hard();
  stop = true;
  for (auto& t : piles) t.join();
  ASSERT_GT(acked.size(), 0u);

  server.restart();
  token = login(server.api_port(), server.admin_password());
  for (int p = 0; p < kPiles; ++p) {
    auto r = http_request(server.api_port(), "GET",
                          "/api/v1/piles/CP-D" + std::to_string(p) + "/telemetry?limit=100000", {}, token);
    ASSERT_EQ(r.status, 200) << r.body;
    std::set<long> stored;
    const auto body = json::parse(r.body);
    for (const auto& row : body.at("items").as_array())
      stored.insert(static_cast<long>(row.at("value").to_number<double>()));
    for (const auto& [pile, value] : acked) {
      if (pile != p) continue;
      EXPECT_TRUE(stored.count(value)) << "acknowledged sample lost: pile " << p << " value " << value;
    }
  }
}

}  // namespace
}  // namespace cp::testing
