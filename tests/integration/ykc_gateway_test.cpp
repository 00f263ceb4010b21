// The YKC gateway end to end: the real server, a pile speaking YKC over TCP through the real
// codec (YkcClient), and the REST API: login, data, encryption, commands, configuration jobs,
// transaction records.
#include <boost/json.hpp>

#include <set>

#include "integration/support/ykc_fixture.h"
#include "protocol/ykc/units.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Every test runs twice: on two I/O threads (a strand per session) and on one (sessions
// straight on the io_context, what `--threads 1` selects).
struct YkcGateway : YkcServerTest, ::testing::WithParamInterface<const char*> {
  YkcGateway() : YkcServerTest({"--threads", GetParam()}) {}

  // Submits a command to kYkcPile: its id, or "" (a failure recorded) when it was refused.
  std::string submit(const std::string& body) {
    auto r = api("POST", std::string("/api/v1/piles/") + kYkcPile + "/commands", body);
    EXPECT_EQ(r.status, 202) << body << " -> " << r.body;
    return r.status == 202 ? std::string(json::parse(r.body).at("id").as_string()) : "";
  }
  // The command once the pile has answered it (its last state, if that never happens).
  json::object settled(const std::string& id) {
    json::object c;
    eventually([&] {
      c = json::parse(api("GET", "/api/v1/commands/" + id).body).as_object();
      return c.at("status").as_string() != "Sent" && c.at("status").as_string() != "Pending";
    });
    return c;
  }
};

ykc::RealtimeData charging(std::uint8_t gun = 1) {
  ykc::RealtimeData d;
  d.serial = std::string(32, '0');
  d.pile = kYkcPile;
  d.gun = gun;
  d.status = 3;
  d.plugged = 1;
  d.voltage_dv = 3800;
  d.current_da = 500;
  d.cable_temp = 85;
  d.soc = 60;
  d.battery_max_temp = 80;
  d.energy = 51234;
  return d;
}

TEST_P(YkcGateway, UnknownPileGetsTheFailureReplyAndIsClosed) {
  YkcClient c(server.ykc_port());
  EXPECT_EQ(c.login("99999999999999"), 1);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(metric(R"(chargeplane_ykc_logins_total{result="unknown_pile"})"), 1);
}

TEST_P(YkcGateway, PendingAndRejectedPilesGetTheFailureReplyUntilAccepted) {
  register_ykc(kYkcPile);
  for (const std::string registration : {"Pending", "Rejected"}) {
    ASSERT_EQ(api("PATCH", "/api/v1/piles/" + std::string(kYkcPile), R"({"registration":")" + registration + "\"}").status, 200);
    YkcClient c(server.ykc_port());
    EXPECT_EQ(c.login(kYkcPile), 1) << registration;
    EXPECT_TRUE(c.wait_closed()) << registration;
  }
  EXPECT_EQ(metric(R"(chargeplane_ykc_logins_total{result="pending"})"), 1);
  EXPECT_EQ(metric(R"(chargeplane_ykc_logins_total{result="rejected"})"), 1);
  EXPECT_FALSE(pile_json(kYkcPile).at("online").as_bool());
  ASSERT_EQ(api("PATCH", "/api/v1/piles/" + std::string(kYkcPile), R"({"registration":"Accepted"})").status, 200);
  YkcClient c(server.ykc_port());
  EXPECT_EQ(c.login(kYkcPile), 0);
}

TEST_P(YkcGateway, RegisteredPileLogsInHeartbeatsAndIsListedAsYkc) {
  register_ykc(kYkcPile);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  ASSERT_TRUE(c.read_type(ykc::TimeSync::kType));  // clock sync right after login
  auto sent = c.send_with_seq(ykc::Heartbeat{kYkcPile, 1, 0}, 0x1234);
  auto reply = c.read_type(ykc::HeartbeatReply::kType);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->seq, (ykc::Seq{sent[2], sent[3]}));  // the request's sequence bytes, echoed
  EXPECT_TRUE(eventually([&] { return pile_json(kYkcPile).at("online").as_bool(); }));
  auto list = json::parse(api("GET", "/api/v1/piles?protocol=ykc").body);
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(list.at("items").at(0).at("protocol").as_string(), "ykc");
  EXPECT_NE(pile_json(kYkcPile).at("model").as_string().find("DC"), json::string::npos);
}

