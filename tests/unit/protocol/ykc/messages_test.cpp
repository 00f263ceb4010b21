#include "protocol/ykc/messages.h"

#include <gtest/gtest.h>

#include <set>

#include "protocol/ykc/faults.h"
#include "protocol/ykc/units.h"
#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::hex;

const std::string kPile = "32010600019236";
const std::string kSerial = "32010600019236012405201030000001";

// One filled-in value of every message type (non-default values, to catch swapped fields).
std::vector<Message> samples() {
  PileStartRequest start{kPile, 2, 3, 1, Card{0, 0, 0, 0, 0xD1, 0x4B, 0x0A, 0x54}, {}, "LSVAU2180N2183294"};
  start.password[0] = 0xE1;
  StartAuthorisation auth{kSerial, kPile, 2, "0000001000000573", 100000, 1, 0};
  RemoteStartReply reply{kSerial, kPile, 2, 0, 5};
  RemoteStart rstart{kSerial, kPile, 2, "0000001000000573", Card{1, 2, 3, 4, 5, 6, 7, 8}, 5000};
  BillingModel model{kPile, "0100", 100000, 40000, 80000, 40000, 60000, 40000, 30000, 40000, 5, {}};
  model.slots.fill(3);
  model.slots[20] = 0;
  TransactionRecord rec{};
  rec.serial = kSerial;
  rec.pile = kPile;
  rec.gun = 1;
  rec.start = cp56_from_unix_ms(1716172245000);
  rec.end = cp56_from_unix_ms(1716175845000);
  rec.valley = {90000, 1650, 1650, 1485};
  rec.meter_start = 0xFFFFFFFFFFull;  // 5 bytes, all ones
  rec.meter_end = 0x0100000000ull;
  rec.total_energy = 1650;
  rec.total_lossy_energy = 1650;
  rec.total_amount = 1485;
  rec.vin = "LSVAU2180N2183294";
  rec.start_type = 5;
  rec.transaction_time = rec.end;
  rec.stop_reason = 0x41;
  rec.card = Card{0, 0, 0, 0, 0xD1, 0x4B, 0x0A, 0x54};
  BmsHandshake hs{kSerial, kPile, 1, {1, 1, 0}, 3, 1500, 3800, {'C', 'A', 'T', 'L'}, {1, 2, 3, 4}, 35, 6, 1,
                  0x012345, 1, 0, "LSVAU2180N2183294", {'V', '1', '.', '0'}};
  return {
      Login{kPile, 1, 2, kVersion15, "v4.1.50", 1, "89860000000000000001", 3},
      LoginReply{kPile, 1}, Heartbeat{kPile, 2, 1}, HeartbeatReply{kPile, 2, 0},
      BillingModelVerify{kPile, "0100"}, BillingModelVerifyReply{kPile, "0100", 0}, BillingModelRequest{kPile},
      BillingModelReply{model}, BillingModelSet{model}, BillingModelSetReply{kPile, 1},
      RealtimeDataPoll{kPile, 2},
      RealtimeData{kSerial, kPile, 2, 3, 0, 1, 3732, 1012, 84, {}, 60, 80, 20, 40, 51234, 51234, 71728, 0x1001},
      hs,
      BmsParameters{kSerial, kPile, 1, 420, 3000, 600, 7500, 105, 450, 3700, 7500, 2000, 4500, 4000},
      ChargeEnd{kSerial, kPile, 1, 95, 410, 415, 75, 80, 60, 405, 12345678},
      BmsErrorFrame{kSerial, kPile, 1, {0x01, 0x04, 0, 0, 0x10, 0, 0, 0x40}},
      BmsStop{kSerial, kPile, 1, {0x01, 0x0201, 0x03}}, ChargerStop{kSerial, kPile, 1, {0x04, 0x0100, 0x00}},
      BmsDemand{kSerial, kPile, 1, 4000, 3500, 2, 3950, 3400, 0x1195, 55, 30, 3960, 3410, 25},
      BmsInfo{kSerial, kPile, 1, 12, 85, 3, 78, 7, 0x1000},
      start, auth, reply, rstart, RemoteStopReply{kPile, 2, 0, 2}, RemoteStop{kPile, 2}, rec,
      TransactionRecordAck{kSerial, 1}, BalanceUpdateReply{kPile, Card{9, 9, 9, 9, 9, 9, 9, 9}, 2},
      BalanceUpdate{kPile, 1, Card{9, 9, 9, 9, 9, 9, 9, 9}, 12345}, OfflineCardSyncReply{kPile, 0, 2},
      OfflineCardSync{kPile, {{"0000001000000573", Card{1, 1, 1, 1, 1, 1, 1, 1}}, {"0000001000000574", Card{2, 2, 2, 2, 2, 2, 2, 2}}}},
      OfflineCardClearReply{kPile, {{Card{1, 1, 1, 1, 1, 1, 1, 1}, 1, 0}, {Card{2, 2, 2, 2, 2, 2, 2, 2}, 0, 1}}},
      OfflineCardClear{kPile, {Card{1, 1, 1, 1, 1, 1, 1, 1}}},
      OfflineCardQueryReply{kPile, {{Card{3, 3, 3, 3, 3, 3, 3, 3}, 1}}},
      OfflineCardQuery{kPile, {Card{3, 3, 3, 3, 3, 3, 3, 3}, Card{4, 4, 4, 4, 4, 4, 4, 4}}},
      WorkParamsReply{kPile, 0}, WorkParams{kPile, 1, 30},
      TimeSyncReply{kPile, cp56_from_unix_ms(1716172245123)}, TimeSync{kPile, cp56_from_unix_ms(1700000000000)},
      ParkingLockReport{kPile, 1, 0x55, 0xFF, 80, 0, {}}, ParkingLockCommand{kPile, 1, 0xFF, {}},
      ParkingLockReply{kPile, 1, 1, {}}, RebootReply{kPile, 1}, Reboot{kPile, 2}, RemoteUpdateReply{kPile, 3},
      RemoteUpdate{kPile, 2, 7, "10.0.0.1", 2121, "ftp", "secret", "/fw/v2.bin", 2, 15},
      ParallelStartRequest{start, 1, "240520103000"}, ParallelStartAuthorisation{auth, "240520103000"},
      ParallelRemoteStartReply{reply, 0, "240520103000"}, ParallelRemoteStart{rstart, "240520103000"},
  };
}

