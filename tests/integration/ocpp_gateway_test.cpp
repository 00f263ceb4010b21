// The real binary, real sockets, real SQLite: what a pile and an operator see.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
const std::string kPassword = "integration-pile-secret-01";

struct Gateway : ::testing::Test {
  ServerProcess server;
  std::string token;
  void SetUp() override { token = login(server.api_port(), server.admin_password()); }
  std::string pile(const std::string& id) {
    register_pile(server.api_port(), token, id, kPassword);
    return id;
  }
  json::value get(const std::string& target) {
    auto r = http_request(server.api_port(), "GET", target, {}, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
};

json::array as_call_result(const std::string& text, const std::string& id) {
  auto v = json::parse(text).as_array();
  EXPECT_EQ(v.at(0).as_int64(), 3) << text;
  EXPECT_EQ(v.at(1).as_string(), id) << text;
  return v;
}

const char* kBoot = R"({"chargePointVendor":"Acme","chargePointModel":"AC22","firmwareVersion":"1.2.3"})";

TEST_F(Gateway, BootIsAcceptedWithConfiguredIntervalAndPileShowsOnline) {
  OcppClient c;
  ASSERT_EQ(c.connect(server.ocpp_port(), pile("CP-BOOT"), kPassword), 101);
  auto r = as_call_result(c.call("1", "BootNotification", kBoot), "1");
  EXPECT_EQ(r.at(2).at("status").as_string(), "Accepted");
  EXPECT_EQ(r.at(2).at("interval").as_int64(), 300);
  auto p = get("/api/v1/piles/CP-BOOT");
  EXPECT_EQ(p.at("online").as_bool(), true);
  EXPECT_EQ(p.at("vendor").as_string(), "Acme");
  EXPECT_EQ(p.at("model").as_string(), "AC22");
}

TEST_F(Gateway, UnknownPileAndWrongPasswordGet401BeforeUpgrade) {
  pile("CP-AUTH");
  OcppClient a, b, c;
  EXPECT_EQ(a.connect(server.ocpp_port(), "CP-NOBODY", kPassword), 401);
  EXPECT_EQ(b.connect(server.ocpp_port(), "CP-AUTH", std::string("wrong-password-xxxx")), 401);
  EXPECT_EQ(c.connect(server.ocpp_port(), "CP-AUTH", std::nullopt), 401);
}

TEST_F(Gateway, ConnectionWithoutSupportedSubprotocolIsRefused) {
  OcppClient c;
  EXPECT_EQ(c.connect(server.ocpp_port(), pile("CP-SUB"), kPassword, "ocpp2.0.1"), 400);
  OcppClient d;
  EXPECT_EQ(d.connect(server.ocpp_port(), "CP-SUB", kPassword, ""), 400);
}

TEST_F(Gateway, OversizedMessageClosesWith1009) {
  OcppClient c;
  ASSERT_EQ(c.connect(server.ocpp_port(), pile("CP-BIG"), kPassword), 101);
  c.send_text("[2,\"1\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":\"" + std::string(70 * 1024, 'a') + "\"}]");
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.close_code(), 1009);
}

TEST_F(Gateway, NewerConnectionForSamePileReplacesOlder) {
  const auto id = pile("CP-DUP");
  OcppClient first, second;
  ASSERT_EQ(first.connect(server.ocpp_port(), id, kPassword), 101);
  as_call_result(first.call("1", "BootNotification", kBoot), "1");
  ASSERT_EQ(second.connect(server.ocpp_port(), id, kPassword), 101);
  EXPECT_FALSE(first.read());  // closed by the server
  EXPECT_EQ(first.close_code(), 1000);
  as_call_result(second.call("2", "Heartbeat", "{}"), "2");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(get("/api/v1/piles/" + id).at("online").as_bool(), true);
}

TEST_F(Gateway, MalformedFrameGetsFormationViolation) {
  OcppClient c;
  ASSERT_EQ(c.connect(server.ocpp_port(), pile("CP-BAD"), kPassword), 101);
  c.send_text(R"([2,"7","Heartbeat"])");
  auto reply = json::parse(*c.read()).as_array();
  EXPECT_EQ(reply.at(0).as_int64(), 4);
  EXPECT_EQ(reply.at(1).as_string(), "7");
  EXPECT_EQ(reply.at(2).as_string(), "FormationViolation");
}

TEST_F(Gateway, TransactionAndMeterValuesAreStoredAndQueryable) {
  const auto id = pile("CP-TX");
  ASSERT_EQ(http_request(server.api_port(), "POST", "/api/v1/id-tags", R"({"id_tag":"TAG1","status":"Accepted"})", token).status, 201);
  OcppClient c;
  ASSERT_EQ(c.connect(server.ocpp_port(), id, kPassword), 101);
  as_call_result(c.call("1", "BootNotification", kBoot), "1");
  auto auth = as_call_result(c.call("2", "Authorize", R"({"idTag":"TAG1"})"), "2");
  EXPECT_EQ(auth.at(2).at("idTagInfo").at("status").as_string(), "Accepted");
  auto start = as_call_result(c.call("3", "StartTransaction",
      R"({"connectorId":1,"idTag":"TAG1","meterStart":1000,"timestamp":"2026-11-22T10:00:00Z"})"), "3");
  const auto tx = start.at(2).at("transactionId").as_int64();
  as_call_result(c.call("4", "MeterValues", R"({"connectorId":1,"transactionId":)" + std::to_string(tx) +
      R"(,"meterValue":[{"timestamp":"2026-11-22T10:01:00Z","sampledValue":[
        {"value":"1500","measurand":"Energy.Active.Import.Register","unit":"Wh"},
        {"value":"7200.5","measurand":"Power.Active.Import","unit":"W"},
        {"value":"231.2","measurand":"Voltage","phase":"L1-N","unit":"V"}]}]})"), "4");
  as_call_result(c.call("5", "StopTransaction", R"({"transactionId":)" + std::to_string(tx) +
      R"(,"meterStop":2500,"timestamp":"2026-11-22T10:30:00Z","reason":"EVDisconnected"})"), "5");
  auto txs = get("/api/v1/transactions?pile=" + id);
  const auto& item = txs.at("items").as_array().at(0);
  EXPECT_EQ(item.at("id").as_int64(), tx);
  EXPECT_EQ(item.at("meter_start_wh").as_int64(), 1000);
  EXPECT_EQ(item.at("meter_stop_wh").as_int64(), 2500);
  EXPECT_EQ(item.at("stop_reason").as_string(), "EVDisconnected");
  auto volts = get("/api/v1/piles/" + id + "/telemetry?measurand=Voltage");
  const auto& v = volts.at("items").as_array().at(0);
  EXPECT_DOUBLE_EQ(v.at("value").to_number<double>(), 231.2);
  EXPECT_EQ(v.at("phase").as_string(), "L1-N");
}

