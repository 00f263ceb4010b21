// Remote configuration: the parameter catalogue, configuration jobs, what piles report of their
// configuration, and the data-acquisition policy (docs/api.md). Jobs are created through
// services::ConfigJobs, which answers after the job is durable; reads come from the store.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "api/detail/handlers.h"
#include "api/detail/representation.h"
#include "domain/parameters.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxParameters = 100;
constexpr std::size_t kMaxTargetPiles = 100000;
constexpr std::int64_t kMaxPilesPage = 10000;
constexpr std::int64_t kMaxExpiryS = 30LL * 24 * 3600;
constexpr auto kPolicyJobExpiry = std::chrono::hours(24 * 7);
constexpr std::size_t kMaxIdempotencyKey = 200;

Response unprocessable(const std::string& code, const std::string& detail) { return problem(422, code, detail); }
Response unavailable() { return problem(503, "service_unavailable", "configuration jobs are not enabled on this node"); }

Result<domain::ParameterValue> to_parameter_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_: return domain::ParameterValue{v.get_bool()};
    case json::kind::int64: return domain::ParameterValue{v.get_int64()};
    case json::kind::uint64:
      if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) break;
      return domain::ParameterValue{static_cast<std::int64_t>(v.get_uint64())};
    case json::kind::double_: return domain::ParameterValue{v.get_double()};
    case json::kind::string: return domain::ParameterValue{std::string(v.get_string())};
    case json::kind::array: {
      std::vector<std::string> items;
      for (const auto& item : v.get_array()) {
        if (!item.is_string()) return fail("invalid_parameter_value", "list items must be strings");
        items.emplace_back(item.get_string());
      }
      return domain::ParameterValue{std::move(items)};
    }
    default: break;
  }
  return fail("invalid_parameter_value", "unsupported value type");
}

// {"name": value, ...} -> canonical settings in the order given; 422 problems name the parameter.
Result<std::vector<domain::ParameterSetting>> parse_parameters(const json::value* v) {
  if (!v || !v->is_object() || v->get_object().empty())
    return fail("invalid_field", "'parameters' must be a non-empty object of {name: value}");
  if (v->get_object().size() > kMaxParameters)
    return fail("invalid_field", "'parameters' takes at most " + std::to_string(kMaxParameters) + " entries");
  std::vector<domain::ParameterSetting> out;
  for (const auto& [name, value] : v->get_object()) {
    auto typed = to_parameter_value(value);
    if (!typed) return fail("invalid_parameter_value", std::string(name) + ": " + typed.error().message);
    auto canonical = domain::canonical_value(name, *typed);
    if (!canonical) return fail(canonical.error());
    out.push_back({std::string(name), std::move(*canonical)});
  }
  return out;
}

std::vector<services::PileState> all_piles(services::Registry& registry, services::PileFilter filter) {
  std::vector<services::PileState> out;
  filter.limit = 1000;
  for (;;) {
    auto page = registry.list(filter);
    if (page.empty()) break;
    filter.after = page.back().id;
    for (auto& p : page) out.push_back(std::move(p));
    if (out.size() > kMaxTargetPiles) break;
  }
  return out;
}