TEST_P(YkcGateway, RealtimeDataBecomesConnectorStatusAndOcppNamedTelemetry) {
  register_ykc(kYkcPile);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  c.send(charging());
  ASSERT_TRUE(eventually([&] {
    auto r = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/connectors").body);
    for (const auto& item : r.at("items").as_array())
      if (item.at("connector").as_int64() == 1 && item.at("status").as_string() == "Charging") return true;
    return false;
  }));
  ASSERT_TRUE(eventually([&] {
    auto r = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/telemetry?measurand=Voltage").body);
    return !r.at("items").as_array().empty();
  }));
  auto v = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/telemetry?measurand=Voltage").body);
  EXPECT_DOUBLE_EQ(v.at("items").at(0).at("value").to_number<double>(), 380.0);
  EXPECT_EQ(v.at("items").at(0).at("unit").as_string(), "V");
  auto i = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/telemetry?measurand=Current.Import").body);
  EXPECT_DOUBLE_EQ(i.at("items").at(0).at("value").to_number<double>(), 50.0);
  auto soc = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/telemetry?measurand=SoC").body);
  EXPECT_DOUBLE_EQ(soc.at("items").at(0).at("value").to_number<double>(), 60.0);

  // A fault bit: Faulted with the fault named.
  auto faulted = charging();
  faulted.status = 1;
  faulted.hardware_faults = 0x0001;  // bit 1: emergency stop
  c.send(faulted);
  ASSERT_TRUE(eventually([&] {
    auto r = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/connectors").body);
    for (const auto& item : r.at("items").as_array())
      if (item.at("connector").as_int64() == 1 && item.at("status").as_string() == "Faulted")
        return item.at("error_code").as_string() == "OtherError" &&
               item.at("info").as_string().find("emergency") != json::string::npos;
    return false;
  }));
}

TEST_P(YkcGateway, EncryptedPileTalks3desAndClearOrWrongKeyFramesAreRefusedNotFatal) {
  register_ykc(kYkcPile, "3des", kYkcKey);
  YkcClient c(server.ykc_port(), "3des", kYkcKey);
  ASSERT_EQ(c.login(kYkcPile), 0);
  EXPECT_EQ(c.last_raw()->encryption, ykc::kFlagClear);  // the login reply is clear
  c.send(ykc::Heartbeat{kYkcPile, 1, 0});
  auto reply = c.read_type(ykc::HeartbeatReply::kType);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->encrypted);

  c.send(ykc::Heartbeat{kYkcPile, 1, 0}, /*encrypt=*/false);
  EXPECT_FALSE(c.read_type(ykc::HeartbeatReply::kType, 500ms));
  EXPECT_EQ(metric(R"(chargeplane_ykc_frames_total{type="0x03",result="not_encrypted"})"), 1);

  // Another pile whose frames are encrypted with the wrong key: counted, no reply, still open.
  const std::string other = "32010600019237";
  register_ykc(other, "3des", kYkcKey);
  YkcClient wrong(server.ykc_port(), "3des", "FEDCBA98765432100123456789ABCDEF");
  ASSERT_EQ(wrong.login(other), 0);
  wrong.send(ykc::Heartbeat{other, 1, 0});
  EXPECT_FALSE(wrong.read_type(ykc::HeartbeatReply::kType, 500ms));
  EXPECT_FALSE(wrong.wait_closed(200ms));
  EXPECT_GE(metric(R"(chargeplane_ykc_frames_total{type="0x03",result="crypto_error"})"), 1);
}

