#include "services/config_jobs.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "domain/parameters.h"
#include "services/auth.h"
#include "services/detail/encoding.h"

namespace cp::services {
namespace {

namespace json = boost::json;
using domain::ParameterStatus;
constexpr auto kRefillTick = std::chrono::milliseconds(100);

std::string new_job_id() { return "cj_" + random_secret(12); }

std::string status_name(ParameterStatus s) { return domain::to_string(s); }

// What the remaining parameters become when a pile's command ends without answering them.
ParameterStatus unanswered_status(const std::string& outcome_status) {
  if (outcome_status == "Offline") return ParameterStatus::Offline;
  if (outcome_status == "Timeout") return ParameterStatus::Timeout;
  if (outcome_status == "NotSupported") return ParameterStatus::NotSupported;
  return ParameterStatus::Rejected;
}

}  // namespace

struct ConfigJobs::State : std::enable_shared_from_this<ConfigJobs::State> {
  struct PileProgress {
    std::string protocol;
    std::string state = "Queued";  // Queued | Waiting | Running | Done
    int attempts = 0;
    std::vector<store::ConfigJobResultRecord> results;
  };
  struct Job {
    store::ConfigJobRecord record;
    std::map<domain::PileId, PileProgress> piles;
    std::size_t piles_done = 0;
    std::shared_ptr<Scheduler::Timer> expiry;
  };

  State(store::Store& s, Registry& r, EventBus* b, Scheduler& sch, const Clock& c, Metrics& m, ConfigJobsOptions o)
      : store(s),
        registry(r),
        bus(b),
        scheduler(sch),
        clock(c),
        options(std::move(o)),
        jobs_created(m.counter("chargeplane_config_jobs_created_total", "Configuration jobs created")),
        jobs_completed(m.counter("chargeplane_config_jobs_completed_total", "Configuration jobs completed")),
        piles_started(m.counter("chargeplane_config_job_piles_started_total",
                                "Pile configurations started (including redeliveries)")),
        in_flight_gauge(m.gauge("chargeplane_config_job_piles_in_flight", "Piles being configured now")),
        queued_gauge(m.gauge("chargeplane_config_job_piles_queued", "Piles waiting for a dispatch slot")),
        write_failures(m.counter("chargeplane_config_job_write_failures_total",
                                 "Configuration job writes the store refused")) {
    for (auto s : {ParameterStatus::Accepted, ParameterStatus::RebootRequired, ParameterStatus::Rejected,
                   ParameterStatus::NotSupported, ParameterStatus::UnknownParameter, ParameterStatus::Offline,
                   ParameterStatus::Timeout})
      results[static_cast<std::size_t>(s)] = &m.counter("chargeplane_config_job_results_total",
                                                         "Per-parameter configuration results",
                                                         {{"status", domain::to_string(s)}});
  }

  store::Store& store;
  Registry& registry;
  EventBus* bus;
  Scheduler& scheduler;
  const Clock& clock;
  ConfigJobsOptions options;
  Counter& jobs_created;
  Counter& jobs_completed;
  Counter& piles_started;
  Gauge& in_flight_gauge;
  Gauge& queued_gauge;
  Counter& write_failures;
  std::array<Counter*, 8> results{};

  // ---- strand-only state ----
  std::map<std::string, Job> jobs;  // unfinished jobs
  std::deque<std::pair<std::string, domain::PileId>> ready;
  std::unordered_map<domain::PileId, std::set<std::string>> waiting;  // pile -> jobs
  std::size_t running = 0;
  double budget = 0;
  std::shared_ptr<Scheduler::Timer> refill;
  bool stopped = false;
  std::atomic<std::size_t> in_flight_count{0}, queued_count{0};

  void publish_counts() {
    in_flight_count = running;
    queued_count = ready.size();
    in_flight_gauge.set(static_cast<std::int64_t>(running));
    queued_gauge.set(static_cast<std::int64_t>(ready.size()));
  }

