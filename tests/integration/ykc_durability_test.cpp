// "Acknowledged means durable" for YKC: every transaction record whose 0x40 confirmation reached
// the pile survives a SIGKILL of the server, and re-sending all of them afterwards (what a pile
// does with unconfirmed records) creates no duplicate.
#include <boost/json.hpp>

#include <fmt/format.h>

#include <set>

#include "integration/support/ykc_fixture.h"
#include "protocol/ykc/units.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct YkcDurability : YkcServerTest {
  YkcDurability() : YkcServerTest({"--ykc-frames-per-second", "100000", "--ykc-frame-burst", "100000"}) {}
};

ykc::TransactionRecord record(int i) {
  ykc::TransactionRecord r;
  r.serial = std::string(kYkcPile) + "01" + "240520103000" + fmt::format("{:04}", i);
  r.pile = kYkcPile;
  r.gun = 1;
  r.start = ykc::cp56_from_unix_ms(1716172200000 + i * 1000LL);
  r.end = ykc::cp56_from_unix_ms(1716172200000 + i * 1000LL + 600000);
  r.meter_start = 10000000ULL + i * 1000ULL;
  r.meter_end = r.meter_start + 500;
  r.total_energy = 500;
  r.stop_reason = 0x45;
  return r;
}

std::set<std::string> stored_serials_count(YkcServerTest& t, std::size_t& rows) {
  auto j = json::parse(t.api("GET", std::string("/api/v1/transactions?limit=1000&pile=") + kYkcPile).body);
  rows = j.at("items").as_array().size();
  std::set<std::string> out;
  for (const auto& tx : j.at("items").as_array()) out.insert(std::to_string(tx.at("meter_start_wh").as_int64()));
  return out;
}

TEST_F(YkcDurability, EveryConfirmedRecordSurvivesSigkillAndResendingDuplicatesNothing) {
  constexpr int kRecords = 300;
  register_ykc(kYkcPile);
  std::set<int> confirmed;
  {
    YkcClient c(server.ykc_port());
    ASSERT_EQ(c.login(kYkcPile), 0);
    for (int i = 0; i < kRecords; ++i) c.send(record(i));
    // Collect confirmations for a moment, then kill the server mid-stream.
    const auto until = std::chrono::steady_clock::now() + 150ms;
    while (std::chrono::steady_clock::now() < until) {
      auto f = c.read(20ms);
      if (!f) continue;
      if (auto* ack = std::get_if<ykc::TransactionRecordAck>(&f->message))
        confirmed.insert(std::stoi(ack->serial.substr(28)));
    }
    server.kill_hard();
  }
  server.restart();
  token = login(server.api_port(), server.admin_password());
  std::size_t rows = 0;
  auto stored = stored_serials_count(*this, rows);
  for (int i : confirmed)
    EXPECT_TRUE(stored.count(std::to_string((10000000LL + i * 1000LL) / 10))) << "confirmed record " << i << " lost";

  // The pile re-sends everything it holds; each gets its confirmation, nothing is doubled.
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  for (int i = 0; i < kRecords; ++i) c.send(record(i));
  std::set<int> acks;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (acks.size() < kRecords && std::chrono::steady_clock::now() < deadline) {
    auto f = c.read(1s);
    if (!f) continue;
    if (auto* ack = std::get_if<ykc::TransactionRecordAck>(&f->message)) acks.insert(std::stoi(ack->serial.substr(28)));
  }
  EXPECT_EQ(acks.size(), static_cast<std::size_t>(kRecords));
  stored_serials_count(*this, rows);
  EXPECT_EQ(rows, static_cast<std::size_t>(kRecords));
  std::printf("ykc durability: %zu of %d records confirmed before SIGKILL\n", confirmed.size(), kRecords);
}

}  // namespace
}  // namespace cp::testing
