// /api/v1/transactions and /api/v1/id-tags.
#include "unit/api/api_fixture.h"

namespace cp::testing {
namespace {

TEST_F(ApiTest, IdTagsCreateListAndConflict) {
  auto r = call("POST", "/api/v1/id-tags",
                R"({"id_tag":"TAG-1","status":"Blocked","expiry":"2030-01-01T00:00:00Z","parent_id_tag":"GROUP"})", admin);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("expiry").as_string(), "2030-01-01T00:00:00.000Z");
  ASSERT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG-2"})", admin).status, 201);
  auto list = get("/api/v1/id-tags").json().at("items").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.at(0).at("status").as_string(), "Blocked");
  EXPECT_EQ(list.at(1).at("status").as_string(), "Accepted");
  EXPECT_TRUE(list.at(1).at("expiry").is_null());
  EXPECT_EQ(call("POST", "/api/v1/id-tags", R"({"id_tag":"TAG-2"})", admin).code(), "id_tag_exists");
}

TEST_F(ApiTest, IdTagBodyIsValidated) {
  auto post = [&](const std::string& body) { return call("POST", "/api/v1/id-tags", body, admin); };
  EXPECT_EQ(post(R"({"id_tag":""})").code(), "invalid_id_tag");
  EXPECT_EQ(post(R"({"id_tag":"123456789012345678901"})").code(), "invalid_id_tag");
  EXPECT_EQ(post(R"({"id_tag":"T","status":"Maybe"})").code(), "invalid_field");
  EXPECT_EQ(post(R"({"id_tag":"T","expiry":"soon"})").code(), "invalid_field");
  EXPECT_EQ(post(R"({"id_tag":"T","parent_id_tag":7})").code(), "invalid_field");
}

TEST_F(ApiTest, TransactionsNewestFirstWithBeforeCursor) {
  for (int i = 1; i <= 3; ++i) {
    store::TransactionRecord t;
    t.id = i;
    t.pile = i == 2 ? "CP-B" : "CP-A";
    t.connector = 1;
    t.id_tag = "TAG";
    t.meter_start_wh = 100 * i;
    t.started = clock.now();
    store.submit({store::StartTransaction{t}}, [](const Status&) {});
  }
  store.submit({store::StopTransaction{1, 900, clock.now(), "EVDisconnected", "TAG"}}, [](const Status&) {});
  store.flush();

  auto page = get("/api/v1/transactions?limit=2").json();
  auto items = page.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items.at(0).at("id").as_int64(), 3);
  EXPECT_TRUE(items.at(0).at("stopped").is_null());
  ASSERT_EQ(page.at("next").as_int64(), 2);
  auto rest = get("/api/v1/transactions?limit=2&before=2").json();
  ASSERT_EQ(rest.at("items").as_array().size(), 1u);
  auto first = rest.at("items").at(0);
  EXPECT_EQ(first.at("meter_stop_wh").as_int64(), 900);
  EXPECT_EQ(first.at("stop_reason").as_string(), "EVDisconnected");
  EXPECT_TRUE(rest.at("next").is_null());

  EXPECT_EQ(get("/api/v1/transactions?pile=CP-B").json().at("items").as_array().size(), 1u);
  EXPECT_EQ(get("/api/v1/transactions?before=-1").code(), "invalid_parameter");
  EXPECT_EQ(get("/api/v1/transactions?limit=5000").code(), "invalid_parameter");
}

}  // namespace
}  // namespace cp::testing