  void write(store::WriteBatch batch, std::function<void()> after = {}) {
    store.submit(std::move(batch), [self = shared_from_this(), after = std::move(after)](const Status& s) {
      if (!s) {
        self->write_failures.inc();
        spdlog::error("config_jobs.write_failed error={} message=\"{}\"", s.error().code, s.error().message);
        return;
      }
      if (after) after();
    });
  }

  void publish(const std::string& type, const std::string& pile, json::object event) {
    if (!bus || !bus->has_subscribers()) return;
    const auto at = clock.now();
    event.emplace("type", type);
    event.emplace("pile", pile);
    event.emplace("at", format_rfc3339(at));
    bus->publish(type, pile, at, json::serialize(event));
  }

  // ---- results ----

  void set_result(store::ConfigJobResultRecord& r, ParameterStatus status, std::string detail,
                  std::optional<std::string> reported, std::vector<store::ConfigJobResultRecord>& changed) {
    r.status = status_name(status);
    r.detail = std::move(detail);
    if (reported) r.reported_value = std::move(reported);
    r.updated = clock.now();
    if (auto* c = results[static_cast<std::size_t>(status)]) c->inc();
    changed.push_back(r);
  }

  void commit_results(const std::vector<store::ConfigJobResultRecord>& changed, store::WriteBatch extra = {}) {
    if (changed.empty() && extra.empty()) return;
    store::WriteBatch batch = std::move(extra);
    if (!changed.empty()) batch.push_back(store::UpsertConfigJobResults{changed});
    write(std::move(batch), [self = shared_from_this(), changed] {
      for (const auto& r : changed) {
        json::object e{{"job", r.job},       {"parameter", r.parameter}, {"value", r.value},
                       {"status", r.status}, {"detail", r.detail}};
        e.emplace("reported_value", r.reported_value ? json::value(*r.reported_value) : json::value(nullptr));
        self->publish("config_job.parameter", r.pile, std::move(e));
      }
    });
  }

  void set_pile_state(Job& job, const domain::PileId& pile, PileProgress& p, std::string state,
                      store::WriteBatch& batch) {
    if (p.state == state) return;
    const bool was_done = p.state == "Done";
    p.state = std::move(state);
    if (p.state == "Done" && !was_done) ++job.piles_done;
    batch.push_back(store::UpdateConfigJobPile{{job.record.id, pile, p.state, p.attempts, clock.now()}});
  }

  bool expired(const Job& job) const { return job.record.expires && clock.now() >= *job.record.expires; }

  // Marks every still-Pending parameter of `pile` with `status`, and the pile Done.
  void finish_pending(Job& job, const domain::PileId& pile, PileProgress& p, ParameterStatus status,
                      const std::string& detail) {
    store::WriteBatch batch;
    std::vector<store::ConfigJobResultRecord> changed;
    for (auto& r : p.results)
      if (r.status == "Pending") set_result(r, status, detail, std::nullopt, changed);
    set_pile_state(job, pile, p, "Done", batch);
    commit_results(changed, std::move(batch));
    publish("config_job.pile", pile, {{"job", job.record.id}, {"state", "Done"}});
  }

  void maybe_complete(const std::string& job_id) {
    auto it = jobs.find(job_id);
    if (it == jobs.end()) return;
    Job& job = it->second;
    if (job.piles_done < job.piles.size()) return;
    if (job.expiry) job.expiry->cancel();
    jobs_completed.inc();
    const auto now = clock.now();
    write({store::UpdateConfigJobState{job_id, "Completed", now}},
          [self = shared_from_this(), job_id] {
            self->publish("config_job.state", "", {{"job", job_id}, {"state", "Completed"}});
          });
    spdlog::info("config_job.completed job={} piles={}", job_id, job.piles.size());
    jobs.erase(it);
  }

  // ---- dispatch ----