// Piles of one model send the same MeterValues: after each pile's first, the server reads them
// by their shape (docs/ocpp.md), and every value still lands with its own pile and timestamp.
TEST_F(Gateway, MeterValuesOfOneShapeFromTwoPilesAreEachStoredAsSent) {
  const auto frame = [](int minute, const std::string& energy, const std::string& volts) {
    return R"({"connectorId":1,"meterValue":[{"timestamp":"2026-11-22T10:0)" + std::to_string(minute) +
           R"(:00Z","sampledValue":[{"value":")" + energy + R"(","measurand":"Energy.Active.Import.Register","unit":"Wh"},)"
           R"({"value":")" + volts + R"(","measurand":"Voltage","phase":"L1-N","unit":"V"}]}]})";
  };
  std::vector<std::unique_ptr<OcppClient>> clients;
  for (const std::string id : {"CP-SHAPE-A", "CP-SHAPE-B"}) {
    auto& c = *clients.emplace_back(std::make_unique<OcppClient>());
    ASSERT_EQ(c.connect(server.ocpp_port(), pile(id), kPassword), 101);
    as_call_result(c.call("b", "BootNotification", kBoot), "b");
  }
  for (int minute = 1; minute <= 3; ++minute)
    for (std::size_t p = 0; p < clients.size(); ++p) {
      const std::string id = "m" + std::to_string(minute) + std::string(p + 1, 'x');  // ids of other lengths too
      as_call_result(clients[p]->call(id, "MeterValues",
                                      frame(minute, std::to_string(1000 * (p + 1) + minute), p ? "229.5" : "231")),
                     id);
    }
  for (std::size_t p = 0; p < clients.size(); ++p) {
    const std::string id = p ? "CP-SHAPE-B" : "CP-SHAPE-A";
    auto energy = get("/api/v1/piles/" + id + "/telemetry?measurand=Energy.Active.Import.Register").at("items").as_array();
    ASSERT_EQ(energy.size(), 3u) << id;
    std::set<double> values;
    for (const auto& e : energy) values.insert(e.at("value").to_number<double>());
    EXPECT_EQ(values, (std::set<double>{1000.0 * (p + 1) + 1, 1000.0 * (p + 1) + 2, 1000.0 * (p + 1) + 3})) << id;
    auto volts = get("/api/v1/piles/" + id + "/telemetry?measurand=Voltage").at("items").as_array();
    ASSERT_EQ(volts.size(), 3u) << id;
    for (const auto& v : volts) {
      EXPECT_DOUBLE_EQ(v.at("value").to_number<double>(), p ? 229.5 : 231.0);
      EXPECT_EQ(v.at("phase").as_string(), "L1-N");
    }
  }
  const auto metrics = http_request(server.api_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(chargeplane_ocpp_meter_values_decoded_total{path="one_pass"} 2)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(chargeplane_ocpp_meter_values_decoded_total{path="shape"} 4)"), std::string::npos) << metrics;
}