// The job's targets: {"piles":[...]} | {"all":true} | {"filter":{protocol, online, status}}.
Result<std::vector<services::PileState>> resolve_targets(services::Registry& registry, const json::value* v) {
  if (!v || !v->is_object()) return fail("invalid_field", "'targets' must be an object: {piles}, {all} or {filter}");
  const auto& t = v->get_object();
  const int given = static_cast<int>(t.contains("piles")) + static_cast<int>(t.contains("all")) +
                    static_cast<int>(t.contains("filter"));
  if (given != 1) return fail("invalid_field", "'targets' must have exactly one of 'piles', 'all' or 'filter'");
  if (const auto* piles = t.if_contains("piles")) {
    if (!piles->is_array() || piles->get_array().empty() || piles->get_array().size() > kMaxTargetPiles)
      return fail("invalid_field", "'targets.piles' must be a non-empty array of pile ids");
    std::vector<services::PileState> out;
    std::set<std::string> seen;
    for (const auto& id : piles->get_array()) {
      if (!id.is_string()) return fail("invalid_field", "'targets.piles' must contain strings");
      const std::string pile(id.get_string());
      if (!seen.insert(pile).second) continue;
      auto live = registry.get(pile);
      if (!live) return fail("unknown_pile", "targets.piles: no pile '" + pile.substr(0, 64) + "'");
      out.push_back(std::move(*live));
    }
    return out;
  }
  if (const auto* all = t.if_contains("all")) {
    if (!all->is_bool() || !all->get_bool()) return fail("invalid_field", "'targets.all' must be true");
    return all_piles(registry, {});
  }
  const auto* f = t.if_contains("filter");
  if (!f->is_object()) return fail("invalid_field", "'targets.filter' must be an object");
  services::PileFilter filter;
  for (const auto& [key, value] : f->get_object()) {
    if (key == "protocol" && value.is_string()) filter.protocol = std::string(value.get_string());
    else if (key == "online" && value.is_bool()) filter.online = value.get_bool();
    else if (key == "status" && value.is_string()) filter.connector_status = std::string(value.get_string());
    else
      return fail("invalid_field", "'targets.filter." + std::string(key) +
                                       "' is not a filter (protocol: string, online: boolean, status: string)");
  }
  return all_piles(registry, filter);
}

Result<std::optional<std::string>> idempotency_key(const Request& req) {
  if (req.idempotency_key.empty()) return std::optional<std::string>{};
  if (req.idempotency_key.size() > kMaxIdempotencyKey)
    return fail("invalid_idempotency_key", "Idempotency-Key is longer than 200 characters");
  for (char c : req.idempotency_key)
    if (c < 0x21 || c > 0x7e) return fail("invalid_idempotency_key", "Idempotency-Key must be printable ASCII");
  return std::optional<std::string>{req.idempotency_key};
}

json::array parameters_array(const std::string& parameters_json) {
  boost::system::error_code ec;
  auto v = json::parse(parameters_json, ec);
  if (ec || !v.is_array()) return {};
  return std::move(v.as_array());
}

json::value parse_or_null(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

json::object job_summary_json(const store::ConfigJobRecord& j) {
  return {{"id", j.id},
          {"state", j.state},
          {"created", format_rfc3339(j.created)},
          {"created_by", j.created_by},
          {"origin", j.origin},
          {"targets", parse_or_null(j.targets_json)},
          {"parameters", parameters_array(j.parameters_json)},
          {"deliver_when_online", j.deliver_when_online},
          {"expires", time_or_null(j.expires)},
          {"updated", format_rfc3339(j.updated)}};
}

json::object result_json(const store::ConfigJobResultRecord& r) {
  return {{"parameter", r.parameter},
          {"value", r.value},
          {"status", r.status},
          {"detail", r.detail},
          {"reported_value", r.reported_value ? json::value(*r.reported_value) : json::value(nullptr)},
          {"updated", format_rfc3339(r.updated)}};
}

// Creates the job and answers 202 {id}. `extra` joins the job's batch (atomic with it);
// `after` runs once the job is durable, before the answer.
void submit_job(ApiState& s, services::NewConfigJob job, store::WriteBatch extra, Respond respond,
                std::function<json::object(const std::string& id)> body = {}) {
  s.ctx.config_jobs->create(std::move(job), std::move(extra),
                            [respond = std::move(respond), body = std::move(body)](Result<std::string> id) {
                              if (!id) return respond(store_problem(id.error()));
                              json::object o = body ? body(*id) : json::object{};
                              o["id"] = *id;
                              auto r = json_response(202, o);
                              r.headers.emplace_back("Location", "/api/v1/config-jobs/" + *id);
                              respond(std::move(r));
                            });
}

// ---- acquisition policy ----

Result<services::AcquisitionPolicy> parse_policy(const std::string& body) {
  auto o = parse_object(body);
  if (!o) return fail(o.error());
  services::AcquisitionPolicy p;
  for (const auto& [key, value] : *o) {
    std::optional<int>* field = nullptr;
    if (key == "sample_interval_s") field = &p.sample_interval_s;
    else if (key == "heartbeat_interval_s") field = &p.heartbeat_interval_s;
    else if (key == "aligned_interval_s") field = &p.aligned_interval_s;
    if (field) {
      if (value.is_null()) continue;
      if (!value.is_int64() && !value.is_uint64())
        return fail("invalid_field", "'" + std::string(key) + "' must be an integer number of seconds or null");
      const auto n = value.is_int64() ? value.get_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(value.get_uint64(), INT32_MAX));
      if (n < 0 || n > 86400) return fail("invalid_field", "'" + std::string(key) + "' must be between 0 and 86400");
      *field = static_cast<int>(n);
    } else if (key == "measurands") {
      if (value.is_null()) continue;
      if (!value.is_array()) return fail("invalid_field", "'measurands' must be an array of measurand names or null");
      std::vector<std::string> m;
      for (const auto& item : value.get_array()) {
        if (!item.is_string()) return fail("invalid_field", "'measurands' must contain strings");
        m.emplace_back(item.get_string());
      }
      p.measurands = std::move(m);
    } else {
      return fail("invalid_field", "'" + std::string(key) +
                                       "' is not a policy field (sample_interval_s, heartbeat_interval_s, "
                                       "aligned_interval_s, measurands)");
    }
  }
  if (auto v = services::validate(p); !v) return fail(v.error());
  return p;
}

