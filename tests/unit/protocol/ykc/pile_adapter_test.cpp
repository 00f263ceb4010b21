// The YKC pile adapter without sockets: bytes in, bytes out, domain events into a fake sink
// whose completions the test controls. Golden frames are the protocol notes' worked examples
// (shared/protocols/ykc.md §8).
#include "protocol/ykc/pile_adapter.h"

#include <gtest/gtest.h>

#include "protocol/ykc/frame.h"
#include "protocol/ykc/messages.h"
#include "unit/protocol/ocpp/fake_sink.h"
#include "unit/services/fake_store.h"

namespace cp::ykc {
namespace {

constexpr const char* kPile = "32010600019236";
const char* kLoginHex =
    "68 22 00 00 00 01 32 01 06 00 01 92 36 00 02 10 56 31 2E 30 2E 30 00 00 00 89 86 00 00 00 00 00 00 00 01 00 79 D8";

std::string bytes(const char* hex) {
  auto b = from_hex(hex);
  return std::string(b->begin(), b->end());
}
std::string hex(const std::string& s) { return to_hex({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}); }

struct AdapterTest : ::testing::Test {
  ocpp::testing::FakeSink sink;
  testing::FakeClock clock;
  Metrics metrics;
  AdapterShared shared{metrics, nullptr, 256};
  std::vector<std::string> sent;
  std::vector<std::string> closed;
  std::vector<std::function<void()>> posted;
  std::optional<PileProfile> profile = PileProfile{"ykc", "Accepted", "none", "", {}};
  std::unique_ptr<PileAdapter> adapter;

