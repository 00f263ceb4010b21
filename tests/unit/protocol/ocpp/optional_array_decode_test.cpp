// Regression: decoders once rebuilt an optional array for every element (only the last one
// survived), losing StopTransaction.transactionData and GetConfiguration.conf entries.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/ocpp/v16/generated/codec.h"

namespace cp::ocpp::v16 {
namespace {

TEST(OptionalArrayDecode, GetConfigurationResponseKeepsEveryKeyAndUnknownKey) {
  auto r = decode<GetConfigurationResponse>(boost::json::parse(
      R"({"configurationKey":[{"key":"A","readonly":false,"value":"1"},{"key":"B","readonly":true}],)"
      R"("unknownKey":["X","Y"]})"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->configuration_key.has_value());
  ASSERT_EQ(r->configuration_key->size(), 2u);
  EXPECT_EQ((*r->configuration_key)[0].key, "A");
  EXPECT_EQ((*r->configuration_key)[1].key, "B");
  ASSERT_EQ(r->unknown_key->size(), 2u);
  EXPECT_EQ((*r->unknown_key)[0], "X");
}

TEST(OptionalArrayDecode, StopTransactionKeepsEveryTransactionDataMeterValue) {
  auto r = decode<StopTransactionRequest>(boost::json::parse(
      R"({"meterStop":20,"timestamp":"2024-01-01T00:10:00Z","transactionId":7,"transactionData":[)"
      R"({"timestamp":"2024-01-01T00:00:00Z","sampledValue":[{"value":"10"}]},)"
      R"({"timestamp":"2024-01-01T00:10:00Z","sampledValue":[{"value":"20"},{"value":"21"}]}]})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->transaction_data->size(), 2u);
  EXPECT_EQ((*r->transaction_data)[0].sampled_value.size(), 1u);
  EXPECT_EQ((*r->transaction_data)[1].sampled_value.size(), 2u);
}

}  // namespace
}  // namespace cp::ocpp::v16