  void enqueue(const std::string& job_id, const domain::PileId& pile) { ready.emplace_back(job_id, pile); }

  void pump() {
    if (stopped) return;
    while (!ready.empty() && running < options.max_in_flight && budget >= 1.0) {
      auto [job_id, pile] = ready.front();
      ready.pop_front();
      if (start_pile(job_id, pile)) budget -= 1.0;
    }
    publish_counts();
    if (!ready.empty() && !refill) {
      refill = scheduler.after(kRefillTick, [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          self->refill.reset();
          self->budget = std::min(self->budget + self->options.piles_per_second * 0.1,
                                  std::max(1.0, self->options.piles_per_second));
          self->pump();
        }
      });
    }
  }

  // Returns true when a command was sent (a dispatch slot used).
  bool start_pile(const std::string& job_id, const domain::PileId& pile) {
    auto jit = jobs.find(job_id);
    if (jit == jobs.end()) return false;
    Job& job = jit->second;
    auto pit = job.piles.find(pile);
    if (pit == job.piles.end() || pit->second.state != "Queued") return false;
    PileProgress& p = pit->second;
    auto link = registry.link(pile);
    if (!link) {
      if (job.record.deliver_when_online && !expired(job)) {
        store::WriteBatch batch;
        set_pile_state(job, pile, p, "Waiting", batch);
        write(std::move(batch));
        waiting[pile].insert(job_id);
      } else {
        finish_pending(job, pile, p, ParameterStatus::Offline, "the pile is offline");
        maybe_complete(job_id);
      }
      return false;
    }
    domain::ApplyConfig cmd;
    for (const auto& r : p.results)
      if (r.status == "Pending") cmd.settings.push_back({r.parameter, r.value});
    if (cmd.settings.empty()) {
      store::WriteBatch batch;
      set_pile_state(job, pile, p, "Done", batch);
      write(std::move(batch));
      maybe_complete(job_id);
      return false;
    }
    ++p.attempts;
    store::WriteBatch batch;
    set_pile_state(job, pile, p, "Running", batch);
    write(std::move(batch));
    ++running;
    piles_started.inc();
    publish("config_job.pile", pile, {{"job", job_id}, {"state", "Running"}});
    std::weak_ptr<State> weak = weak_from_this();
    domain::CommandObserver observer;
    observer.parameter = [weak, job_id, pile](const domain::ParameterResult& r) {
      if (auto self = weak.lock())
        self->scheduler.post([weak, job_id, pile, r] {
          if (auto s = weak.lock()) s->on_parameter(job_id, pile, r);
        });
    };
    observer.done = [weak, job_id, pile](domain::CommandOutcome outcome) {
      if (auto self = weak.lock())
        self->scheduler.post([weak, job_id, pile, outcome = std::move(outcome)]() mutable {
          if (auto s = weak.lock()) s->on_pile_done(job_id, pile, std::move(outcome));
        });
    };
    link->execute(std::move(cmd), std::move(observer));
    return true;
  }

  // A parameter's answer. Offline answers of jobs that wait for piles keep the parameter
  // Pending: it is delivered again when the pile reconnects.
  bool apply_answer(const Job& job, PileProgress& p, const domain::ParameterResult& answer,
                    std::vector<store::ConfigJobResultRecord>& changed) {
    if (answer.status == ParameterStatus::Pending) return false;
    if (answer.status == ParameterStatus::Offline && job.record.deliver_when_online && !expired(job)) return false;
    for (auto& r : p.results) {
      if (r.parameter != answer.parameter) continue;
      if (r.status != "Pending") {
        // A read-back may still add what the pile reports for an answered parameter.
        if (answer.reported_value && r.reported_value != answer.reported_value) {
          r.reported_value = answer.reported_value;
          r.updated = clock.now();
          changed.push_back(r);
        }
        return false;
      }
      set_result(r, answer.status, answer.detail, answer.reported_value, changed);
      return true;
    }
    return false;
  }

