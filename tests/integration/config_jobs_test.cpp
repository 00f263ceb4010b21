// Configuration jobs and the acquisition policy through the real binary: an operator's request
// through the API, ChangeConfiguration/GetConfiguration CALLs on the pile's socket, and the
// per-parameter results back through the API — including restarts and bad input.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <thread>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace json = boost::json;
const std::string kPassword = "integration-pile-secret-01";
const char* kBoot = R"({"chargePointVendor":"Acme","chargePointModel":"AC22"})";

// A server-initiated CALL as the pile receives it.
struct ServerCall {
  std::string id;
  std::string action;
  json::object payload;
};

ServerCall expect_call(OcppClient& c, const std::string& action) {
  auto text = c.read(std::chrono::seconds(15));
  if (!text) throw std::runtime_error("connection closed waiting for " + action);
  auto v = json::parse(*text).as_array();
  EXPECT_EQ(v.at(0).as_int64(), 2) << *text;
  ServerCall call{std::string(v.at(1).as_string()), std::string(v.at(2).as_string()), v.at(3).as_object()};
  EXPECT_EQ(call.action, action) << *text;
  return call;
}

void reply(OcppClient& c, const ServerCall& call, const json::object& payload) {
  c.send_text("[3,\"" + call.id + "\"," + json::serialize(payload) + "]");
}

// Answers every ChangeConfiguration with `status_for(key)`, then the read-back GetConfiguration
// with the values that were accepted. Returns the keys in the order they came.
std::vector<std::string> serve_job(OcppClient& c, std::size_t settings,
                                   const std::function<std::string(const std::string&)>& status_for) {
  std::vector<std::string> keys;
  std::map<std::string, std::string> values;
  for (std::size_t i = 0; i < settings; ++i) {
    auto call = expect_call(c, "ChangeConfiguration");
    const std::string key(call.payload.at("key").as_string());
    keys.push_back(key);
    const auto status = status_for(key);
    if (status == "Accepted" || status == "RebootRequired") values[key] = std::string(call.payload.at("value").as_string());
    reply(c, call, {{"status", status}});
  }
  auto get = expect_call(c, "GetConfiguration");
  json::array known, unknown;
  for (const auto& k : get.payload.at("key").as_array()) {
    const std::string key(k.as_string());
    if (values.count(key)) known.push_back(json::object{{"key", key}, {"readonly", false}, {"value", values[key]}});
    else unknown.push_back(json::value(key));
  }
  json::object conf{{"configurationKey", known}};
  if (!unknown.empty()) conf["unknownKey"] = unknown;
  reply(c, get, conf);
  return keys;
}

struct ConfigJobs : ::testing::Test {
  std::unique_ptr<ServerProcess> server;
  std::string token;
  void SetUp() override { start({"--call-timeout", "2"}); }
  void start(std::vector<std::string> args) {
    server = std::make_unique<ServerProcess>(std::move(args));
    token = login(server->api_port(), server->admin_password());
  }
  std::string pile(const std::string& id) {
    register_pile(server->api_port(), token, id, kPassword);
    return id;
  }
  void boot(OcppClient& c, const std::string& id) {
    ASSERT_EQ(c.connect(server->ocpp_port(), id, kPassword), 101);
    auto r = json::parse(c.call("b1", "BootNotification", kBoot)).as_array();
    ASSERT_EQ(r.at(0).as_int64(), 3);
  }
  HttpResponse post_job(const std::string& body, const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return http_request_with_headers(server->api_port(), "POST", "/api/v1/config-jobs", body, token, headers);
  }
  std::string create(const std::string& body) {
    auto r = post_job(body);
    EXPECT_EQ(r.status, 202) << r.body;
    return std::string(json::parse(r.body).at("id").as_string());
  }
  json::object job(const std::string& id) {
    auto r = http_request(server->api_port(), "GET", "/api/v1/config-jobs/" + id, {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }
  // Polls until the job is Completed (results are written asynchronously after each answer).
  json::object completed(const std::string& id) {
    for (int i = 0; i < 200; ++i) {
      auto j = job(id);
      if (j.at("state").as_string() == "Completed") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id << " never completed: " << json::serialize(job(id));
    return job(id);
  }
  static std::map<std::string, json::object> results_of(const json::object& j, const std::string& pile) {
    std::map<std::string, json::object> out;
    for (const auto& p : j.at("piles").as_array())
      if (p.at("pile").as_string() == pile)
        for (const auto& r : p.at("results").as_array())
          out[std::string(r.at("parameter").as_string())] = r.as_object();
    return out;
  }
};

TEST_F(ConfigJobs, EveryParameterGetsThePilesAnswer) {
  OcppClient c;
  boot(c, pile("CP-1"));
  const auto id = create(R"({"targets":{"piles":["CP-1"]},"parameters":{
      "heartbeat_interval":120,"meter_value_sample_interval":30,"connection_timeout":45,
      "ocpp1.6:VendorSecretMode":"on","work_enabled":false}})");
  // work_enabled has no OCPP 1.6 mapping: four CALLs, in the order given.
  auto keys = serve_job(c, 4, [](const std::string& key) {
    if (key == "HeartbeatInterval") return "Accepted";
    if (key == "MeterValueSampleInterval") return "RebootRequired";
    if (key == "ConnectionTimeOut") return "Rejected";
    return "NotSupported";
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"HeartbeatInterval", "MeterValueSampleInterval", "ConnectionTimeOut",
                                            "VendorSecretMode"}));
  auto j = completed(id);
  auto r = results_of(j, "CP-1");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Accepted");
  EXPECT_EQ(r["heartbeat_interval"].at("reported_value").as_string(), "120");
  EXPECT_EQ(r["meter_value_sample_interval"].at("status").as_string(), "RebootRequired");
  EXPECT_EQ(r["connection_timeout"].at("status").as_string(), "Rejected");
  EXPECT_EQ(r["ocpp1.6:VendorSecretMode"].at("status").as_string(), "UnknownParameter");
  EXPECT_EQ(r["work_enabled"].at("status").as_string(), "NotSupported");
  EXPECT_EQ(j.at("summary").at("results").at("total").as_int64(), 5);