TEST(YkcMessages, SamplesCoverEveryTypeOfTheCatalogue) {
  std::set<std::uint8_t> seen;
  for (const auto& m : samples()) seen.insert(type_of(m));
  EXPECT_EQ(seen.size(), std::variant_size_v<Message>);
  int known = 0;
  for (int t = 0; t < 256; ++t) known += is_known_type(static_cast<std::uint8_t>(t));
  EXPECT_EQ(known, static_cast<int>(std::variant_size_v<Message>));
}

TEST(YkcMessages, EveryTypeRoundTripsThroughItsFieldTable) {
  for (const auto& m : samples()) {
    const auto t = type_of(m);
    auto body = encode_body(m);
    ASSERT_TRUE(body.ok()) << type_name(t) << ": " << body.error().detail;
    if (auto size = fixed_body_size(t)) {
      EXPECT_EQ(body->size(), *size) << type_name(t);
    }
    EXPECT_EQ(plain_body_size(t, *body).value(), body->size()) << type_name(t);
    auto back = decode_body(t, *body);
    ASSERT_TRUE(back.ok()) << type_name(t) << ": " << back.error().detail;
    EXPECT_EQ(*back, m) << type_name(t);
  }
}

TEST(YkcMessages, DirectionFollowsTheOddEvenRule) {
  EXPECT_EQ(direction_of(0x13), Direction::PileToPlatform);
  EXPECT_EQ(direction_of(0x34), Direction::PlatformToPile);
  EXPECT_EQ(direction_of(0xA3), Direction::PileToPlatform);  // §4 ⚠: detailed section wins
  EXPECT_EQ(direction_of(0xA4), Direction::PlatformToPile);
}

TEST(YkcMessages, RejectsShortAndLongBodies) {
  auto body = encode_body(Heartbeat{kPile, 1, 0}).value();
  body.pop_back();
  EXPECT_EQ(decode_body(0x03, body).error().code, Errc::short_body);
  body.push_back(0);
  body.push_back(0);
  EXPECT_EQ(decode_body(0x03, body).error().code, Errc::long_body);
}

