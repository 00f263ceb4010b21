// The read side of SqliteStore (telemetry: telemetry_reads.cpp): every query runs on a leased read-only connection with a cached
// statement, so concurrent API reads neither block each other (up to the pool size) nor the writer.
#include <string>

#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace cp::store::sqlite {
namespace {

constexpr const char* kPileColumns =
    "SELECT id, protocol, password_hash, registration, vendor, model, serial, firmware, last_seen,"
    " last_boot, created, cipher, sealed_key, key_fingerprint, protocol_options FROM piles";
constexpr const char* kTxColumns =
    "SELECT id, pile, connector, id_tag, meter_start_wh, started, meter_stop_wh, stopped,"
    " stop_reason, stop_id_tag, external_id FROM transactions";

PileRecord read_pile(const Stmt& s) {
  PileRecord p;
  p.id = s.text(0);
  p.protocol = s.text(1);
  p.password_hash = s.text(2);
  p.registration = s.text(3);
  p.vendor = s.text(4);
  p.model = s.text(5);
  p.serial = s.text(6);
  p.firmware = s.text(7);
  p.last_seen = s.opt_time(8);
  p.last_boot = s.opt_time(9);
  p.created = s.time(10);
  p.cipher = s.text(11);
  p.sealed_key = s.text(12);
  p.key_fingerprint = s.text(13);
  p.protocol_options = s.text(14);
  return p;
}

ConnectorRecord read_connector(const Stmt& s) {
  return ConnectorRecord{s.text(0), static_cast<int>(s.int64(1)), s.text(2), s.text(3),
                         s.text(4), s.text(5), s.time(6)};
}

IdTagRecord read_id_tag(const Stmt& s) {
  return IdTagRecord{s.text(0), s.text(1), s.opt_time(2), s.opt_text(3)};
}

TransactionRecord read_tx(const Stmt& s) {
  TransactionRecord t;
  t.id = s.int64(0);
  t.pile = s.text(1);
  t.connector = static_cast<int>(s.int64(2));
  t.id_tag = s.text(3);
  t.meter_start_wh = s.int64(4);
  t.started = s.time(5);
  if (!s.is_null(6)) t.meter_stop_wh = s.int64(6);
  t.stopped = s.opt_time(7);
  t.stop_reason = s.opt_text(8);
  t.stop_id_tag = s.opt_text(9);
  t.external_id = s.text(10);
  return t;
}

RejectedFrame read_rejected(const Stmt& s) {
  return RejectedFrame{s.text(0), s.time(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

UserRecord read_user(const Stmt& s) {
  return UserRecord{s.text(0), s.text(1), s.text(2), s.time(3)};
}


}  // namespace

Result<std::vector<PileRecord>> SqliteStore::piles() {
  return query<PileRecord>(readers_, std::string(kPileColumns) + " ORDER BY id", kNoParams,
                           read_pile);
}

Result<std::optional<PileRecord>> SqliteStore::pile(const PileId& id) {
  return first(query<PileRecord>(readers_, std::string(kPileColumns) + " WHERE id = ?",
                                 [&](Stmt& s) { s.bind(1, id); }, read_pile));
}

Result<std::vector<ConnectorRecord>> SqliteStore::connectors(const PileId& pile) {
  return query<ConnectorRecord>(
      readers_,
      "SELECT pile, connector, status, error_code, vendor_error_code, info, updated"
      " FROM connectors WHERE pile = ? ORDER BY connector",
      [&](Stmt& s) { s.bind(1, pile); }, read_connector);
}

Result<std::optional<IdTagRecord>> SqliteStore::id_tag(const std::string& id_tag) {
  return first(query<IdTagRecord>(
      readers_, "SELECT id_tag, status, expiry, parent_id_tag FROM id_tags WHERE id_tag = ?",
      [&](Stmt& s) { s.bind(1, id_tag); }, read_id_tag));
}

Result<std::vector<IdTagRecord>> SqliteStore::id_tags() {
  return query<IdTagRecord>(
      readers_, "SELECT id_tag, status, expiry, parent_id_tag FROM id_tags ORDER BY id_tag",
      kNoParams, read_id_tag);
}

Result<std::vector<TransactionRecord>> SqliteStore::transactions(const TransactionQuery& q) {
  std::string sql = kTxColumns;
  sql += " WHERE 1";
  if (q.pile) sql += " AND pile = ?1";
  if (q.before) sql += " AND id < ?2";
  sql += " ORDER BY id DESC LIMIT ?3";
  return query<TransactionRecord>(
      readers_, sql,
      [&](Stmt& s) {
        if (q.pile) s.bind(1, *q.pile);
        if (q.before) s.bind(2, *q.before);
        s.bind(3, std::max(q.limit, 0));
      },
      read_tx);
}

Result<std::optional<TransactionRecord>> SqliteStore::transaction(TransactionId id) {
  return first(query<TransactionRecord>(readers_, std::string(kTxColumns) + " WHERE id = ?",
                                        [&](Stmt& s) { s.bind(1, id); }, read_tx));
}

Result<std::optional<TransactionRecord>> SqliteStore::transaction_by_external_id(const PileId& pile,
                                                                                const std::string& external_id) {
  if (external_id.empty()) return std::optional<TransactionRecord>{};
  return first(query<TransactionRecord>(readers_, std::string(kTxColumns) + " WHERE pile = ? AND external_id = ?",
                                        [&](Stmt& s) {
                                          s.bind(1, pile);
                                          s.bind(2, external_id);
                                        },
                                        read_tx));
}

Result<std::vector<RejectedFrame>> SqliteStore::rejected_frames(int limit) {
  return query<RejectedFrame>(
      readers_,
      "SELECT pile, at, protocol, error_code, detail, raw FROM rejected_frames"
      " ORDER BY id DESC LIMIT ?",
      [&](Stmt& s) { s.bind(1, std::max(limit, 0)); }, read_rejected);
}

Result<std::optional<UserRecord>> SqliteStore::user(const std::string& username) {
  return first(query<UserRecord>(
      readers_, "SELECT username, password_hash, role, created FROM users WHERE username = ?",
      [&](Stmt& s) { s.bind(1, username); }, read_user));
}

Result<std::vector<UserRecord>> SqliteStore::users() {
  return query<UserRecord>(
      readers_, "SELECT username, password_hash, role, created FROM users ORDER BY username",
      kNoParams, read_user);
}

// ---- accounts: tokens and the audit log ----
namespace {

TokenRecord read_token(const Stmt& s) {
  TokenRecord t;
  t.id = s.text(0);
  t.kind = s.text(1);
  t.name = s.text(2);
  t.owner = s.text(3);
  t.role = s.text(4);
  const auto digest = s.blob(5);
  t.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  t.created = s.time(6);
  t.expires = s.opt_time(7);
  t.last_used = s.opt_time(8);
  t.revoked = s.opt_time(9);
  return t;
}

AuditRecord read_audit(const Stmt& s) {
  return AuditRecord{s.int64(0), s.time(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

}  // namespace

Result<std::vector<TokenRecord>> SqliteStore::live_tokens(Timestamp now) {
  return query<TokenRecord>(
      readers_,
      "SELECT id, kind, name, owner, role, digest, created, expires, last_used, revoked FROM tokens"
      " WHERE revoked IS NULL AND (expires IS NULL OR expires > ?) ORDER BY created, id",
      [&](Stmt& s) { s.bind(1, now); }, read_token);
}

Result<std::vector<AuditRecord>> SqliteStore::audit(const AuditQuery& q) {
  std::string sql = "SELECT id, at, actor, action, target, detail FROM audit WHERE 1";
  if (q.actor) sql += " AND actor = ?1";
  if (q.action) sql += " AND action = ?2";
  if (q.target) sql += " AND target = ?3";
  if (q.before) sql += " AND id < ?4";
  sql += " ORDER BY id DESC LIMIT ?5";
  return query<AuditRecord>(
      readers_, sql,
      [&](Stmt& s) {
        if (q.actor) s.bind(1, *q.actor);
        if (q.action) s.bind(2, *q.action);
        if (q.target) s.bind(3, *q.target);
        if (q.before) s.bind(4, *q.before);
        s.bind(5, std::max(q.limit, 0));
      },
      read_audit);
}

}  // namespace cp::store::sqlite
