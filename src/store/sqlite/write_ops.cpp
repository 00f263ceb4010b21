#include "store/sqlite/write_ops.h"

#include <array>
#include <optional>
#include <utility>
#include <variant>

namespace cp::store::sqlite {
namespace {

constexpr std::array<const char*, std::variant_size_v<WriteOp>> kOpNames{
    "upsert_pile",       "delete_pile",         "record_boot",          "touch_pile",
    "upsert_connector",  "start_transaction",   "stop_transaction",     "insert_telemetry",
    "upsert_id_tag",     "insert_data_transfer", "record_pile_status_report",
    "insert_rejected_frame", "upsert_user",     "delete_user",
    "insert_config_job", "update_config_job_state", "update_config_job_pile",
    "upsert_config_job_results", "record_pile_config", "upsert_acquisition_policy",
    "delete_acquisition_policy",
    "insert_token",      "revoke_token",        "revoke_tokens_of",     "touch_token",
    "purge_sessions",    "insert_audit",
    "insert_command",    "update_command",      "finish_open_commands"};

// Registration fields only: boot-reported and live fields belong to RecordBoot/TouchPile.
constexpr const char* kUpsertPile =
    "INSERT INTO piles (id, protocol, password_hash, registration, vendor, model, serial, firmware,"
    " last_seen, last_boot, created, cipher, sealed_key, key_fingerprint, protocol_options)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    " ON CONFLICT (id) DO UPDATE SET protocol = excluded.protocol,"
    " password_hash = excluded.password_hash, registration = excluded.registration,"
    " cipher = excluded.cipher, sealed_key = excluded.sealed_key,"
    " key_fingerprint = excluded.key_fingerprint, protocol_options = excluded.protocol_options";
constexpr const char* kRecordBoot =
    "UPDATE piles SET vendor = ?2, model = ?3, serial = ?4, firmware = ?5, iccid = ?6, imsi = ?7,"
    " meter_type = ?8, meter_serial = ?9, last_boot = ?10,"
    " last_seen = MAX(COALESCE(last_seen, ?10), ?10) WHERE id = ?1";
constexpr const char* kTouchPile =
    "UPDATE piles SET last_seen = MAX(COALESCE(last_seen, ?2), ?2) WHERE id = ?1";
constexpr const char* kUpsertConnector =
    "INSERT INTO connectors (pile, connector, status, error_code, vendor_error_code, info, updated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pile, connector) DO UPDATE SET"
    " status = excluded.status, error_code = excluded.error_code,"
    " vendor_error_code = excluded.vendor_error_code, info = excluded.info, updated = excluded.updated";
constexpr const char* kStartTx =
    "INSERT INTO transactions (id, pile, connector, id_tag, meter_start_wh, started, meter_stop_wh,"
    " stopped, stop_reason, stop_id_tag, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kStopTx =
    "UPDATE transactions SET meter_stop_wh = ?2, stopped = ?3, stop_reason = ?4,"
    " stop_id_tag = NULLIF(?5, ''), meter_start_wh = COALESCE(?6, meter_start_wh) WHERE id = ?1";
constexpr const char* kInsertTelemetry =
    "INSERT INTO telemetry (pile, ts, connector, transaction_id, sample) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kUpsertIdTag =
    "INSERT INTO id_tags (id_tag, status, expiry, parent_id_tag) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (id_tag) DO UPDATE SET status = excluded.status, expiry = excluded.expiry,"
    " parent_id_tag = excluded.parent_id_tag";
constexpr const char* kUpsertUser =
    "INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,"
    " role = excluded.role";

// Accounts (0003_accounts.sql).
constexpr const char* kInsertToken =
    "INSERT INTO tokens (id, kind, name, owner, role, digest, created, expires, last_used, revoked)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kRevokeToken = "UPDATE tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL";
constexpr const char* kRevokeTokensOf =
    "UPDATE tokens SET revoked = ?2 WHERE owner = ?1 AND revoked IS NULL AND (?3 IS NULL OR kind = ?3)";
constexpr const char* kTouchToken =
    "UPDATE tokens SET last_used = MAX(COALESCE(last_used, ?2), ?2) WHERE id = ?1";
constexpr const char* kPurgeSessions =
    "DELETE FROM tokens WHERE kind = 'session' AND (expires < ?1 OR revoked < ?1)";
constexpr const char* kInsertAudit =
    "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kInsertCommand =
    "INSERT INTO commands (id, pile, type, args, status, detail, response, created_by, created, updated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kUpdateCommand =
    "UPDATE commands SET status = ?2, detail = ?3, response = COALESCE(?4, response), updated = ?5 WHERE id = ?1";
constexpr const char* kFinishOpenCommands =
    "UPDATE commands SET status = ?1, detail = ?2, updated = ?3 WHERE status IN ('Pending', 'Sent')";

}  // namespace

const char* op_name(std::size_t variant_index) {
  return variant_index < kOpNames.size() ? kOpNames[variant_index] : "unknown";
}

Result<WriteOps> WriteOps::prepare(sqlite3* db, std::size_t rejected_frames_kept) {
  WriteOps w;
  w.db_ = db;
  w.rejected_frames_kept_ = static_cast<std::int64_t>(rejected_frames_kept);
  const std::pair<Stmt*, const char*> statements[] = {
      {&w.upsert_pile_, kUpsertPile},
      {&w.delete_pile_, "DELETE FROM piles WHERE id = ?"},
      {&w.record_boot_, kRecordBoot},
      {&w.touch_pile_, kTouchPile},
      {&w.upsert_connector_, kUpsertConnector},
      {&w.start_tx_, kStartTx},
      {&w.stop_tx_, kStopTx},
      {&w.insert_telemetry_, kInsertTelemetry},
      {&w.upsert_id_tag_, kUpsertIdTag},
      {&w.insert_data_transfer_,
       "INSERT INTO data_transfers (pile, vendor_id, message_id, data, at) VALUES (?, ?, ?, ?, ?)"},
      {&w.insert_status_report_,
       "INSERT INTO pile_status_reports (pile, kind, status, at) VALUES (?, ?, ?, ?)"},
      {&w.insert_rejected_,
       "INSERT INTO rejected_frames (pile, at, protocol, error_code, detail, raw)"
       " VALUES (?, ?, ?, ?, ?, ?)"},
      {&w.prune_rejected_, "DELETE FROM rejected_frames WHERE id <= ?"},
      {&w.upsert_user_, kUpsertUser},
      {&w.delete_user_, "DELETE FROM users WHERE username = ?"},
      {&w.insert_token_, kInsertToken},
      {&w.revoke_token_, kRevokeToken},
      {&w.revoke_tokens_of_, kRevokeTokensOf},
      {&w.touch_token_, kTouchToken},
      {&w.purge_sessions_, kPurgeSessions},
      {&w.insert_audit_, kInsertAudit},
      {&w.insert_command_, kInsertCommand},
      {&w.update_command_, kUpdateCommand},
      {&w.finish_open_commands_, kFinishOpenCommands},
      {&w.reserve_ids_,
       "UPDATE sequences SET value = MAX(value, ?) WHERE name = 'transaction'"},
      {&w.find_tpile_, "SELECT id FROM telemetry_piles WHERE pile = ?"},
      {&w.insert_tpile_, "INSERT INTO telemetry_piles (pile) VALUES (?)"},
      {&w.find_measurand_, "SELECT id FROM telemetry_measurands WHERE name = ?"},
      {&w.insert_measurand_, "INSERT INTO telemetry_measurands (name) VALUES (?)"},
      {&w.find_attr_,
       "SELECT id FROM telemetry_attributes WHERE phase = ? AND unit = ? AND context = ?"
       " AND location = ?"},
      {&w.insert_attr_,
       "INSERT INTO telemetry_attributes (phase, unit, context, location) VALUES (?, ?, ?, ?)"},
  };
  for (const auto& [stmt, sql] : statements) {
    auto s = Stmt::prepare(db, sql);
    if (!s) return fail(s.error());
    *stmt = std::move(*s);
  }
  return w;
}

Status WriteOps::apply(const WriteOp& op) {
  return std::visit([this](const auto& o) { return apply_one(o); }, op);
}

void WriteOps::forget_since(std::size_t mark) {
  // The intern caches cannot tell what a rollback removed: start them over (they refill from
  // the tables). Row keys are dropped exactly.
  piles_.clear();
  measurands_.clear();
  attributes_.clear();
  recent_.clear();
  if (mark < telemetry_rows_.size()) telemetry_rows_.resize(mark);
}

Result<Stmt*> WriteOps::cached(const char* sql) {
  if (auto it = cached_.find(sql); it != cached_.end()) return &it->second;
  auto s = Stmt::prepare(db_, sql);
  if (!s) return fail(s.error());
  return &cached_.emplace(sql, std::move(*s)).first->second;
}

Status WriteOps::reserve_transaction_ids(std::int64_t value) {
  reserve_ids_.bind(1, value);
  return reserve_ids_.run();
}

Status WriteOps::apply_one(const UpsertPile& op) {
  const PileRecord& p = op.pile;
  Stmt& s = upsert_pile_;
  s.bind(1, p.id);
  s.bind(2, p.protocol);
  s.bind(3, p.password_hash);
  s.bind(4, p.registration);
  s.bind(5, p.vendor);
  s.bind(6, p.model);
  s.bind(7, p.serial);
  s.bind(8, p.firmware);
  s.bind(9, p.last_seen);
  s.bind(10, p.last_boot);
  s.bind(11, p.created);
  s.bind(12, p.cipher);
  s.bind(13, p.sealed_key);
  s.bind(14, p.key_fingerprint);
  s.bind(15, p.protocol_options);
  return s.run();
}

Status WriteOps::apply_one(const DeletePile& op) {
  delete_pile_.bind(1, op.id);
  return delete_pile_.run();
}

Status WriteOps::apply_one(const RecordBoot& op) {
  const domain::PileBooted& b = op.boot;
  Stmt& s = record_boot_;
  s.bind(1, b.pile);
  s.bind(2, b.vendor);
  s.bind(3, b.model);
  s.bind(4, b.serial);
  s.bind(5, b.firmware);
  s.bind(6, b.iccid);
  s.bind(7, b.imsi);
  s.bind(8, b.meter_type);
  s.bind(9, b.meter_serial);
  s.bind(10, b.at);
  return s.run();
}

Status WriteOps::apply_one(const TouchPile& op) {
  touch_pile_.bind(1, op.id);
  touch_pile_.bind(2, op.at);
  return touch_pile_.run();
}

Status WriteOps::apply_one(const UpsertConnector& op) {
  const ConnectorRecord& c = op.connector;
  Stmt& s = upsert_connector_;
  s.bind(1, c.pile);
  s.bind(2, c.connector);
  s.bind(3, c.status);
  s.bind(4, c.error_code);
  s.bind(5, c.vendor_error_code);
  s.bind(6, c.info);
  s.bind(7, c.updated);
  return s.run();
}

Status WriteOps::apply_one(const StartTransaction& op) {
  const TransactionRecord& t = op.tx;
  Stmt& s = start_tx_;
  s.bind(1, t.id);
  s.bind(2, t.pile);
  s.bind(3, t.connector);
  s.bind(4, t.id_tag);
  s.bind(5, t.meter_start_wh);
  s.bind(6, t.started);
  s.bind(7, t.meter_stop_wh);
  s.bind(8, t.stopped);
  s.bind(9, t.stop_reason);
  s.bind(10, t.stop_id_tag);
  s.bind(11, t.external_id);
  return s.run();
}

Status WriteOps::apply_one(const StopTransaction& op) {
  Stmt& s = stop_tx_;
  s.bind(1, op.id);
  s.bind(2, op.meter_stop_wh);
  s.bind(3, op.stopped);
  s.bind(4, op.reason);
  s.bind(5, op.id_tag);
  s.bind(6, op.meter_start_wh);
  return s.run();
}

template <class Bind>
Result<std::int64_t> WriteOps::intern(KeyCache& cache, Stmt& find, Stmt& insert,
                                      std::string_view key, const Bind& bind) {
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::int64_t id = 0;
  {
    StmtReset guard(find);
    bind(find);
    auto row = find.step();
    if (!row) return fail(row.error());
    if (*row) id = find.int64(0);
  }
  if (id == 0) {
    bind(insert);
    if (auto s = insert.run(); !s) return fail(s.error());
    id = sqlite3_last_insert_rowid(db_);
  }
  cache.emplace(std::string(key), id);
  return id;
}

Status WriteOps::apply_one(const InsertTelemetry& op) {
  if (!op.samples) return {};
  std::optional<std::int64_t> pile;  // interned on the first sample that has values
  Stmt& s = insert_telemetry_;
  for (const domain::MeterSample& sample : *op.samples) {
    if (sample.values.empty()) continue;
    if (!pile) {
      auto id = intern(piles_, find_tpile_, insert_tpile_, op.pile,
                       [&](Stmt& q) { q.bind(1, op.pile); });
      if (!id) return fail(id.error());
      pile = *id;
    }
    packed_.clear();
    if (recent_.size() < sample.values.size()) recent_.resize(sample.values.size());
    for (std::size_t i = 0; i < sample.values.size(); ++i) {
      const domain::SampledValue& v = sample.values[i];
      RecentValue& recent = recent_[i];
      if (!recent.matches(v)) {
        auto measurand = intern(measurands_, find_measurand_, insert_measurand_, v.measurand,
                                [&](Stmt& q) { q.bind(1, v.measurand); });
        if (!measurand) return fail(measurand.error());
        // \x1f (unit separator) cannot appear in these short protocol tokens, so the key is unique.
        attr_key_.clear();
        attr_key_.append(v.phase).append(1, '\x1f').append(v.unit).append(1, '\x1f');
        attr_key_.append(v.context).append(1, '\x1f').append(v.location);
        auto attributes = intern(attributes_, find_attr_, insert_attr_, attr_key_, [&](Stmt& q) {
          q.bind(1, v.phase);
          q.bind(2, v.unit);
          q.bind(3, v.context);
          q.bind(4, v.location);
        });
        if (!attributes) return fail(attributes.error());
        recent = {v.measurand, v.phase, v.unit, v.context, v.location, *measurand, *attributes};
      }
      packed_.push_back({static_cast<std::uint64_t>(recent.measurand_id),
                         static_cast<std::uint64_t>(recent.attributes_id), v.raw.empty() ? v.value : 0.0,
                         v.raw});
    }
    encode_sample(packed_, blob_);
    s.bind(1, *pile);
    s.bind(2, sample.at);
    s.bind(3, op.connector);
    s.bind(4, op.transaction);
    s.bind_blob(5, blob_);
    if (auto st = s.run(); !st) return st;
    telemetry_rows_.push_back({*pile, to_millis(sample.at), sqlite3_last_insert_rowid(db_)});
  }
  return {};
}

Status WriteOps::apply_one(const UpsertIdTag& op) {
  const IdTagRecord& t = op.tag;
  Stmt& s = upsert_id_tag_;
  s.bind(1, t.id_tag);
  s.bind(2, t.status);
  s.bind(3, t.expiry);
  s.bind(4, t.parent_id_tag);
  return s.run();
}

Status WriteOps::apply_one(const InsertDataTransfer& op) {
  const domain::DataTransferReceived& m = op.message;
  Stmt& s = insert_data_transfer_;
  s.bind(1, m.pile);
  s.bind(2, m.vendor_id);
  s.bind(3, m.message_id);
  s.bind(4, m.data);
  s.bind(5, m.at);
  return s.run();
}

Status WriteOps::apply_one(const RecordPileStatusReport& op) {
  Stmt& s = insert_status_report_;
  s.bind(1, op.pile);
  s.bind(2, op.kind);
  s.bind(3, op.status);
  s.bind(4, op.at);
  return s.run();
}

Status WriteOps::apply_one(const InsertRejectedFrame& op) {
  const RejectedFrame& f = op.frame;
  Stmt& s = insert_rejected_;
  s.bind(1, f.pile);
  s.bind(2, f.at);
  s.bind(3, f.protocol);
  s.bind(4, f.error_code);
  s.bind(5, f.detail);
  s.bind(6, f.raw);
  if (auto st = s.run(); !st) return st;
  // Ids are dense (see 0001_initial.sql), so everything at or below this threshold is older
  // than the newest `kept` rows; the delete walks only the rowid range it removes.
  const std::int64_t threshold = sqlite3_last_insert_rowid(db_) - rejected_frames_kept_;
  if (threshold <= 0) return {};
  prune_rejected_.bind(1, threshold);
  return prune_rejected_.run();
}

Status WriteOps::apply_one(const UpsertUser& op) {
  const UserRecord& u = op.user;
  Stmt& s = upsert_user_;
  s.bind(1, u.username);
  s.bind(2, u.password_hash);
  s.bind(3, u.role);
  s.bind(4, u.created);
  return s.run();
}

Status WriteOps::apply_one(const DeleteUser& op) {
  delete_user_.bind(1, op.username);
  return delete_user_.run();
}

Status WriteOps::apply_one(const InsertCommand& op) {
  const CommandRecord& c = op.command;
  Stmt& s = insert_command_;
  s.bind(1, c.id);
  s.bind(2, c.pile);
  s.bind(3, c.type);
  s.bind(4, c.args_json);
  s.bind(5, c.status);
  s.bind(6, c.detail);
  s.bind(7, c.response_json);
  s.bind(8, c.created_by);
  s.bind(9, c.created);
  s.bind(10, c.updated);
  return s.run();
}

Status WriteOps::apply_one(const UpdateCommand& op) {
  Stmt& s = update_command_;
  s.bind(1, op.id);
  s.bind(2, op.status);
  s.bind(3, op.detail);
  s.bind(4, op.response_json);
  s.bind(5, op.updated);
  return s.run();
}

Status WriteOps::apply_one(const FinishOpenCommands& op) {
  Stmt& s = finish_open_commands_;
  s.bind(1, op.status);
  s.bind(2, op.detail);
  s.bind(3, op.updated);
  return s.run();
}

}  // namespace cp::store::sqlite