  void SetUp() override {
    profile->settings.clock_sync_on_login = false;
    AdapterHooks hooks;
    hooks.send = [this](std::string b) { sent.push_back(std::move(b)); };
    hooks.post = [this](std::function<void()> fn) { posted.push_back(std::move(fn)); };
    hooks.close = [this](const std::string& why) { closed.push_back(why); };
    hooks.admit_frame = [] { return true; };
    hooks.logged_in = [](const std::string&) {};
    hooks.lookup = [this](const std::string& pile) -> Result<std::optional<PileProfile>> {
      if (pile != kPile) return std::optional<PileProfile>{};
      return profile;
    };
    adapter = std::make_unique<PileAdapter>(sink, clock, shared, std::move(hooks));
  }
  void run_posted() {
    auto p = std::move(posted);
    posted.clear();
    for (auto& fn : p) fn();
  }
  void login() {
    adapter->on_bytes(bytes(kLoginHex));
    ASSERT_EQ(sink.boots.size(), 1u);
    sink.boots[0].reply(domain::BootDecision{});
    run_posted();
    ASSERT_TRUE(adapter->logged_in());
    sent.clear();
  }
  // `m` arriving from the pile in a clear frame with these sequence bytes.
  void receive(const Message& m, Seq seq) {
    Frame f;
    f.seq = seq;
    f.type = type_of(m);
    f.body = *encode_body(m);
    auto b = *encode_frame(f);
    adapter->on_bytes(std::string(b.begin(), b.end()));
  }
  std::uint64_t frames(const char* type, const char* result) {
    return metrics.counter("chargeplane_ykc_frames_total", "", {{"type", type}, {"result", result}}).value();
  }
};

TEST_F(AdapterTest, LoginIsAnsweredWithTheNotesGoldenReplyOnlyAfterTheBootIsRecorded) {
  adapter->on_bytes(bytes(kLoginHex));
  ASSERT_EQ(sink.boots.size(), 1u);
  EXPECT_EQ(sink.boots[0].event.pile, kPile);
  EXPECT_EQ(sink.boots[0].event.firmware, "V1.0.0");
  EXPECT_TRUE(sent.empty());
  sink.boots[0].reply(domain::BootDecision{});
  run_posted();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(hex(sent[0]), "68 0C 00 00 00 02 32 01 06 00 01 92 36 00 58 B8");  // notes §8 example 2
}

TEST_F(AdapterTest, HeartbeatReplyIsTheNotesGoldenFrame) {
  login();
  adapter->on_bytes(bytes("68 0D 01 00 00 03 32 01 06 00 01 92 36 01 00 EB 2E"));
  ASSERT_EQ(sink.heartbeats.size(), 1u);
  sink.heartbeats[0].reply(clock.now());
  run_posted();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(hex(sent[0]), "68 0D 01 00 00 04 32 01 06 00 01 92 36 01 00 5A F4");  // example 3
}

TEST_F(AdapterTest, UnknownPileGetsTheFailureReplyAndTheConnectionCloses) {
  profile.reset();
  adapter->on_bytes(bytes(kLoginHex));
  ASSERT_EQ(sent.size(), 1u);
  auto reply = decode_frame({reinterpret_cast<const std::uint8_t*>(sent[0].data()), sent[0].size()});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, LoginReply::kType);
  EXPECT_EQ(reply->body.back(), 1);  // failure
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_TRUE(sink.boots.empty());
  EXPECT_FALSE(adapter->logged_in());
}

TEST_F(AdapterTest, FramesBeforeLoginAreRefusedAndCounted) {
  adapter->on_bytes(bytes("68 0D 01 00 00 03 32 01 06 00 01 92 36 01 00 EB 2E"));
  EXPECT_TRUE(sent.empty());
  EXPECT_TRUE(sink.heartbeats.empty());
  EXPECT_EQ(frames("0x03", "before_login"), 1u);
  ASSERT_EQ(sink.rejected.size(), 1u);
  EXPECT_EQ(sink.rejected[0].error_code, "before_login");
}

TEST_F(AdapterTest, RealtimeDataMapsToStatusAndOcppTelemetry) {
  login();
  adapter->on_bytes(bytes(  // notes §8 example 7: 380.0 V, 50.0 A, charging, SOC 60 %
      "68 40 0B 00 00 13 32 01 06 00 01 92 36 01 24 05 20 10 30 00 00 01 32 01 06 00 01 92 36 01 03 00 01 D8 0E F4 01 "
      "55 00 00 00 00 00 00 00 00 3C 50 14 00 28 00 22 C8 00 00 22 C8 00 00 30 18 01 00 00 00 1B 22"));
  ASSERT_EQ(sink.statuses.size(), 1u);
  EXPECT_EQ(sink.statuses[0].event.status, "Charging");
  EXPECT_EQ(sink.statuses[0].event.error_code, "NoError");
  ASSERT_EQ(sink.telemetry_events.size(), 1u);
  std::map<std::string, double> v;
  for (const auto& s : sink.telemetry_events[0].event.samples[0].values)
    v[s.measurand + (s.location.empty() ? "" : "@" + s.location)] = s.value;
  EXPECT_DOUBLE_EQ(v["Voltage"], 380.0);
  EXPECT_DOUBLE_EQ(v["Current.Import"], 50.0);
  EXPECT_DOUBLE_EQ(v["Power.Active.Import"], 19000.0);
  EXPECT_DOUBLE_EQ(v["Temperature@Cable"], 35.0);
  EXPECT_DOUBLE_EQ(v["SoC@EV"], 60.0);
  EXPECT_DOUBLE_EQ(v["Energy.Active.Import.Interval"], 5123.4);
}

TEST_F(AdapterTest, TransactionRecordIsConfirmedOnlyAfterTheSinkSaysDurable) {
  login();
  TransactionRecord r;
  r.serial = "32010600019236012405201030000001";
  r.pile = kPile;
  r.meter_start = 10000;
  r.meter_end = 61234;
  auto body = encode_body(r);
  Frame f;
  f.seq = {0x46, 0x00};
  f.type = r.kType;
  f.body = *body;
  auto frame = *encode_frame(f);
  adapter->on_bytes(std::string(frame.begin(), frame.end()));
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].event.external_id, r.serial);
  EXPECT_EQ(sink.records[0].event.meter_stop_wh, 6123);
  adapter->on_bytes(std::string(frame.begin(), frame.end()));  // re-sent while the first is stored
  EXPECT_EQ(sink.records.size(), 1u);
  EXPECT_TRUE(sent.empty());  // nothing confirmed yet
  sink.records[0].reply(domain::TransactionId{42});
  run_posted();
  ASSERT_EQ(sent.size(), 1u);
  // notes §8 example 9: the 0x40 for this serial, echoing seq 46 00.
  EXPECT_EQ(hex(sent[0]), "68 15 46 00 00 40 32 01 06 00 01 92 36 01 24 05 20 10 30 00 00 01 00 55 E2");
}