TEST_F(Gateway, OperatorMarksPilePendingOrRejectedThroughTheApi) {
  const auto id = pile("CP-REG");
  for (const std::string status : {"Pending", "Rejected", "Accepted"}) {
    auto r = http_request(server.api_port(), "PATCH", "/api/v1/piles/" + id,
                          R"({"registration":")" + status + "\"}", token);
    ASSERT_EQ(r.status, 200) << r.body;
    OcppClient c;
    ASSERT_EQ(c.connect(server.ocpp_port(), id, kPassword), 101);
    auto boot = as_call_result(c.call("b", "BootNotification", kBoot), "b");
    EXPECT_EQ(boot.at(2).at("status").as_string(), status);
    c.close();
  }
}

TEST_F(Gateway, DataTransferWithoutVendorHandlerAndStatusReportsAreAnswered) {
  OcppClient c;
  ASSERT_EQ(c.connect(server.ocpp_port(), pile("CP-DT"), kPassword), 101);
  auto dt = as_call_result(c.call("d", "DataTransfer", R"({"vendorId":"com.example","messageId":"x","data":"42"})"), "d");
  EXPECT_EQ(dt.at(2).at("status").as_string(), "UnknownVendorId");
  auto fw = as_call_result(c.call("f", "FirmwareStatusNotification", R"({"status":"Downloading"})"), "f");
  EXPECT_TRUE(fw.at(2).as_object().empty());
  auto diag = as_call_result(c.call("g", "DiagnosticsStatusNotification", R"({"status":"Uploaded"})"), "g");
  EXPECT_TRUE(diag.at(2).as_object().empty());
}

TEST_F(Gateway, SigtermExitsCleanly) { EXPECT_EQ(server.terminate(), 0); }

}  // namespace
}  // namespace cp::testing
