// The parameter catalogue: validation, canonical values and protocol mappings.
#include <gtest/gtest.h>

#include <set>

#include "domain/parameters.h"

namespace cp::domain {
namespace {

TEST(Catalogue, HasTheParametersOperatorsNeed) {
  for (const char* name :
       {"heartbeat_interval", "meter_value_sample_interval", "clock_aligned_data_interval",
        "meter_values_sampled_data", "meter_values_aligned_data", "stop_txn_sampled_data", "connection_timeout",
        "local_pre_authorize", "authorize_remote_tx_requests", "max_current", "max_power", "reset_retries",
        "transaction_message_attempts", "transaction_message_retry_interval"})
    EXPECT_NE(find_parameter(name), nullptr) << name;
  std::set<std::string> names;
  for (const auto& p : parameter_catalogue()) EXPECT_TRUE(names.insert(p.name).second) << "duplicate " << p.name;
}

TEST(Catalogue, IntegersAreRangeChecked) {
  EXPECT_EQ(*canonical_value("heartbeat_interval", std::int64_t{60}), "60");
  EXPECT_EQ(*canonical_value("heartbeat_interval", std::string("120")), "120");
  EXPECT_EQ(*canonical_value("heartbeat_interval", 90.0), "90");
  auto high = canonical_value("heartbeat_interval", std::int64_t{86401});
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().code, "invalid_parameter_value");
  EXPECT_NE(high.error().message.find("heartbeat_interval"), std::string::npos);
  EXPECT_FALSE(canonical_value("heartbeat_interval", std::int64_t{-1}).ok());
  EXPECT_FALSE(canonical_value("heartbeat_interval", 1.5).ok());
  EXPECT_FALSE(canonical_value("heartbeat_interval", true).ok());
  EXPECT_FALSE(canonical_value("heartbeat_interval", std::string("60s")).ok());
}

TEST(Catalogue, BooleansAndLists) {
  EXPECT_EQ(*canonical_value("local_pre_authorize", true), "true");
  EXPECT_EQ(*canonical_value("local_pre_authorize", std::string("false")), "false");
  EXPECT_FALSE(canonical_value("local_pre_authorize", std::int64_t{1}).ok());
  EXPECT_EQ(*canonical_value("meter_values_sampled_data", std::vector<std::string>{"Voltage", "Current.Import"}),
            "Voltage,Current.Import");
  EXPECT_EQ(*canonical_value("meter_values_sampled_data", std::string("Voltage, Current.Import")),
            "Voltage,Current.Import");
  EXPECT_EQ(*canonical_value("meter_values_sampled_data", std::string("")), "");
  auto bad = canonical_value("meter_values_sampled_data", std::vector<std::string>{"Voltage", "Volts"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Volts"), std::string::npos);
}

TEST(Catalogue, UnknownNamesAreRefused) {
  auto r = canonical_value("heartbeat", std::int64_t{60});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unknown_parameter");
  EXPECT_FALSE(canonical_value("ocpp9:Key", std::string("x")).ok());
}

TEST(Catalogue, RawVendorKeysPassThrough) {
  EXPECT_EQ(*canonical_value("ocpp1.6:LightIntensity", std::string("50")), "50");
  EXPECT_EQ(*canonical_value("ocpp1.6:LightIntensity", std::int64_t{50}), "50");
  EXPECT_FALSE(canonical_value("ocpp1.6:", std::string("x")).ok());
  EXPECT_FALSE(canonical_value("ocpp1.6:Light Intensity", std::string("x")).ok());
  EXPECT_FALSE(canonical_value("ocpp1.6:Key", std::string(501, 'x')).ok());
  auto m = mapping_for("ocpp1.6:LightIntensity", "ocpp1.6");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->key, "LightIntensity");
  EXPECT_FALSE(mapping_for("ocpp1.6:LightIntensity", "ykc"));
}

TEST(Catalogue, MappingsPerProtocol) {
  EXPECT_EQ(mapping_for("heartbeat_interval", "ocpp1.6")->key, "HeartbeatInterval");
  EXPECT_EQ(mapping_for("max_current", "ocpp1.6")->via, "charging_profile");
  EXPECT_FALSE(mapping_for("work_enabled", "ocpp1.6"));
  EXPECT_TRUE(mapping_for("work_enabled", "ykc"));
  EXPECT_EQ(parameter_for_key("ocpp1.6", "MeterValueSampleInterval"), "meter_value_sample_interval");
  EXPECT_EQ(parameter_for_key("ocpp1.6", "NoSuchKey"), "");
}

}  // namespace
}  // namespace cp::domain
