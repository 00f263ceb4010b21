#include "sim/detail/ykc_pile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "protocol/ykc/messages.h"
#include "protocol/ykc/units.h"

namespace cp::sim {
namespace {

using namespace ykc;

constexpr std::int64_t kT0 = 1716172245000;  // 2024-05-20 10:30:45 Beijing
const std::string kPile = "32010600019236";
const std::string kSerial = "32010600019236012405201030000001";

YkcPileConfig config() {
  YkcPileConfig c;
  c.pile = kPile;
  c.guns = 2;
  c.card_sessions = false;
  c.session_samples_min = c.session_samples_max = 4;
  return c;
}

template <class T>
std::vector<T> all_of(const std::vector<YkcOutgoing>& out) {
  std::vector<T> v;
  for (const auto& o : out)
    if (const auto* m = std::get_if<T>(&o.message)) v.push_back(*m);
  return v;
}

// Every message the pile produces must go through the codec.
void expect_encodable(const std::vector<YkcOutgoing>& out) {
  for (const auto& o : out) EXPECT_TRUE(encode_body(o.message).ok()) << type_name(type_of(o.message));
}

// A tick of a platform that answers every heartbeat (so long runs do not lose the link).
std::vector<YkcOutgoing> tick(YkcPile& p, std::int64_t t) {
  auto out = p.on_tick(t);
  for (const auto& h : all_of<Heartbeat>(out)) p.on_message(HeartbeatReply{h.pile, h.gun, 0}, make_seq(0), t);
  EXPECT_FALSE(p.wants_reconnect());
  return out;
}

// A card-session pile (idle gaps of 5 s) ticked each second for its first 6 s: everything it sent.
std::vector<YkcOutgoing> first_card_starts(YkcPile& p) {
  std::vector<YkcOutgoing> out;
  for (std::int64_t t = kT0 + 1000; t <= kT0 + 6000; t += 1000) {
    auto o = tick(p, t);
    out.insert(out.end(), o.begin(), o.end());
  }
  return out;
}

YkcPileConfig card_session_config() {
  auto c = config();
  c.card_sessions = true;
  c.idle_gap_min = c.idle_gap_max = std::chrono::milliseconds{5000};
  return c;
}

// A pile that has logged in and holds a billing model.
YkcPile logged_in_pile(YkcPileConfig c = config()) {
  YkcPile p(c, kT0);
  p.on_connected(kT0);
  p.on_message(LoginReply{kPile, 0}, make_seq(0), kT0);
  p.on_message(BillingModelVerifyReply{kPile, "0000", 0}, make_seq(1), kT0);
  return p;
}

TEST(YkcSimPile, LogsInThenChecksItsBillingModel) {
  YkcPile p(config(), kT0);
  auto out = p.on_connected(kT0);
  ASSERT_EQ(out.size(), 1u);
  const auto& login = std::get<Login>(out[0].message);
  EXPECT_EQ(login.pile, kPile);
  EXPECT_EQ(login.gun_count, 2);
  EXPECT_EQ(login.protocol_version, kVersion16);
  EXPECT_FALSE(p.logged_in());
  EXPECT_TRUE(p.on_tick(kT0 + 60000).empty());  // nothing but the login before the reply
  out = p.on_message(LoginReply{kPile, 0}, make_seq(0), kT0);
  EXPECT_TRUE(p.logged_in());
  ASSERT_EQ(all_of<BillingModelVerify>(out).size(), 1u);
  out = p.on_message(BillingModelVerifyReply{kPile, "0000", 1}, make_seq(1), kT0);
  EXPECT_EQ(all_of<BillingModelRequest>(out).size(), 1u);  // mismatch -> request the model
}

TEST(YkcSimPile, RefusedLoginAsksForAReconnect) {
  YkcPile p(config(), kT0);
  p.on_connected(kT0);
  p.on_message(LoginReply{kPile, 1}, make_seq(0), kT0);
  EXPECT_FALSE(p.logged_in());
  EXPECT_TRUE(p.wants_reconnect());
  EXPECT_EQ(p.stats().login_refused, 1u);
}

TEST(YkcSimPile, HeartbeatsPerGunAndReconnectsAfterThreeUnanswered) {
  auto p = logged_in_pile();
  auto out = p.on_tick(kT0 + 10000);
  EXPECT_EQ(all_of<Heartbeat>(out).size(), 2u);
  expect_encodable(out);
  p.on_message(HeartbeatReply{kPile, 1, 0}, make_seq(2), kT0 + 10000);
  p.on_message(HeartbeatReply{kPile, 2, 0}, make_seq(3), kT0 + 10000);
  for (int i = 2; i <= 4; ++i) p.on_tick(kT0 + i * 10000);  // three more, none answered
  EXPECT_FALSE(p.wants_reconnect());
  p.on_tick(kT0 + 50000);
  EXPECT_TRUE(p.wants_reconnect());
}

// V1.6 remote parallel start: one 0xA4 per gun under one parallel serial; each gun answers 0xA3
// (the first as master, the next as slave) and charges under its own transaction serial.
TEST(YkcSimPile, RemoteParallelStartAnswersEachGunAndChargesBoth) {
  auto p = logged_in_pile();
  const std::string serial2 = "32010600019236022405201030000002";
  auto out = p.on_message(ParallelRemoteStart{{kSerial, kPile, 1, "0000001000000573", {}, 100000}, "240520103000"},
                          make_seq(9), kT0);
  out = p.on_message(ParallelRemoteStart{{serial2, kPile, 2, "0000001000000573", {}, 100000}, "240520103000"},
                     make_seq(10), kT0);
  auto replies = all_of<ParallelRemoteStartReply>(out);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], (ParallelRemoteStartReply{{serial2, kPile, 2, 1, 0}, 1, "240520103000"}));  // slave
  EXPECT_TRUE(p.charging(1));
  EXPECT_TRUE(p.charging(2));
  expect_encodable(out);
  // A gun that is already charging refuses, with reason 2; a new parallel serial leads again.
  out = p.on_message(ParallelRemoteStart{{kSerial, kPile, 1, "0000001000000573", {}, 100000}, "240520103500"},
                     make_seq(11), kT0);
  EXPECT_EQ(all_of<ParallelRemoteStartReply>(out),
            (std::vector{ParallelRemoteStartReply{{kSerial, kPile, 1, 0, 2}, 0, "240520103500"}}));
}