  auto config = json::parse(http_request(server->api_port(), "GET", "/api/v1/piles/CP-1/config", {}, token).body);
  bool found = false;
  for (const auto& e : config.at("items").as_array())
    if (e.at("key").as_string() == "HeartbeatInterval") {
      found = true;
      EXPECT_EQ(e.at("value").as_string(), "120");
      EXPECT_EQ(e.at("parameter").as_string(), "heartbeat_interval");
    }
  EXPECT_TRUE(found) << json::serialize(config);
}

TEST_F(ConfigJobs, APileThatNeverAnswersTimesOutAndOfflinePilesAreOffline) {
  OcppClient c;
  boot(c, pile("CP-1"));
  pile("CP-OFF");
  const auto id = create(R"({"targets":{"piles":["CP-1","CP-OFF"]},"parameters":{
      "heartbeat_interval":120,"local_pre_authorize":true}})");
  expect_call(c, "ChangeConfiguration");  // ... and never answered (--call-timeout 2)
  auto j = completed(id);
  auto r = results_of(j, "CP-1");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Timeout");
  EXPECT_EQ(r["local_pre_authorize"].at("status").as_string(), "Timeout");  // not sent to a silent pile
  auto off = results_of(j, "CP-OFF");
  EXPECT_EQ(off["heartbeat_interval"].at("status").as_string(), "Offline");
}

TEST_F(ConfigJobs, ACallErrorOrSchemaViolatingAnswerIsRejectedWithTheReason) {
  OcppClient c;
  boot(c, pile("CP-1"));
  const auto id = create(R"({"targets":{"piles":["CP-1"]},"parameters":{"heartbeat_interval":120,"reset_retries":2}})");
  auto first = expect_call(c, "ChangeConfiguration");
  c.send_text("[4,\"" + first.id + "\",\"InternalError\",\"flash write failed\",{}]");
  auto second = expect_call(c, "ChangeConfiguration");
  reply(c, second, {{"status", "Maybe"}});  // not a ConfigurationStatus
  auto get = expect_call(c, "GetConfiguration");
  reply(c, get, {{"configurationKey", json::array{}}});
  auto r = results_of(completed(id), "CP-1");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Rejected");
  EXPECT_NE(std::string(r["heartbeat_interval"].at("detail").as_string()).find("InternalError"), std::string::npos);
  EXPECT_EQ(r["reset_retries"].at("status").as_string(), "Rejected");
}

