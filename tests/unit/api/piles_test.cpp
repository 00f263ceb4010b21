// /api/v1/piles and its sub-resources.
#include "unit/api/api_fixture.h"

namespace cp::testing {
namespace {

struct TestLink final : services::PileLink {
  void close(const std::string& reason) override { closed = reason; }
  void execute(cp::domain::Command, cp::domain::CommandObserver o) override { o.done({"Offline", "test link", "", {}, {}, {}}); }
  std::string remote_address() const override { return "192.0.2.10:40000"; }
  std::string closed;
};

TEST_F(ApiTest, PileRegisterListGetPatchDelete) {
  auto created = register_pile("CP-1");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers["Location"], "/api/v1/piles/CP-1");
  auto c = created.json();
  EXPECT_EQ(c.at("id").as_string(), "CP-1");
  EXPECT_EQ(c.at("registration").as_string(), "Accepted");
  EXPECT_EQ(c.at("online").as_bool(), false);
  EXPECT_EQ(created.body.find("password"), std::string::npos);  // never returned, not even hashed
  EXPECT_EQ(pile_auth.verify("CP-1", kPilePassword), services::PileAuthResult::Ok);

  auto list = get("/api/v1/piles");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u);
  EXPECT_TRUE(list.json().at("next").is_null());

  auto one = get("/api/v1/piles/CP-1");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("protocol").as_string(), "ocpp1.6");
  EXPECT_EQ(one.json().at("created").as_string(), format_rfc3339(clock.now()));

  auto patched = call("PATCH", "/api/v1/piles/CP-1", R"({"password":"another-password-123","registration":"Pending"})",
                      admin);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("registration").as_string(), "Pending");
  EXPECT_EQ(registry.get("CP-1")->registration, "Pending");
  // The cached old credential is gone: the new password is the only one.
  EXPECT_EQ(pile_auth.verify("CP-1", kPilePassword), services::PileAuthResult::BadPassword);
  EXPECT_EQ(pile_auth.verify("CP-1", "another-password-123"), services::PileAuthResult::Ok);

  EXPECT_EQ(call("DELETE", "/api/v1/piles/CP-1", {}, admin).status, 204);
  EXPECT_EQ(get("/api/v1/piles/CP-1").status, 404);
  EXPECT_EQ(pile_auth.verify("CP-1", "another-password-123"), services::PileAuthResult::UnknownPile);
  EXPECT_EQ(call("DELETE", "/api/v1/piles/CP-1", {}, admin).code(), "pile_not_found");
}

TEST_F(ApiTest, RegisteringAnExistingPileIs409) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  auto again = register_pile("CP-1");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "pile_exists");
}

TEST_F(ApiTest, InvalidPileIdIs400Problem) {
  for (const std::string& id : std::vector<std::string>{"", "has space", "colon:id", std::string(49, 'a'), "slash/id"}) {
    auto r = register_pile(id);
    EXPECT_EQ(r.status, 400) << id;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(r.code(), "invalid_pile_id") << id;
  }
  EXPECT_EQ(register_pile(std::string(48, 'a')).status, 201);
  EXPECT_EQ(register_pile("a.b_c-D9").status, 201);
}

TEST_F(ApiTest, PilePasswordMustBe16To40Printable) {
  auto with = [&](const std::string& pw) {
    return call("POST", "/api/v1/piles", R"({"id":"CP-P","protocol":"ocpp1.6","password":")" + pw + "\"}", admin);
  };
  EXPECT_EQ(with("short").code(), "invalid_password");
  EXPECT_EQ(with(std::string(41, 'x')).code(), "invalid_password");
  EXPECT_EQ(with("has a space in it ok").code(), "invalid_password");
  EXPECT_EQ(call("POST", "/api/v1/piles", R"({"id":"CP-P","protocol":"ocpp1.6"})", admin).code(), "invalid_password");
  EXPECT_EQ(with(std::string(16, 'x')).status, 201);
}

TEST_F(ApiTest, RegistrationBodyIsValidated) {
  EXPECT_EQ(call("POST", "/api/v1/piles", R"({"id":"CP-1","protocol":"ocpp9","password":"0123456789abcdef"})", admin)
                .code(),
            "invalid_protocol");
  EXPECT_EQ(register_pile("CP-1", R"(,"registration":"Maybe")").code(), "invalid_field");
  EXPECT_EQ(call("POST", "/api/v1/piles", "[1,2]", admin).code(), "invalid_json");
  EXPECT_EQ(call("POST", "/api/v1/piles", R"({"id":5})", admin).code(), "invalid_field");
}

TEST_F(ApiTest, RegistrationCanStartPending) {
  auto r = register_pile("CP-1", R"(,"registration":"Pending")");
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(registry.get("CP-1")->registration, "Pending");
  EXPECT_EQ((*store.pile("CP-1"))->registration, "Pending");
}

TEST_F(ApiTest, PatchValidatesAndNeedsAnExistingPile) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  EXPECT_EQ(call("PATCH", "/api/v1/piles/CP-1", "{}", admin).code(), "invalid_body");
  EXPECT_EQ(call("PATCH", "/api/v1/piles/CP-1", R"({"password":"short"})", admin).code(), "invalid_password");
  EXPECT_EQ(call("PATCH", "/api/v1/piles/CP-9", R"({"registration":"Rejected"})", admin).status, 404);
}