json::value opt_int_json(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object policy_json(const services::AcquisitionPolicy& p) {
  json::value measurands = nullptr;
  if (p.measurands) {
    json::array a;
    for (const auto& m : *p.measurands) a.emplace_back(m);
    measurands = std::move(a);
  }
  return {{"sample_interval_s", opt_int_json(p.sample_interval_s)},
          {"heartbeat_interval_s", opt_int_json(p.heartbeat_interval_s)},
          {"aligned_interval_s", opt_int_json(p.aligned_interval_s)},
          {"measurands", std::move(measurands)}};
}

json::object effective_json(const services::EffectivePolicy& e) {
  json::array m;
  for (const auto& x : e.measurands) m.emplace_back(x);
  return {{"sample_interval_s", e.sample_interval_s},
          {"heartbeat_interval_s", e.heartbeat_interval_s},
          {"aligned_interval_s", e.aligned_interval_s},
          {"measurands", std::move(m)}};
}

store::AcquisitionPolicyRecord policy_record(const std::string& scope, const services::AcquisitionPolicy& p,
                                             const std::string& actor, Timestamp now) {
  store::AcquisitionPolicyRecord r;
  r.scope = scope;
  r.sample_interval_s = p.sample_interval_s;
  r.heartbeat_interval_s = p.heartbeat_interval_s;
  r.aligned_interval_s = p.aligned_interval_s;
  if (p.measurands) {
    std::string csv;
    for (const auto& m : *p.measurands) csv += (csv.empty() ? "" : ",") + m;
    r.measurands = csv;
  }
  r.updated = now;
  r.updated_by = actor;
  return r;
}

// The job that brings `piles` to their effective policy once `change` is applied.
services::NewConfigJob policy_job(const std::vector<services::PileState>& piles, const std::string& actor,
                                  const std::function<services::EffectivePolicy(const std::string&)>& effective,
                                  std::string targets_json) {
  services::NewConfigJob job;
  job.actor = actor;
  job.origin = "acquisition_policy";
  job.targets_json = std::move(targets_json);
  job.deliver_when_online = true;
  job.expires_in = std::chrono::duration_cast<std::chrono::seconds>(kPolicyJobExpiry);
  std::set<std::string> names;
  for (const auto& pile : piles) {
    auto settings = services::parameters_for(effective(pile.id));
    for (const auto& st : settings)
      if (names.insert(st.parameter).second) job.parameters.push_back(st);
    job.targets.push_back({pile.id, pile.protocol, std::move(settings)});
  }
  if (job.parameters.empty()) job.parameters = services::parameters_for(effective(""));
  return job;
}

}  // namespace