TEST_F(ConfigJobs, DeliverWhenOnlineWaitsForThePileAndSurvivesARestart) {
  pile("CP-LATE");
  const auto id = create(R"({"targets":{"piles":["CP-LATE"]},"parameters":{"heartbeat_interval":90},
      "deliver_when_online":true,"expires_in_s":3600})");
  auto j = job(id);
  EXPECT_EQ(j.at("state").as_string(), "Running");
  EXPECT_EQ(j.at("piles").at(0).at("state").as_string(), "Waiting");
  server->kill_hard();  // nothing was delivered yet; the job must not be lost
  server->restart();
  token = login(server->api_port(), server->admin_password());
  OcppClient c;
  ASSERT_EQ(c.connect(server->ocpp_port(), "CP-LATE", kPassword), 101);
  serve_job(c, 1, [](const std::string&) { return "Accepted"; });
  auto r = results_of(completed(id), "CP-LATE");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Accepted");
}

TEST_F(ConfigJobs, AJobInterruptedMidDeliveryIsResumedAfterARestart) {
  OcppClient c;
  boot(c, pile("CP-1"));
  const auto id = create(R"({"targets":{"piles":["CP-1"]},"parameters":{"heartbeat_interval":120,
      "meter_value_sample_interval":15},"deliver_when_online":true})");
  auto first = expect_call(c, "ChangeConfiguration");
  reply(c, first, {{"status", "Accepted"}});
  expect_call(c, "ChangeConfiguration");  // the server dies before this one is answered
  // Give the first answer time to commit, then kill.
  for (int i = 0; i < 100; ++i) {
    auto r = results_of(job(id), "CP-1");
    if (r["heartbeat_interval"].at("status").as_string() == "Accepted") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  server->kill_hard();
  server->restart();
  token = login(server->api_port(), server->admin_password());
  OcppClient again;
  ASSERT_EQ(again.connect(server->ocpp_port(), "CP-1", kPassword), 101);
  auto keys = serve_job(again, 1, [](const std::string&) { return "Accepted"; });
  EXPECT_EQ(keys, std::vector<std::string>{"MeterValueSampleInterval"});  // only what was unanswered
  auto r = results_of(completed(id), "CP-1");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Accepted");
  EXPECT_EQ(r["meter_value_sample_interval"].at("status").as_string(), "Accepted");
}

TEST_F(ConfigJobs, BadRequestsGetClearProblemsAndNothingIsSent) {
  pile("CP-1");
  auto unknown = post_job(R"({"targets":{"all":true},"parameters":{"heartbeat":60}})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("unknown_parameter"), std::string::npos);
  EXPECT_NE(unknown.body.find("heartbeat"), std::string::npos);
  auto range = post_job(R"({"targets":{"all":true},"parameters":{"heartbeat_interval":-5}})");
  EXPECT_EQ(range.status, 422);
  EXPECT_NE(range.body.find("heartbeat_interval"), std::string::npos);
  auto measurand = post_job(R"({"targets":{"all":true},"parameters":{"meter_values_sampled_data":["Volts"]}})");
  EXPECT_EQ(measurand.status, 422);
  auto no_pile = post_job(R"({"targets":{"piles":["CP-NOPE"]},"parameters":{"heartbeat_interval":60}})");
  EXPECT_EQ(no_pile.status, 422);
  EXPECT_NE(no_pile.body.find("CP-NOPE"), std::string::npos);
  EXPECT_EQ(post_job(R"({"targets":{"all":true,"piles":["CP-1"]},"parameters":{"heartbeat_interval":60}})").status, 400);
  EXPECT_EQ(post_job(R"({"targets":{"filter":{"protocol":"ykc"}},"parameters":{"heartbeat_interval":60}})").status, 422);
  EXPECT_EQ(post_job(R"({"targets":{"all":true},"parameters":{}})").status, 400);
  EXPECT_EQ(post_job("not json").status, 400);
  auto list = json::parse(http_request(server->api_port(), "GET", "/api/v1/config-jobs", {}, token).body);
  EXPECT_TRUE(list.at("items").as_array().empty());
  EXPECT_EQ(http_request(server->api_port(), "GET", "/api/v1/config-jobs/cj_nope", {}, token).status, 404);
}

TEST_F(ConfigJobs, IdempotencyKeyReturnsTheSameJobAndRefusesAnotherRequest) {
  pile("CP-1");
  const std::string body = R"({"targets":{"piles":["CP-1"]},"parameters":{"heartbeat_interval":60}})";
  auto a = post_job(body, "key-1");
  auto b = post_job(body, "key-1");
  ASSERT_EQ(a.status, 202) << a.body;
  ASSERT_EQ(b.status, 202) << b.body;
  EXPECT_EQ(json::parse(a.body).at("id"), json::parse(b.body).at("id"));
  auto other = post_job(R"({"targets":{"piles":["CP-1"]},"parameters":{"heartbeat_interval":61}})", "key-1");
  EXPECT_EQ(other.status, 422);
  EXPECT_NE(other.body.find("idempotency_key_reused"), std::string::npos);
  auto list = json::parse(http_request(server->api_port(), "GET", "/api/v1/config-jobs", {}, token).body);
  EXPECT_EQ(list.at("items").as_array().size(), 1u);
  // One audit entry, written with the job; the replay added none.
  auto audit = json::parse(
      http_request(server->api_port(), "GET", "/api/v1/audit?action=config_job.create", {}, token).body);
  ASSERT_EQ(audit.at("items").as_array().size(), 1u) << json::serialize(audit);
  EXPECT_EQ(audit.at("items").at(0).at("target"), json::parse(a.body).at("id"));
  EXPECT_EQ(audit.at("items").at(0).at("actor").as_string(), "admin");
}

TEST_F(ConfigJobs, CatalogueListsTypesRangesAndMappings) {
  auto r = http_request(server->api_port(), "GET", "/api/v1/parameters", {}, token);
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body);
  bool heartbeat = false;
  for (const auto& p : v.at("items").as_array()) {
    if (p.at("name").as_string() != "heartbeat_interval") continue;
    heartbeat = true;
    EXPECT_EQ(p.at("type").as_string(), "integer");
    EXPECT_EQ(p.at("unit").as_string(), "s");
    EXPECT_EQ(p.at("max").as_double(), 86400);
    EXPECT_EQ(p.at("mappings").at(0).at("key").as_string(), "HeartbeatInterval");
  }
  EXPECT_TRUE(heartbeat);
  EXPECT_EQ(v.at("raw_keys").at("format").as_string(), "<protocol>:<Key>");
}

