// Every worked example of the protocol notes (§8) decodes to the values the note describes and
// re-encodes byte for byte.
#include <gtest/gtest.h>

#include "protocol/ykc/codec.h"
#include "protocol/ykc/messages.h"
#include "protocol/ykc/units.h"
#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::load_golden;

template <class T>
T decode_golden(const std::string& name) {
  for (const auto& g : load_golden()) {
    if (g.name != name) continue;
    auto f = decode_frame(g.bytes);
    EXPECT_TRUE(f.ok()) << name;
    auto m = decode_body(f->type, f->body);
    EXPECT_TRUE(m.ok()) << name << ": " << (m ? "" : m.error().detail);
    EXPECT_TRUE(std::holds_alternative<T>(*m)) << name;
    return std::get<T>(*m);
  }
  ADD_FAILURE() << "no golden frame " << name;
  return T{};
}

const std::string kPile = "32010600019236";
const std::string kSerial = "32010600019236012405201030000001";

TEST(YkcGolden, EveryWorkedExampleDecodesAndReencodesIdentically) {
  const auto golden = load_golden();
  ASSERT_EQ(golden.size(), 17u);
  for (const auto& g : golden) {
    auto f = decode_frame(g.bytes);
    ASSERT_TRUE(f.ok()) << g.name << ": " << f.error().detail;
    EXPECT_EQ(f->type, g.type) << g.name;
    EXPECT_EQ(std::string(type_name(f->type)), g.name.rfind("spec_", 0) == 0 ? g.name.substr(5) : g.name);
    auto m = decode_body(f->type, f->body);
    ASSERT_TRUE(m.ok()) << g.name << ": " << m.error().detail;
    EXPECT_EQ(type_of(*m), g.type);
    PileCodec codec(nullptr, Options{});
    auto again = codec.encode_reply(*m, f->seq, false);
    ASSERT_TRUE(again.ok()) << g.name;
    EXPECT_EQ(*again, g.bytes) << g.name;
  }
}

TEST(YkcGolden, Login) {
  auto m = decode_golden<Login>("login");
  EXPECT_EQ(m.pile, kPile);
  EXPECT_EQ(m.pile_type, 0);
  EXPECT_EQ(m.gun_count, 2);
  EXPECT_EQ(m.protocol_version, kVersion16);
  EXPECT_EQ(m.firmware, "V1.0.0");
  EXPECT_EQ(m.network_type, 0);
  EXPECT_EQ(m.sim, "89860000000000000001");
  EXPECT_EQ(m.carrier, 0);
}

TEST(YkcGolden, LoginReplyAndSpecSample) {
  EXPECT_EQ(decode_golden<LoginReply>("login_reply"), (LoginReply{kPile, 0}));
  EXPECT_EQ(decode_golden<LoginReply>("spec_login_reply"), (LoginReply{"55031412782305", 0}));
}

TEST(YkcGolden, HeartbeatAndReply) {
  EXPECT_EQ(decode_golden<Heartbeat>("heartbeat"), (Heartbeat{kPile, 1, 0}));
  EXPECT_EQ(decode_golden<HeartbeatReply>("heartbeat_reply"), (HeartbeatReply{kPile, 1, 0}));
}

TEST(YkcGolden, BillingModelVerifyMismatch) {
  EXPECT_EQ(decode_golden<BillingModelVerify>("billing_model_verify"), (BillingModelVerify{kPile, "0000"}));
  EXPECT_EQ(decode_golden<BillingModelVerifyReply>("billing_model_verify_reply"),
            (BillingModelVerifyReply{kPile, "0000", 1}));
}