TEST_F(ApiTest, DeleteClosesTheLiveSession) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  auto link = std::make_shared<TestLink>();
  registry.attach("CP-1", link, clock.now());
  EXPECT_EQ(get("/api/v1/piles/CP-1").json().at("online").as_bool(), true);
  EXPECT_EQ(call("DELETE", "/api/v1/piles/CP-1", {}, admin).status, 204);
  EXPECT_EQ(link->closed, "pile deleted");
  EXPECT_FALSE(registry.exists("CP-1"));
  EXPECT_EQ(registry.online_count(), 0u);
}

TEST_F(ApiTest, ListPagesWithACursorAndFilters) {
  for (auto id : {"CP-3", "CP-1", "CP-2"}) ASSERT_EQ(register_pile(id).status, 201);
  registry.attach("CP-2", std::make_shared<TestLink>(), clock.now());
  registry.on_connector_status({"CP-3", 1, "Faulted", "GroundFailure", "", "", "", clock.now()});

  auto page1 = get("/api/v1/piles?limit=2").json();
  ASSERT_EQ(page1.at("items").as_array().size(), 2u);
  EXPECT_EQ(page1.at("items").at(0).at("id").as_string(), "CP-1");
  ASSERT_EQ(page1.at("next").as_string(), "CP-2");
  auto page2 = get("/api/v1/piles?limit=2&after=CP-2").json();
  ASSERT_EQ(page2.at("items").as_array().size(), 1u);
  EXPECT_EQ(page2.at("items").at(0).at("id").as_string(), "CP-3");
  EXPECT_TRUE(page2.at("next").is_null());

  auto online = get("/api/v1/piles?online=true").json().at("items").as_array();
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(online.at(0).at("remote_address").as_string(), "192.0.2.10:40000");
  auto faulted = get("/api/v1/piles?status=Faulted").json().at("items").as_array();
  ASSERT_EQ(faulted.size(), 1u);
  EXPECT_EQ(faulted.at(0).at("connectors").at(0).at("error_code").as_string(), "GroundFailure");
  EXPECT_EQ(get("/api/v1/piles?protocol=ocpp2.0.1").json().at("items").as_array().size(), 0u);

  EXPECT_EQ(get("/api/v1/piles?online=yes").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles?limit=0").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles?limit=abc").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles?status=Exploded").code(), "invalid_parameter");
}

TEST_F(ApiTest, ConnectorsShowLiveStatusAndLastValues) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  registry.on_connector_status({"CP-1", 1, "Charging", "NoError", "", "", "", clock.now()});
  domain::TelemetrySampled t;
  t.pile = "CP-1";
  t.connector = 1;
  domain::SampledValue v;
  v.measurand = "Voltage";
  v.phase = "L1";
  v.unit = "V";
  v.value = 229.5;
  t.samples = {{clock.now(), {v}}};
  registry.on_telemetry(t);
  auto r = get("/api/v1/piles/CP-1/connectors");
  ASSERT_EQ(r.status, 200);
  auto c = r.json().at("items").at(0);
  EXPECT_EQ(c.at("status").as_string(), "Charging");
  EXPECT_DOUBLE_EQ(c.at("last_values").at("Voltage.L1").at("value").as_double(), 229.5);
  EXPECT_EQ(get("/api/v1/piles/CP-9/connectors").status, 404);
}

TEST_F(ApiTest, TelemetryQueryFiltersAndValidates) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  std::vector<domain::MeterSample> samples;
  for (int i = 0; i < 5; ++i) {
    domain::SampledValue v;
    v.measurand = i % 2 ? "Voltage" : "Power.Active.Import";
    v.unit = "W";
    v.value = double(i);
    samples.push_back({from_millis(1'700'000'000'000 + i * 60'000), {v}});
  }
  store.submit({store::InsertTelemetry{"CP-1", 1, std::nullopt,
                                       std::make_shared<const std::vector<domain::MeterSample>>(std::move(samples))}},
               [](const Status&) {});
  store.flush();

  auto all = get("/api/v1/piles/CP-1/telemetry");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json().at("items").as_array().size(), 5u);
  auto volts = get("/api/v1/piles/CP-1/telemetry?measurand=Voltage").json().at("items").as_array();
  EXPECT_EQ(volts.size(), 2u);
  auto window = get("/api/v1/piles/CP-1/telemetry?from=2023-11-14T22:14:20Z&to=2023-11-14T22:16:20Z&limit=10");
  ASSERT_EQ(window.status, 200) << window.body;
  EXPECT_EQ(window.json().at("items").as_array().size(), 2u);
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?limit=1").json().at("items").as_array().size(), 1u);

  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?from=yesterday").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?to=2023-13-01T00:00:00Z").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?limit=0").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?limit=100001").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?from=2023-11-14T22:16:20Z&to=2023-11-14T22:14:20Z").code(),
            "invalid_parameter");
  EXPECT_EQ(get("/api/v1/piles/CP-9/telemetry").status, 404);
}

TEST_F(ApiTest, PercentEncodedQueryValuesAreDecoded) {
  ASSERT_EQ(register_pile("CP-1").status, 201);
  EXPECT_EQ(get("/api/v1/piles/CP-1/telemetry?from=2023-11-14T22%3A14%3A20%2B00%3A00").status, 200);
}

}  // namespace
}  // namespace cp::testing
