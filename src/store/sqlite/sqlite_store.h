#pragma once
// The SQLite `Store` (store.h): a GroupCommitWriter for writes, a ReaderPool for reads, and the
// transaction-id issuer. Built by open_sqlite(); private to src/store/sqlite.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "store/sqlite/group_commit.h"
#include "store/sqlite/reader_pool.h"
#include "store/store.h"

namespace cp::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Ids are reserved durably in blocks of this size; a restart skips what was left of a block.
  static constexpr TransactionId kIdBlock = 1000;

  SqliteStore(std::unique_ptr<GroupCommitWriter> writer, std::string path,
              std::size_t reader_connections, TransactionId last_issued, TransactionId reserved);
  ~SqliteStore() override;

  void submit(WriteBatch batch, WriteDone done) override;
  void flush() override;
  void close() override;
  TransactionId next_transaction_id() override;

  Result<std::vector<PileRecord>> piles() override;
  Result<std::optional<PileRecord>> pile(const PileId& id) override;
  Result<std::vector<ConnectorRecord>> connectors(const PileId& pile) override;
  Result<std::optional<IdTagRecord>> id_tag(const std::string& id_tag) override;
  Result<std::vector<IdTagRecord>> id_tags() override;
  Result<std::vector<TransactionRecord>> transactions(const TransactionQuery& q) override;
  Result<std::optional<TransactionRecord>> transaction(TransactionId id) override;
  Result<std::optional<TransactionRecord>> transaction_by_external_id(const PileId& pile,
                                                                     const std::string& external_id) override;
  Result<std::vector<TelemetryRow>> telemetry(const TelemetryQuery& q) override;
  Result<std::vector<RejectedFrame>> rejected_frames(int limit) override;
  Result<std::optional<UserRecord>> user(const std::string& username) override;
  Result<std::vector<UserRecord>> users() override;
  Result<std::vector<ConfigJobRecord>> config_jobs(const ConfigJobQuery& q) override;
  Result<std::optional<ConfigJobRecord>> config_job(const std::string& id) override;
  Result<std::optional<ConfigJobRecord>> config_job_by_idempotency_key(const std::string& created_by,
                                                                       const std::string& key) override;
  Result<std::vector<ConfigJobPileRecord>> config_job_piles(const std::string& job) override;
  Result<std::vector<ConfigJobResultRecord>> config_job_results(const std::string& job) override;
  Result<std::vector<PileConfigRecord>> pile_config(const PileId& pile) override;
  Result<std::vector<AcquisitionPolicyRecord>> acquisition_policies() override;
  Result<std::vector<TokenRecord>> live_tokens(Timestamp now) override;
  Result<std::vector<AuditRecord>> audit(const AuditQuery& q) override;
  Result<std::optional<CommandRecord>> command(const std::string& id) override;
  Result<std::vector<CommandRecord>> commands(const CommandQuery& q) override;

  StoreStats stats() const override;

 private:
  void reserve_ids_through(TransactionId id);

  std::unique_ptr<GroupCommitWriter> writer_;
  ReaderPool readers_;

  std::atomic<TransactionId> last_issued_;
  std::atomic<TransactionId> reserved_;  // durable: ids <= reserved_ never repeat after restart
  std::mutex id_mu_;
  std::condition_variable id_reserved_;
  bool reserving_ = false;
  bool reservation_failed_ = false;
};

}  // namespace cp::store::sqlite
