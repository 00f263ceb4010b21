#include "services/registry.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cp::services {
namespace {

struct TestLink final : PileLink {
  void close(const std::string& reason) override { closed = reason; }
  void execute(cp::domain::Command, cp::domain::CommandObserver o) override { o.done({"Offline", "test link", "", {}, {}, {}}); }
  std::string remote_address() const override { return "10.0.0.7:5555"; }
  std::string closed;
};

store::PileRecord pile(const std::string& id, const std::string& protocol = "ocpp1.6") {
  store::PileRecord p;
  p.id = id;
  p.protocol = protocol;
  return p;
}

domain::ConnectorStatusChanged status(const std::string& id, int connector, const std::string& s) {
  domain::ConnectorStatusChanged c;
  c.pile = id;
  c.connector = connector;
  c.status = s;
  c.error_code = "NoError";
  c.at = from_millis(1000);
  return c;
}

TEST(Registry, LoadsStoredPilesOfflineWithTheirConnectors) {
  Registry r;
  r.load({pile("A"), pile("B")}, {{"A", 1, "Charging", "NoError", "", "", from_millis(5)}, {"X", 1, "Available", "", "", "", from_millis(5)}});
  auto a = r.get("A");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->online);
  ASSERT_EQ(a->connectors.size(), 1u);
  EXPECT_EQ(a->connectors[0].status, "Charging");
  EXPECT_FALSE(r.exists("X"));
  EXPECT_EQ(r.counts().total, 2u);
  EXPECT_EQ(r.counts().charging, 1u);
}

TEST(Registry, ListsInIdOrderWithCursorPaging) {
  Registry r;
  r.load({pile("c"), pile("a"), pile("b"), pile("d")}, {});
  PileFilter f;
  f.limit = 2;
  auto first = r.list(f);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, "a");
  EXPECT_EQ(first[1].id, "b");
  f.after = first.back().id;
  auto second = r.list(f);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].id, "c");
  f.after = "d";
  EXPECT_TRUE(r.list(f).empty());
}

TEST(Registry, FiltersByProtocolOnlineAndConnectorStatus) {
  Registry r;
  r.load({pile("a"), pile("b", "ocpp2.0.1"), pile("c")}, {});
  r.on_connector_status(status("c", 1, "Faulted"));
  r.attach("a", std::make_shared<TestLink>(), from_millis(1));
  PileFilter f;
  f.protocol = "ocpp1.6";
  EXPECT_EQ(r.list(f).size(), 2u);
  f = {};
  f.online = true;
  ASSERT_EQ(r.list(f).size(), 1u);
  EXPECT_EQ(r.list(f)[0].id, "a");
  f = {};
  f.connector_status = "Faulted";
  ASSERT_EQ(r.list(f).size(), 1u);
  EXPECT_EQ(r.list(f)[0].id, "c");
}

TEST(Registry, AttachReturnsTheReplacedLinkAndNewestWins) {
  Registry r;
  r.load({pile("a")}, {});
  auto first = std::make_shared<TestLink>();
  auto second = std::make_shared<TestLink>();
  EXPECT_EQ(r.attach("a", first, from_millis(1)), nullptr);
  EXPECT_EQ(r.attach("a", second, from_millis(2)), first);
  EXPECT_EQ(r.link("a"), second);
  // The old session closing later must not take the pile offline.
  EXPECT_FALSE(r.detach("a", first.get(), from_millis(3)));
  EXPECT_TRUE(r.get("a")->online);
  EXPECT_TRUE(r.detach("a", second.get(), from_millis(4)));
  auto s = r.get("a");
  EXPECT_FALSE(s->online);
  EXPECT_EQ(s->last_seen, from_millis(4));
  EXPECT_EQ(r.link("a"), nullptr);
}

TEST(Registry, AttachRecordsRemoteAddressAndConnectionTime) {
  Registry r;
  r.load({pile("a")}, {});
  r.attach("a", std::make_shared<TestLink>(), from_millis(77));
  auto s = r.get("a");
  EXPECT_TRUE(s->online);
  EXPECT_EQ(s->remote_address, "10.0.0.7:5555");
  EXPECT_EQ(s->connected_since, from_millis(77));
  EXPECT_EQ(r.counts().online, 1u);
}