  void on_parameter(const std::string& job_id, const domain::PileId& pile, const domain::ParameterResult& answer) {
    auto jit = jobs.find(job_id);
    if (jit == jobs.end()) return;
    auto pit = jit->second.piles.find(pile);
    if (pit == jit->second.piles.end()) return;
    std::vector<store::ConfigJobResultRecord> changed;
    apply_answer(jit->second, pit->second, answer, changed);
    commit_results(changed);
  }

  void on_pile_done(const std::string& job_id, const domain::PileId& pile, domain::CommandOutcome outcome) {
    if (running > 0) --running;
    auto jit = jobs.find(job_id);
    if (jit != jobs.end()) {
      if (auto pit = jit->second.piles.find(pile); pit != jit->second.piles.end())
        settle(jit->second, pile, pit->second, outcome);
    }
    maybe_complete(job_id);
    pump();
  }

  void settle(Job& job, const domain::PileId& pile, PileProgress& p, const domain::CommandOutcome& outcome) {
    std::vector<store::ConfigJobResultRecord> changed;
    store::WriteBatch batch;
    for (const auto& answer : outcome.parameters) apply_answer(job, p, answer, changed);
    if (!outcome.configuration.empty()) {
      store::RecordPileConfig config{pile, {}, false};
      const auto now = clock.now();
      for (const auto& e : outcome.configuration)
        config.entries.push_back({pile, e.key, e.parameter, e.value, e.readonly, now});
      batch.push_back(std::move(config));
    }
    const bool pending_left =
        std::any_of(p.results.begin(), p.results.end(), [](const auto& r) { return r.status == "Pending"; });
    if (pending_left && outcome.status == "Offline" && job.record.deliver_when_online && !expired(job)) {
      set_pile_state(job, pile, p, "Waiting", batch);
      waiting[pile].insert(job.record.id);
      commit_results(changed, std::move(batch));
      publish("config_job.pile", pile, {{"job", job.record.id}, {"state", "Waiting"}});
      return;
    }
    if (pending_left) {
      std::string detail = outcome.detail.empty() ? "the pile did not answer this parameter (" + outcome.status + ")"
                                                   : outcome.detail;
      for (auto& r : p.results)
        if (r.status == "Pending")
          set_result(r, unanswered_status(outcome.status), detail, std::nullopt, changed);
    }
    set_pile_state(job, pile, p, "Done", batch);
    commit_results(changed, std::move(batch));
    publish("config_job.pile", pile, {{"job", job.record.id}, {"state", "Done"}});
  }

  void on_expiry(const std::string& job_id) {
    auto jit = jobs.find(job_id);
    if (jit == jobs.end()) return;
    Job& job = jit->second;
    const std::string detail = "not delivered: the pile did not come online before the job expired at " +
                               format_rfc3339(*job.record.expires);
    for (auto& [pile, p] : job.piles) {
      if (p.state != "Waiting" && p.state != "Queued") continue;
      if (auto w = waiting.find(pile); w != waiting.end()) {
        w->second.erase(job_id);
        if (w->second.empty()) waiting.erase(w);
      }
      finish_pending(job, pile, p, ParameterStatus::Offline, detail);
    }
    maybe_complete(job_id);
  }

