#pragma once
// Read helpers shared by the SqliteStore read files: run one cached statement on a leased
// read-only connection and map its rows. Private to src/store/sqlite.
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite/db.h"
#include "store/sqlite/reader_pool.h"

namespace cp::store::sqlite {

// Runs `sql` on a leased reader: `bind(stmt)` binds parameters, `read(stmt)` maps each row.
template <class Row, class Bind, class Read>
inline Result<std::vector<Row>> query(ReaderPool& pool, const std::string& sql, const Bind& bind,
                               const Read& read) {
  auto lease = pool.acquire();
  if (!lease) return fail(lease.error());
  auto stmt = (*lease)->statement(sql);
  if (!stmt) return fail(stmt.error());
  Stmt& s = **stmt;
  StmtReset guard(s);
  bind(s);
  std::vector<Row> rows;
  for (;;) {
    auto more = s.step();
    if (!more) return fail(more.error());
    if (!*more) return rows;
    rows.push_back(read(s));
  }
}

template <class Row>
inline Result<std::optional<Row>> first(Result<std::vector<Row>> rows) {
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<Row>{};
  return std::optional<Row>{std::move(rows->front())};
}

inline constexpr auto kNoParams = [](Stmt&) {};

}  // namespace cp::store::sqlite
