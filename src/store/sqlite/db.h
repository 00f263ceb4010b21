#pragma once
// Thin RAII over the SQLite C API for the store backend: a connection (`Db`) and a prepared
// statement (`Stmt`). Private to src/store/sqlite. A `Db` and its statements are used by one
// thread at a time (connections are opened SQLITE_OPEN_NOMUTEX); callers provide that.
// Errors become `cp::Error`: "constraint" for constraint violations (a caller's bad data),
// "busy" when the database stayed locked past busy_timeout, "storage_error" otherwise.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace cp::store::sqlite {

Error sqlite_error(sqlite3* db, int rc, std::string_view what);

class Db {
 public:
  Db() = default;
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // flags: SQLITE_OPEN_* (NOMUTEX is always added). The first open in the process also turns
  // off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS), which take a process-wide mutex
  // on every allocation; nothing here reads them.
  static Result<Db> open(const std::string& path, int flags);

  // Runs one or more statements without results.
  Status exec(const char* sql);
  sqlite3* get() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Persistent statements are kept for the life of the connection (SQLITE_PREPARE_PERSISTENT).
  static Result<Stmt> prepare(sqlite3* db, std::string_view sql);

  // Binding: 1-based indexes as in SQLite. Text is bound SQLITE_STATIC: the caller keeps the
  // string alive until the statement is reset (true for every use in this backend).
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bind(int i, Timestamp t) { bind(i, to_millis(t)); }
  void bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bind_null(int i) { sqlite3_bind_null(s_, i); }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v); else bind_null(i);
  }

  // Steps once: true = a row is available, false = done. Errors carry sqlite's message.
  Result<bool> step();
  // Steps to completion (for statements without rows) and resets.
  Status run();
  void reset() { sqlite3_reset(s_); }

  std::int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  double real(int col) const { return sqlite3_column_double(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  // Valid until the next step or reset of this statement.
  std::span<const std::uint8_t> blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, col));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(s_, col)) : 0};
  }
  Timestamp time(int col) const { return from_millis(int64(col)); }
  std::optional<Timestamp> opt_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }

 private:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when leaving scope, so a failed step never leaves it mid-execution.
class StmtReset {
 public:
  explicit StmtReset(Stmt& s) : s_(s) {}
  ~StmtReset() { s_.reset(); }
  StmtReset(const StmtReset&) = delete;
  StmtReset& operator=(const StmtReset&) = delete;

 private:
  Stmt& s_;
};

}  // namespace cp::store::sqlite
