// ConfigJobs over the real SQLite store, with scripted pile links and a manual scheduler: the
// job state machine (per-parameter results, offline piles, waiting and expiry, rate limits,
// resume after restart) without sockets.
#include <gtest/gtest.h>

#include <deque>

#include "core/scheduler.h"
#include "services/config_jobs.h"
#include "unit/services/capture.h"
#include "unit/services/fake_store.h"
#include "unit/services/temp_sqlite.h"

namespace cp::services {
namespace {

using domain::ParameterStatus;
using cp::testing::Capture;

// A pile session that records the commands it gets; the test answers them.
struct ScriptedLink final : PileLink {
  struct Received {
    domain::Command command;
    domain::CommandObserver observer;
  };
  void close(const std::string&) override {}
  std::string remote_address() const override { return "test"; }
  void execute(domain::Command c, domain::CommandObserver o) override {
    std::lock_guard lock(mu);
    received.push_back({std::move(c), std::move(o)});
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return received.size();
  }
  Received take() {
    std::lock_guard lock(mu);
    auto r = std::move(received.front());
    received.pop_front();
    return r;
  }
  std::mutex mu;
  std::deque<Received> received;
};

domain::ParameterResult answer(const std::string& parameter, ParameterStatus s, std::string reported = {}) {
  domain::ParameterResult r;
  r.parameter = parameter;
  r.status = s;
  if (!reported.empty()) r.reported_value = reported;
  return r;
}

struct ConfigJobsTest : ::testing::Test {
  cp::testing::TempSqlite db;
  cp::testing::FakeClock clock;
  Metrics metrics;
  Registry registry;
  ManualScheduler scheduler;
  EventBus bus;
  std::vector<std::string> events;
  std::mutex events_mu;
  std::unique_ptr<ConfigJobs> jobs;

  ConfigJobsTest() {
    bus.subscribe([this](const std::shared_ptr<const LiveEvent>& e) {
      std::lock_guard lock(events_mu);
      events.push_back(e->type + " " + e->pile + " " + e->json);
    });
    make_jobs();
  }
  void make_jobs(ConfigJobsOptions o = {}) {
    jobs.reset();
    jobs = std::make_unique<ConfigJobs>(*db, registry, &bus, scheduler, clock, metrics, o);
  }

  void add_pile(const std::string& id, const std::string& protocol = "ocpp1.6") {
    store::PileRecord p;
    p.id = id;
    p.protocol = protocol;
    p.created = clock.now();
    registry.upsert_pile(p);
    Capture<Status> done;
    db->submit({store::UpsertPile{p}}, done.callback());
    ASSERT_TRUE(done.wait().ok());
  }
  std::shared_ptr<ScriptedLink> connect(const std::string& id) {
    auto link = std::make_shared<ScriptedLink>();
    registry.attach(id, link, clock.now());
    return link;
  }

  // Drives the scheduler and the store until both are idle.
  void settle() {
    for (int i = 0; i < 20; ++i) {
      db->flush();
      if (scheduler.run_ready() == 0) {
        db->flush();
        if (scheduler.run_ready() == 0) return;
      }
    }
  }

  std::string create(std::vector<std::string> piles, std::vector<domain::ParameterSetting> params,
                     bool deliver_when_online = false) {
    NewConfigJob job;
    job.actor = "ops";
    job.targets_json = "{}";
    job.parameters = params;
    job.deliver_when_online = deliver_when_online;
    job.expires_in = std::chrono::seconds(3600);
    for (const auto& p : piles) {
      auto live = registry.get(p);
      job.targets.push_back({p, live ? live->protocol : "ocpp1.6", params});
    }
    Capture<Result<std::string>> reply;
    jobs->create(std::move(job), {}, reply.callback());
    auto id = reply.wait();
    EXPECT_TRUE(id.ok());
    settle();
    return id.ok() ? *id : "";
  }

