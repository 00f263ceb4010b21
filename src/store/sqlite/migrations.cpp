#include "store/sqlite/migrations.h"

#include <fmt/format.h>

#include <string>

namespace cp::store::sqlite {
namespace {

Result<int> current_version(Db& db) {
  auto q = Stmt::prepare(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q) return fail(q.error());
  auto row = q->step();
  if (!row) return fail(row.error());
  return static_cast<int>(q->int64(0));
}

Status apply_pending(Db& db, std::span<const Migration> all, int from, Timestamp now) {
  auto record = Stmt::prepare(db.get(),
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  if (!record) return fail(record.error());
  for (const Migration& m : all) {
    if (m.version <= from) continue;
    const std::string sql(m.sql);  // exec needs a NUL-terminated string
    if (auto s = db.exec(sql.c_str()); !s) {
      return fail("migration_failed", fmt::format("migration {:04}_{}: {}", m.version, m.name,
                                                  s.error().message));
    }
    record->bind(1, m.version);
    record->bind(2, m.name);
    record->bind(3, now);
    if (auto s = record->run(); !s) return s;
  }
  return {};
}

}  // namespace

Result<int> migrate(Db& db, Timestamp now) {
  const auto all = embedded_migrations();
  for (std::size_t i = 0; i < all.size(); ++i) {
    // A gap or reordering is a build mistake, not a runtime condition.
    if (all[i].version != static_cast<int>(i) + 1)
      return fail("migration_failed", fmt::format("embedded migrations are not numbered 1..N "
                                                  "(found {} at position {})", all[i].version, i + 1));
  }
  const int latest = static_cast<int>(all.size());

  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at INTEGER NOT NULL)");
      !s)
    return fail(s.error());
  // IMMEDIATE: two processes opening the same new database do not both migrate it.
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return fail(s.error());
  auto version = current_version(db);
  Status applied;
  if (!version) {
    applied = fail(version.error());
  } else if (*version > latest) {
    applied = fail("schema_too_new",
                   fmt::format("database schema version {} is newer than this binary supports "
                               "({}); upgrade chargeplane before opening it", *version, latest));
  } else {
    applied = apply_pending(db, all, *version, now);
  }
  if (!applied) {
    (void)db.exec("ROLLBACK");
    return fail(applied.error());
  }
  if (auto s = db.exec("COMMIT"); !s) {
    (void)db.exec("ROLLBACK");
    return fail(s.error());
  }
  return latest;
}

}  // namespace cp::store::sqlite