void list_parameters(ApiState&, Request&, Respond respond) {
  json::array items;
  for (const auto& p : domain::parameter_catalogue()) {
    json::array mappings;
    for (const auto& m : p.mappings)
      mappings.push_back(json::object{{"protocol", m.protocol}, {"via", m.via}, {"key", m.key}});
    json::object o{{"name", p.name},
                   {"type", domain::to_string(p.type)},
                   {"unit", p.unit},
                   {"min", p.min ? json::value(*p.min) : json::value(nullptr)},
                   {"max", p.max ? json::value(*p.max) : json::value(nullptr)},
                   {"reboot_may_be_needed", p.reboot_may_be_needed},
                   {"description", p.description},
                   {"mappings", std::move(mappings)}};
    if (p.type == domain::ParameterType::String) o["max_length"] = p.max_length;
    if (p.type == domain::ParameterType::MeasurandList) {
      json::array allowed;
      for (auto m : domain::known_measurands()) allowed.emplace_back(m);
      o["allowed"] = std::move(allowed);
    }
    items.push_back(std::move(o));
  }
  json::object raw{{"format", "<protocol>:<Key>"},
                   {"example", "ocpp1.6:LightIntensity"},
                   {"type", "string"},
                   {"max_length", 500},
                   {"protocols", json::array{"ocpp1.6", "ocpp2.0.1", "ykc", "gbt32960"}}};
  respond(json_response(200, json::object{{"items", std::move(items)}, {"raw_keys", std::move(raw)}}));
}

void create_config_job(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.config_jobs) return respond(unavailable());
  auto body = parse_object(req.body);
  if (!body) return respond(problem(400, body.error().code, body.error().message));
  auto key = idempotency_key(req);
  if (!key) return respond(problem(400, key.error().code, key.error().message));
  for (const auto& [name, value] : *body)
    if (name != "targets" && name != "parameters" && name != "deliver_when_online" && name != "expires_in_s")
      return respond(problem(400, "invalid_field", "'" + std::string(name) + "' is not a job field"));

  auto parameters = parse_parameters(body->if_contains("parameters"));
  if (!parameters) {
    const auto status = parameters.error().code == "invalid_field" ? 400u : 422u;
    return respond(problem(status, parameters.error().code, parameters.error().message));
  }
  services::NewConfigJob job;
  job.actor = req.principal ? req.principal->username : "";
  job.parameters = *parameters;
  if (const auto* d = body->if_contains("deliver_when_online")) {
    if (!d->is_bool()) return respond(problem(400, "invalid_field", "'deliver_when_online' must be a boolean"));
    job.deliver_when_online = d->get_bool();
  }
  if (const auto* e = body->if_contains("expires_in_s")) {
    if (!e->is_int64() || e->get_int64() < 1 || e->get_int64() > kMaxExpiryS)
      return respond(problem(400, "invalid_field", "'expires_in_s' must be an integer from 1 to 2592000"));
    if (!job.deliver_when_online)
      return respond(problem(400, "invalid_field", "'expires_in_s' only applies with 'deliver_when_online'"));
    job.expires_in = std::chrono::seconds(e->get_int64());
  }
  const auto* targets = body->if_contains("targets");
  job.targets_json = targets ? json::serialize(*targets) : "null";
  job.idempotency_key = *key;
  job.request_digest = services::ConfigJobs::digest(job);

  // Idempotency: the same key and request get the same job; the same key with another request
  // is refused. Concurrent duplicates are serialised by the reservation.
  const std::string reservation = *key ? "idem:" + job.actor + "\x1f" + **key : std::string{};
  if (*key) {
    if (!s.reserve(reservation))
      return respond(problem(409, "idempotency_key_in_use", "a request with this Idempotency-Key is in progress"));
    auto existing = s.ctx.store.config_job_by_idempotency_key(job.actor, **key);
    if (!existing) {
      s.release(reservation);
      return respond(store_problem(existing.error()));
    }
    if (existing->has_value()) {
      s.release(reservation);
      const auto& prior = **existing;
      if (prior.request_digest != job.request_digest)
        return respond(unprocessable("idempotency_key_reused",
                                     "this Idempotency-Key was used for a different request (job " + prior.id + ")"));
      auto r = json_response(202, json::object{{"id", prior.id}, {"replayed", true}});
      r.headers.emplace_back("Location", "/api/v1/config-jobs/" + prior.id);
      return respond(std::move(r));
    }
  }
  auto piles = resolve_targets(s.ctx.registry, targets);
  if (!piles || piles->empty()) {
    if (*key) s.release(reservation);
    if (!piles) {
      const auto status = piles.error().code == "unknown_pile" ? 422u : 400u;
      return respond(problem(status, piles.error().code, piles.error().message));
    }
    return respond(unprocessable("no_targets", "the targets select no piles"));
  }
  for (const auto& p : *piles) job.targets.push_back({p.id, p.protocol, job.parameters});
  job.audit = audit_record(s, req, "config_job.create", "",
                           json::object{{"piles", piles->size()}, {"parameters", job.parameters.size()}});
  const auto count = job.targets.size();
  spdlog::info("config_job.requested by={} piles={} parameters={}", job.actor, count, job.parameters.size());
  submit_job(s, std::move(job), {},
             [&s, reservation, respond = std::move(respond)](Response r) {
               if (!reservation.empty()) s.release(reservation);
               respond(std::move(r));
             },
             [count](const std::string&) { return json::object{{"state", "Running"}, {"piles", count}}; });
}