  std::map<std::string, std::string> results(const std::string& job, const std::string& pile) {
    std::map<std::string, std::string> out;
    auto rows = db->config_job_results(job);
    EXPECT_TRUE(rows.ok());
    for (const auto& r : *rows)
      if (r.pile == pile) out[r.parameter] = r.status;
    return out;
  }
  std::string pile_state(const std::string& job, const std::string& pile) {
    const auto piles = db->config_job_piles(job);  // keep the Result alive while iterating
    for (const auto& p : *piles)
      if (p.pile == pile) return p.state;
    return "";
  }
  std::string job_state(const std::string& job) { return (*db->config_job(job))->state; }
};

const std::vector<domain::ParameterSetting> kTwo = {{"heartbeat_interval", "60"},
                                                     {"meter_value_sample_interval", "30"}};

TEST_F(ConfigJobsTest, EachParameterResultIsStoredAndPublished) {
  add_pile("CP-1");
  auto link = connect("CP-1");
  const auto id = create({"CP-1"}, kTwo);
  ASSERT_EQ(link->count(), 1u);
  auto got = link->take();
  const auto& apply = std::get<domain::ApplyConfig>(got.command);
  ASSERT_EQ(apply.settings.size(), 2u);
  EXPECT_EQ(apply.settings[0].parameter, "heartbeat_interval");
  EXPECT_EQ(apply.settings[0].value, "60");
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Pending");
  EXPECT_EQ(pile_state(id, "CP-1"), "Running");

  got.observer.parameter(answer("heartbeat_interval", ParameterStatus::Accepted));
  settle();
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Accepted");
  EXPECT_EQ(results(id, "CP-1")["meter_value_sample_interval"], "Pending");

  domain::CommandOutcome outcome;
  outcome.status = "Accepted";
  outcome.parameters = {answer("heartbeat_interval", ParameterStatus::Accepted, "60"),
                        answer("meter_value_sample_interval", ParameterStatus::RebootRequired, "30")};
  outcome.configuration = {{"HeartbeatInterval", "heartbeat_interval", "60", false}};
  got.observer.done(outcome);
  settle();
  EXPECT_EQ(results(id, "CP-1")["meter_value_sample_interval"], "RebootRequired");
  EXPECT_EQ(pile_state(id, "CP-1"), "Done");
  EXPECT_EQ(job_state(id), "Completed");
  auto config = db->pile_config("CP-1");
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(config->size(), 1u);
  EXPECT_EQ((*config)[0].key, "HeartbeatInterval");
  EXPECT_EQ((*config)[0].value, std::optional<std::string>("60"));
  auto rows = *db->config_job_results(id);
  for (const auto& r : rows)
    if (r.parameter == "heartbeat_interval") {
      EXPECT_EQ(r.reported_value, std::optional<std::string>("60"));
    }

  std::lock_guard lock(events_mu);
  auto has = [&](const std::string& needle) {
    return std::any_of(events.begin(), events.end(), [&](const auto& e) { return e.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("config_job.parameter CP-1"));
  EXPECT_TRUE(has("\"status\":\"RebootRequired\""));
  EXPECT_TRUE(has("config_job.state"));
}

TEST_F(ConfigJobsTest, OfflinePilesAreOfflineWithoutDeliverWhenOnline) {
  add_pile("CP-1");
  add_pile("CP-2");
  auto link = connect("CP-1");
  const auto id = create({"CP-1", "CP-2"}, kTwo);
  EXPECT_EQ(results(id, "CP-2")["heartbeat_interval"], "Offline");
  EXPECT_EQ(pile_state(id, "CP-2"), "Done");
  EXPECT_EQ(job_state(id), "Running");  // CP-1 still runs
  auto got = link->take();
  got.observer.done({"Timeout", "the pile did not answer ChangeConfiguration within 30 s", "", {}, {}, {}});
  settle();
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Timeout");
  EXPECT_EQ(results(id, "CP-1")["meter_value_sample_interval"], "Timeout");
  EXPECT_EQ(job_state(id), "Completed");
}

TEST_F(ConfigJobsTest, ParametersAProtocolCannotCarryAreNotSupportedWithoutSending) {
  add_pile("CP-1");
  auto link = connect("CP-1");
  const auto id = create({"CP-1"}, {{"work_enabled", "false"}, {"heartbeat_interval", "60"}});
  EXPECT_EQ(results(id, "CP-1")["work_enabled"], "NotSupported");
  auto got = link->take();
  const auto& apply = std::get<domain::ApplyConfig>(got.command);
  ASSERT_EQ(apply.settings.size(), 1u);  // only what OCPP 1.6 can carry goes out
  EXPECT_EQ(apply.settings[0].parameter, "heartbeat_interval");
}

TEST_F(ConfigJobsTest, WaitingPilesAreDeliveredWhenTheyConnect) {
  add_pile("CP-1");
  const auto id = create({"CP-1"}, kTwo, /*deliver_when_online=*/true);
  EXPECT_EQ(pile_state(id, "CP-1"), "Waiting");
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Pending");
  auto link = connect("CP-1");
  jobs->pile_online("CP-1");
  settle();
  ASSERT_EQ(link->count(), 1u);
  EXPECT_EQ(pile_state(id, "CP-1"), "Running");
  // The connection drops mid-job: the parameters wait again instead of becoming Offline.
  auto got = link->take();
  registry.detach("CP-1", link.get(), clock.now());
  got.observer.done({"Offline", "connection closed", "", {}, {}, {}});
  settle();
  EXPECT_EQ(pile_state(id, "CP-1"), "Waiting");
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Pending");
}

TEST_F(ConfigJobsTest, WaitingPilesBecomeOfflineWhenTheJobExpires) {
  add_pile("CP-1");
  const auto id = create({"CP-1"}, kTwo, /*deliver_when_online=*/true);
  EXPECT_EQ(pile_state(id, "CP-1"), "Waiting");
  clock.advance(std::chrono::seconds(3601));
  scheduler.advance(std::chrono::seconds(3601));
  settle();
  EXPECT_EQ(results(id, "CP-1")["heartbeat_interval"], "Offline");
  EXPECT_EQ(job_state(id), "Completed");
  auto rows = *db->config_job_results(id);
  EXPECT_NE(rows[0].detail.find("expired"), std::string::npos);
}

TEST_F(ConfigJobsTest, DispatchIsLimitedFleetWide) {
  ConfigJobsOptions o;
  o.max_in_flight = 3;
  o.piles_per_second = 1000;
  make_jobs(o);
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<ScriptedLink>> links;
  for (int i = 0; i < 10; ++i) {
    ids.push_back("CP-" + std::to_string(i));
    add_pile(ids.back());
    links.push_back(connect(ids.back()));
  }
  const auto id = create(ids, kTwo);
  scheduler.advance(std::chrono::seconds(1));
  settle();
  std::size_t started = 0;
  for (auto& l : links) started += l->count();
  EXPECT_EQ(started, 3u);  // never more than max_in_flight at once
  EXPECT_EQ(jobs->in_flight(), 3u);
  for (auto& l : links)
    while (l->count()) l->take().observer.done({"Accepted", "", "", {answer("heartbeat_interval", ParameterStatus::Accepted), answer("meter_value_sample_interval", ParameterStatus::Accepted)}, {}, {}});
  settle();
  scheduler.advance(std::chrono::seconds(1));
  settle();
  started = 0;
  for (auto& l : links) started += l->count();
  EXPECT_EQ(started, 3u);  // the next three
  (void)id;
}

TEST_F(ConfigJobsTest, PilesPerSecondPacesNewDeliveries) {
  ConfigJobsOptions o;
  o.max_in_flight = 100;
  o.piles_per_second = 10;
  make_jobs(o);
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<ScriptedLink>> links;
  for (int i = 0; i < 40; ++i) {
    ids.push_back("CP-" + std::to_string(i));
    add_pile(ids.back());
    links.push_back(connect(ids.back()));
  }
  create(ids, kTwo);
  auto started = [&] {
    std::size_t n = 0;
    for (auto& l : links) n += l->count();
    return n;
  };
  EXPECT_LE(started(), 10u);  // the initial burst
  scheduler.advance(std::chrono::seconds(1));
  settle();
  EXPECT_GE(started(), 15u);
  EXPECT_LE(started(), 21u);
  scheduler.advance(std::chrono::seconds(3));
  settle();
  EXPECT_EQ(started(), 40u);
}

TEST_F(ConfigJobsTest, ResumeRedeliversWhatWasInFlight) {
  add_pile("CP-1");
  add_pile("CP-2");
  auto link1 = connect("CP-1");
  const auto id = create({"CP-1", "CP-2"}, kTwo, /*deliver_when_online=*/true);
  ASSERT_EQ(link1->count(), 1u);
  link1->take().observer.parameter(answer("heartbeat_interval", ParameterStatus::Accepted));
  settle();
  // "Restart": a new service on the same store; the old one's pile never answered.
  make_jobs();
  registry.detach("CP-1", link1.get(), clock.now());
  auto again = connect("CP-1");
  ASSERT_TRUE(jobs->resume().ok());
  settle();
  scheduler.advance(std::chrono::seconds(1));
  settle();
  ASSERT_EQ(again->count(), 1u);
  auto got = again->take();
  const auto& apply = std::get<domain::ApplyConfig>(got.command);
  ASSERT_EQ(apply.settings.size(), 1u);  // only what had no answer yet
  EXPECT_EQ(apply.settings[0].parameter, "meter_value_sample_interval");
  EXPECT_EQ(pile_state(id, "CP-2"), "Waiting");  // still waits for CP-2
  auto link2 = connect("CP-2");
  jobs->pile_online("CP-2");
  settle();
  EXPECT_EQ(link2->count(), 1u);
}

TEST(ConfigJobsDigest, DependsOnTheRequest) {
  NewConfigJob a;
  a.targets_json = R"({"all":true})";
  a.parameters = {{"heartbeat_interval", "60"}};
  auto b = a;
  EXPECT_EQ(ConfigJobs::digest(a), ConfigJobs::digest(b));
  b.parameters[0].value = "61";
  EXPECT_NE(ConfigJobs::digest(a), ConfigJobs::digest(b));
  b = a;
  b.deliver_when_online = true;
  EXPECT_NE(ConfigJobs::digest(a), ConfigJobs::digest(b));
}

}  // namespace
}  // namespace cp::services