// V1.6 parallel charging (notes §7): each gun's 0xA1 is authorised like a 0x31 card start and
// answered with 0xA2, which echoes the parallel session's serial; each gun gets a transaction.
TEST_F(AdapterTest, AParallelStartGunIsAuthorisedAndAnsweredWithTheParallelSerial) {
  login();
  const auto send_a1 = [&](std::uint8_t gun, std::uint8_t slave, std::uint8_t seq_byte) {
    ParallelStartRequest r;
    r.request.pile = kPile;
    r.request.gun = gun;
    r.request.card = {0x00, 0x00, 0x00, 0x00, 0x5D, 0x00, 0x00, 0x01};
    r.slave = slave;
    r.parallel_serial = "240520103000";
    receive(r, {seq_byte, 0x00});
  };
  send_a1(1, 0, 0x10);
  send_a1(2, 1, 0x11);
  ASSERT_EQ(sink.authorizations.size(), 2u);
  EXPECT_EQ(sink.authorizations[0].event, "000000005D000001");
  for (auto& a : sink.authorizations) a.reply(domain::Authorization{domain::AuthorizationStatus::Accepted, {}, {}});
  run_posted();
  ASSERT_EQ(sink.starts.size(), 2u);
  EXPECT_TRUE(sent.empty());  // answered only once each start is recorded
  sink.starts[0].reply(domain::TransactionDecision{7, {}});
  sink.starts[1].reply(domain::TransactionDecision{8, {}});
  run_posted();
  ASSERT_EQ(sent.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    auto frame = decode_frame({reinterpret_cast<const std::uint8_t*>(sent[i].data()), sent[i].size()});
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->type, ParallelStartAuthorisation::kType);
    EXPECT_EQ(frame->seq[0], 0x10 + i);  // echoes the request's sequence bytes
    auto body = decode_body(frame->type, frame->body);
    ASSERT_TRUE(body);
    const auto& reply = std::get<ParallelStartAuthorisation>(*body);
    EXPECT_EQ(reply.parallel_serial, "240520103000");
    EXPECT_EQ(reply.authorisation.result, 1);
    EXPECT_EQ(reply.authorisation.gun, i + 1);
    EXPECT_EQ(sink.starts[i].event.external_id, reply.authorisation.serial);
  }
  EXPECT_EQ(frames("0xA1", "ok"), 2u);
}

TEST_F(AdapterTest, AParallelStartWithARefusedCardIsAnsweredFailed) {
  login();
  ParallelStartRequest r;
  r.request.pile = kPile;
  r.parallel_serial = "240520103000";
  receive(r, {0x12, 0x00});
  ASSERT_EQ(sink.authorizations.size(), 1u);
  sink.authorizations[0].reply(domain::Authorization{domain::AuthorizationStatus::Invalid, {}, {}});
  run_posted();
  EXPECT_TRUE(sink.starts.empty());
  ASSERT_EQ(sent.size(), 1u);
  auto frame = decode_frame({reinterpret_cast<const std::uint8_t*>(sent[0].data()), sent[0].size()});
  ASSERT_TRUE(frame);
  auto body = decode_body(frame->type, frame->body);
  ASSERT_TRUE(body);
  const auto& reply = std::get<ParallelStartAuthorisation>(*body);
  EXPECT_EQ(reply.authorisation.result, 0);
  EXPECT_EQ(reply.parallel_serial, "240520103000");
}

