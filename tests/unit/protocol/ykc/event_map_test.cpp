// YKC frames -> domain events and the platform's billing model -> 0x58 body (event_map.h).
#include "protocol/ykc/event_map.h"

#include <gtest/gtest.h>

#include "protocol/ykc/frame.h"
#include "protocol/ykc/units.h"

namespace cp::ykc {
namespace {

TEST(YkcEventMap, DefaultBillingModelIsTheNotesExampleFiveByteForByte) {
  BillingModelSet set{billing_model(BillingModelSetting{}, "32010600019236")};
  auto body = encode_body(set);
  ASSERT_TRUE(body);
  Frame f;
  f.seq = {0x0A, 0x00};
  f.type = set.kType;
  f.body = *body;
  auto frame = encode_frame(f);
  ASSERT_TRUE(frame);
  // shared/protocols/ykc.md §8 example 5.
  EXPECT_EQ(to_hex(*frame),
            "68 5E 0A 00 00 58 32 01 06 00 01 92 36 01 00 A0 86 01 00 40 9C 00 00 80 38 01 00 40 9C 00 00 60 EA 00 00 "
            "40 9C 00 00 30 75 00 00 40 9C 00 00 00 03 03 03 03 03 03 03 03 03 03 03 03 03 03 03 03 02 02 02 02 01 01 "
            "01 01 01 01 00 00 00 00 01 01 01 01 01 01 01 01 02 02 02 02 02 02 03 03 03 03 6F E6");
}

TEST(YkcEventMap, StopReasonsMapToOcppReasons) {
  EXPECT_EQ(stop_reason(0x40), "Remote");
  EXPECT_EQ(stop_reason(0x45), "Local");
  EXPECT_EQ(stop_reason(0x50), "EmergencyStop");
  EXPECT_EQ(stop_reason(0x83), "PowerLoss");
  EXPECT_EQ(stop_reason(0x6B), "EVDisconnected");
  EXPECT_EQ(stop_reason(0x41), "Other");
}

TEST(YkcEventMap, TransactionSerialIsPileGunBeijingTimeAndCounter) {
  // 2024-05-20 10:30:00 Beijing = 02:30:00 UTC.
  const auto at = from_millis(*cp56_to_unix_ms(Cp56Time{0, 30, 10, 20, 1, 5, 24}));
  EXPECT_EQ(transaction_serial("32010600019236", 1, at, 1), "32010600019236012405201030000001");
}

TEST(YkcEventMap, FaultBitmapBecomesOtherErrorWithTheFaultNames) {
  RealtimeData d;
  d.gun = 2;
  d.status = 1;
  d.hardware_faults = 0x0001 | 0x1000;  // bits 1 and 13 (from one): E-stop, door open
  auto c = connector_status(d, FaultBitNumbering::FromOne, "P", from_millis(0));
  EXPECT_EQ(c.connector, 2);
  EXPECT_EQ(c.status, "Faulted");
  EXPECT_EQ(c.error_code, "OtherError");
  EXPECT_EQ(c.vendor_error_code, "YKC-HW-0x1001");
  EXPECT_NE(c.info.find("emergency_stop"), std::string::npos);
  d.status = 2;
  d.plugged = 1;
  d.hardware_faults = 0;
  c = connector_status(d, FaultBitNumbering::FromOne, "P", from_millis(0));
  EXPECT_EQ(c.status, "Preparing");
  EXPECT_EQ(c.error_code, "NoError");
}

}  // namespace
}  // namespace cp::ykc
