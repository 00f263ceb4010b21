// Remote control end to end: the operator POSTs a command, the real server sends the OCPP 1.6
// CALL to a pile (this test's OcppClient answers it, or does not), and GET /api/v1/commands/{id}
// shows the pile's exact answer or why there is none.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kPassword = "integration-pile-secret-02";
const char* kBoot = R"({"chargePointVendor":"Acme","chargePointModel":"AC22"})";

struct CommandsBase : ::testing::Test {
  explicit CommandsBase(std::vector<std::string> args) : server(std::move(args)) {}
  ServerProcess server;
  std::string token;
  void SetUp() override { token = login(server.api_port(), server.admin_password()); }

  // Registers `id`, connects it and boots it.
  void online(OcppClient& c, const std::string& id) {
    register_pile(server.api_port(), token, id, kPassword);
    ASSERT_EQ(c.connect(server.ocpp_port(), id, kPassword), 101);
    c.call("boot", "BootNotification", kBoot);
  }
  HttpResponse post(const std::string& pile, const std::string& body) {
    return http_request(server.api_port(), "POST", "/api/v1/piles/" + pile + "/commands", body, token);
  }
  // POSTs and expects 202 {id}.
  std::string submit(const std::string& pile, const std::string& body) {
    auto r = post(pile, body);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return "";
    return std::string(json::parse(r.body).at("id").as_string());
  }
  json::object get_command(const std::string& id) {
    auto r = http_request(server.api_port(), "GET", "/api/v1/commands/" + id, {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }
  // Polls until the command leaves Pending/Sent (or 10 s pass).
  json::object final_state(const std::string& id) {
    json::object c;
    for (int i = 0; i < 200; ++i) {
      c = get_command(id);
      const auto status = c.at("status").as_string();
      if (status != "Pending" && status != "Sent") return c;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "command " << id << " did not finish: " << json::serialize(c);
    return c;
  }
};

// The default 30 s CALL timeout: nothing times out while a test is slow on a busy machine.
struct Commands : CommandsBase {
  Commands() : CommandsBase({}) {}
};
// A short CALL timeout for the no-answer case.
struct CommandsTimingOut : CommandsBase {
  CommandsTimingOut() : CommandsBase({"--ocpp-call-timeout", "1"}) {}
};

// The next frame from the server, which must be a CALL for `action`: [2, id, action, payload].
json::array expect_call(OcppClient& c, const std::string& action) {
  auto text = c.read(5s);
  if (!text) {
    ADD_FAILURE() << "no CALL " << action;
    return {};
  }
  auto f = json::parse(*text).as_array();
  EXPECT_EQ(f.at(0).as_int64(), 2) << *text;
  EXPECT_EQ(f.at(2).as_string(), action) << *text;
  return f;
}

std::string result(const json::array& call, const std::string& payload) {
  return "[3," + json::serialize(call.at(1)) + "," + payload + "]";
}

TEST_F(Commands, RemoteStartAcceptedByThePileRecordsItsExactAnswer) {
  OcppClient pile;
  online(pile, "CP-RS");
  const auto id = submit("CP-RS", R"({"type":"remote_start","args":{"connector":1,"id_tag":"TAG-42"}})");
  auto call = expect_call(pile, "RemoteStartTransaction");
  EXPECT_EQ(call.at(3), (json::value{{"connectorId", 1}, {"idTag", "TAG-42"}}));
  pile.send_text(result(call, R"({"status":"Accepted"})"));
  auto c = final_state(id);
  EXPECT_EQ(c.at("status"), "Accepted");
  EXPECT_EQ(c.at("response"), (json::value{{"status", "Accepted"}}));
  EXPECT_EQ(c.at("type"), "remote_start");
  EXPECT_EQ(c.at("pile"), "CP-RS");
  EXPECT_EQ(c.at("created_by"), "admin");
  EXPECT_EQ(c.at("args"), (json::value{{"connector", 1}, {"id_tag", "TAG-42"}}));
  // Who sent it is in the audit log, written with the command.
  auto audit = json::parse(http_request(server.api_port(), "GET", "/api/v1/audit?action=command.create", {}, token).body);
  ASSERT_EQ(audit.at("items").as_array().size(), 1u) << json::serialize(audit);
  EXPECT_EQ(audit.at("items").at(0).at("target").as_string(), id);
  EXPECT_EQ(audit.at("items").at(0).at("actor").as_string(), "admin");
}

TEST_F(Commands, ResetRejectedAndUnlockFailedAreRecordedAsAnswered) {
  OcppClient pile;
  online(pile, "CP-REJ");
  const auto reset = submit("CP-REJ", R"({"type":"reset","args":{"type":"hard"}})");
  const auto unlock = submit("CP-REJ", R"({"type":"unlock","args":{"connector":2}})");
  auto first = expect_call(pile, "Reset");
  EXPECT_EQ(first.at(3), (json::value{{"type", "Hard"}}));
  std::this_thread::sleep_for(200ms);  // a session sending both at once would refuse the unlock (Busy)
  pile.send_text(result(first, R"({"status":"Rejected"})"));
  auto second = expect_call(pile, "UnlockConnector");  // queued behind the reset, sent once it ended
  pile.send_text(result(second, R"({"status":"UnlockFailed"})"));
  EXPECT_EQ(final_state(reset).at("status"), "Rejected");
  EXPECT_EQ(final_state(unlock).at("status"), "UnlockFailed");
}

TEST_F(Commands, CallErrorIsRecordedWithTheCodeAndText) {
  OcppClient pile;
  online(pile, "CP-ERR");
  const auto id = submit("CP-ERR", R"({"type":"clear_cache"})");
  auto call = expect_call(pile, "ClearCache");
  pile.send_text("[4," + json::serialize(call.at(1)) + R"(,"NotSupported","no cache here",{}])");
  auto c = final_state(id);
  EXPECT_EQ(c.at("status"), "CallError");
  EXPECT_NE(c.at("detail").as_string().find("NotSupported"), std::string::npos) << c.at("detail");
  EXPECT_NE(c.at("detail").as_string().find("no cache here"), std::string::npos);
  EXPECT_TRUE(c.at("response").is_null());
}

TEST_F(Commands, SchemaViolatingAnswerIsInvalidResponse) {
  OcppClient pile;
  online(pile, "CP-BAD");
  const auto id = submit("CP-BAD", R"({"type":"unlock","args":{"connector":1}})");
  auto call = expect_call(pile, "UnlockConnector");
  pile.send_text(result(call, R"({"status":"Open Sesame"})"));
  auto c = final_state(id);
  EXPECT_EQ(c.at("status"), "InvalidResponse");
  EXPECT_NE(c.at("detail").as_string().find("status"), std::string::npos) << c.at("detail");
}

TEST_F(CommandsTimingOut, NoAnswerTimesOutAndTheNextCommandStillRuns) {
  OcppClient pile;
  online(pile, "CP-SLOW");
  const auto silent = submit("CP-SLOW", R"({"type":"trigger_message","args":{"message":"Heartbeat"}})");
  const auto next = submit("CP-SLOW", R"({"type":"change_availability","args":{"connector":0,"type":"inoperative"}})");
  expect_call(pile, "TriggerMessage");  // never answered
  auto c = final_state(silent);
  EXPECT_EQ(c.at("status"), "Timeout");
  auto call = expect_call(pile, "ChangeAvailability");
  EXPECT_EQ(call.at(3), (json::value{{"connectorId", 0}, {"type", "Inoperative"}}));
  pile.send_text(result(call, R"({"status":"Scheduled"})"));
  EXPECT_EQ(final_state(next).at("status"), "Scheduled");
}

TEST_F(Commands, CommandToAnOfflinePileIsRecordedOffline) {
  register_pile(server.api_port(), token, "CP-OFF", kPassword);
  const auto id = submit("CP-OFF", R"({"type":"reset","args":{"type":"soft"}})");
  auto c = final_state(id);
  EXPECT_EQ(c.at("status"), "Offline");
  EXPECT_TRUE(c.at("response").is_null());
}

TEST_F(Commands, ConnectionDroppedMidCommandIsOffline) {
  OcppClient pile;
  online(pile, "CP-DROP");
  const auto running = submit("CP-DROP", R"({"type":"get_configuration","args":{"keys":["HeartbeatInterval"]}})");
  const auto queued = submit("CP-DROP", R"({"type":"clear_cache"})");
  expect_call(pile, "GetConfiguration");
  pile.close();
  EXPECT_EQ(final_state(running).at("status"), "Offline");
  EXPECT_EQ(final_state(queued).at("status"), "Offline");
}

TEST_F(Commands, QueueBeyondItsBoundAnswersBusyAndCloseEndsTheRestOffline) {
  OcppClient pile;
  online(pile, "CP-BUSY");
  std::vector<std::string> ids;
  for (int i = 0; i < 18; ++i) ids.push_back(submit("CP-BUSY", R"({"type":"clear_cache"})"));
  // One running (never answered) and 16 waiting; the 18th cannot queue.
  EXPECT_EQ(final_state(ids.back()).at("status"), "Busy");
  pile.close();
  EXPECT_EQ(final_state(ids.front()).at("status"), "Offline");
  EXPECT_EQ(final_state(ids[16]).at("status"), "Offline");
}

TEST_F(Commands, GetConfigurationKeepsThePilesWholeAnswer) {
  OcppClient pile;
  online(pile, "CP-CFG");
  const auto id = submit("CP-CFG", R"({"type":"get_configuration","args":{"keys":["HeartbeatInterval","Nope"]}})");
  auto call = expect_call(pile, "GetConfiguration");
  EXPECT_EQ(call.at(3), (json::value{{"key", json::array{"HeartbeatInterval", "Nope"}}}));
  const std::string answer =
      R"({"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"}],"unknownKey":["Nope"]})";
  pile.send_text(result(call, answer));
  auto c = final_state(id);
  EXPECT_EQ(c.at("status"), "Accepted");
  EXPECT_EQ(c.at("response"), json::parse(answer));
}

TEST_F(Commands, MalformedChargingProfileIsRefusedAt422AndNeverReachesThePile) {
  OcppClient pile;
  online(pile, "CP-PROF");
  // Checked against the OCPP 1.6 schema of the CALL it would become, before it is accepted.
  auto r = post("CP-PROF", R"({"type":"remote_start","args":{"id_tag":"T","charging_profile":{"stackLevel":-1}}})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("invalid_command_args"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("chargingProfile"), std::string::npos) << r.body;
  auto history = http_request(server.api_port(), "GET", "/api/v1/piles/CP-PROF/commands", {}, token);
  EXPECT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.body.find("remote_start"), std::string::npos) << "a refused command is not recorded";
  // A well-formed profile goes through to the pile.
  submit("CP-PROF", R"({"type":"remote_start","args":{"id_tag":"T","charging_profile":{"chargingProfileId":1,)"
                    R"("stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute",)"
                    R"("chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}})");
  expect_call(pile, "RemoteStartTransaction");  // the first CALL the pile sees
}

TEST_F(Commands, UnknownPileIs404AndBadArgumentsAre400Or422NamingTheField) {
  register_pile(server.api_port(), token, "CP-ARGS", kPassword);
  auto unknown = post("CP-NOBODY", R"({"type":"reset","args":{"type":"soft"}})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("pile_not_found"), std::string::npos);

  struct Case {
    const char* body;
    int status;
    const char* code;
    const char* names;
  };
  const Case cases[] = {
      {"not json", 400, "invalid_json", ""},
      {R"({"args":{}})", 400, "invalid_field", "type"},
      {R"({"type":"selfdestruct"})", 422, "unknown_command_type", "type"},
      {R"({"type":"reset","args":{}})", 400, "invalid_field", "args.type"},
      {R"({"type":"reset","args":{"type":"gentle"}})", 422, "invalid_command_args", "args.type"},
      {R"({"type":"unlock","args":{"connector":"one"}})", 400, "invalid_field", "args.connector"},
      {R"({"type":"unlock","args":{"connector":0}})", 422, "invalid_command_args", "args.connector"},
      {R"({"type":"remote_start","args":{"id_tag":"THIS-TAG-IS-FAR-TOO-LONG"}})", 422, "invalid_command_args",
       "args.id_tag"},
      {R"({"type":"remote_start","args":{"id_tag":"T","conector":1}})", 422, "invalid_command_args", "args.conector"},
      {R"({"type":"remote_stop","args":{}})", 400, "invalid_field", "args.transaction"},
      {R"({"type":"update_firmware","args":{"location":"not a uri"}})", 422, "invalid_command_args", "args.location"},
      {R"({"type":"get_diagnostics","args":{"location":"ftp://x/","start_time":"yesterday"}})", 422,
       "invalid_command_args", "args.start_time"},
      {R"({"type":"trigger_message","args":{"message":"Everything"}})", 422, "invalid_command_args", "args.message"},
      {R"({"type":"clear_cache","args":[]})", 400, "invalid_field", "args"},
      {R"({"type":"remote_start_parallel","args":{"id_tag":"T"}})", 422, "invalid_command_args", "args.connectors"},
      {R"({"type":"remote_start_parallel","args":{"id_tag":"T","connectors":[1]}})", 422, "invalid_command_args",
       "args.connectors"},
      {R"({"type":"remote_start_parallel","args":{"id_tag":"T","connectors":[1,1]}})", 422, "invalid_command_args",
       "args.connectors"},
      {R"({"type":"remote_start_parallel","args":{"id_tag":"T","connectors":"1,2"}})", 400, "invalid_field",
       "args.connectors"},
      // Well formed, but an OCPP 1.6 pile has no CALL for it: refused before it is recorded.
      {R"({"type":"remote_start_parallel","args":{"id_tag":"T","connectors":[1,2]}})", 422, "invalid_command_args",
       "parallel"},
  };
  for (const auto& k : cases) {
    auto r = post("CP-ARGS", k.body);
    EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
    EXPECT_NE(r.body.find(k.code), std::string::npos) << k.body << " -> " << r.body;
    EXPECT_NE(r.body.find(k.names), std::string::npos) << k.body << " -> " << r.body;
  }
  auto history = http_request(server.api_port(), "GET", "/api/v1/piles/CP-ARGS/commands", {}, token);
  EXPECT_EQ(json::parse(history.body).at("items").as_array().size(), 0u) << "a refused command was recorded";
}

TEST_F(Commands, HistoryListsNewestFirstWithABeforeCursor) {
  register_pile(server.api_port(), token, "CP-HIST", kPassword);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(submit("CP-HIST", R"({"type":"clear_cache"})"));
  auto page = http_request(server.api_port(), "GET", "/api/v1/piles/CP-HIST/commands?limit=2", {}, token);
  ASSERT_EQ(page.status, 200) << page.body;
  auto body = json::parse(page.body);
  ASSERT_EQ(body.at("items").as_array().size(), 2u);
  EXPECT_EQ(body.at("items").at(0).at("id"), json::value(ids[2]));
  EXPECT_EQ(body.at("items").at(1).at("id"), json::value(ids[1]));
  const auto next = std::string(body.at("next").as_string());
  auto rest = json::parse(http_request(server.api_port(), "GET", "/api/v1/piles/CP-HIST/commands?limit=2&before=" + next,
                                       {}, token)
                              .body);
  ASSERT_EQ(rest.at("items").as_array().size(), 1u);
  EXPECT_EQ(rest.at("items").at(0).at("id"), json::value(ids[0]));
  EXPECT_TRUE(rest.at("next").is_null());
  EXPECT_EQ(http_request(server.api_port(), "GET", "/api/v1/commands/nope", {}, token).status, 404);
}

TEST_F(Commands, CommandInFlightAtACrashIsInterruptedAfterRestart) {
  OcppClient pile;
  online(pile, "CP-CRASH");
  const auto id = submit("CP-CRASH", R"({"type":"reset","args":{"type":"soft"}})");
  expect_call(pile, "Reset");  // sent, never answered
  server.kill_hard();
  server.restart();
  token = login(server.api_port(), server.admin_password());
  auto c = get_command(id);
  EXPECT_EQ(c.at("status"), "Interrupted");
  EXPECT_FALSE(c.at("detail").as_string().empty());
}

}  // namespace
}  // namespace cp::testing
