#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

TEST(SqliteMigrations, CreatesDirectoryDatabaseInWalMode) {
  TempDir dir;
  auto o = options_in(dir);
  auto store = open_or_die(o);
  ASSERT_TRUE(std::filesystem::exists(o.path));
  RawDb raw(o.path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
}

TEST(SqliteMigrations, AppliesEveryMigrationOnceAndReopenIsIdempotent) {
  TempDir dir;
  auto o = options_in(dir);
  open_or_die(o)->close();
  std::int64_t versions = 0, applied_at = 0;
  {
    RawDb raw(o.path);
    versions = raw.scalar("SELECT COUNT(*) FROM schema_migrations");
    applied_at = raw.scalar("SELECT MAX(applied_at) FROM schema_migrations");
    EXPECT_GE(versions, 1);
    EXPECT_EQ(raw.scalar("SELECT COUNT(DISTINCT version) FROM schema_migrations"), versions);
    EXPECT_EQ(raw.scalar("SELECT MIN(version) FROM schema_migrations"), 1);
    EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), versions);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry'"), 1);
  }
  auto again = open_or_die(o);
  ASSERT_TRUE(write(*again, {UpsertPile{pile_record("CP-1")}}));
  again->close();
  RawDb raw(o.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations"), versions);
  EXPECT_EQ(raw.scalar("SELECT MAX(applied_at) FROM schema_migrations"), applied_at);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM piles"), 1);
}

TEST(SqliteMigrations, RefusesDatabaseNewerThanTheBinary) {
  TempDir dir;
  auto o = options_in(dir);
  open_or_die(o)->close();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO schema_migrations (version, name, applied_at)"
                           " VALUES (9999, 'from_the_future', 0)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto refused = open_sqlite(o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "schema_too_new");
  EXPECT_NE(refused.error().message.find("9999"), std::string::npos);
}

TEST(SqliteMigrations, FailsCleanlyWhenTheDirectoryCannotBeCreated) {
  TempDir dir;
  const auto blocker = dir.path() / "file";
  { std::ofstream(blocker) << "x"; }
  SqliteOptions o;
  o.path = (blocker / "sub" / "db.sqlite").string();
  auto refused = open_sqlite(o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "io_error");
}

TEST(SqliteMigrations, EnforcesForeignKeysOnTheWriteConnection) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  ConnectorRecord orphan{"NO-SUCH-PILE", 1, "Available", "NoError", "", "", at(1)};
  auto s = write(*store, {UpsertConnector{orphan}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "constraint");
}

}  // namespace
}  // namespace cp::store