TEST(YkcGolden, BillingModelSetRatesAndSlots) {
  const auto m = decode_golden<BillingModelSet>("billing_model_set").model;
  EXPECT_EQ(m.model, "0100");
  EXPECT_EQ(m.sharp_energy, 100000u);  // 1.00 yuan
  EXPECT_EQ(m.sharp_service, 40000u);  // 0.40, little-endian 40 9C 00 00 (§5.1 ⚠)
  EXPECT_EQ(m.peak_energy, 80000u);
  EXPECT_EQ(m.flat_energy, 60000u);
  EXPECT_EQ(m.valley_energy, 30000u);
  EXPECT_EQ(m.valley_service, 40000u);
  EXPECT_EQ(m.loss_ratio, 0);
  // 00:00-08:00 valley, 08-10 flat, 10-13 peak, 13-15 sharp, 15-19 peak, 19-22 flat, 22-24 valley
  auto tier_at = [&](int h, int min) { return m.slots[static_cast<std::size_t>(h * 2 + min / 30)]; };
  EXPECT_EQ(tier_at(0, 0), 3);
  EXPECT_EQ(tier_at(7, 30), 3);
  EXPECT_EQ(tier_at(8, 0), 2);
  EXPECT_EQ(tier_at(10, 0), 1);
  EXPECT_EQ(tier_at(13, 0), 0);
  EXPECT_EQ(tier_at(14, 30), 0);
  EXPECT_EQ(tier_at(15, 0), 1);
  EXPECT_EQ(tier_at(19, 0), 2);
  EXPECT_EQ(tier_at(22, 0), 3);
  EXPECT_EQ(tier_at(23, 30), 3);
}

TEST(YkcGolden, RemoteStartAndReply) {
  const auto s = decode_golden<RemoteStart>("remote_start");
  EXPECT_EQ(s.serial, kSerial);
  EXPECT_EQ(s.pile, kPile);
  EXPECT_EQ(s.gun, 1);
  EXPECT_EQ(s.logical_card, "0000001000000573");
  EXPECT_EQ(s.card, (Card{0, 0, 0, 0, 0xD1, 0x4B, 0x0A, 0x54}));
  EXPECT_EQ(s.balance, 100000u);  // 1000.00 yuan
  EXPECT_EQ(decode_golden<RemoteStartReply>("remote_start_reply"), (RemoteStartReply{kSerial, kPile, 1, 1, 0}));
}

TEST(YkcGolden, RealtimeDataWhileCharging) {
  const auto d = decode_golden<RealtimeData>("realtime_data");
  EXPECT_EQ(d.serial, kSerial);
  EXPECT_EQ(d.status, 3);
  EXPECT_EQ(d.holstered, 0);
  EXPECT_EQ(d.plugged, 1);
  EXPECT_EQ(d.voltage_dv, 3800);
  EXPECT_EQ(d.current_da, 500);
  EXPECT_EQ(temperature_c(d.cable_temp), 35);
  EXPECT_EQ(d.soc, 60);
  EXPECT_EQ(temperature_c(d.battery_max_temp), 30);
  EXPECT_EQ(d.charging_minutes, 20);
  EXPECT_EQ(d.remaining_minutes, 40);
  EXPECT_EQ(d.energy, 51234u);
  EXPECT_EQ(d.lossy_energy, 51234u);
  EXPECT_EQ(d.amount, 71728u);
  EXPECT_EQ(d.hardware_faults, 0);
}

TEST(YkcGolden, RemoteStopAckWorkParamsReboot) {
  EXPECT_EQ(decode_golden<RemoteStop>("remote_stop"), (RemoteStop{kPile, 1}));
  EXPECT_EQ(decode_golden<TransactionRecordAck>("transaction_record_ack"), (TransactionRecordAck{kSerial, 0}));
  EXPECT_EQ(decode_golden<WorkParams>("work_params"), (WorkParams{kPile, 0, 80}));
  EXPECT_EQ(decode_golden<WorkParamsReply>("work_params_reply"), (WorkParamsReply{kPile, 1}));
  EXPECT_EQ(decode_golden<Reboot>("reboot"), (Reboot{kPile, 1}));
}

TEST(YkcGolden, TimeSyncIsMondayTwentiethOfMay2024) {
  const auto t = decode_golden<TimeSync>("time_sync").time;
  EXPECT_EQ(t.milliseconds, 45000);
  EXPECT_EQ(t.minute, 30);
  EXPECT_EQ(t.hour, 10);
  EXPECT_EQ(t.day, 20);
  EXPECT_EQ(t.day_of_week, 1);
  EXPECT_EQ(t.month, 5);
  EXPECT_EQ(t.year, 24);
  // 2024-05-20T10:30:45+08:00 = 2024-05-20T02:30:45Z
  EXPECT_EQ(cp56_to_unix_ms(t), 1716172245000);
  EXPECT_EQ(cp56_from_unix_ms(1716172245000), t);
}

}  // namespace
}  // namespace cp::ykc