// 0xA3 without a command of ours (the pile started a parallel session on its side): the gun's
// transaction is recorded as for a late 0x33.
TEST_F(AdapterTest, AParallelRemoteStartReplyRecordsTheGunsTransaction) {
  login();
  ParallelRemoteStartReply r;
  r.reply.serial = "32010600019236022405201030000002";
  r.reply.pile = kPile;
  r.reply.gun = 2;
  r.reply.result = 1;
  r.slave = 1;
  r.parallel_serial = "240520103000";
  receive(r, {0x13, 0x00});
  ASSERT_EQ(sink.starts.size(), 1u);
  EXPECT_EQ(sink.starts[0].event.connector, 2);
  EXPECT_EQ(sink.starts[0].event.external_id, r.reply.serial);
  EXPECT_EQ(frames("0xA3", "ok"), 1u);
}

// A remote parallel start (V1.6): one 0xA4 per gun, each with its own transaction serial and the
// same parallel serial; the command is Accepted only once both guns' 0xA3 arrived and both
// transactions are recorded.
struct ParallelCommandTest : AdapterTest {
  std::optional<domain::CommandOutcome> outcome;
  std::vector<ParallelRemoteStart> requests;
  std::vector<Seq> seqs;

  void start(std::vector<int> guns) {
    login();
    adapter->run_command(domain::RemoteStartParallel{std::move(guns), "1000000573"},
                         {{}, [&](domain::CommandOutcome o) { outcome = std::move(o); }});
    for (const auto& b : sent) {
      auto frame = decode_frame({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()});
      ASSERT_TRUE(frame);
      ASSERT_EQ(frame->type, ParallelRemoteStart::kType);
      auto body = decode_body(frame->type, frame->body);
      ASSERT_TRUE(body);
      requests.push_back(std::get<ParallelRemoteStart>(*body));
      seqs.push_back(frame->seq);
    }
    sent.clear();
  }
  void answer(std::size_t i, std::uint8_t result, std::uint8_t reason = 0) {
    const auto& s = requests[i].start;
    receive(ParallelRemoteStartReply{{s.serial, kPile, s.gun, result, reason}, std::uint8_t(i == 0 ? 0 : 1),
                                     requests[i].parallel_serial},
            seqs[i]);
  }
};

TEST_F(ParallelCommandTest, EveryGunGetsAnA4AndTheCommandEndsOnceBothStartsAreRecorded) {
  start({1, 2});
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].start.gun, 1);
  EXPECT_EQ(requests[1].start.gun, 2);
  EXPECT_EQ(requests[0].parallel_serial, requests[1].parallel_serial);
  EXPECT_EQ(requests[0].parallel_serial.size(), 12u);
  EXPECT_NE(requests[0].start.serial, requests[1].start.serial);
  EXPECT_EQ(requests[0].start.logical_card, "0000001000000573");
  EXPECT_TRUE(adapter->command_waiting());

  answer(0, 1);
  answer(1, 1);
  ASSERT_EQ(sink.starts.size(), 2u);
  EXPECT_EQ(sink.starts[0].event.connector, 1);
  EXPECT_EQ(sink.starts[1].event.external_id, requests[1].start.serial);
  sink.starts[0].reply(domain::TransactionDecision{7, {}});
  run_posted();
  EXPECT_FALSE(outcome);  // gun 2's start is not recorded yet
  sink.starts[1].reply(domain::TransactionDecision{8, {}});
  run_posted();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "Accepted");
  EXPECT_FALSE(adapter->command_waiting());
  EXPECT_EQ(frames("0xA3", "ok"), 2u);
}

TEST_F(ParallelCommandTest, AGunThatRefusesMakesItRejectedAndNamesEachGun) {
  start({1, 2});
  answer(1, 0, 2);  // gun 2: already charging
  EXPECT_FALSE(outcome);
  answer(0, 1);
  sink.starts.at(0).reply(domain::TransactionDecision{7, {}});
  run_posted();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "Rejected");
  EXPECT_EQ(outcome->detail, "the pile refused gun 2 (gun already charging); started anyway: gun 1");
  EXPECT_EQ(sink.starts.size(), 1u);  // gun 1 charges, and its transaction is recorded
}