TEST(YkcMessages, RejectsBadBcdInPileNumberAndGun) {
  auto body = hex("32 01 06 00 01 9A 36 01 00");
  auto r = decode_body(0x03, body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::bad_bcd);
  EXPECT_NE(r.error().detail.find("pile"), std::string::npos);
  EXPECT_EQ(decode_body(0x03, hex("32 01 06 00 01 92 36 0F 00")).error().code, Errc::bad_bcd);
}

TEST(YkcMessages, UnknownTypeIsAnErrorValue) {
  EXPECT_EQ(decode_body(0x7F, hex("00")).error().code, Errc::unknown_type);
  EXPECT_EQ(type_name(0x7F), "unknown");
  EXPECT_FALSE(fixed_body_size(0x7F).has_value());
}

TEST(YkcMessages, EncodeRejectsValuesTheLayoutCannotCarry) {
  EXPECT_EQ(encode_body(Heartbeat{"3201060001923X", 1, 0}).error().code, Errc::bad_value);
  EXPECT_EQ(encode_body(Heartbeat{"320106000192361", 1, 0}).error().code, Errc::bad_value);  // 15 digits
  EXPECT_EQ(encode_body(Heartbeat{kPile, 100, 0}).error().code, Errc::bad_value);
  TransactionRecord rec;
  rec.serial = kSerial;
  rec.pile = kPile;
  rec.meter_end = 1ull << 40;  // does not fit 5 bytes
  EXPECT_EQ(encode_body(rec).error().code, Errc::bad_value);
  OfflineCardSync many{kPile, std::vector<OfflineCard>(16)};
  EXPECT_EQ(encode_body(many).error().code, Errc::bad_value);
  Login login{kPile, 0, 1, kVersion16, "firmware-too-long", 0, "", 0};
  EXPECT_EQ(encode_body(login).error().code, Errc::bad_value);
}

TEST(YkcMessages, ShortPileNumbersAreLeftPaddedWithZeros) {
  auto body = encode_body(Heartbeat{"123", 1, 0}).value();
  EXPECT_EQ(body, hex("00 00 00 00 00 01 23 01 00"));
}

TEST(YkcMessages, ListCountsAreChecked) {
  // 0x44 claiming 16 cards (max 15)
  Bytes body = hex("32 01 06 00 01 92 36 10");
  body.resize(8 + 16 * 16, 0);
  EXPECT_EQ(decode_body(0x44, body).error().code, Errc::bad_value);
  // 0x48 claiming 2 cards but carrying one
  EXPECT_EQ(decode_body(0x48, hex("32 01 06 00 01 92 36 02 01 01 01 01 01 01 01 01")).error().code, Errc::short_body);
  // 0x47: a partial entry
  EXPECT_EQ(decode_body(0x47, hex("32 01 06 00 01 92 36 01 01 01 01 01 01 01 01")).error().code, Errc::short_body);
}

TEST(YkcMessages, VinIsByteReversedIn0x31ByDefaultAndNotIn0x3B) {
  PileStartRequest req;
  req.pile = kPile;
  req.start_mode = 3;
  req.vin = "LSVAU2180N2183294";
  auto body = encode_body(req).value();
  const std::string wire(body.end() - 17, body.end());
  EXPECT_EQ(wire, "4923812N0812UAVSL");
  Options plain;
  plain.vin_reversed = false;
  auto body2 = encode_body(req, plain).value();
  EXPECT_EQ(std::string(body2.end() - 17, body2.end()), "LSVAU2180N2183294");
  // decoding with the other option gives the reversed string: the option matters both ways
  EXPECT_EQ(std::get<PileStartRequest>(decode_body(0x31, body, plain).value()).vin, "4923812N0812UAVSL");
  TransactionRecord rec;
  rec.serial = kSerial;
  rec.pile = kPile;
  rec.vin = "LSVAU2180N2183294";
  auto rb = encode_body(rec).value();
  EXPECT_EQ(std::string(rb.begin() + 124, rb.begin() + 141), "LSVAU2180N2183294");
}

TEST(YkcMessages, ParallelFramesNeedVersion16) {
  Options v15;
  v15.protocol_version = kVersion15;
  ParallelRemoteStart m{RemoteStart{kSerial, kPile, 1, "0000001000000573", {}, 100}, "240520103000"};
  EXPECT_EQ(encode_body(m, v15).error().code, Errc::unsupported_version);
  auto body = encode_body(m).value();
  EXPECT_EQ(decode_body(0xA4, body, v15).error().code, Errc::unsupported_version);
  EXPECT_TRUE(decode_body(0xA4, body).ok());
}