// Sends `n` MeterValues stamped `every_s` seconds apart and returns how many samples are stored.
std::size_t stored_after(ConfigJobs& t, OcppClient& c, const std::string& pile, int n, int every_s, int base_s) {
  for (int i = 0; i < n; ++i) {
    const auto ts = 1'800'000'000 + base_s + i * every_s;
    char stamp[32];
    const std::time_t tt = ts;
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
    auto r = json::parse(c.call("m" + std::to_string(base_s + i), "MeterValues",
                                std::string(R"({"connectorId":1,"meterValue":[{"timestamp":")") + stamp +
                                    R"(","sampledValue":[{"value":"7.2","measurand":"Power.Active.Import","unit":"kW"}]}]})"));
    EXPECT_EQ(r.as_array().at(0).as_int64(), 3);  // acknowledged either way
  }
  auto rows = json::parse(http_request(t.server->api_port(), "GET",
                                       "/api/v1/piles/" + pile + "/telemetry?measurand=Power.Active.Import&limit=100000",
                                       {}, t.token).body);
  return rows.at("items").as_array().size();
}

TEST_F(ConfigJobs, AcquisitionPolicyIsPushedAsAJobAndEnforcedOnIngestion) {
  OcppClient c;
  boot(c, pile("CP-1"));
  EXPECT_EQ(stored_after(*this, c, "CP-1", 60, 10, 0), 60u);  // no policy: every 10 s sample is kept

  auto put = http_request(server->api_port(), "PUT", "/api/v1/acquisition-policy",
                          R"({"sample_interval_s":60,"heartbeat_interval_s":600})", token);
  ASSERT_EQ(put.status, 200) << put.body;
  auto policy = json::parse(put.body);
  EXPECT_EQ(policy.at("effective").at("sample_interval_s").as_int64(), 60);
  const std::string job_id(policy.at("job").as_string());
  serve_job(c, 3, [](const std::string&) { return "Accepted"; });  // heartbeat, sample, aligned
  auto r = results_of(completed(job_id), "CP-1");
  EXPECT_EQ(r["meter_value_sample_interval"].at("value").as_string(), "60");
  EXPECT_EQ(r["meter_value_sample_interval"].at("status").as_string(), "Accepted");

  // A pile that keeps sending every 10 s is acknowledged, but only one sample a minute is kept.
  EXPECT_EQ(stored_after(*this, c, "CP-1", 60, 10, 10'000), 60u + 10u);
  auto metrics = http_request(server->api_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("chargeplane_telemetry_samples_downsampled_total 50"), std::string::npos);

  // A new boot gets the policy's heartbeat interval.
  auto boot2 = json::parse(c.call("b2", "BootNotification", kBoot)).as_array();
  EXPECT_EQ(boot2.at(2).at("interval").as_int64(), 600);

  // A per-pile override wins, and deleting it returns the pile to the fleet default.
  auto over = http_request(server->api_port(), "PUT", "/api/v1/piles/CP-1/acquisition-policy",
                           R"({"sample_interval_s":10})", token);
  ASSERT_EQ(over.status, 200) << over.body;
  serve_job(c, 3, [](const std::string&) { return "Accepted"; });
  EXPECT_EQ(json::parse(over.body).at("effective").at("sample_interval_s").as_int64(), 10);
  auto del = http_request(server->api_port(), "DELETE", "/api/v1/piles/CP-1/acquisition-policy", {}, token);
  ASSERT_EQ(del.status, 200) << del.body;
  serve_job(c, 3, [](const std::string&) { return "Accepted"; });
  EXPECT_EQ(json::parse(del.body).at("effective").at("sample_interval_s").as_int64(), 60);
  EXPECT_EQ(http_request(server->api_port(), "DELETE", "/api/v1/piles/CP-1/acquisition-policy", {}, token).status, 404);
  EXPECT_EQ(http_request(server->api_port(), "PUT", "/api/v1/acquisition-policy", R"({"sample_interval_s":-1})", token)
                .status,
            400);

  auto audit = json::parse(
      http_request(server->api_port(), "GET", "/api/v1/audit?action=acquisition_policy.update", {}, token).body);
  EXPECT_EQ(audit.at("items").as_array().size(), 2u) << json::serialize(audit);  // fleet, then CP-1
  audit = json::parse(
      http_request(server->api_port(), "GET", "/api/v1/audit?action=acquisition_policy.delete", {}, token).body);
  EXPECT_EQ(audit.at("items").as_array().size(), 1u);

  // The policy survives a restart.
  server->terminate();
  server->restart();
  token = login(server->api_port(), server->admin_password());
  auto got = json::parse(http_request(server->api_port(), "GET", "/api/v1/acquisition-policy", {}, token).body);
  EXPECT_EQ(got.at("policy").at("sample_interval_s").as_int64(), 60);
}

TEST_F(ConfigJobs, APileRegisteredUnderAFleetPolicyGetsItWhenItFirstConnects) {
  // Without a policy a registration carries no job.
  auto plain = http_request(server->api_port(), "POST", "/api/v1/piles",
                            R"({"id":"CP-OLD","protocol":"ocpp1.6","password":")" + kPassword + "\"}", token);
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_TRUE(json::parse(plain.body).at("policy_job").is_null());

  auto put = http_request(server->api_port(), "PUT", "/api/v1/acquisition-policy",
                          R"({"sample_interval_s":120,"heartbeat_interval_s":900})", token);
  ASSERT_EQ(put.status, 200) << put.body;

  auto created = http_request(server->api_port(), "POST", "/api/v1/piles",
                              R"({"id":"CP-NEW","protocol":"ocpp1.6","password":")" + kPassword + "\"}", token);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto job_value = json::parse(created.body).at("policy_job");
  ASSERT_TRUE(job_value.is_string()) << created.body;
  const std::string job_id(job_value.as_string());
  auto j = job(job_id);
  EXPECT_EQ(j.at("origin").as_string(), "acquisition_policy");
  EXPECT_EQ(j.at("piles").at(0).at("state").as_string(), "Waiting");

  // Its job waits for the pile, survives a restart, and is delivered when the pile connects.
  server->kill_hard();
  server->restart();
  token = login(server->api_port(), server->admin_password());
  OcppClient c;
  ASSERT_EQ(c.connect(server->ocpp_port(), "CP-NEW", kPassword), 101);
  serve_job(c, 3, [](const std::string&) { return "Accepted"; });
  auto r = results_of(completed(job_id), "CP-NEW");
  EXPECT_EQ(r["meter_value_sample_interval"].at("value").as_string(), "120");
  EXPECT_EQ(r["meter_value_sample_interval"].at("status").as_string(), "Accepted");
  EXPECT_EQ(r["heartbeat_interval"].at("value").as_string(), "900");
  EXPECT_EQ(r["heartbeat_interval"].at("status").as_string(), "Accepted");
}

}  // namespace
}  // namespace cp::testing