TEST(YkcSimPile, RemoteStartChargesReportsAndStopsWithARecord) {
  auto p = logged_in_pile();
  auto out = p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100000}, make_seq(9), kT0);
  auto replies = all_of<RemoteStartReply>(out);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], (RemoteStartReply{kSerial, kPile, 1, 1, 0}));
  EXPECT_EQ(out[0].reply_to, make_seq(9));
  EXPECT_TRUE(p.charging(1));
  EXPECT_EQ(all_of<BmsHandshake>(out).size(), 1u);
  EXPECT_EQ(all_of<BmsParameters>(out).size(), 1u);
  expect_encodable(out);

  out = p.on_tick(kT0 + 15000);
  auto rt = all_of<RealtimeData>(out);
  ASSERT_FALSE(rt.empty());
  const auto charging = std::find_if(rt.begin(), rt.end(), [](const RealtimeData& d) { return d.gun == 1; });
  ASSERT_NE(charging, rt.end());
  EXPECT_EQ(charging->status, 3);
  EXPECT_EQ(charging->serial, kSerial);
  EXPECT_GT(charging->current_da, 0);
  EXPECT_GT(charging->energy, 0u);
  EXPECT_EQ(all_of<BmsDemand>(out).size(), 1u);
  expect_encodable(out);

  out = p.on_message(RemoteStop{kPile, 1}, make_seq(10), kT0 + 20000);
  EXPECT_EQ(all_of<RemoteStopReply>(out), (std::vector{RemoteStopReply{kPile, 1, 1, 0}}));
  auto records = all_of<TransactionRecord>(out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].serial, kSerial);
  EXPECT_EQ(records[0].stop_reason, 0x40);
  EXPECT_EQ(records[0].start_type, 1);
  EXPECT_EQ(records[0].meter_end - records[0].meter_start, records[0].total_energy);
  EXPECT_EQ(records[0].flat.energy + records[0].valley.energy + records[0].peak.energy + records[0].sharp.energy,
            records[0].total_energy);
  EXPECT_EQ(cp56_to_unix_ms(records[0].start), kT0);
  EXPECT_FALSE(p.charging(1));
  // stopped from the app: the charger's stop (CST manual stop), then the BMS's (BST charger stopped)
  EXPECT_EQ(all_of<ChargerStop>(out), (std::vector{ChargerStop{kSerial, kPile, 1, {0x04, 0, 0}}}));
  EXPECT_EQ(all_of<BmsStop>(out), (std::vector{BmsStop{kSerial, kPile, 1, {0x40, 0, 0}}}));
  expect_encodable(out);

  p.on_message(TransactionRecordAck{kSerial, 0}, make_seq(11), kT0 + 21000);
  EXPECT_EQ(p.pending_records(), 0u);
  EXPECT_EQ(p.stats().records_confirmed, 1u);
}

