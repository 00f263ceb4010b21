// The YKC simulator's I/O layer against a minimal in-test platform on a loopback socket: login in
// clear, everything after it 3DES-encrypted, remote start/stop answered, the record confirmed.
#include "sim/ykc_simulator.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <thread>

#include "protocol/ykc/assembler.h"
#include "protocol/ykc/codec.h"

namespace cp::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace ykc;

const std::vector<std::uint8_t> kKey{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                     0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};

struct Seen {
  bool login_clear = false;
  int encrypted = 0, clear_after_login = 0;
  bool start_reply = false, stop_reply = false, record = false, realtime_charging = false;
};

// One connection: answer like a platform would, drive one remote start/stop, then close.
Seen serve_one(tcp::acceptor& acceptor) {
  Seen seen;
  tcp::socket s(acceptor.get_executor());
  acceptor.accept(s);
  auto lib = CipherLibrary::create().value();
  PileCodec codec(lib.get(), Options{}, CipherProfile{CipherAlgorithm::TripleDes, kKey});
  FrameAssembler assembler;
  const std::string serial = "32010600000001012405201030000001";
  bool started = false, stopped = false, logged_in = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{15};
  std::array<std::uint8_t, 2048> buf{};
  auto send = [&](const Message& m, std::optional<Seq> seq, bool enc) {
    auto bytes = seq ? codec.encode_reply(m, *seq, enc) : codec.encode_request(m, enc);
    ASSERT_TRUE(bytes.ok());
    asio::write(s, asio::buffer(*bytes));
  };
  while (!seen.record && std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    EXPECT_TRUE(assembler.feed(std::span(buf.data(), n)).ok());
    while (auto r = assembler.next()) {
      EXPECT_TRUE(r->ok()) << errc_name(r->error().code);
      if (!r->ok()) continue;
      auto d = codec.decode(r->value());
      EXPECT_TRUE(d.ok()) << errc_name(d.error().code) << " " << d.error().detail;
      if (!d) continue;
      if (logged_in) (d->encrypted ? seen.encrypted : seen.clear_after_login)++;
      std::visit(
          [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Login>) {
              seen.login_clear = !d->encrypted;
              logged_in = true;
              send(LoginReply{m.pile, 0}, d->seq, false);
            } else if constexpr (std::is_same_v<T, BillingModelVerify>) {
              send(BillingModelVerifyReply{m.pile, m.model, 0}, d->seq, true);
              send(RemoteStart{serial, m.pile, 1, "0000001000000573", {}, 100000}, std::nullopt, true);
              started = true;
            } else if constexpr (std::is_same_v<T, Heartbeat>) {
              send(HeartbeatReply{m.pile, m.gun, 0}, d->seq, true);
            } else if constexpr (std::is_same_v<T, RemoteStartReply>) {
              seen.start_reply = m.result == 1 && m.serial == serial;
            } else if constexpr (std::is_same_v<T, RealtimeData>) {
              if (m.status == 3 && m.serial == serial && started && !stopped) {
                seen.realtime_charging = true;
                send(RemoteStop{m.pile, 1}, std::nullopt, true);
                stopped = true;
              }
            } else if constexpr (std::is_same_v<T, RemoteStopReply>) {
              seen.stop_reply = m.result == 1;
            } else if constexpr (std::is_same_v<T, TransactionRecord>) {
              seen.record = m.serial == serial;
              send(TransactionRecordAck{m.serial, 0}, d->seq, true);
            }
          },
          d->message);
    }
  }
  return seen;
}

TEST(YkcSimulator, EncryptedPileLogsInInClearAndRunsARemoteSession) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  YkcSimOptions o;
  o.port = std::to_string(acceptor.local_endpoint().port());
  o.first_pile = "32010600000001";
  o.guns = 1;
  o.encryption = "3des";
  o.key = kKey;
  o.heartbeat = std::chrono::seconds{1};
  o.realtime_interval = std::chrono::seconds{1};
  o.stats_interval = std::chrono::seconds{0};
  o.idle_gap_min = o.idle_gap_max = std::chrono::seconds{3600};  // no card sessions of its own
  YkcSimulator sim(o);
  std::thread runner([&] { EXPECT_TRUE(sim.run().ok()); });
  const auto seen = serve_one(acceptor);
  sim.stop();
  runner.join();
  EXPECT_TRUE(seen.login_clear);
  EXPECT_GT(seen.encrypted, 3);
  EXPECT_EQ(seen.clear_after_login, 0);
  EXPECT_TRUE(seen.start_reply);
  EXPECT_TRUE(seen.realtime_charging);
  EXPECT_TRUE(seen.stop_reply);
  EXPECT_TRUE(seen.record);
  const auto st = sim.stats();
  EXPECT_EQ(st.frame_errors, 0u);
  EXPECT_GE(st.sessions_started, 1u);
}

TEST(YkcSimulator, OptionsAreCheckedBeforeAnySocketOpens) {
  YkcSimOptions o;
  o.first_pile = "123";
  EXPECT_FALSE(ykc_pile_numbers(o).ok());
  o.first_pile = "99999999999999";
  o.piles = 2;
  EXPECT_FALSE(ykc_pile_numbers(o).ok());
  o.first_pile = "32010600000009";
  EXPECT_EQ(ykc_pile_numbers(o).value(), (std::vector<std::string>{"32010600000009", "32010600000010"}));
  o.encryption = "3des";
  o.key = {1, 2, 3};
  EXPECT_FALSE(ykc_cipher_profile(o).ok());
  o.encryption = "none";
  EXPECT_FALSE(ykc_cipher_profile(o).ok());  // a key without encryption is a mistake
  o.key.clear();
  EXPECT_FALSE(ykc_cipher_profile(o).value().has_value());
}

}  // namespace
}  // namespace cp::sim