TEST(YkcMessages, Cp56DecodingMasksFlagAndReservedBits) {
  // day byte 0x6D: day 13, day-of-week 3 (Wednesday); reserved bits set elsewhere
  auto body = hex("32 01 06 00 01 92 36  10 27 5E 8A 6D F3 98");
  auto t = std::get<TimeSync>(decode_body(0x56, body).value()).time;
  EXPECT_EQ(t.milliseconds, 10000);
  EXPECT_EQ(t.minute, 30);     // 0x5E & 0x3F; bit 6 reserved
  EXPECT_EQ(t.hour, 10);       // 0x8A & 0x1F; SU bit set
  EXPECT_TRUE(t.summer);
  EXPECT_EQ(t.day, 13);
  EXPECT_EQ(t.day_of_week, 3);
  EXPECT_EQ(t.month, 3);       // 0xF3 & 0x0F
  EXPECT_EQ(t.year, 24);       // 0x98 & 0x7F
}

TEST(YkcUnits, Cp56RejectsImpossibleDatesOnConversion) {
  Cp56Time t{};
  t.day = 31;
  t.month = 2;
  t.year = 24;
  EXPECT_FALSE(cp56_to_unix_ms(t).has_value());
  t.day = 29;
  EXPECT_TRUE(cp56_to_unix_ms(t).has_value());  // 2024 is a leap year
  t.invalid = true;
  EXPECT_FALSE(cp56_to_unix_ms(t).has_value());
}

TEST(YkcFaults, HardwareFaultBitNumberingIsAnOption) {
  // field frame style: bit1 = E-stop
  EXPECT_EQ(hardware_faults(0x0001, FaultBitNumbering::FromOne), std::vector{HardwareFault::EmergencyStop});
  EXPECT_EQ(hardware_faults(0x0002, FaultBitNumbering::FromZero), std::vector{HardwareFault::EmergencyStop});
  EXPECT_EQ(hardware_faults(0x1000, FaultBitNumbering::FromOne), std::vector{HardwareFault::DoorOpen});
  const std::vector<HardwareFault> two{HardwareFault::MeterCommsLost, HardwareFault::DoorOpen};
  for (auto n : {FaultBitNumbering::FromOne, FaultBitNumbering::FromZero})
    EXPECT_EQ(hardware_faults(hardware_fault_bitmap(two, n), n), two);
  EXPECT_EQ(fault_name(HardwareFault::EmergencyStop), "emergency_stop");
}

TEST(YkcFaults, TwoBitFieldsFollowTheConfiguredOrder) {
  const Bytes b{0b00'00'10'01, 0b01'00'00'00};
  EXPECT_EQ(two_bit_field(b, 0, BemBitOrder::LsbFirst), 1);
  EXPECT_EQ(two_bit_field(b, 1, BemBitOrder::LsbFirst), 2);
  EXPECT_EQ(two_bit_field(b, 7, BemBitOrder::LsbFirst), 1);
  EXPECT_EQ(two_bit_field(b, 3, BemBitOrder::MsbFirst), 1);
  EXPECT_EQ(two_bit_field(b, 2, BemBitOrder::MsbFirst), 2);
  EXPECT_EQ(two_bit_field(b, 4, BemBitOrder::MsbFirst), 1);
  EXPECT_EQ(two_bit_field(b, 99, BemBitOrder::LsbFirst), 0);
}

TEST(YkcFaults, StopReasonsAreClassified) {
  EXPECT_EQ(classify_stop_reason(0x41), StopReasonClass::Finished);
  EXPECT_EQ(stop_reason_name(0x41), "soc_full");
  EXPECT_EQ(classify_stop_reason(0x50), StopReasonClass::StartFailed);
  EXPECT_EQ(classify_stop_reason(0x72), StopReasonClass::AbnormalStop);
  EXPECT_EQ(stop_reason_name(0x72), "emergency_stop");
  EXPECT_EQ(classify_stop_reason(0x90), StopReasonClass::Unknown);
  EXPECT_EQ(stop_reason_name(0x58), "reserved");
}

}  // namespace
}  // namespace cp::ykc
