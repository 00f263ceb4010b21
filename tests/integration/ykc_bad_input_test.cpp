// Every "bad input" case of issue #6 against the real server: each is refused with a counter
// (and a log line), never crashes the session, and a valid frame afterwards still works.
#include "integration/support/ykc_fixture.h"

namespace cp::testing {
namespace {

using namespace std::chrono_literals;

struct YkcBadInput : YkcServerTest {
  // A short heartbeat timeout for the half-open case, a low burst for the flood case.
  YkcBadInput() : YkcServerTest({"--ykc-heartbeat-timeout", "2", "--ykc-frames-per-second", "5",
                                 "--ykc-frame-burst", "40"}) {}
  void SetUp() override {
    YkcServerTest::SetUp();
    register_ykc(kYkcPile);
  }
  // The heartbeat still answers: the session survived what came before.
  void expect_alive(YkcClient& c) {
    c.send(ykc::Heartbeat{kYkcPile, 1, 0});
    EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType)) << "the session did not survive";
  }
  ykc::Bytes heartbeat_bytes(YkcClient& c) {
    auto b = c.codec().encode_request(ykc::Heartbeat{kYkcPile, 1, 0}, false);
    return *b;
  }
};

TEST_F(YkcBadInput, WrongCrcIsCountedAndSkipped) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  auto b = heartbeat_bytes(c);
  b[b.size() - 1] ^= 0xFF;
  c.send_bytes(b);
  expect_alive(c);
  EXPECT_EQ(metric(R"(chargeplane_ykc_frame_errors_total{error="bad_crc"})"), 1);
}

TEST_F(YkcBadInput, WrongLengthIsCountedAndResynchronised) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  c.send_bytes({0x68, 0x02, 0x00, 0x00});  // L < 4
  expect_alive(c);
  EXPECT_GE(metric(R"(chargeplane_ykc_frame_errors_total{error="bad_length"})"), 1);
}

TEST_F(YkcBadInput, OversizedLengthIsCountedAndResynchronised) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  c.send_bytes({0x68, 0xFF, 0x00, 0x00, 0x00, 0x03});  // 259 bytes > the 256-byte frame limit
  expect_alive(c);
  EXPECT_GE(metric(R"(chargeplane_ykc_frame_errors_total{error="oversized"})"), 1);
}

TEST_F(YkcBadInput, TruncatedFrameWaitsForTheRestAndSplitFramesReassemble) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  auto b = heartbeat_bytes(c);
  for (auto byte : b) {  // one byte per write
    c.send_bytes({byte});
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
  // Garbage, then two frames in one write.
  auto two = ykc::Bytes{0x00, 0x11, 0x22};
  for (int i = 0; i < 2; ++i) {
    auto h = heartbeat_bytes(c);
    two.insert(two.end(), h.begin(), h.end());
  }
  c.send_bytes(two);
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
}

TEST_F(YkcBadInput, BadBcdIsADecodeErrorNotACrash) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  auto b = heartbeat_bytes(c);
  b[6] = 0x3A;  // pile number nibble A; re-checksum so only the BCD is wrong
  const auto crc = ykc::crc16_modbus({b.data() + 2, b.size() - 4});
  b[b.size() - 2] = crc & 0xFF;
  b[b.size() - 1] = crc >> 8;
  c.send_bytes(b);
  expect_alive(c);
  EXPECT_EQ(metric(R"(chargeplane_ykc_frame_errors_total{error="bad_bcd"})"), 1);
  EXPECT_EQ(metric(R"(chargeplane_ykc_frames_total{type="0x03",result="decode_error"})"), 1);
}

TEST_F(YkcBadInput, FramesBeforeLoginAreRefused) {
  YkcClient c(server.ykc_port());
  c.send(ykc::Heartbeat{kYkcPile, 1, 0});
  EXPECT_FALSE(c.read(500ms));
  EXPECT_EQ(metric(R"(chargeplane_ykc_frames_total{type="0x03",result="before_login"})"), 1);
  EXPECT_EQ(c.login(kYkcPile), 0);  // and a login afterwards still works
}

TEST_F(YkcBadInput, ReplayedAndBackwardsSequenceNumbersAreCountedButHandled) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  c.send_with_seq(ykc::Heartbeat{kYkcPile, 1, 0}, 10);
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
  c.send_with_seq(ykc::Heartbeat{kYkcPile, 1, 0}, 10);  // replayed
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
  c.send_with_seq(ykc::Heartbeat{kYkcPile, 1, 0}, 5);  // backwards
  EXPECT_TRUE(c.read_type(ykc::HeartbeatReply::kType));
  EXPECT_EQ(metric(R"(chargeplane_ykc_sequence_anomalies_total{kind="repeat"})"), 1);
  EXPECT_EQ(metric(R"(chargeplane_ykc_sequence_anomalies_total{kind="backwards"})"), 1);
}

TEST_F(YkcBadInput, AFloodBeyondTheBurstClosesTheConnection) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  ykc::Bytes flood;
  for (int i = 0; i < 100; ++i) {
    auto h = heartbeat_bytes(c);
    flood.insert(flood.end(), h.begin(), h.end());
  }
  c.send_bytes(flood);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(metric(R"(chargeplane_ykc_closed_total{reason="rate_limited"})"), 1);
}

TEST_F(YkcBadInput, HalfOpenConnectionIsClosedByTheHeartbeatTimeout) {
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  ASSERT_TRUE(eventually([&] { return pile_json(kYkcPile).at("online").as_bool(); }));
  // The pile goes silent (as if its side vanished): the server closes after 2 s.
  EXPECT_TRUE(c.wait_closed(6s));
  EXPECT_EQ(metric(R"(chargeplane_ykc_closed_total{reason="heartbeat_timeout"})"), 1);
  EXPECT_TRUE(eventually([&] { return !pile_json(kYkcPile).at("online").as_bool(); }));
}

}  // namespace
}  // namespace cp::testing