void list_config_jobs(ApiState& s, Request& req, Respond respond) {
  auto limit = query_int(req.query, "limit", 1, 500);
  if (!limit) return respond(problem(400, limit.error().code, limit.error().message));
  store::ConfigJobQuery q;
  q.limit = static_cast<int>(limit->value_or(50)) + 1;
  q.before = query_string(req.query, "before");
  q.state = query_string(req.query, "state");
  if (q.state && *q.state != "Running" && *q.state != "Completed")
    return respond(problem(400, "invalid_parameter", "'state' must be Running or Completed"));
  auto jobs = s.ctx.store.config_jobs(q);
  if (!jobs) return respond(store_problem(jobs.error()));
  respond(json_response(200, page_json(*jobs, q.limit - 1, job_summary_json)));
}

void get_config_job(ApiState& s, Request& req, Respond respond) {
  const auto& id = req.params["id"];
  auto limit = query_int(req.query, "limit", 1, kMaxPilesPage);
  if (!limit) return respond(problem(400, limit.error().code, limit.error().message));
  const auto after = query_string(req.query, "after").value_or("");
  const auto only = query_string(req.query, "pile");
  auto job = s.ctx.store.config_job(id);
  if (!job) return respond(store_problem(job.error()));
  if (!job->has_value()) return respond(problem(404, "config_job_not_found", "no configuration job '" + id + "'"));
  auto piles = s.ctx.store.config_job_piles(id);
  if (!piles) return respond(store_problem(piles.error()));
  auto results = s.ctx.store.config_job_results(id);
  if (!results) return respond(store_problem(results.error()));

  // Per-parameter results in the job's parameter order.
  auto o = job_summary_json(**job);
  std::map<std::string, std::size_t> order;
  for (const auto& p : o["parameters"].as_array())
    if (p.is_object() && p.as_object().contains("parameter"))
      order.emplace(std::string(p.as_object().at("parameter").as_string()), order.size());
  std::map<std::string, std::vector<const store::ConfigJobResultRecord*>> by_pile;
  std::map<std::string, std::size_t> result_counts;
  for (const auto& r : *results) {
    by_pile[r.pile].push_back(&r);
    ++result_counts[r.status];
  }
  std::map<std::string, std::size_t> pile_counts;
  for (const auto& p : *piles) ++pile_counts[p.state];

  const auto page = limit->value_or(1000);
  json::array items;
  json::value next = nullptr;
  for (const auto& p : *piles) {
    if (only && p.pile != *only) continue;
    if (!only && !after.empty() && p.pile <= after) continue;
    if (static_cast<std::int64_t>(items.size()) == page) {
      next = json::value(items.back().as_object().at("pile"));
      break;
    }
    auto& rows = by_pile[p.pile];
    std::sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
      const auto ia = order.count(a->parameter) ? order[a->parameter] : order.size();
      const auto ib = order.count(b->parameter) ? order[b->parameter] : order.size();
      return ia != ib ? ia < ib : a->parameter < b->parameter;
    });
    json::array rs;
    for (const auto* r : rows) rs.push_back(result_json(*r));
    items.push_back(json::object{{"pile", p.pile},
                                 {"state", p.state},
                                 {"attempts", p.attempts},
                                 {"updated", format_rfc3339(p.updated)},
                                 {"results", std::move(rs)}});
  }
  json::object piles_summary{{"total", piles->size()}};
  for (const auto& [state, n] : pile_counts) piles_summary[state] = n;
  json::object results_summary{{"total", results->size()}};
  for (const auto& [status, n] : result_counts) results_summary[status] = n;
  o["summary"] = json::object{{"piles", std::move(piles_summary)}, {"results", std::move(results_summary)}};
  o["piles"] = std::move(items);
  o["next"] = std::move(next);
  respond(json_response(200, o));
}