TEST(Registry, ConnectorsStaySortedAndExchangeReturnsPrevious) {
  Registry r;
  r.load({pile("a")}, {});
  EXPECT_EQ(r.exchange_connector_status(status("a", 2, "Available")), "Unknown");
  EXPECT_EQ(r.exchange_connector_status(status("a", 1, "Preparing")), "Unknown");
  EXPECT_EQ(r.exchange_connector_status(status("a", 2, "Charging")), "Available");
  auto s = r.get("a");
  ASSERT_EQ(s->connectors.size(), 2u);
  EXPECT_EQ(s->connectors[0].connector, 1);
  EXPECT_EQ(s->connectors[1].status, "Charging");
}

TEST(Registry, TelemetryKeepsNewestValuePerPhaseQualifiedMeasurand) {
  Registry r;
  r.load({pile("a")}, {});
  domain::TelemetrySampled t;
  t.pile = "a";
  t.connector = 1;
  domain::SampledValue v;
  v.measurand = "Voltage";
  v.phase = "L1";
  v.unit = "V";
  v.value = 230;
  domain::SampledValue signed_data;
  signed_data.measurand = "Energy.Active.Import.Register";
  signed_data.raw = "AB12CD";
  t.samples = {{from_millis(2000), {v, signed_data}}};
  r.on_telemetry(t);
  t.samples = {{from_millis(1000), {v}}};
  t.samples[0].values[0].value = 1;  // late, older sample
  r.on_telemetry(t);
  auto c = r.get("a")->connectors.at(0);
  ASSERT_EQ(c.last_values.count("Voltage.L1"), 1u);
  EXPECT_EQ(c.last_values["Voltage.L1"].value, 230);
  EXPECT_EQ(c.last_values.count("Energy.Active.Import.Register"), 0u);
}

TEST(Registry, LastValuesKeepLocationsAndPhasesApart) {
  Registry r;
  r.load({pile("a")}, {});
  domain::TelemetrySampled t;
  t.pile = "a";
  t.connector = 1;
  auto value = [](std::string measurand, std::string phase, std::string location, double v) {
    domain::SampledValue s;
    s.measurand = std::move(measurand);
    s.phase = std::move(phase);
    s.location = std::move(location);
    s.value = v;
    return s;
  };
  // A YKC pile's cable and battery temperatures, an outlet temperature stated and defaulted,
  // and three phase currents in one sample: none may overwrite another.
  t.samples = {{from_millis(1000),
                {value("Temperature", "", "Cable", 41), value("Temperature", "", "EV", 33),
                 value("Current.Import", "L1", "", 16), value("Current.Import", "L2", "", 15),
                 value("Current.Import", "L3", "", 14)}}};
  r.on_telemetry(t);
  t.samples = {{from_millis(2000), {value("Temperature", "", "Outlet", 28)}}};
  r.on_telemetry(t);
  t.samples = {{from_millis(3000), {value("Temperature", "", "", 29)}}};
  r.on_telemetry(t);
  auto c = r.get("a")->connectors.at(0);
  EXPECT_EQ(c.last_values["Temperature@Cable"].value, 41);
  EXPECT_EQ(c.last_values["Temperature@EV"].value, 33);
  EXPECT_EQ(c.last_values["Temperature"].value, 29);  // Outlet is the default location: one entry
  EXPECT_EQ(c.last_values["Current.Import.L1"].value, 16);
  EXPECT_EQ(c.last_values["Current.Import.L2"].value, 15);
  EXPECT_EQ(c.last_values["Current.Import.L3"].value, 14);
  EXPECT_EQ(c.last_values.size(), 6u);
}

TEST(Registry, TransactionsAttachToAndLeaveTheirConnector) {
  Registry r;
  r.load({pile("a")}, {});
  r.on_transaction("a", 2, 42);
  EXPECT_EQ(r.get("a")->connectors.at(0).transaction, 42);
  EXPECT_EQ(r.end_transaction("a", 41), std::nullopt);
  EXPECT_EQ(r.end_transaction("a", 42), 2);
  EXPECT_EQ(r.get("a")->connectors.at(0).transaction, std::nullopt);
}