TEST_P(YkcGateway, RemoteStartAndStopThroughTheCommandsApi) {
  register_ykc(kYkcPile);
  // The balance a remote start gives the pile is a per-pile option (default 10,000.00 yuan).
  ASSERT_EQ(api("PATCH", std::string("/api/v1/piles/") + kYkcPile, R"({"ykc":{"remote_start_balance":200.5}})").status, 200);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  const auto start_id = submit(R"({"type":"remote_start","args":{"connector":1,"id_tag":"1000000573"}})");
  ASSERT_FALSE(start_id.empty());
  auto start = c.read_type(ykc::RemoteStart::kType);
  ASSERT_TRUE(start);
  const auto& m = std::get<ykc::RemoteStart>(start->message);
  EXPECT_EQ(m.gun, 1);
  EXPECT_EQ(m.logical_card, "0000001000000573");
  EXPECT_EQ(m.balance, 20'050u);
  EXPECT_EQ(m.serial.substr(0, 16), std::string(kYkcPile) + "01");
  c.send_with_seq(ykc::RemoteStartReply{m.serial, kYkcPile, 1, 1, 0}, ykc::seq_value(start->seq));
  const auto done = settled(start_id);
  EXPECT_EQ(done.at("status").as_string(), "Accepted") << json::serialize(done);

  std::int64_t tx = 0;
  ASSERT_TRUE(eventually([&] {
    auto cs = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/connectors").body);
    for (const auto& item : cs.at("items").as_array())
      if (item.at("connector").as_int64() == 1 && item.at("transaction").is_int64())
        tx = item.at("transaction").as_int64();
    return tx > 0;
  }));

  const auto stop_id = submit(R"({"type":"remote_stop","args":{"transaction":)" + std::to_string(tx) + "}}");
  ASSERT_FALSE(stop_id.empty());
  auto stop = c.read_type(ykc::RemoteStop::kType);
  ASSERT_TRUE(stop);
  EXPECT_EQ(std::get<ykc::RemoteStop>(stop->message).gun, 1);
  c.send_with_seq(ykc::RemoteStopReply{kYkcPile, 1, 1, 0}, ykc::seq_value(stop->seq));
  EXPECT_EQ(settled(stop_id).at("status").as_string(), "Accepted");

  // The start reply carried no meter reading; the pile's record of the session (under the
  // platform's serial) does, and the transaction row takes it with the end.
  auto row = [&] {
    auto txs = json::parse(api("GET", std::string("/api/v1/transactions?pile=") + kYkcPile).body);
    for (const auto& t : txs.at("items").as_array())
      if (t.at("id").as_int64() == tx) return t.as_object();
    return json::object{};
  };
  EXPECT_EQ(row().at("meter_start_wh").as_int64(), 0);
  ykc::TransactionRecord rec;
  rec.serial = m.serial;
  rec.pile = kYkcPile;
  rec.gun = 1;
  rec.start = ykc::cp56_from_unix_ms(1716172200000);
  rec.end = ykc::cp56_from_unix_ms(1716174000000);
  rec.meter_start = 123456780;  // 12,345.678 kWh
  rec.meter_end = 124456780;
  rec.total_energy = 1000000;
  rec.stop_reason = 0x40;
  c.send(rec);
  auto ack = c.read_type(ykc::TransactionRecordAck::kType);
  ASSERT_TRUE(ack);
  EXPECT_EQ(std::get<ykc::TransactionRecordAck>(ack->message).result, 0);
  const auto ended = row();
  EXPECT_EQ(ended.at("meter_start_wh").as_int64(), 12345678);
  EXPECT_EQ(ended.at("meter_stop_wh").as_int64(), 12445678);
  EXPECT_EQ(json::parse(api("GET", std::string("/api/v1/transactions?pile=") + kYkcPile).body)
                .at("items").as_array().size(), 1u);

  // Unsupported commands end NotSupported without a frame.
  const auto cc = submit(R"({"type":"clear_cache"})");
  ASSERT_FALSE(cc.empty());
  EXPECT_EQ(settled(cc).at("status").as_string(), "NotSupported");
}

// V1.6 parallel charging started from the platform: one 0xA4 per gun under one parallel serial,
// an 0xA3 from each, and a transaction on each connector.
TEST_P(YkcGateway, RemoteParallelStartThroughTheCommandsApi) {
  register_ykc(kYkcPile);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  const auto id = submit(R"({"type":"remote_start_parallel","args":{"connectors":[1,2],"id_tag":"1000000573"}})");
  ASSERT_FALSE(id.empty());
  std::vector<std::pair<ykc::ParallelRemoteStart, ykc::Seq>> starts;
  for (int i = 0; i < 2; ++i) {
    auto f = c.read_type(ykc::ParallelRemoteStart::kType);
    ASSERT_TRUE(f);
    starts.emplace_back(std::get<ykc::ParallelRemoteStart>(f->message), f->seq);
  }
  EXPECT_EQ(starts[0].first.start.gun, 1);
  EXPECT_EQ(starts[1].first.start.gun, 2);
  EXPECT_EQ(starts[0].first.parallel_serial, starts[1].first.parallel_serial);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto& s = starts[i].first.start;
    const ykc::ParallelRemoteStartReply reply{{s.serial, kYkcPile, s.gun, 1, 0}, std::uint8_t(i),
                                              starts[i].first.parallel_serial};
    c.send_with_seq(reply, ykc::seq_value(starts[i].second));
  }
  const auto done = settled(id);
  EXPECT_EQ(done.at("status").as_string(), "Accepted") << json::serialize(done);
  EXPECT_EQ(done.at("type").as_string(), "remote_start_parallel");
  std::set<std::int64_t> charging;
  ASSERT_TRUE(eventually([&] {
    charging.clear();
    auto cs = json::parse(api("GET", std::string("/api/v1/piles/") + kYkcPile + "/connectors").body);
    for (const auto& item : cs.at("items").as_array())
      if (item.at("transaction").is_int64()) charging.insert(item.at("connector").as_int64());
    return charging.size() == 2;
  })) << charging.size();
}

