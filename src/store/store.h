#pragma once
// store.h — the only storage interface (DESIGN.md §5). Backends: sqlite/ (default), postgres/ later.
// Nothing backend-specific crosses this header.
//
// Writes are asynchronous and group-committed: `submit()` enqueues a batch of operations on a
// bounded queue; one writer thread applies many batches in one database transaction and, only
// after COMMIT has returned (durable), calls each batch's `done` on the writer thread with the
// outcome. Callers send acknowledgements (CALLRESULT, protocol ACK, HTTP 2xx) from `done`.
// When the queue is full `submit()` blocks the caller briefly (back-pressure), it never drops.
// A batch is atomic: all of its operations commit or none do.
//
// Reads are synchronous, thread-safe and run on reader connections that never block the writer.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/events.h"

namespace cp::store {

using domain::PileId;
using domain::TransactionId;

// ---- records (what reads return) ----
struct PileRecord {
  PileId id;
  std::string protocol;       // "ocpp1.6", ...
  std::string password_hash;  // PHC-style string from services/auth; never logged or returned by the API
  std::string registration = "Accepted";  // Accepted | Pending | Rejected (operator's choice)
  std::string vendor, model, serial, firmware;
  std::optional<Timestamp> last_seen;
  std::optional<Timestamp> last_boot;
  Timestamp created;
  // Frame encryption (YKC DES/3DES). The key itself never reaches the store in clear: services
  // seal it (services/pile_keys.h) and the store keeps the opaque result.
  std::string cipher = "none";      // none | des | 3des
  std::string sealed_key;           // "" when cipher is none; never logged or returned by the API
  std::string key_fingerprint;      // shown by the API instead of the key
  std::string protocol_options = "{}";  // JSON object: the protocol's per-pile variant options
};

struct ConnectorRecord {
  PileId pile;
  int connector = 0;
  std::string status;
  std::string error_code;
  std::string vendor_error_code;
  std::string info;
  Timestamp updated;
};

struct IdTagRecord {
  std::string id_tag;
  std::string status = "Accepted";  // AuthorizationStatus name
  std::optional<Timestamp> expiry;
  std::optional<std::string> parent_id_tag;
};

struct TransactionRecord {
  TransactionId id = 0;
  PileId pile;
  int connector = 0;
  std::string id_tag;
  std::int64_t meter_start_wh = 0;
  Timestamp started;
  std::optional<std::int64_t> meter_stop_wh;
  std::optional<Timestamp> stopped;
  std::optional<std::string> stop_reason;
  std::optional<std::string> stop_id_tag;
  std::string external_id = {};  // the protocol's own reference (YKC transaction serial), "" = none
};

struct TelemetryRow {
  PileId pile;
  int connector = 0;
  std::optional<TransactionId> transaction;
  Timestamp at;
  std::string measurand;
  std::string phase;
  std::string unit;
  std::string context;
  std::string location;
  double value = 0;  // 0 when `raw` is set
  std::string raw;   // non-numeric value (e.g. signed meter data) as the pile sent it; "" = numeric
};

struct RejectedFrame {
  std::string pile;  // may be unknown/unauthenticated: what the peer claimed
  Timestamp at;
  std::string protocol;
  std::string error_code;  // e.g. "FormationViolation"
  std::string detail;
  std::string raw;  // truncated by the caller to a bounded size
};

struct UserRecord {
  std::string username;
  std::string password_hash;
  std::string role;  // viewer | operator | admin
  Timestamp created;
};

// ---- configuration jobs and acquisition policies (0002_config_jobs.sql) ----
struct ConfigJobRecord {
  std::string id;
  Timestamp created;
  std::string created_by;
  std::string origin = "api";   // api | acquisition_policy
  std::string targets_json;     // the selection as submitted
  std::string parameters_json;  // canonical ordered [{"parameter","value"}]
  bool deliver_when_online = false;
  std::optional<Timestamp> expires;
  std::string state = "Running";  // Running | Completed
  Timestamp updated;
  std::optional<std::string> idempotency_key;
  std::string request_digest;  // of the request body, to refuse a reused key with another body
};
struct ConfigJobPileRecord {
  std::string job;
  PileId pile;
  std::string state = "Queued";  // Queued | Waiting | Running | Done
  int attempts = 0;
  Timestamp updated;
};
struct ConfigJobResultRecord {
  std::string job;
  PileId pile;
  std::string parameter;
  std::string value;
  std::string status = "Pending";  // domain::ParameterStatus name
  std::string detail;
  std::optional<std::string> reported_value;
  Timestamp updated;
};
struct PileConfigRecord {
  PileId pile;
  std::string key;
  std::string parameter;
  std::optional<std::string> value;
  bool readonly = false;
  Timestamp updated;
};
struct AcquisitionPolicyRecord {
  std::string scope;  // "*" = fleet default, else a pile id
  std::optional<int> sample_interval_s;
  std::optional<int> heartbeat_interval_s;
  std::optional<int> aligned_interval_s;
  std::optional<std::string> measurands;  // comma-separated
  Timestamp updated;
  std::string updated_by;
  std::string job;
};
// Remote-control command (0004_commands.sql; services/control.h).
struct CommandRecord {
  std::string id;
  PileId pile;
  std::string type;       // "remote_start", ...
  std::string args_json;  // JSON object
  std::string status;     // Pending | Sent | final
  std::string detail;
  std::optional<std::string> response_json;
  std::string created_by;
  Timestamp created;
  Timestamp updated;
};

// ---- accounts: bearer tokens and the audit log (0003_accounts.sql) ----
// A bearer token: a login session or a named API token. The secret is never stored, only its
// SHA-256 digest (32 raw bytes).
struct TokenRecord {
  std::string id;       // public handle, not a secret
  std::string kind;     // session | api
  std::string name;     // "" for sessions
  std::string owner;    // username
  std::string role;     // viewer | operator | admin: the most this token may do
  std::string digest;   // SHA-256(secret); never logged or returned by the API
  Timestamp created;
  std::optional<Timestamp> expires;  // nullopt: an API token without expiry
  std::optional<Timestamp> last_used;
  std::optional<Timestamp> revoked;
};

// Who did what, when. `action` is "<resource>.<verb>" (user.create, pile.delete,
// config_job.create, ...); `target` is the resource's id; `detail` a JSON object (text), never
// secrets. Put InsertAudit in the same batch as the change it records: both commit or neither.
struct AuditRecord {
  std::int64_t id = 0;  // assigned by the store (increasing); ignored by InsertAudit
  Timestamp at;
  std::string actor;
  std::string action;
  std::string target;
  std::string detail = "{}";
};

// ---- write operations ----
struct UpsertPile { PileRecord pile; };  // insert or replace registration fields (not live fields)
                                         // incl. cipher, sealed key, fingerprint, protocol options
struct DeletePile { PileId id; };
struct RecordBoot { domain::PileBooted boot; };  // vendor/model/serial/firmware, last_boot
struct TouchPile { PileId id; Timestamp at; };   // last_seen
struct UpsertConnector { ConnectorRecord connector; };
struct StartTransaction { TransactionRecord tx; };  // id already issued (see next_transaction_id)
struct StopTransaction {
  TransactionId id;
  std::int64_t meter_stop_wh;
  Timestamp stopped;
  std::string reason;
  std::string id_tag;
  // Set when the start reading is only learnt at the end (a YKC record ending a transaction
  // the platform started: the start reply carries no meter reading); replaces meter_start_wh.
  std::optional<std::int64_t> meter_start_wh = std::nullopt;
};
// Every value of `samples` for one pile/connector/transaction; stored as one packed row per
// sample (docs/storage.md). The samples are shared, not copied: the caller usually still needs
// them after COMMIT (live state), and the writer only reads them. Samples without values are
// skipped; a null `samples` stores nothing.
struct InsertTelemetry {
  PileId pile;
  int connector = 0;
  std::optional<TransactionId> transaction;
  std::shared_ptr<const std::vector<domain::MeterSample>> samples;
};
struct UpsertIdTag { IdTagRecord tag; };
struct InsertDataTransfer { domain::DataTransferReceived message; };
struct RecordPileStatusReport { PileId pile; std::string kind; std::string status; Timestamp at; };  // kind: firmware|diagnostics
struct InsertRejectedFrame { RejectedFrame frame; };  // the table is bounded (oldest pruned)
struct UpsertUser { UserRecord user; };
struct DeleteUser { std::string username; };
struct InsertConfigJob {
  ConfigJobRecord job;
  std::vector<ConfigJobPileRecord> piles;
  std::vector<ConfigJobResultRecord> results;
};
struct UpdateConfigJobState { std::string id; std::string state; Timestamp updated; };
struct UpdateConfigJobPile { ConfigJobPileRecord pile; };
struct UpsertConfigJobResults { std::vector<ConfigJobResultRecord> results; };
// Records what a pile reported. `replace_all`: the report was complete (GetConfiguration
// without keys), so keys it no longer lists are removed.
struct RecordPileConfig { PileId pile; std::vector<PileConfigRecord> entries; bool replace_all = false; };
struct UpsertAcquisitionPolicy { AcquisitionPolicyRecord policy; };
struct DeleteAcquisitionPolicy { std::string scope; };
struct InsertToken { TokenRecord token; };
struct RevokeToken { std::string id; Timestamp at; };  // no-op if already revoked
// Every unrevoked token of `owner` (of `kind` only, when given).
struct RevokeTokensOf { std::string owner; Timestamp at; std::optional<std::string> kind; };
struct TouchToken { std::string id; Timestamp at; };  // last_used; callers write it coarsely
// Deletes session rows that expired or were revoked before `before` (API tokens are kept).
struct PurgeSessions { Timestamp before; };
struct InsertAudit { AuditRecord record; };
struct InsertCommand { CommandRecord command; };
// Sets status, detail and (when given) the response of one command.
struct UpdateCommand {
  std::string id;
  std::string status;
  std::string detail;
  std::optional<std::string> response_json;
  Timestamp updated;
};
// Every command still Pending or Sent becomes `status` (start-up recovery after a crash).
struct FinishOpenCommands { std::string status; std::string detail; Timestamp updated; };

using WriteOp = std::variant<UpsertPile, DeletePile, RecordBoot, TouchPile, UpsertConnector,
                             StartTransaction, StopTransaction, InsertTelemetry, UpsertIdTag,
                             InsertDataTransfer, RecordPileStatusReport, InsertRejectedFrame,
                             UpsertUser, DeleteUser, InsertConfigJob, UpdateConfigJobState,
                             UpdateConfigJobPile, UpsertConfigJobResults, RecordPileConfig,
                             UpsertAcquisitionPolicy, DeleteAcquisitionPolicy,
                             InsertToken, RevokeToken, RevokeTokensOf, TouchToken, PurgeSessions,
                             InsertAudit,
                             InsertCommand, UpdateCommand, FinishOpenCommands>;

using WriteBatch = std::vector<WriteOp>;
// A batch built by moving `ops` in, with room for `extra` more. `WriteBatch{op}` copies its op
// (an initializer list is const), which the per-message paths cannot afford.
template <class... Ops>
WriteBatch batch_of(std::size_t extra, Ops&&... ops) {
  WriteBatch batch;
  batch.reserve(sizeof...(Ops) + extra);
  (batch.emplace_back(std::forward<Ops>(ops)), ...);
  return batch;
}
using WriteDone = std::function<void(const Status&)>;  // runs on the writer thread

// ---- queries ----
struct TelemetryQuery {
  PileId pile;
  std::optional<std::string> measurand;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
  int limit = 1000;               // values, newest first
};
struct TransactionQuery {
  std::optional<PileId> pile;
  int limit = 100;
  std::optional<TransactionId> before;  // cursor: ids < before, newest first
};

struct ConfigJobQuery {
  int limit = 50;                     // newest first
  std::optional<std::string> before;  // cursor: jobs created before this job id
  std::optional<std::string> state;   // Running | Completed
};
struct CommandQuery {
  std::optional<PileId> pile;
  bool open_only = false;             // only Pending / Sent
  std::optional<std::string> before;  // cursor: ids < before (ids are time-ordered), newest first
  int limit = 50;
};

// Audit entries, newest first. Filters are exact matches; `before` is the paging cursor (ids
// below it).
struct AuditQuery {
  std::optional<std::string> actor;
  std::optional<std::string> action;
  std::optional<std::string> target;
  std::optional<std::int64_t> before;
  int limit = 100;
};

struct StoreStats {
  std::uint64_t batches_committed = 0;
  std::uint64_t ops_committed = 0;
  std::uint64_t commits = 0;  // database transactions (group commits)
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes (see the header comment). Safe from any thread.
  virtual void submit(WriteBatch batch, WriteDone done) = 0;
  // Blocks until everything submitted so far is committed; for shutdown and tests.
  virtual void flush() = 0;
  // Stops the writer after draining the queue. Further submits fail with "store_closed".
  virtual void close() = 0;

