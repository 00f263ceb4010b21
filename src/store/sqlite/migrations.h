#pragma once
// Versioned schema migrations. The SQL lives in src/store/migrations/NNNN_name.sql and is
// embedded at build time (embed_migrations.cmake); versions are 1, 2, 3... without gaps.
// `migrate` applies every pending migration in order inside one IMMEDIATE transaction and
// records each in schema_migrations(version, name, applied_at). A database whose version is
// newer than the binary's is refused ("schema_too_new") and left untouched.
#include <span>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "store/sqlite/db.h"

namespace cp::store::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> embedded_migrations();  // generated

// Returns the schema version after migrating.
Result<int> migrate(Db& db, Timestamp now);

}  // namespace cp::store::sqlite
