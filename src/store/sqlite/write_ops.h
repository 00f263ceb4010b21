#pragma once
// Applies `WriteOp`s to the write connection with one prepared statement per operation,
// prepared once and reused for the life of the store. Used only by the writer thread.
// The caller owns transaction boundaries (group commit, a SAVEPOINT per batch); after any
// rollback it must call `forget_uncommitted()` (or `forget_since(mark)` after ROLLBACK TO) so
// interned telemetry keys and row keys that were rolled back are not reused.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sample_codec.h"
#include "store/sqlite/telemetry_index.h"
#include "store/store.h"

namespace cp::store::sqlite {

// Stable label for metrics and logs ("insert_telemetry"), indexed like WriteOp's alternatives.
const char* op_name(std::size_t variant_index);

class WriteOps {
 public:
  static Result<WriteOps> prepare(sqlite3* db, std::size_t rejected_frames_kept);

  Status apply(const WriteOp& op);
  // Raises the durable transaction-id reservation to at least `value`.
  Status reserve_transaction_ids(std::int64_t value);
  void forget_uncommitted() { forget_since(0); }
  // Telemetry rows inserted since the last clear, in insert order (for the indexer, after
  // COMMIT). `telemetry_mark()` before a SAVEPOINT, `forget_since(mark)` after ROLLBACK TO it.
  const std::vector<TelemetryRowKey>& telemetry_rows() const { return telemetry_rows_; }
  void clear_telemetry_rows() { telemetry_rows_.clear(); }
  std::size_t telemetry_mark() const { return telemetry_rows_.size(); }
  void forget_since(std::size_t mark);

  // Public for std::visit; each applies one operation.
  Status apply_one(const UpsertPile& op);
  Status apply_one(const DeletePile& op);
  Status apply_one(const RecordBoot& op);
  Status apply_one(const TouchPile& op);
  Status apply_one(const UpsertConnector& op);
  Status apply_one(const StartTransaction& op);
  Status apply_one(const StopTransaction& op);
  Status apply_one(const InsertTelemetry& op);
  Status apply_one(const UpsertIdTag& op);
  Status apply_one(const InsertDataTransfer& op);
  Status apply_one(const RecordPileStatusReport& op);
  Status apply_one(const InsertRejectedFrame& op);
  Status apply_one(const UpsertUser& op);
  Status apply_one(const DeleteUser& op);
  // Configuration jobs and acquisition policies (config_job_ops.cpp).
  Status apply_one(const InsertConfigJob& op);
  Status apply_one(const UpdateConfigJobState& op);
  Status apply_one(const UpdateConfigJobPile& op);
  Status apply_one(const UpsertConfigJobResults& op);
  Status apply_one(const RecordPileConfig& op);
  Status apply_one(const UpsertAcquisitionPolicy& op);
  Status apply_one(const DeleteAcquisitionPolicy& op);
  // Tokens and the audit log (0003_accounts.sql).
  Status apply_one(const InsertToken& op);
  Status apply_one(const RevokeToken& op);
  Status apply_one(const RevokeTokensOf& op);
  Status apply_one(const TouchToken& op);
  Status apply_one(const PurgeSessions& op);
  Status apply_one(const InsertAudit& op);
  Status apply_one(const InsertCommand& op);
  Status apply_one(const UpdateCommand& op);
  Status apply_one(const FinishOpenCommands& op);

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyCache = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

  // Interned id of `key` in a telemetry dictionary; inserts it on first use.
  // `bind(stmt)` binds the dictionary columns to both `find` and `insert`.
  template <class Bind>
  Result<std::int64_t> intern(KeyCache& cache, Stmt& find, Stmt& insert, std::string_view key,
                              const Bind& bind);

  // A statement prepared on first use and kept (for operations off the hot path).
  Result<Stmt*> cached(const char* sql);

  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, Stmt> cached_;
  std::int64_t rejected_frames_kept_ = 0;
  Stmt upsert_pile_, delete_pile_, record_boot_, touch_pile_, upsert_connector_;
  Stmt start_tx_, stop_tx_, insert_telemetry_, upsert_id_tag_, insert_data_transfer_;
  Stmt insert_status_report_, insert_rejected_, prune_rejected_, upsert_user_, delete_user_;
  Stmt insert_token_, revoke_token_, revoke_tokens_of_, touch_token_, purge_sessions_, insert_audit_;
  Stmt reserve_ids_;
  Stmt insert_command_, update_command_, finish_open_commands_;
  Stmt find_tpile_, insert_tpile_, find_measurand_, insert_measurand_, find_attr_, insert_attr_;
  KeyCache piles_, measurands_, attributes_;
  // The dictionary ids of the value at each position of the previous sample: piles report the
  // same measurands in the same order every time, so comparing five short strings usually
  // replaces two hash lookups. Cleared with the caches.
  struct RecentValue {
    std::string measurand, phase, unit, context, location;
    std::int64_t measurand_id = 0, attributes_id = 0;
    bool matches(const domain::SampledValue& v) const {
      return measurand_id != 0 && measurand == v.measurand && phase == v.phase && unit == v.unit &&
             context == v.context && location == v.location;
    }
  };
  std::vector<RecentValue> recent_;
  // Reused buffers, so steady-state inserts allocate nothing.
  std::string attr_key_;  // phase \x1f unit \x1f context \x1f location
  std::vector<PackedValue> packed_;
  std::string blob_;
  std::vector<TelemetryRowKey> telemetry_rows_;
};

}  // namespace cp::store::sqlite