  // Transaction ids are issued by the server; unique and increasing across restarts.
  virtual TransactionId next_transaction_id() = 0;

  virtual Result<std::vector<PileRecord>> piles() = 0;
  virtual Result<std::optional<PileRecord>> pile(const PileId& id) = 0;
  virtual Result<std::vector<ConnectorRecord>> connectors(const PileId& pile) = 0;
  virtual Result<std::optional<IdTagRecord>> id_tag(const std::string& id_tag) = 0;
  virtual Result<std::vector<IdTagRecord>> id_tags() = 0;
  virtual Result<std::vector<TransactionRecord>> transactions(const TransactionQuery& q) = 0;
  virtual Result<std::optional<TransactionRecord>> transaction(TransactionId id) = 0;
  // The transaction a pile named `external_id` (unique per pile), if any.
  virtual Result<std::optional<TransactionRecord>> transaction_by_external_id(const PileId& pile,
                                                                             const std::string& external_id) = 0;
  virtual Result<std::vector<TelemetryRow>> telemetry(const TelemetryQuery& q) = 0;
  virtual Result<std::vector<RejectedFrame>> rejected_frames(int limit) = 0;
  virtual Result<std::optional<UserRecord>> user(const std::string& username) = 0;
  virtual Result<std::vector<UserRecord>> users() = 0;
  // Tokens neither revoked nor expired at `now` (the authentication cache is loaded from this).
  virtual Result<std::vector<TokenRecord>> live_tokens(Timestamp now) = 0;
  virtual Result<std::vector<AuditRecord>> audit(const AuditQuery& q) = 0;
  virtual Result<std::optional<CommandRecord>> command(const std::string& id) = 0;
  virtual Result<std::vector<CommandRecord>> commands(const CommandQuery& q) = 0;

