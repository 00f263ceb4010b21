#pragma once
// ConfigJobs — remote configuration jobs (DESIGN.md §4, issue #4): an operator's parameters
// become one ApplyConfig command per targeted pile; each pile's session maps it to its
// protocol (one ChangeConfiguration per parameter over OCPP 1.6, then a read-back) and every
// parameter's result comes back, is stored and is published as a live event.
//
// Durability: a job and its Pending results are committed before `create` replies (the API
// answers 202 only then); every result is committed before it is published. At start,
// `resume` reloads unfinished jobs: piles that were Queued or Running are delivered again
// (setting a configuration value twice is harmless), Waiting piles keep waiting.
//
// Delivery: piles offline at job time are recorded `Offline`, or with `deliver_when_online`
// wait until they connect (or the job expires, then `Offline`). Dispatch is rate-limited
// fleet-wide — at most `max_in_flight` piles at once and `piles_per_second` new piles per
// second — and each pile's session runs one command at a time, so a job to 10,000 piles never
// floods a pile, the store or the io threads.
//
// Threads: all job state lives on the Scheduler (one strand); public methods are safe from any
// thread. Callbacks (`Reply`) run on the store's writer thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/scheduler.h"
#include "core/time.h"
#include "domain/commands.h"
#include "domain/sink.h"
#include "services/event_bus.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::services {

struct ConfigJobsOptions {
  std::size_t max_in_flight = 100;   // piles being configured at once, fleet-wide
  double piles_per_second = 50;      // new piles started per second, fleet-wide
  std::chrono::seconds default_expiry{std::chrono::hours(24)};  // deliver_when_online wait
};

// One pile's share of a new job: the settings it gets (usually the job's; a policy job gives
// each pile its own effective values).
struct JobTarget {
  domain::PileId pile;
  std::string protocol;  // e.g. "ocpp1.6": decides which parameters it can carry
  std::vector<domain::ParameterSetting> settings;
};

struct NewConfigJob {
  std::string actor;
  std::string origin = "api";  // api | acquisition_policy
  std::string targets_json;    // the selection as the operator sent it (shown back)
  std::vector<domain::ParameterSetting> parameters;  // the job's parameter list, canonical
  std::vector<JobTarget> targets;
  bool deliver_when_online = false;
  std::optional<std::chrono::seconds> expires_in;  // default: options.default_expiry
  std::optional<std::string> idempotency_key;
  std::string request_digest;
  // Audit entry committed with the job; its target is set to the job id.
  std::optional<store::AuditRecord> audit;
};

class ConfigJobs {
 public:
  ConfigJobs(store::Store& store, Registry& registry, EventBus* bus, Scheduler& scheduler, const Clock& clock,
             Metrics& metrics, ConfigJobsOptions options = {});
  ~ConfigJobs();
  ConfigJobs(const ConfigJobs&) = delete;
  ConfigJobs& operator=(const ConfigJobs&) = delete;

  // A digest of what a job asks for (targets, parameters, delivery), for Idempotency-Key checks:
  // a replayed key with the same request gets the same job, with another request a conflict.
  static std::string digest(const NewConfigJob& job);

  // Reloads unfinished jobs from the store and schedules them. Call once, at start.
  Status resume();

  // Creates the job durably (with `extra` operations in the same batch: audit entries, a
  // policy change) and replies with its id, then dispatches. Errors: the store's.
  void create(NewConfigJob job, store::WriteBatch extra, domain::Reply<std::string> reply);

  // A pile's session attached: deliver whatever waits for it.
  void pile_online(const domain::PileId& pile);

  // Stops dispatching (shutdown): in-flight piles finish or are resumed at the next start.
  void stop();

  // For tests and /metrics: piles being configured now, and waiting to start.
  std::size_t in_flight() const;
  std::size_t queued() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace cp::services
