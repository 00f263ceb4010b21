// SqliteStore::command / commands: the remote-control command history (0004_commands.sql).
// Ids are time-ordered text, so "newest first" and the `before` cursor are both plain id order
// on the primary key or the (pile, id) index.
#include <algorithm>
#include <string>

#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace cp::store::sqlite {
namespace {

constexpr const char* kCommandColumns =
    "SELECT id, pile, type, args, status, detail, response, created_by, created, updated FROM commands";

CommandRecord read_command(const Stmt& s) {
  CommandRecord c;
  c.id = s.text(0);
  c.pile = s.text(1);
  c.type = s.text(2);
  c.args_json = s.text(3);
  c.status = s.text(4);
  c.detail = s.text(5);
  c.response_json = s.opt_text(6);
  c.created_by = s.text(7);
  c.created = s.time(8);
  c.updated = s.time(9);
  return c;
}

}  // namespace

Result<std::optional<CommandRecord>> SqliteStore::command(const std::string& id) {
  return first(query<CommandRecord>(readers_, std::string(kCommandColumns) + " WHERE id = ?",
                                    [&](Stmt& s) { s.bind(1, id); }, read_command));
}

Result<std::vector<CommandRecord>> SqliteStore::commands(const CommandQuery& q) {
  std::string sql = kCommandColumns;
  sql += " WHERE 1";
  if (q.pile) sql += " AND pile = ?1";
  if (q.open_only) sql += " AND status IN ('Pending', 'Sent')";
  if (q.before) sql += " AND id < ?2";
  sql += " ORDER BY id DESC LIMIT ?3";
  return query<CommandRecord>(
      readers_, sql,
      [&](Stmt& s) {
        if (q.pile) s.bind(1, *q.pile);
        if (q.before) s.bind(2, *q.before);
        s.bind(3, std::max(q.limit, 0));
      },
      read_command);
}

}  // namespace cp::store::sqlite
