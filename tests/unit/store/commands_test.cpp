// The commands table (0004_commands.sql) through the SQLite store: insert, update, history
// paging, and start-up recovery of unfinished commands.
#include <gtest/gtest.h>

#include "unit/store/store_test_support.h"

namespace cp::store {
namespace {

using namespace cp::store::testing;

CommandRecord command(const std::string& id, const std::string& pile, const std::string& status = "Pending") {
  CommandRecord c;
  c.id = id;
  c.pile = pile;
  c.type = "reset";
  c.args_json = R"({"type":"soft"})";
  c.status = status;
  c.created_by = "alice";
  c.created = c.updated = at(1000);
  return c;
}

struct CommandsStore : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Store> store = open_or_die(options_in(dir));
  void TearDown() override { store->close(); }
};

TEST_F(CommandsStore, InsertedCommandReadsBackWithoutResponse) {
  ASSERT_TRUE(write(*store, {InsertCommand{command("a1", "CP-1")}}).ok());
  auto c = store->command("a1");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->pile, "CP-1");
  EXPECT_EQ((*c)->type, "reset");
  EXPECT_EQ((*c)->args_json, R"({"type":"soft"})");
  EXPECT_EQ((*c)->status, "Pending");
  EXPECT_FALSE((*c)->response_json.has_value());
  EXPECT_EQ((*c)->created_by, "alice");
  EXPECT_EQ((*c)->created, at(1000));
  auto missing = store->command("zz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(CommandsStore, UpdateSetsStatusDetailAndResponseAndKeepsAResponseWhenNoneIsGiven) {
  ASSERT_TRUE(write(*store, {InsertCommand{command("a1", "CP-1")},
                             UpdateCommand{"a1", "Accepted", "", std::string(R"({"status":"Accepted"})"), at(2000)}})
                  .ok());
  ASSERT_TRUE(write(*store, {UpdateCommand{"a1", "Accepted", "noted", std::nullopt, at(3000)}}).ok());
  auto c = **store->command("a1");
  EXPECT_EQ(c.status, "Accepted");
  EXPECT_EQ(c.detail, "noted");
  EXPECT_EQ(c.response_json, std::optional<std::string>(R"({"status":"Accepted"})"));
  EXPECT_EQ(c.updated, at(3000));
}

TEST_F(CommandsStore, HistoryIsNewestFirstPerPileWithABeforeCursor) {
  ASSERT_TRUE(write(*store, {InsertCommand{command("a1", "CP-1")}, InsertCommand{command("a2", "CP-2")},
                             InsertCommand{command("a3", "CP-1")}, InsertCommand{command("a4", "CP-1")}})
                  .ok());
  CommandQuery q;
  q.pile = "CP-1";
  q.limit = 2;
  auto page = store->commands(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, "a4");
  EXPECT_EQ((*page)[1].id, "a3");
  q.before = "a3";
  page = store->commands(q);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, "a1");
}

TEST_F(CommandsStore, FinishOpenCommandsTouchesOnlyPendingAndSent) {
  ASSERT_TRUE(write(*store, {InsertCommand{command("a1", "CP-1", "Pending")}, InsertCommand{command("a2", "CP-1", "Sent")},
                             InsertCommand{command("a3", "CP-1", "Accepted")}})
                  .ok());
  CommandQuery open;
  open.open_only = true;
  EXPECT_EQ(store->commands(open)->size(), 2u);
  ASSERT_TRUE(write(*store, {FinishOpenCommands{"Interrupted", "restarted", at(5000)}}).ok());
  EXPECT_EQ((**store->command("a1")).status, "Interrupted");
  EXPECT_EQ((**store->command("a2")).status, "Interrupted");
  EXPECT_EQ((**store->command("a2")).detail, "restarted");
  EXPECT_EQ((**store->command("a3")).status, "Accepted");
  EXPECT_TRUE(store->commands(open)->empty());
}

}  // namespace
}  // namespace cp::store
