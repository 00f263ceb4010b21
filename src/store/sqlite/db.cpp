#include "store/sqlite/db.h"

#include <fmt/format.h>

namespace cp::store::sqlite {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  const char* code = primary == SQLITE_CONSTRAINT                       ? "constraint"
                     : (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? "busy"
                                                                         : "storage_error";
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{code, fmt::format("{}: {} ({})", what, msg, rc)};
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

namespace {
// Must run before SQLite initialises (the first open does that); afterwards sqlite3_config
// refuses with SQLITE_MISUSE and the statistics simply stay on.
void configure_sqlite_once() {
  static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)rc;
}
}  // namespace

Result<Db> Db::open(const std::string& path, int flags) {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db owned(db);  // closes on every path, even when open failed with a handle
  if (rc != SQLITE_OK) return fail(sqlite_error(db, rc, "open " + path));
  sqlite3_extended_result_codes(db, 1);
  return owned;
}

Status Db::exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  Error e = sqlite_error(db_, rc, "exec");
  e.message = fmt::format("exec: {} ({})", msg, rc);
  return fail(std::move(e));
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (s_) sqlite3_finalize(s_);
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (s_) sqlite3_finalize(s_);
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return fail(sqlite_error(db, rc, fmt::format("prepare '{}'", sql)));
  return Stmt(s);
}

Result<bool> Stmt::step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(sqlite_error(sqlite3_db_handle(s_), rc, "step"));
}

Status Stmt::run() {
  StmtReset guard(*this);
  for (;;) {
    auto r = step();
    if (!r) return fail(r.error());
    if (!*r) return {};
  }
}

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

}  // namespace cp::store::sqlite