// A session across 11:00 (Beijing) under a model whose 10:30 slot is peak and 11:00 slot valley:
// the record splits the energy between the two tiers at their own prices, and the real-time
// amount while charging follows the same prices.
TEST(YkcSimPile, BillsTheEnergyOfEachTierAtThatTiersPrice) {
  auto c = config();
  c.session_samples_min = c.session_samples_max = 1000;  // only the remote stop ends it
  auto p = logged_in_pile(c);
  BillingModel m;
  m.pile = kPile;
  m.model = "0101";
  m.sharp_energy = 150000, m.sharp_service = 40000;
  m.peak_energy = 120000, m.peak_service = 30000;    // 1.5 yuan/kWh
  m.flat_energy = 90000, m.flat_service = 20000;
  m.valley_energy = 40000, m.valley_service = 10000;  // 0.5 yuan/kWh
  m.slots.fill(2);
  m.slots[21] = 1;  // 10:30–11:00 peak
  m.slots[22] = 3;  // 11:00–11:30 valley
  p.on_message(BillingModelSet{m}, make_seq(2), kT0);

  const std::int64_t start = kT0 + (28 * 60 + 15) * 1000;  // 10:59:00
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100000}, make_seq(3), start);
  std::vector<YkcOutgoing> out;
  for (std::int64_t t = start + 5000; t <= start + 120000; t += 5000) out = tick(p, t);  // to 11:01:00
  std::uint32_t realtime_amount = 0, realtime_energy = 0;
  for (const auto& d : all_of<RealtimeData>(out))
    if (d.gun == 1 && d.status == 3) realtime_amount = d.amount, realtime_energy = d.energy;
  ASSERT_GT(realtime_energy, 0u);

  out = p.on_message(RemoteStop{kPile, 1}, make_seq(4), start + 120000);
  auto records = all_of<TransactionRecord>(out);
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  EXPECT_GT(r.peak.energy, 0u);
  EXPECT_GT(r.valley.energy, 0u);
  EXPECT_EQ(r.sharp.energy + r.flat.energy, 0u);
  EXPECT_EQ(r.peak.energy + r.valley.energy, r.total_energy);
  EXPECT_EQ(r.peak.price, 150000u);
  EXPECT_EQ(r.valley.price, 50000u);
  EXPECT_EQ(r.peak.amount, static_cast<std::uint32_t>(std::llround(r.peak.energy * 150000.0 / 1e5)));
  EXPECT_EQ(r.valley.amount, static_cast<std::uint32_t>(std::llround(r.valley.energy * 50000.0 / 1e5)));
  EXPECT_EQ(r.total_amount, r.peak.amount + r.valley.amount);
  // below a flat 1.5 yuan/kWh (all peak), above 0.5 (all valley)
  EXPECT_LT(r.total_amount, std::llround(r.total_energy * 1.5));
  EXPECT_GT(r.total_amount, std::llround(r.total_energy * 0.5));
  EXPECT_LT(realtime_amount, std::llround(realtime_energy * 1.5));
  EXPECT_GT(realtime_amount, std::llround(realtime_energy * 0.5));
  expect_encodable(out);
}

TEST(YkcSimPile, AFullBatteryEndsTheSessionWithTheBmsStopReason) {
  auto c = config();
  c.session_samples_min = c.session_samples_max = 100000;  // only a full battery ends it
  auto p = logged_in_pile(c);
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100000}, make_seq(3), kT0);
  std::vector<YkcOutgoing> out;
  for (std::int64_t t = kT0 + 60000; p.charging(1) && t < kT0 + 24 * 3600000LL; t += 60000) out = tick(p, t);
  ASSERT_FALSE(p.charging(1));
  const auto records = all_of<TransactionRecord>(out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].stop_reason, 0x41);  // SOC reached
  EXPECT_EQ(all_of<BmsStop>(out), (std::vector{BmsStop{kSerial, kPile, 1, {0x01, 0, 0}}}));
  EXPECT_EQ(all_of<ChargerStop>(out), (std::vector{ChargerStop{kSerial, kPile, 1, {0x40, 0, 0}}}));
  expect_encodable(out);
}