TEST(Registry, UpsertKeepsLiveFieldsAndRemoveForgets) {
  Registry r;
  r.load({pile("a")}, {});
  domain::PileBooted boot;
  boot.pile = "a";
  boot.vendor = "ACME";
  boot.at = from_millis(9);
  r.on_boot(boot);
  auto rec = pile("a");
  rec.registration = "Pending";
  r.upsert_pile(rec);
  auto s = r.get("a");
  EXPECT_EQ(s->registration, "Pending");
  EXPECT_EQ(s->vendor, "ACME");
  EXPECT_EQ(s->last_boot, from_millis(9));
  r.remove_pile("a");
  EXPECT_FALSE(r.exists("a"));
  EXPECT_FALSE(r.get("a"));
}

TEST(Registry, CountsFaultedAndChargingPilesOnce) {
  Registry r;
  r.load({pile("a"), pile("b")}, {});
  r.on_connector_status(status("a", 1, "Charging"));
  r.on_connector_status(status("a", 2, "Charging"));
  r.on_connector_status(status("b", 0, "Faulted"));
  auto c = r.counts();
  EXPECT_EQ(c.charging, 1u);
  EXPECT_EQ(c.faulted, 1u);
  EXPECT_EQ(c.online, 0u);
}

}  // namespace
}  // namespace cp::services

namespace cp::services {
namespace {

TEST(RegistryOnlineCount, FollowsAttachDetachAndRemoval) {
  Registry r;
  r.load({pile("a"), pile("b")}, {});
  auto la = std::make_shared<TestLink>();
  auto lb = std::make_shared<TestLink>();
  r.attach("a", la, from_millis(1));
  r.attach("b", lb, from_millis(1));
  r.attach("a", std::make_shared<TestLink>(), from_millis(2));  // replacement: still one
  EXPECT_EQ(r.online_count(), 2u);
  r.remove_pile("b");  // deleted while connected
  EXPECT_EQ(r.online_count(), 1u);
  EXPECT_FALSE(r.detach("b", lb.get(), from_millis(3)));
  EXPECT_FALSE(r.detach("a", la.get(), from_millis(3)));  // stale link
  EXPECT_EQ(r.online_count(), 1u);
  EXPECT_EQ(r.counts().online, 1u);
}

TEST(RegistryProtocol, IsThePilesProtocolOrNothingForAnUnknownPile) {
  Registry r;
  r.load({pile("a", "ykc")}, {});
  EXPECT_EQ(r.protocol("a"), std::optional<std::string>("ykc"));
  EXPECT_FALSE(r.protocol("b"));
  r.remove_pile("a");
  EXPECT_FALSE(r.protocol("a"));
}

TEST(LastValues, FindsEveryKeyWhateverOrderTheyArriveInAndListsThemByKey) {
  LastValues v;
  const std::vector<std::string> keys = {"Voltage", "Current.Import.L1", "Current.Import.L2", "SoC", "Energy"};
  for (std::size_t i = 0; i < keys.size(); ++i) v[keys[i]].value = static_cast<double>(i);
  // Same order, reversed order, and one key again and again: each lands on its own entry.
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(v[keys[i]].value, static_cast<double>(i));
    for (std::size_t i = keys.size(); i-- > 0;) EXPECT_EQ(v[keys[i]].value, static_cast<double>(i));
    EXPECT_EQ(v["SoC"].value, 3);
    EXPECT_EQ(v["SoC"].value, 3);
  }
  EXPECT_EQ(v.size(), keys.size());
  EXPECT_EQ(v.count("Current.Import.L3"), 0u);
  EXPECT_THROW(v.at("Current.Import.L3"), std::out_of_range);
  EXPECT_EQ(v.at("Energy").value, 4);
  std::vector<std::string> listed;
  for (const auto* e : v.sorted()) listed.push_back(e->first);
  EXPECT_EQ(listed, (std::vector<std::string>{"Current.Import.L1", "Current.Import.L2", "Energy", "SoC", "Voltage"}));
}

}  // namespace
}  // namespace cp::services