void retry_config_job(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.config_jobs) return respond(unavailable());
  const auto& id = req.params["id"];
  std::set<std::string> statuses{"Rejected", "Timeout", "Offline"};
  bool deliver_when_online = false;
  if (!req.body.empty()) {
    auto body = parse_object(req.body);
    if (!body) return respond(problem(400, body.error().code, body.error().message));
    if (const auto* st = body->if_contains("statuses")) {
      if (!st->is_array() || st->get_array().empty())
        return respond(problem(400, "invalid_field", "'statuses' must be a non-empty array of result statuses"));
      statuses.clear();
      for (const auto& v : st->get_array()) {
        const auto name = v.is_string() ? std::string(v.get_string()) : std::string{};
        const auto parsed = domain::parameter_status_from_string(name);
        if (!parsed || *parsed == domain::ParameterStatus::Pending)
          return respond(problem(400, "invalid_field", "'statuses' items must be final result statuses"));
        statuses.insert(name);
      }
    }
    if (const auto* d = body->if_contains("deliver_when_online")) {
      if (!d->is_bool()) return respond(problem(400, "invalid_field", "'deliver_when_online' must be a boolean"));
      deliver_when_online = d->get_bool();
    }
  }
  auto job = s.ctx.store.config_job(id);
  if (!job) return respond(store_problem(job.error()));
  if (!job->has_value()) return respond(problem(404, "config_job_not_found", "no configuration job '" + id + "'"));
  auto results = s.ctx.store.config_job_results(id);
  if (!results) return respond(store_problem(results.error()));
  services::NewConfigJob retry;
  retry.actor = req.principal ? req.principal->username : "";
  retry.targets_json = json::serialize(json::object{{"retry_of", id}});
  retry.deliver_when_online = deliver_when_online || (**job).deliver_when_online;
  std::map<std::string, std::vector<domain::ParameterSetting>> per_pile;
  std::set<std::string> names;
  for (const auto& r : *results) {
    if (!statuses.count(r.status)) continue;
    per_pile[r.pile].push_back({r.parameter, r.value});
    if (names.insert(r.parameter).second) retry.parameters.push_back({r.parameter, r.value});
  }
  for (auto& [pile, settings] : per_pile) {
    auto live = s.ctx.registry.get(pile);
    if (!live) continue;  // deleted since
    retry.targets.push_back({pile, live->protocol, std::move(settings)});
  }
  if (retry.targets.empty()) return respond(unprocessable("nothing_to_retry", "no results of job " + id + " match"));
  retry.audit = audit_record(s, req, "config_job.create", "", json::object{{"retry_of", id}, {"piles", retry.targets.size()}});
  const auto count = retry.targets.size();
  submit_job(s, std::move(retry), {}, std::move(respond), [count, id](const std::string&) {
    return json::object{{"state", "Running"}, {"piles", count}, {"retry_of", id}};
  });
}

