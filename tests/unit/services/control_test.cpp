#include "services/control.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "unit/services/capture.h"
#include "unit/services/fake_store.h"

namespace cp::services {
namespace {

namespace json = boost::json;
using cp::testing::Capture;
using cp::testing::FakeClock;
using cp::testing::FakeStore;

// A pile session: keeps what it is asked to run; the test ends each command.
struct FakeLink final : PileLink {
  void close(const std::string&) override {}
  std::string remote_address() const override { return "127.0.0.1:1"; }
  void execute(domain::Command c, domain::CommandObserver o) override {
    std::lock_guard lock(mu);
    commands.push_back(std::move(c));
    observers.push_back(std::move(o));
  }
  void finish(std::size_t i, domain::CommandOutcome outcome) {
    domain::CommandObserver o;
    {
      std::lock_guard lock(mu);
      o = observers.at(i);
    }
    o.done(std::move(outcome));
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return commands.size();
  }
  std::mutex mu;
  std::vector<domain::Command> commands;
  std::vector<domain::CommandObserver> observers;
};

struct ControlTest : ::testing::Test {
  FakeStore store;
  FakeClock clock;
  Metrics metrics;
  Registry registry;
  EventBus bus;
  std::mutex posted_mu;
  std::deque<std::function<void()>> posted;
  std::vector<std::shared_ptr<const LiveEvent>> events;
  std::unique_ptr<Control> control;

  void SetUp() override {
    bus.subscribe([this](const std::shared_ptr<const LiveEvent>& e) {
      std::lock_guard lock(posted_mu);
      events.push_back(e);
    });
    control = std::make_unique<Control>(store, registry, bus, clock, metrics, [this](std::function<void()> fn) {
      std::lock_guard lock(posted_mu);
      posted.push_back(std::move(fn));
    });
    add_pile("CP-1");
  }
  void TearDown() override { store.close(); }

  void add_pile(const std::string& id) {
    store::PileRecord p;
    p.id = id;
    p.protocol = "ocpp1.6";
    registry.upsert_pile(p);
  }
  // Runs what Control posted (the io thread's part), in order.
  void run_posted() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(posted_mu);
        if (posted.empty()) return;
        fn = std::move(posted.front());
        posted.pop_front();
      }
      fn();
    }
  }
  std::string submit(domain::Command c, std::string pile = "CP-1") {
    Capture<Result<std::string>> accepted;
    control->submit({std::move(pile), std::move(c), R"({"type":"soft"})", "alice", std::nullopt}, accepted.callback());
    auto& r = accepted.wait();
    store.flush();  // the completion posts the dispatch just after it reports acceptance
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  }
  store::CommandRecord stored(const std::string& id) {
    store.flush();
    auto c = store.command(id);
    EXPECT_TRUE(c.ok() && c->has_value()) << id;
    return c.ok() && c->has_value() ? **c : store::CommandRecord{};
  }
  std::size_t event_count() {
    std::lock_guard lock(posted_mu);
    return events.size();
  }
};

TEST_F(ControlTest, AcceptsOnlyOnceThePendingCommandIsDurable) {
  store.hold();
  Capture<Result<std::string>> accepted;
  control->submit({"CP-1", domain::Reset{false}, "{}", "alice", std::nullopt}, accepted.callback());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(accepted.done());
  store.release();
  ASSERT_TRUE(accepted.wait().ok());
  EXPECT_NE(accepted.thread(), std::this_thread::get_id());  // from the store's writer, after COMMIT
  const auto c = stored(*accepted.wait());
  EXPECT_EQ(c.status, "Pending");
  EXPECT_EQ(c.type, "reset");
  EXPECT_EQ(c.pile, "CP-1");
  EXPECT_EQ(c.created_by, "alice");
  EXPECT_EQ(c.args_json, "{}");
}

TEST_F(ControlTest, UnknownPileIsRefusedAndNothingIsRecorded) {
  Capture<Result<std::string>> accepted;
  control->submit({"CP-NONE", domain::ClearCache{}, "{}", "alice", std::nullopt}, accepted.callback());
  ASSERT_FALSE(accepted.wait().ok());
  EXPECT_EQ(accepted.wait().error().code, "pile_not_found");
  store.flush();
  EXPECT_TRUE(store.ops<store::InsertCommand>().empty());
}

TEST_F(ControlTest, TheProtocolsCheckRefusesACommandBeforeAnythingIsStored) {
  std::vector<std::string> checked;
  control->check_commands_for("ocpp1.6", [&checked](const domain::Command& c) -> Status {
    checked.push_back(domain::command_type(c));
    if (std::holds_alternative<domain::Reset>(c)) return fail("invalid_command_args", "Reset: no");
    return {};
  });
  control->check_commands_for("ykc", [](const domain::Command&) -> Status { return fail("x", "never for ocpp"); });
  auto link = std::make_shared<FakeLink>();
  registry.attach("CP-1", link, clock.now());
  Capture<Result<std::string>> refused;
  control->submit({"CP-1", domain::Reset{true}, "{}", "alice", std::nullopt}, refused.callback());
  ASSERT_FALSE(refused.wait().ok());
  EXPECT_EQ(refused.wait().error().code, "invalid_command_args");
  EXPECT_EQ(refused.wait().error().message, "Reset: no");
  store.flush();
  run_posted();
  EXPECT_TRUE(store.ops<store::InsertCommand>().empty());
  EXPECT_EQ(link->count(), 0u);
  // A command the check passes goes on as usual; only the pile's own protocol's check runs.
  submit(domain::ClearCache{});
  run_posted();
  EXPECT_EQ(link->count(), 1u);
  EXPECT_EQ(checked, (std::vector<std::string>{"reset", "clear_cache"}));
}

