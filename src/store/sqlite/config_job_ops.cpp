// Write operations for configuration jobs, reported pile configuration and acquisition
// policies. Off the telemetry hot path: statements are prepared on first use (WriteOps::cached).
#include "store/sqlite/write_ops.h"

namespace cp::store::sqlite {
namespace {

constexpr const char* kInsertJob =
    "INSERT INTO config_jobs (id, created, created_by, origin, targets, parameters,"
    " deliver_when_online, expires, state, updated, idempotency_key, request_digest)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kUpdateJobState = "UPDATE config_jobs SET state = ?2, updated = ?3 WHERE id = ?1";
constexpr const char* kUpsertJobPile =
    "INSERT INTO config_job_piles (job, pile, state, attempts, updated) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (job, pile) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,"
    " updated = excluded.updated";
constexpr const char* kUpsertResult =
    "INSERT INTO config_job_results (job, pile, parameter, value, status, detail, reported_value, updated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job, pile, parameter) DO UPDATE SET"
    " status = excluded.status, detail = excluded.detail, reported_value = excluded.reported_value,"
    " updated = excluded.updated";
constexpr const char* kUpsertPileConfig =
    "INSERT INTO pile_config (pile, key, parameter, value, readonly, updated) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (pile, key) DO UPDATE SET parameter = excluded.parameter, value = excluded.value,"
    " readonly = excluded.readonly, updated = excluded.updated";
constexpr const char* kDropStalePileConfig = "DELETE FROM pile_config WHERE pile = ?1 AND updated < ?2";
constexpr const char* kUpsertPolicy =
    "INSERT INTO acquisition_policies (scope, sample_interval_s, heartbeat_interval_s, aligned_interval_s,"
    " measurands, updated, updated_by, job) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (scope) DO UPDATE SET sample_interval_s = excluded.sample_interval_s,"
    " heartbeat_interval_s = excluded.heartbeat_interval_s, aligned_interval_s = excluded.aligned_interval_s,"
    " measurands = excluded.measurands, updated = excluded.updated, updated_by = excluded.updated_by,"
    " job = excluded.job";

Status upsert_result(Stmt& s, const ConfigJobResultRecord& r) {
  s.bind(1, r.job);
  s.bind(2, r.pile);
  s.bind(3, r.parameter);
  s.bind(4, r.value);
  s.bind(5, r.status);
  s.bind(6, r.detail);
  s.bind(7, r.reported_value);
  s.bind(8, r.updated);
  return s.run();
}

Status upsert_pile(Stmt& s, const ConfigJobPileRecord& p) {
  s.bind(1, p.job);
  s.bind(2, p.pile);
  s.bind(3, p.state);
  s.bind(4, p.attempts);
  s.bind(5, p.updated);
  return s.run();
}

}  // namespace

Status WriteOps::apply_one(const InsertConfigJob& op) {
  auto job = cached(kInsertJob);
  if (!job) return fail(job.error());
  const ConfigJobRecord& j = op.job;
  Stmt& s = **job;
  s.bind(1, j.id);
  s.bind(2, j.created);
  s.bind(3, j.created_by);
  s.bind(4, j.origin);
  s.bind(5, j.targets_json);
  s.bind(6, j.parameters_json);
  s.bind(7, j.deliver_when_online ? 1 : 0);
  s.bind(8, j.expires);
  s.bind(9, j.state);
  s.bind(10, j.updated);
  s.bind(11, j.idempotency_key);
  s.bind(12, j.request_digest);
  if (auto st = s.run(); !st) return st;
  auto piles = cached(kUpsertJobPile);
  if (!piles) return fail(piles.error());
  for (const auto& p : op.piles)
    if (auto st = upsert_pile(**piles, p); !st) return st;
  auto results = cached(kUpsertResult);
  if (!results) return fail(results.error());
  for (const auto& r : op.results)
    if (auto st = upsert_result(**results, r); !st) return st;
  return {};
}

Status WriteOps::apply_one(const UpdateConfigJobState& op) {
  auto s = cached(kUpdateJobState);
  if (!s) return fail(s.error());
  (*s)->bind(1, op.id);
  (*s)->bind(2, op.state);
  (*s)->bind(3, op.updated);
  return (*s)->run();
}

Status WriteOps::apply_one(const UpdateConfigJobPile& op) {
  auto s = cached(kUpsertJobPile);
  if (!s) return fail(s.error());
  return upsert_pile(**s, op.pile);
}

Status WriteOps::apply_one(const UpsertConfigJobResults& op) {
  auto s = cached(kUpsertResult);
  if (!s) return fail(s.error());
  for (const auto& r : op.results)
    if (auto st = upsert_result(**s, r); !st) return st;
  return {};
}

Status WriteOps::apply_one(const RecordPileConfig& op) {
  auto s = cached(kUpsertPileConfig);
  if (!s) return fail(s.error());
  std::optional<Timestamp> oldest_kept;
  for (const auto& e : op.entries) {
    Stmt& st = **s;
    st.bind(1, op.pile);
    st.bind(2, e.key);
    st.bind(3, e.parameter);
    st.bind(4, e.value);
    st.bind(5, e.readonly ? 1 : 0);
    st.bind(6, e.updated);
    if (auto r = st.run(); !r) return r;
    if (!oldest_kept || e.updated < *oldest_kept) oldest_kept = e.updated;
  }
  if (op.replace_all && oldest_kept) {
    auto drop = cached(kDropStalePileConfig);
    if (!drop) return fail(drop.error());
    (*drop)->bind(1, op.pile);
    (*drop)->bind(2, *oldest_kept);
    return (*drop)->run();
  }
  return {};
}

Status WriteOps::apply_one(const UpsertAcquisitionPolicy& op) {
  auto s = cached(kUpsertPolicy);
  if (!s) return fail(s.error());
  const AcquisitionPolicyRecord& p = op.policy;
  Stmt& st = **s;
  st.bind(1, p.scope);
  st.bind(2, p.sample_interval_s);
  st.bind(3, p.heartbeat_interval_s);
  st.bind(4, p.aligned_interval_s);
  st.bind(5, p.measurands);
  st.bind(6, p.updated);
  st.bind(7, p.updated_by);
  st.bind(8, p.job);
  return st.run();
}

Status WriteOps::apply_one(const DeleteAcquisitionPolicy& op) {
  auto s = cached("DELETE FROM acquisition_policies WHERE scope = ?");
  if (!s) return fail(s.error());
  (*s)->bind(1, op.scope);
  return (*s)->run();
}

}  // namespace cp::store::sqlite