void get_pile_config(ApiState& s, Request& req, Respond respond) {
  const auto& id = req.params["id"];
  if (!s.ctx.registry.exists(id)) return respond(problem(404, "pile_not_found", "no pile '" + id + "'"));
  auto rows = s.ctx.store.pile_config(id);
  if (!rows) return respond(store_problem(rows.error()));
  json::array items;
  for (const auto& r : *rows)
    items.push_back(json::object{{"key", r.key},
                                 {"parameter", r.parameter.empty() ? json::value(nullptr) : json::value(r.parameter)},
                                 {"value", r.value ? json::value(*r.value) : json::value(nullptr)},
                                 {"readonly", r.readonly},
                                 {"updated", format_rfc3339(r.updated)}});
  respond(json_response(200, json::object{{"pile", id}, {"items", std::move(items)}}));
}

void get_fleet_policy(ApiState& s, Request&, Respond respond) {
  if (!s.ctx.acquisition) return respond(unavailable());
  const auto& a = *s.ctx.acquisition;
  json::object overrides;
  for (const auto& [pile, p] : a.overrides()) overrides[pile] = policy_json(p);
  respond(json_response(200, json::object{{"policy", policy_json(a.fleet())},
                                          {"effective", effective_json(a.effective_fleet())},
                                          {"overrides", std::move(overrides)}}));
}

void put_fleet_policy(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.acquisition || !s.ctx.config_jobs) return respond(unavailable());
  auto policy = parse_policy(req.body);
  if (!policy) return respond(problem(400, policy.error().code, policy.error().message));
  auto& a = *s.ctx.acquisition;
  const auto actor = req.principal ? req.principal->username : "";
  // Each pile gets its effective policy under the new fleet default (its override still wins).
  const auto overrides = a.overrides();
  auto piles = all_piles(s.ctx.registry, {});
  auto resolve = [&](const std::string& pile) {
    auto it = overrides.find(pile);
    return a.compose(*policy, it == overrides.end() ? nullptr : &it->second);
  };
  auto job = policy_job(piles, actor, resolve, json::serialize(json::object{{"all", true}}));
  job.audit = audit_record(s, req, "config_job.create", "", json::object{{"origin", "acquisition_policy"}});
  auto record = policy_record("*", *policy, actor, s.ctx.clock.now());
  const store::InsertAudit audit{audit_record(s, req, "acquisition_policy.update", "*", policy_json(*policy))};
  const auto new_policy = *policy;
  if (job.targets.empty()) {
    // No piles yet: store the policy alone.
    s.ctx.store.submit({store::UpsertAcquisitionPolicy{record}, audit}, [&s, new_policy, respond = std::move(respond)](const Status& st) {
      if (!st) return respond(store_problem(st.error()));
      s.ctx.acquisition->set_fleet(new_policy);
      respond(json_response(200, json::object{{"policy", policy_json(new_policy)},
                                              {"effective", effective_json(s.ctx.acquisition->effective_fleet())},
                                              {"job", nullptr}}));
    });
    return;
  }
  s.ctx.config_jobs->create(
      std::move(job), {store::UpsertAcquisitionPolicy{record}, audit},
      [&s, new_policy, respond = std::move(respond)](Result<std::string> id) {
        if (!id) return respond(store_problem(id.error()));
        s.ctx.acquisition->set_fleet(new_policy);
        spdlog::info("acquisition_policy.fleet_changed job={}", *id);
        respond(json_response(200, json::object{{"policy", policy_json(new_policy)},
                                                {"effective", effective_json(s.ctx.acquisition->effective_fleet())},
                                                {"job", *id}}));
      });
}