// ---- accounts ----
namespace cp::store::sqlite {

Status WriteOps::apply_one(const InsertToken& op) {
  const TokenRecord& t = op.token;
  Stmt& s = insert_token_;
  s.bind(1, t.id);
  s.bind(2, t.kind);
  s.bind(3, t.name);
  s.bind(4, t.owner);
  s.bind(5, t.role);
  s.bind_blob(6, t.digest);
  s.bind(7, t.created);
  s.bind(8, t.expires);
  s.bind(9, t.last_used);
  s.bind(10, t.revoked);
  return s.run();
}

Status WriteOps::apply_one(const RevokeToken& op) {
  revoke_token_.bind(1, op.id);
  revoke_token_.bind(2, op.at);
  return revoke_token_.run();
}

Status WriteOps::apply_one(const RevokeTokensOf& op) {
  Stmt& s = revoke_tokens_of_;
  s.bind(1, op.owner);
  s.bind(2, op.at);
  s.bind(3, op.kind);
  return s.run();
}

Status WriteOps::apply_one(const TouchToken& op) {
  touch_token_.bind(1, op.id);
  touch_token_.bind(2, op.at);
  return touch_token_.run();
}

Status WriteOps::apply_one(const PurgeSessions& op) {
  purge_sessions_.bind(1, op.before);
  return purge_sessions_.run();
}

Status WriteOps::apply_one(const InsertAudit& op) {
  const AuditRecord& a = op.record;
  Stmt& s = insert_audit_;
  s.bind(1, a.at);
  s.bind(2, a.actor);
  s.bind(3, a.action);
  s.bind(4, a.target);
  s.bind(5, a.detail);
  return s.run();
}

}  // namespace cp::store::sqlite