  void arm_expiry(Job& job) {
    if (!job.record.deliver_when_online || !job.record.expires) return;
    const auto delay = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(0),
                                                           *job.record.expires - clock.now());
    job.expiry = scheduler.after(delay, [weak = weak_from_this(), id = job.record.id] {
      if (auto self = weak.lock()) self->on_expiry(id);
    });
  }

  void on_online(const domain::PileId& pile) {
    auto w = waiting.find(pile);
    if (w == waiting.end()) return;
    const auto job_ids = std::move(w->second);
    waiting.erase(w);
    for (const auto& job_id : job_ids) {
      auto jit = jobs.find(job_id);
      if (jit == jobs.end()) continue;
      auto pit = jit->second.piles.find(pile);
      if (pit == jit->second.piles.end() || pit->second.state != "Waiting") continue;
      store::WriteBatch batch;
      set_pile_state(jit->second, pile, pit->second, "Queued", batch);
      write(std::move(batch));
      enqueue(job_id, pile);
    }
    pump();
  }

  // Adds a created or resumed job to the strand's state and queues its piles.
  void adopt(Job job) {
    const auto id = job.record.id;
    auto [it, inserted] = jobs.emplace(id, std::move(job));
    if (!inserted) return;
    Job& j = it->second;
    arm_expiry(j);
    for (auto& [pile, p] : j.piles) {
      if (p.state == "Waiting" && registry.link(pile)) {
        // Connected between the job's creation and now: no reconnect will come to wake it.
        store::WriteBatch batch;
        set_pile_state(j, pile, p, "Queued", batch);
        write(std::move(batch));
      }
      if (p.state == "Queued") enqueue(id, pile);
      else if (p.state == "Waiting") waiting[pile].insert(id);
    }
    maybe_complete(id);  // every pile may already be settled (all NotSupported, all offline)
    pump();
  }
};

ConfigJobs::ConfigJobs(store::Store& store, Registry& registry, EventBus* bus, Scheduler& scheduler,
                       const Clock& clock, Metrics& metrics, ConfigJobsOptions options)
    : state_(std::make_shared<State>(store, registry, bus, scheduler, clock, metrics, std::move(options))) {
  state_->budget = std::max(1.0, state_->options.piles_per_second);
}

ConfigJobs::~ConfigJobs() { stop(); }