std::optional<services::NewConfigJob> policy_job_for_new_pile(ApiState& s, const Request& req,
                                                             const store::PileRecord& pile) {
  if (!s.ctx.acquisition || !s.ctx.config_jobs) return std::nullopt;
  auto& a = *s.ctx.acquisition;
  // Nothing set anywhere: the pile runs on its own defaults and the built-in policy, as before.
  if (a.fleet() == services::AcquisitionPolicy{} && !a.pile_override(pile.id)) return std::nullopt;
  const auto actor = req.principal ? req.principal->username : "";
  services::PileState target;
  target.id = pile.id;
  target.protocol = pile.protocol;
  auto job = policy_job({target}, actor, [&a](const std::string& id) { return a.effective(id); },
                        json::serialize(json::object{{"piles", json::array{json::value(pile.id)}}}));
  job.audit = audit_record(s, req, "config_job.create", "", json::object{{"origin", "acquisition_policy"}});
  return job;
}

void get_pile_policy(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.acquisition) return respond(unavailable());
  const auto& id = req.params["id"];
  if (!s.ctx.registry.exists(id)) return respond(problem(404, "pile_not_found", "no pile '" + id + "'"));
  auto override_policy = s.ctx.acquisition->pile_override(id);
  respond(json_response(200, json::object{{"pile", id},
                                          {"override", override_policy ? json::value(policy_json(*override_policy))
                                                                       : json::value(nullptr)},
                                          {"effective", effective_json(s.ctx.acquisition->effective(id))}}));
}

namespace {

// Stores a pile's override change (set, or cleared when `policy` is empty) and applies the
// resulting effective policy to the pile with a configuration job.
void change_pile_policy(ApiState& s, Request& req, Respond respond, std::optional<services::AcquisitionPolicy> policy) {
  const auto id = req.params["id"];
  auto live = s.ctx.registry.get(id);
  if (!live) return respond(problem(404, "pile_not_found", "no pile '" + id + "'"));
  auto& a = *s.ctx.acquisition;
  if (!policy && !a.pile_override(id))
    return respond(problem(404, "policy_not_found", "pile '" + id + "' has no acquisition-policy override"));
  const auto actor = req.principal ? req.principal->username : "";
  const auto fleet = a.fleet();
  auto resolve = [&](const std::string&) { return a.compose(fleet, policy ? &*policy : nullptr); };
  auto job = policy_job({*live}, actor, resolve, json::serialize(json::object{{"piles", json::array{json::value(id)}}}));
  job.audit = audit_record(s, req, "config_job.create", "", json::object{{"origin", "acquisition_policy"}});
  store::WriteBatch extra;
  extra.push_back(store::InsertAudit{audit_record(s, req, policy ? "acquisition_policy.update" : "acquisition_policy.delete", id,
                                                  policy ? policy_json(*policy) : json::object{})});
  if (policy) extra.push_back(store::UpsertAcquisitionPolicy{policy_record(id, *policy, actor, s.ctx.clock.now())});
  else extra.push_back(store::DeleteAcquisitionPolicy{id});
  s.ctx.config_jobs->create(std::move(job), std::move(extra),
                            [&s, id, policy, respond = std::move(respond)](Result<std::string> job_id) {
                              if (!job_id) return respond(store_problem(job_id.error()));
                              if (policy) s.ctx.acquisition->set_pile(id, *policy);
                              else s.ctx.acquisition->clear_pile(id);
                              spdlog::info("acquisition_policy.pile_changed pile={} cleared={} job={}", id,
                                           !policy, *job_id);
                              respond(json_response(
                                  200, json::object{{"pile", id},
                                                    {"override", policy ? json::value(policy_json(*policy))
                                                                        : json::value(nullptr)},
                                                    {"effective", effective_json(s.ctx.acquisition->effective(id))},
                                                    {"job", *job_id}}));
                            });
}

}  // namespace

void put_pile_policy(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.acquisition || !s.ctx.config_jobs) return respond(unavailable());
  auto policy = parse_policy(req.body);
  if (!policy) return respond(problem(400, policy.error().code, policy.error().message));
  change_pile_policy(s, req, std::move(respond), *policy);
}

void delete_pile_policy(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.acquisition || !s.ctx.config_jobs) return respond(unavailable());
  change_pile_policy(s, req, std::move(respond), std::nullopt);
}

}  // namespace cp::api::detail
