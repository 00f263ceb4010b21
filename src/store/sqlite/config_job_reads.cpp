// Reads for configuration jobs, reported pile configuration and acquisition policies.
#include <algorithm>
#include <string>

#include "store/sqlite/query.h"
#include "store/sqlite/sqlite_store.h"

namespace cp::store::sqlite {
namespace {

constexpr const char* kJobColumns =
    "SELECT id, created, created_by, origin, targets, parameters, deliver_when_online, expires, state,"
    " updated, idempotency_key, request_digest FROM config_jobs";

ConfigJobRecord read_job(const Stmt& s) {
  ConfigJobRecord j;
  j.id = s.text(0);
  j.created = s.time(1);
  j.created_by = s.text(2);
  j.origin = s.text(3);
  j.targets_json = s.text(4);
  j.parameters_json = s.text(5);
  j.deliver_when_online = s.int64(6) != 0;
  j.expires = s.opt_time(7);
  j.state = s.text(8);
  j.updated = s.time(9);
  j.idempotency_key = s.opt_text(10);
  j.request_digest = s.text(11);
  return j;
}

std::optional<int> opt_int(const Stmt& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return static_cast<int>(s.int64(col));
}

}  // namespace

Result<std::vector<ConfigJobRecord>> SqliteStore::config_jobs(const ConfigJobQuery& q) {
  std::string sql = kJobColumns;
  sql += " WHERE 1";
  if (q.before) sql += " AND seq < (SELECT seq FROM config_jobs WHERE id = ?1)";
  if (q.state) sql += " AND state = ?2";
  sql += " ORDER BY seq DESC LIMIT ?3";
  return query<ConfigJobRecord>(
      readers_, sql,
      [&](Stmt& s) {
        if (q.before) s.bind(1, *q.before);
        if (q.state) s.bind(2, *q.state);
        s.bind(3, std::max(q.limit, 0));
      },
      read_job);
}

Result<std::optional<ConfigJobRecord>> SqliteStore::config_job(const std::string& id) {
  return first(query<ConfigJobRecord>(readers_, std::string(kJobColumns) + " WHERE id = ?",
                                              [&](Stmt& s) { s.bind(1, id); }, read_job));
}

Result<std::optional<ConfigJobRecord>> SqliteStore::config_job_by_idempotency_key(const std::string& created_by,
                                                                                  const std::string& key) {
  return first(query<ConfigJobRecord>(
      readers_, std::string(kJobColumns) + " WHERE created_by = ? AND idempotency_key = ?",
      [&](Stmt& s) {
        s.bind(1, created_by);
        s.bind(2, key);
      },
      read_job));
}

Result<std::vector<ConfigJobPileRecord>> SqliteStore::config_job_piles(const std::string& job) {
  return query<ConfigJobPileRecord>(
      readers_, "SELECT job, pile, state, attempts, updated FROM config_job_piles WHERE job = ? ORDER BY pile",
      [&](Stmt& s) { s.bind(1, job); },
      [](const Stmt& s) {
        return ConfigJobPileRecord{s.text(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)), s.time(4)};
      });
}

Result<std::vector<ConfigJobResultRecord>> SqliteStore::config_job_results(const std::string& job) {
  // Parameter order is the job's order: rows are inserted in that order, and WITHOUT ROWID
  // tables have no insertion order, so the caller (services) re-orders by the job's list.
  return query<ConfigJobResultRecord>(
      readers_,
      "SELECT job, pile, parameter, value, status, detail, reported_value, updated FROM config_job_results"
      " WHERE job = ? ORDER BY pile, parameter",
      [&](Stmt& s) { s.bind(1, job); },
      [](const Stmt& s) {
        return ConfigJobResultRecord{s.text(0), s.text(1), s.text(2), s.text(3),
                                     s.text(4), s.text(5), s.opt_text(6), s.time(7)};
      });
}

Result<std::vector<PileConfigRecord>> SqliteStore::pile_config(const PileId& pile) {
  return query<PileConfigRecord>(
      readers_, "SELECT pile, key, parameter, value, readonly, updated FROM pile_config WHERE pile = ? ORDER BY key",
      [&](Stmt& s) { s.bind(1, pile); },
      [](const Stmt& s) {
        return PileConfigRecord{s.text(0), s.text(1), s.text(2), s.opt_text(3), s.int64(4) != 0, s.time(5)};
      });
}

Result<std::vector<AcquisitionPolicyRecord>> SqliteStore::acquisition_policies() {
  return query<AcquisitionPolicyRecord>(
      readers_,
      "SELECT scope, sample_interval_s, heartbeat_interval_s, aligned_interval_s, measurands, updated,"
      " updated_by, job FROM acquisition_policies ORDER BY scope",
      kNoParams,
      [](const Stmt& s) {
        return AcquisitionPolicyRecord{s.text(0),      opt_int(s, 1), opt_int(s, 2), opt_int(s, 3),
                                       s.opt_text(4), s.time(5),     s.text(6),     s.text(7)};
      });
}

}  // namespace cp::store::sqlite