std::string ConfigJobs::digest(const NewConfigJob& job) {
  std::string canonical = job.origin + '\n' + job.targets_json + '\n';
  for (const auto& p : job.parameters) canonical += p.parameter + '=' + p.value + '\n';
  canonical += job.deliver_when_online ? "deliver_when_online\n" : "\n";
  if (job.expires_in) canonical += std::to_string(job.expires_in->count());
  const auto d = detail::sha256(canonical);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

void ConfigJobs::stop() {
  state_->scheduler.post([s = state_] {
    s->stopped = true;
    if (s->refill) s->refill->cancel();
    for (auto& [id, job] : s->jobs)
      if (job.expiry) job.expiry->cancel();
  });
}

std::size_t ConfigJobs::in_flight() const { return state_->in_flight_count.load(); }
std::size_t ConfigJobs::queued() const { return state_->queued_count.load(); }

void ConfigJobs::create(NewConfigJob spec, store::WriteBatch extra, domain::Reply<std::string> reply) {
  auto& s = *state_;
  const auto now = s.clock.now();
  State::Job job;
  store::ConfigJobRecord& r = job.record;
  r.id = new_job_id();
  r.created = now;
  r.created_by = spec.actor;
  r.origin = spec.origin;
  r.targets_json = spec.targets_json;
  json::array params;
  for (const auto& p : spec.parameters) params.push_back(json::object{{"parameter", p.parameter}, {"value", p.value}});
  r.parameters_json = json::serialize(params);
  r.deliver_when_online = spec.deliver_when_online;
  if (spec.deliver_when_online) r.expires = now + spec.expires_in.value_or(s.options.default_expiry);
  r.state = "Running";
  r.updated = now;
  r.idempotency_key = spec.idempotency_key;
  r.request_digest = spec.request_digest;

  store::InsertConfigJob insert;
  for (auto& target : spec.targets) {
    State::PileProgress p;
    p.protocol = target.protocol;
    for (const auto& setting : target.settings) {
      store::ConfigJobResultRecord res{r.id, target.pile, setting.parameter, setting.value, "Pending", {}, {}, now};
      if (!domain::mapping_for(setting.parameter, target.protocol)) {
        res.status = "NotSupported";
        res.detail = "the " + target.protocol + " protocol cannot carry this parameter";
        if (auto* c = s.results[static_cast<std::size_t>(ParameterStatus::NotSupported)]) c->inc();
      }
      p.results.push_back(res);
    }
    bool pending =
        std::any_of(p.results.begin(), p.results.end(), [](const auto& x) { return x.status == "Pending"; });
    // Piles offline now are settled in the job's own batch, so the 202 already shows them.
    const bool online = s.registry.link(target.pile) != nullptr;
    if (pending && !online && !spec.deliver_when_online) {
      for (auto& res : p.results) {
        if (res.status != "Pending") continue;
        res.status = "Offline";
        res.detail = "the pile is offline";
        if (auto* c = s.results[static_cast<std::size_t>(ParameterStatus::Offline)]) c->inc();
      }
      pending = false;
    }
    p.state = !pending ? "Done" : online ? "Queued" : "Waiting";
    if (!pending) ++job.piles_done;
    insert.piles.push_back({r.id, target.pile, p.state, 0, now});
    insert.results.insert(insert.results.end(), p.results.begin(), p.results.end());
    job.piles.emplace(target.pile, std::move(p));
  }
  insert.job = r;
  store::WriteBatch batch{std::move(insert)};
  if (spec.audit) {
    spec.audit->target = r.id;
    batch.push_back(store::InsertAudit{std::move(*spec.audit)});
  }
  for (auto& op : extra) batch.push_back(std::move(op));
  const std::string id = r.id;
  s.store.submit(std::move(batch), [self = state_, job = std::make_shared<State::Job>(std::move(job)), id,
                                    reply = std::move(reply)](const Status& st) mutable {
    if (!st) {
      self->write_failures.inc();
      return reply(fail(st.error()));
    }
    self->jobs_created.inc();
    spdlog::info("config_job.created job={} by={} origin={} piles={}", id, job->record.created_by,
                 job->record.origin, job->piles.size());
    self->scheduler.post([self, job] { self->adopt(std::move(*job)); });
    reply(id);
  });
}

void ConfigJobs::pile_online(const domain::PileId& pile) {
  state_->scheduler.post([weak = std::weak_ptr<State>(state_), pile] {
    if (auto s = weak.lock()) s->on_online(pile);
  });
}

Status ConfigJobs::resume() {
  auto& s = *state_;
  std::vector<State::Job> resumed;
  std::optional<std::string> before;
  for (;;) {
    auto page = s.store.config_jobs({500, before, std::string("Running")});
    if (!page) return fail(page.error());
    if (page->empty()) break;
    before = page->back().id;
    for (auto& record : *page) {
      State::Job job;
      job.record = std::move(record);
      auto piles = s.store.config_job_piles(job.record.id);
      if (!piles) return fail(piles.error());
      auto results = s.store.config_job_results(job.record.id);
      if (!results) return fail(results.error());
      for (auto& p : *piles) {
        State::PileProgress progress;
        // Queued and Running piles are delivered again; Waiting ones keep waiting.
        progress.state = p.state == "Running" ? "Queued" : p.state;
        progress.attempts = p.attempts;
        if (auto live = s.registry.get(p.pile)) progress.protocol = live->protocol;
        if (progress.state == "Done") ++job.piles_done;
        job.piles.emplace(p.pile, std::move(progress));
      }
      for (auto& res : *results)
        if (auto it = job.piles.find(res.pile); it != job.piles.end()) it->second.results.push_back(std::move(res));
      resumed.push_back(std::move(job));
    }
  }
  if (!resumed.empty()) spdlog::info("config_jobs.resumed jobs={}", resumed.size());
  for (auto& job : resumed)
    s.scheduler.post([self = state_, job = std::make_shared<State::Job>(std::move(job))] {
      self->adopt(std::move(*job));
    });
  return {};
}

}  // namespace cp::services