TEST_P(YkcGateway, ConfigurationJobMapsToOneWorkParameterFrameWithPerParameterResults) {
  register_ykc(kYkcPile);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  auto r = api("POST", "/api/v1/config-jobs",
               std::string(R"({"targets":{"piles":[")") + kYkcPile +
                   R"("]},"parameters":{"max_output_power_percent":80,"work_enabled":true,"heartbeat_interval":60}})");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string job(json::parse(r.body).at("id").as_string());
  auto frame = c.read_type(ykc::WorkParams::kType);
  ASSERT_TRUE(frame);
  const auto& w = std::get<ykc::WorkParams>(frame->message);
  EXPECT_EQ(w.disabled, 0);
  EXPECT_EQ(w.max_power_percent, 80);
  c.send_with_seq(ykc::WorkParamsReply{kYkcPile, 1}, ykc::seq_value(frame->seq));
  json::value j;
  ASSERT_TRUE(eventually([&] {
    j = json::parse(api("GET", "/api/v1/config-jobs/" + job).body);
    return j.at("state").as_string() == "Completed";
  })) << json::serialize(j);
  std::map<std::string, std::string> status;
  for (const auto& p : j.at("piles").as_array())
    for (const auto& res : p.at("results").as_array())
      status[std::string(res.at("parameter").as_string())] = std::string(res.at("status").as_string());
  EXPECT_EQ(status["max_output_power_percent"], "Accepted");
  EXPECT_EQ(status["work_enabled"], "Accepted");
  EXPECT_EQ(status["heartbeat_interval"], "NotSupported");
}

TEST_P(YkcGateway, TransactionRecordIsConfirmedAfterCommitAndARepeatIsNotCountedTwice) {
  register_ykc(kYkcPile);
  YkcClient c(server.ykc_port());
  ASSERT_EQ(c.login(kYkcPile), 0);
  ykc::TransactionRecord rec;
  rec.serial = std::string(kYkcPile) + "01" + "240520103000" + "0001";
  rec.pile = kYkcPile;
  rec.gun = 1;
  rec.start = ykc::cp56_from_unix_ms(1716172200000);
  rec.end = ykc::cp56_from_unix_ms(1716174000000);
  rec.meter_start = 10000000;  // 1000 kWh
  rec.meter_end = 10512340;
  rec.total_energy = 51234;
  rec.stop_reason = 0x40;
  for (int round = 0; round < 2; ++round) {
    c.send(rec);
    auto ack = c.read_type(ykc::TransactionRecordAck::kType);
    ASSERT_TRUE(ack) << "round " << round;
    EXPECT_EQ(std::get<ykc::TransactionRecordAck>(ack->message).serial, rec.serial);
    EXPECT_EQ(std::get<ykc::TransactionRecordAck>(ack->message).result, 0);
  }
  auto txs = json::parse(api("GET", std::string("/api/v1/transactions?pile=") + kYkcPile).body);
  ASSERT_EQ(txs.at("items").as_array().size(), 1u) << json::serialize(txs);
  const auto& tx = txs.at("items").at(0);
  EXPECT_EQ(tx.at("meter_start_wh").as_int64(), 1000000);
  EXPECT_EQ(tx.at("meter_stop_wh").as_int64(), 1051234);
  EXPECT_EQ(tx.at("stop_reason").as_string(), "Remote");
}

INSTANTIATE_TEST_SUITE_P(Threads, YkcGateway, ::testing::Values("2", "1"),
                         [](const auto& info) { return std::string(info.param) + "IoThreads"; });

}  // namespace
}  // namespace cp::testing