TEST_F(ControlTest, StoreFailureIsReportedAndTheCommandIsNotSent) {
  auto link = std::make_shared<FakeLink>();
  registry.attach("CP-1", link, clock.now());
  store.fail_next(1, "io_error");
  Capture<Result<std::string>> accepted;
  control->submit({"CP-1", domain::ClearCache{}, "{}", "alice", std::nullopt}, accepted.callback());
  ASSERT_FALSE(accepted.wait().ok());
  EXPECT_EQ(accepted.wait().error().code, "io_error");
  run_posted();
  EXPECT_EQ(link->count(), 0u);
}

TEST_F(ControlTest, CommandToAPileWithoutSessionEndsOfflineAndIsPublished) {
  const auto id = submit(domain::Reset{true});
  run_posted();
  const auto c = stored(id);
  EXPECT_EQ(c.status, "Offline");
  EXPECT_FALSE(c.response_json.has_value());
  ASSERT_EQ(event_count(), 1u);
  EXPECT_EQ(events[0]->type, "command.result");
  EXPECT_EQ(events[0]->pile, "CP-1");
  auto e = json::parse(events[0]->json);
  EXPECT_EQ(e.at("command"), json::value(id));
  EXPECT_EQ(e.at("status"), "Offline");
  EXPECT_TRUE(e.at("response").is_null());
}

TEST_F(ControlTest, SentCommandGetsThePilesAnswerRecordedBeforeItIsPublished) {
  auto link = std::make_shared<FakeLink>();
  registry.attach("CP-1", link, clock.now());
  const auto id = submit(domain::Unlock{2});
  run_posted();
  ASSERT_EQ(link->count(), 1u);
  EXPECT_TRUE(std::holds_alternative<domain::Unlock>(link->commands[0]));
  EXPECT_EQ(stored(id).status, "Sent");

  store.hold();
  clock.advance(std::chrono::seconds(2));
  link->finish(0, {"Unlocked", "", R"({"status":"Unlocked"})", {}, {}, {}});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(event_count(), 0u) << "published before the final status was durable";
  store.release();
  const auto c = stored(id);
  EXPECT_EQ(c.status, "Unlocked");
  EXPECT_EQ(c.response_json, std::optional<std::string>(R"({"status":"Unlocked"})"));
  EXPECT_EQ(c.updated, clock.now());
  ASSERT_EQ(event_count(), 1u);
  auto e = json::parse(events[0]->json).as_object();
  EXPECT_EQ(e.at("type"), "command.result");
  EXPECT_EQ(e.at("command_type"), "unlock");
  EXPECT_EQ(e.at("status"), "Unlocked");
  EXPECT_EQ(e.at("response"), (json::value{{"status", "Unlocked"}}));
  EXPECT_EQ(e.at("at"), json::value(format_rfc3339(clock.now())));
  EXPECT_EQ(metrics.counter("chargeplane_commands_total", "", {{"type", "unlock"}, {"status", "Unlocked"}}).value(),
            1u);
}

TEST_F(ControlTest, FailedFinalWriteIsNotPublished) {
  auto link = std::make_shared<FakeLink>();
  registry.attach("CP-1", link, clock.now());
  const auto id = submit(domain::ClearCache{});
  run_posted();
  store.flush();
  store.fail_next(1, "io_error");
  link->finish(0, {"Accepted", "", R"({"status":"Accepted"})", {}, {}, {}});
  store.flush();
  EXPECT_EQ(stored(id).status, "Sent");
  EXPECT_EQ(event_count(), 0u);
}

TEST_F(ControlTest, IdsAreUniqueAndSortByCreationWithinOneMillisecond) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(submit(domain::ClearCache{}));
  clock.advance(std::chrono::milliseconds(1));
  ids.push_back(submit(domain::ClearCache{}));
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
  store::CommandQuery q;
  q.pile = "CP-1";
  q.limit = 3;
  auto page = control->history(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ(page->front().id, ids.back());
}

TEST_F(ControlTest, RecoveryMarksPendingAndSentCommandsInterrupted) {
  auto link = std::make_shared<FakeLink>();
  registry.attach("CP-1", link, clock.now());
  const auto sent = submit(domain::ClearCache{});
  run_posted();  // Sent, never answered
  const auto done = submit(domain::ClearCache{});
  run_posted();
  link->finish(1, {"Accepted", "", "", {}, {}, {}});
  const auto pending = submit(domain::ClearCache{});  // committed, never dispatched
  store.flush();
  ASSERT_EQ(stored(done).status, "Accepted");
  ASSERT_EQ(stored(pending).status, "Pending");

  Control restarted(store, registry, bus, clock, metrics, [](std::function<void()>) {});
  auto n = restarted.recover_interrupted();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(stored(pending).status, "Interrupted");
  EXPECT_EQ(stored(sent).status, "Interrupted");
  EXPECT_FALSE(stored(sent).detail.empty());
  EXPECT_EQ(stored(done).status, "Accepted");
}

}  // namespace
}  // namespace cp::services