TEST(YkcSimPile, AnAcPileSendsNoBmsFrames) {
  auto c = config();
  c.dc = false;
  auto p = logged_in_pile(c);
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100000}, make_seq(3), kT0);
  tick(p, kT0 + 15000);
  const auto out = p.on_message(RemoteStop{kPile, 1}, make_seq(4), kT0 + 20000);
  EXPECT_EQ(all_of<TransactionRecord>(out).size(), 1u);
  EXPECT_TRUE(all_of<BmsStop>(out).empty());
  EXPECT_TRUE(all_of<ChargerStop>(out).empty());
  EXPECT_TRUE(all_of<ChargeEnd>(out).empty());
}

TEST(YkcSimPile, RemoteStartOnABusyGunOrUnknownGunFails) {
  auto p = logged_in_pile();
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(1), kT0);
  auto out = p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(2), kT0);
  EXPECT_EQ(all_of<RemoteStartReply>(out)[0].reason, 2);
  out = p.on_message(RemoteStart{kSerial, kPile, 7, "0000001000000573", {}, 100}, make_seq(3), kT0);
  EXPECT_EQ(all_of<RemoteStartReply>(out)[0].result, 0);
  out = p.on_message(RemoteStop{kPile, 2}, make_seq(4), kT0);
  EXPECT_EQ(all_of<RemoteStopReply>(out)[0], (RemoteStopReply{kPile, 2, 0, 2}));
}

TEST(YkcSimPile, UnconfirmedRecordIsResentEvery30sAtMostThreeTimesAndAfterReconnect) {
  auto p = logged_in_pile();
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(1), kT0);
  p.on_message(RemoteStop{kPile, 1}, make_seq(2), kT0 + 1000);
  int resent = 0;
  for (std::int64_t t = kT0 + 2000; t < kT0 + 200000; t += 1000) resent += int(all_of<TransactionRecord>(tick(p, t)).size());
  EXPECT_EQ(resent, 3);
  EXPECT_EQ(p.pending_records(), 1u);
  p.on_disconnected();
  p.on_connected(kT0 + 300000);
  auto out = p.on_message(LoginReply{kPile, 0}, make_seq(0), kT0 + 300000);
  EXPECT_EQ(all_of<TransactionRecord>(out).size(), 1u);  // the stored record goes out right after login
}

TEST(YkcSimPile, OnceAfterFiveMinutesRuleResendsOnce) {
  auto c = config();
  c.options.record_retry = RecordRetryRule::OnceAfter5Min;
  auto p = logged_in_pile(c);
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(1), kT0);
  p.on_message(RemoteStop{kPile, 1}, make_seq(2), kT0);
  std::vector<std::int64_t> at;
  for (std::int64_t t = kT0 + 1000; t < kT0 + 1200000; t += 1000)
    if (!all_of<TransactionRecord>(tick(p, t)).empty()) at.push_back(t - kT0);
  EXPECT_EQ(at, (std::vector<std::int64_t>{300000}));
}

TEST(YkcSimPile, WorkingParametersValidateAndTakeEffect) {
  auto p = logged_in_pile();
  auto out = p.on_message(WorkParams{kPile, 0, 20}, make_seq(1), kT0);  // below 30 %
  EXPECT_EQ(all_of<WorkParamsReply>(out)[0].result, 0);
  out = p.on_message(WorkParams{kPile, 1, 50}, make_seq(2), kT0);
  EXPECT_EQ(all_of<WorkParamsReply>(out)[0].result, 1);
  EXPECT_TRUE(p.disabled());
  EXPECT_EQ(p.power_percent(), 50);
  out = p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(3), kT0);
  EXPECT_EQ(all_of<RemoteStartReply>(out)[0].result, 0);
  p.on_message(WorkParams{kPile, 0, 50}, make_seq(4), kT0);
  p.on_message(RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, make_seq(5), kT0);
  out = p.on_tick(kT0 + 60000);
  for (const auto& d : all_of<RealtimeData>(out)) {
    if (d.gun == 1) {
      EXPECT_LE(d.voltage_dv * d.current_da / 100.0, 60000 * 0.5 * 1.01);  // capped at 50 %
    }
  }
}

TEST(YkcSimPile, TimeSyncSetsThePileClock) {
  auto p = logged_in_pile();
  const auto platform = cp56_from_unix_ms(kT0 + 3600000);
  auto out = p.on_message(TimeSync{kPile, platform}, make_seq(1), kT0);
  EXPECT_EQ(p.clock_offset_ms(), 3600000);
  EXPECT_EQ(all_of<TimeSyncReply>(out)[0].time, platform);
}