TEST_F(ParallelCommandTest, AV15PileIsNotSentAnything) {
  Login v15;
  v15.pile = kPile;
  v15.gun_count = 2;
  v15.protocol_version = kVersion15;
  v15.firmware = "V1.0.0";
  v15.sim = std::string(20, '0');
  receive(v15, {0, 0});
  ASSERT_EQ(sink.boots.size(), 1u);
  sink.boots[0].reply(domain::BootDecision{});
  run_posted();
  ASSERT_TRUE(adapter->logged_in());
  sent.clear();
  adapter->run_command(domain::RemoteStartParallel{{1, 2}, "1000000573"},
                       {{}, [&](domain::CommandOutcome o) { outcome = std::move(o); }});
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "NotSupported");
  EXPECT_TRUE(sent.empty());
}

TEST_F(AdapterTest, AFailedRecordWriteIsNeverConfirmed) {
  login();
  TransactionRecord r;
  r.serial = "32010600019236012405201030000002";
  r.pile = kPile;
  Frame f;
  f.type = r.kType;
  f.body = *encode_body(r);
  auto frame = *encode_frame(f);
  adapter->on_bytes(std::string(frame.begin(), frame.end()));
  sink.records[0].reply(fail("store_closed", "closed"));
  run_posted();
  EXPECT_TRUE(sent.empty());
}

TEST_F(AdapterTest, ConfigurationCarriesTheWorkParametersInOneFrameAndTheRestIsNotSupported) {
  login();
  domain::ApplyConfig apply{{{"work_enabled", "true"}, {"max_output_power_percent", "80"},
                             {"heartbeat_interval", "60"}, {"ykc:Anything", "1"}}};
  std::optional<domain::CommandOutcome> outcome;
  adapter->run_command(apply, {{}, [&](domain::CommandOutcome o) { outcome = std::move(o); }});
  ASSERT_EQ(sent.size(), 1u);
  auto frame = decode_frame({reinterpret_cast<const std::uint8_t*>(sent[0].data()), sent[0].size()});
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, WorkParams::kType);
  // notes §8 example 10's body: pile, 00 (allowed), 0x50 (80 %)
  EXPECT_EQ(to_hex(frame->body), "32 01 06 00 01 92 36 00 50");
  EXPECT_FALSE(outcome);
  WorkParamsReply reply{kPile, 1};  // success, echoing the request's sequence bytes
  Frame rf;
  rf.seq = frame->seq;
  rf.type = reply.kType;
  rf.body = *encode_body(reply);
  auto b = *encode_frame(rf);
  adapter->on_bytes(std::string(b.begin(), b.end()));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "Completed");
  ASSERT_EQ(outcome->parameters.size(), 4u);
  EXPECT_EQ(outcome->parameters[0].status, domain::ParameterStatus::Accepted);
  EXPECT_EQ(outcome->parameters[1].status, domain::ParameterStatus::Accepted);
  EXPECT_EQ(outcome->parameters[2].status, domain::ParameterStatus::NotSupported);
  EXPECT_EQ(outcome->parameters[3].status, domain::ParameterStatus::UnknownParameter);
}

TEST_F(AdapterTest, CommandsYkcCannotCarryEndNotSupportedWithoutAFrame) {
  login();
  std::optional<domain::CommandOutcome> outcome;
  adapter->run_command(domain::Unlock{1}, {{}, [&](domain::CommandOutcome o) { outcome = std::move(o); }});
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "NotSupported");
  EXPECT_TRUE(sent.empty());
}

TEST_F(AdapterTest, ARunningCommandEndsOfflineWhenTheConnectionCloses) {
  login();
  std::optional<domain::CommandOutcome> outcome;
  adapter->run_command(domain::Reset{true}, {{}, [&](domain::CommandOutcome o) { outcome = std::move(o); }});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(adapter->command_waiting());
  adapter->on_closed();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "Offline");
}

}  // namespace
}  // namespace cp::ykc
