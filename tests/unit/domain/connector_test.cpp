#include "domain/connector.h"

#include <gtest/gtest.h>

#include <string>

namespace cp::domain {
namespace {

using S = ConnectorStatus;

TEST(ConnectorStatus, NamesRoundTrip) {
  for (auto s : {S::Available, S::Preparing, S::Charging, S::SuspendedEV, S::SuspendedEVSE,
                 S::Finishing, S::Reserved, S::Unavailable, S::Faulted, S::Unknown}) {
    EXPECT_EQ(connector_status_from_string(to_string(s)), s) << to_string(s);
  }
}

TEST(ConnectorStatus, UnrecognisedNameIsUnknown) {
  EXPECT_FALSE(connector_status_from_string("charging"));  // names are case-sensitive, as in OCPP
  EXPECT_EQ(connector_status_or_unknown("Occupied"), S::Unknown);
}

TEST(ConnectorTransition, FollowsTheOcpp16Table) {
  EXPECT_TRUE(is_valid_transition(S::Available, S::Preparing));     // A2
  EXPECT_TRUE(is_valid_transition(S::Preparing, S::Charging));      // B3
  EXPECT_TRUE(is_valid_transition(S::Charging, S::SuspendedEV));    // C4
  EXPECT_TRUE(is_valid_transition(S::SuspendedEVSE, S::Charging));  // E3
  EXPECT_TRUE(is_valid_transition(S::Charging, S::Finishing));      // C6
  EXPECT_TRUE(is_valid_transition(S::Finishing, S::Available));     // F1
  EXPECT_TRUE(is_valid_transition(S::Reserved, S::Preparing));      // G2
  EXPECT_TRUE(is_valid_transition(S::Unavailable, S::Charging));    // H3
  EXPECT_TRUE(is_valid_transition(S::Faulted, S::Reserved));        // I7
}

TEST(ConnectorTransition, RejectsTransitionsTheTableOmits) {
  EXPECT_FALSE(is_valid_transition(S::Available, S::Finishing));
  EXPECT_FALSE(is_valid_transition(S::Preparing, S::Reserved));
  EXPECT_FALSE(is_valid_transition(S::Preparing, S::Unavailable));
  EXPECT_FALSE(is_valid_transition(S::Charging, S::Preparing));
  EXPECT_FALSE(is_valid_transition(S::Finishing, S::Charging));
  EXPECT_FALSE(is_valid_transition(S::Reserved, S::Charging));
  EXPECT_FALSE(is_valid_transition(S::Unavailable, S::Finishing));
}

TEST(ConnectorTransition, EveryStateMayFault) {
  for (auto s : {S::Available, S::Preparing, S::Charging, S::SuspendedEV, S::SuspendedEVSE,
                 S::Finishing, S::Reserved, S::Unavailable})
    EXPECT_TRUE(is_valid_transition(s, S::Faulted)) << to_string(s);
}

TEST(ConnectorTransition, RepeatedStatusAndUnknownAreNotViolations) {
  EXPECT_TRUE(is_valid_transition(S::Charging, S::Charging));
  EXPECT_TRUE(is_valid_transition(S::Unknown, S::Finishing));
  EXPECT_TRUE(is_valid_transition(S::Charging, S::Unknown));
}

TEST(ConnectorTransition, ConnectorZeroOnlyAvailableUnavailableFaulted) {
  EXPECT_TRUE(is_valid_status_for(0, S::Available));
  EXPECT_TRUE(is_valid_status_for(0, S::Unavailable));
  EXPECT_TRUE(is_valid_status_for(0, S::Faulted));
  EXPECT_FALSE(is_valid_status_for(0, S::Charging));
  EXPECT_TRUE(is_valid_status_for(1, S::Charging));
  EXPECT_FALSE(is_valid_status_for(-1, S::Available));
}

TEST(ConnectorTransition, CheckFlagsInvalidButReportsBothEnds) {
  const auto c = check_transition(1, "Available", "Finishing");
  EXPECT_EQ(c.from, S::Available);
  EXPECT_EQ(c.to, S::Finishing);
  EXPECT_TRUE(c.recognised);
  EXPECT_FALSE(c.valid);
}

TEST(ConnectorTransition, CheckFlagsUnrecognisedStatus) {
  const auto c = check_transition(1, "Available", "Exploded");
  EXPECT_FALSE(c.recognised);
  EXPECT_FALSE(c.valid);
  EXPECT_EQ(c.to, S::Unknown);
}

TEST(ConnectorTransition, CheckFlagsChargingOnConnectorZero) {
  EXPECT_FALSE(check_transition(0, "Available", "Charging").valid);
  EXPECT_TRUE(check_transition(0, "Available", "Unavailable").valid);
}

TEST(ConnectorTransition, FirstReportAfterStartIsValid) {
  EXPECT_TRUE(check_transition(2, "Unknown", "Charging").valid);
  EXPECT_TRUE(check_transition(2, "", "SuspendedEV").valid);
}

}  // namespace
}  // namespace cp::domain