TEST(YkcSimPile, RebootIsAnsweredThenTheConnectionIsDropped) {
  auto p = logged_in_pile();
  auto out = p.on_message(Reboot{kPile, 1}, make_seq(1), kT0);
  EXPECT_EQ(all_of<RebootReply>(out), (std::vector{RebootReply{kPile, 1}}));
  EXPECT_TRUE(p.wants_reconnect());
}

TEST(YkcSimPile, BillingModelPushIsStoredAndConfirmed) {
  auto p = logged_in_pile();
  BillingModel m{kPile, "0100", 100000, 40000, 80000, 40000, 60000, 40000, 30000, 40000, 0, {}};
  auto out = p.on_message(BillingModelSet{m}, make_seq(1), kT0);
  EXPECT_EQ(all_of<BillingModelSetReply>(out), (std::vector{BillingModelSetReply{kPile, 1}}));
}

TEST(YkcSimPile, CardSessionAsksThePlatformAndUsesItsSerial) {
  auto c = card_session_config();
  c.guns = 1;
  auto p = logged_in_pile(c);
  auto out = first_card_starts(p);
  auto req = all_of<PileStartRequest>(out);
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].start_mode, 1);
  expect_encodable(out);
  p.on_message(StartAuthorisation{kSerial, kPile, 1, "0000001000000573", 100, 1, 0}, make_seq(5), kT0 + 7000);
  EXPECT_TRUE(p.charging(1));
  // four 0x13 samples later the card session ends by itself with a record under that serial
  std::vector<TransactionRecord> records;
  for (std::int64_t t = kT0 + 8000; t < kT0 + 200000; t += 1000) {
    auto r = all_of<TransactionRecord>(tick(p, t));
    records.insert(records.end(), r.begin(), r.end());
  }
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].serial, kSerial);
  EXPECT_EQ(records[0].start_type, 2);
}

// Every parallel_every-th card start of a V1.6 DC pile with two guns asks for both guns at
// once: 0xA1 for gun 1 (master) and gun 2 (slave) under one parallel serial; each 0xA2 starts
// its gun under the platform's serial.
TEST(YkcSimPile, EveryNthCardStartIsAParallelSessionOnBothGuns) {
  auto c = card_session_config();
  c.parallel_every = 1;
  auto p = logged_in_pile(c);
  auto out = first_card_starts(p);
  const auto req = all_of<ParallelStartRequest>(out);
  ASSERT_EQ(req.size(), 2u);
  EXPECT_TRUE(all_of<PileStartRequest>(out).empty());
  EXPECT_EQ(req[0].request.gun, 1);
  EXPECT_EQ(req[0].slave, 0);
  EXPECT_EQ(req[1].request.gun, 2);
  EXPECT_EQ(req[1].slave, 1);
  EXPECT_EQ(req[0].parallel_serial, req[1].parallel_serial);
  EXPECT_EQ(req[0].parallel_serial.size(), 12u);
  EXPECT_EQ(p.stats().parallel_starts, 1u);
  expect_encodable(out);
  const std::string serial2 = "32010600019236022405201030000002";
  p.on_message(ParallelStartAuthorisation{{kSerial, kPile, 1, "0000001000000573", 100, 1, 0}, req[0].parallel_serial},
               make_seq(5), kT0 + 7000);
  p.on_message(ParallelStartAuthorisation{{serial2, kPile, 2, "0000001000000573", 100, 1, 0}, req[0].parallel_serial},
               make_seq(6), kT0 + 7000);
  EXPECT_TRUE(p.charging(1));
  EXPECT_TRUE(p.charging(2));
}

TEST(YkcSimPile, AV15PileNeverAsksForAParallelSession) {
  auto c = card_session_config();
  c.parallel_every = 1;
  c.protocol_version = kVersion15;
  auto p = logged_in_pile(c);
  auto out = first_card_starts(p);
  EXPECT_TRUE(all_of<ParallelStartRequest>(out).empty());
  EXPECT_EQ(all_of<PileStartRequest>(out).size(), 2u);  // one card start per gun
}

TEST(YkcSimPile, PollIsAnsweredWithRealtimeDataForThatGun) {
  auto p = logged_in_pile();
  auto out = p.on_message(RealtimeDataPoll{kPile, 2}, make_seq(7), kT0);
  auto rt = all_of<RealtimeData>(out);
  ASSERT_EQ(rt.size(), 1u);
  EXPECT_EQ(rt[0].gun, 2);
  EXPECT_EQ(rt[0].status, 2);
  EXPECT_EQ(out[0].reply_to, make_seq(7));
}

}  // namespace
}  // namespace cp::sim