  virtual Result<std::vector<ConfigJobRecord>> config_jobs(const ConfigJobQuery& q) = 0;
  virtual Result<std::optional<ConfigJobRecord>> config_job(const std::string& id) = 0;
  virtual Result<std::optional<ConfigJobRecord>> config_job_by_idempotency_key(const std::string& created_by,
                                                                               const std::string& key) = 0;
  virtual Result<std::vector<ConfigJobPileRecord>> config_job_piles(const std::string& job) = 0;
  // Every result of a job, ordered by pile then by the job's parameter order.
  virtual Result<std::vector<ConfigJobResultRecord>> config_job_results(const std::string& job) = 0;
  virtual Result<std::vector<PileConfigRecord>> pile_config(const PileId& pile) = 0;
  virtual Result<std::vector<AcquisitionPolicyRecord>> acquisition_policies() = 0;

  virtual StoreStats stats() const = 0;
};

struct SqliteOptions {
  std::string path;                 // database file; created with its directory
  bool synchronous_full = true;     // PRAGMA synchronous=FULL (durable across power loss)
  std::size_t queue_capacity = 65536;   // batches waiting for the writer
  std::size_t max_batches_per_commit = 4096;
  // Commit window (docs/storage.md): after a group of at least commit_window_after_group
  // batches, the writer waits up to this long for more before it commits. 0 = commit as soon
  // as anything is queued.
  std::int64_t commit_delay_us = 0;
  std::size_t commit_window_after_group = 32;
  std::size_t rejected_frames_kept = 10000;
  std::size_t reader_connections = 4;  // read-only connections shared by all reading threads
  // The (pile, ts) index of telemetry is built in sorted batches (docs/storage.md): once this
  // many rows wait, or once the oldest has waited telemetry_index_delay_ms.
  std::int64_t telemetry_index_batch = 8192;
  std::int64_t telemetry_index_delay_ms = 30000;
  Metrics* metrics = nullptr;  // optional: commit latency, batch sizes, queue depth
};

// Opens (creating if needed) and migrates the database; starts the writer thread.
Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options);

}  // namespace cp::store
