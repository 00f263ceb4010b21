// /api/v1/piles: live state from the Registry, registration through the store. Writes answer
// from the store's `done` (writer thread); the session re-posts the response to its strand.
#include <spdlog/spdlog.h>

#include "api/detail/handlers.h"
#include "api/detail/pile_transport.h"
#include "api/detail/representation.h"
#include "domain/connector.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxPage = 1000;
constexpr std::int64_t kMaxTelemetryRows = 100000;

Response bad(const Error& e) { return problem(400, e.code, e.message); }

Response not_found(const std::string& id) { return problem(404, "pile_not_found", "no pile '" + id + "'"); }

bool is_ocpp(const std::string& protocol) { return protocol == "ocpp1.6" || protocol == "ocpp2.0.1"; }

// YKC pile numbers are 7 BCD bytes: exactly 14 decimal digits (shared/protocols/ykc.md §1.1).
bool valid_ykc_pile_number(std::string_view id) {
  return id.size() == 14 && id.find_first_not_of("0123456789") == std::string_view::npos;
}

// Registration field of a create/patch body, validated.
Result<std::optional<std::string>> registration_field(const json::object& o) {
  auto r = string_field(o, "registration");
  if (!r) return r;
  if (*r && !domain::registration_from_string(**r))
    return fail("invalid_field", "'registration' must be Accepted, Pending or Rejected");
  return r;
}

Result<std::optional<std::string>> password_field(const json::object& o) {
  auto p = string_field(o, "password");
  if (!p) return p;
  if (*p && !valid_pile_password(**p))
    return fail("invalid_password", "'password' must be 16 to 40 printable ASCII characters without spaces");
  return p;
}

// Live state with the stored details the Registry does not hold.
json::object pile_details(const services::PileState& live, const store::PileRecord& stored) {
  auto o = pile_json(live);
  o["created"] = format_rfc3339(stored.created);
  add_transport_json(stored, o);
  return o;
}

}  // namespace

void list_piles(ApiState& s, Request& req, Respond respond) {
  services::PileFilter f;
  auto online = query_bool(req.query, "online");
  auto limit = query_int(req.query, "limit", 1, kMaxPage);
  if (!online) return respond(bad(online.error()));
  if (!limit) return respond(bad(limit.error()));
  f.protocol = query_string(req.query, "protocol");
  f.online = *online;
  f.connector_status = query_string(req.query, "status");
  if (f.connector_status && !domain::connector_status_from_string(*f.connector_status))
    return respond(problem(400, "invalid_parameter", "'status' must be a connector status name"));
  f.after = query_string(req.query, "after").value_or("");
  const auto page = limit->value_or(100);
  f.limit = static_cast<int>(page) + 1;  // one more tells whether there is a next page
  auto piles = s.ctx.registry.list(f);
  respond(json_response(200, page_json(piles, page, pile_json)));
}

void create_pile(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(bad(body.error()));
  auto id = string_field(*body, "id");
  auto protocol = string_field(*body, "protocol");
  auto password = password_field(*body);
  auto registration = registration_field(*body);
  for (const Result<std::optional<std::string>>* r : {&id, &protocol, &password, &registration})
    if (!*r) return respond(bad(r->error()));
  if (!*id || !valid_pile_id(**id))
    return respond(problem(400, "invalid_pile_id", "'id' must be 1 to 48 characters of A-Z a-z 0-9 . _ -"));
  if (!*protocol || !domain::protocol_from_string(**protocol))
    return respond(problem(400, "invalid_protocol", "'protocol' must be ocpp1.6, ocpp2.0.1, ykc or gbt32960"));
  if (is_ocpp(**protocol) && !*password)
    return respond(problem(400, "invalid_password", "OCPP piles need a 'password' (16 to 40 characters)"));
  if (**protocol == "ykc" && !valid_ykc_pile_number(**id))
    return respond(problem(400, "invalid_pile_id", "a ykc pile id is its 14-digit pile number (7 BCD bytes)"));
  if (**protocol == "ykc" && *password)
    return respond(problem(400, "invalid_field", "ykc piles log in by pile number (and key); 'password' does not apply"));

  const auto pile_id = **id;
  if (!s.reserve(pile_id)) return respond(problem(409, "pile_exists", "pile '" + pile_id + "' is being registered"));
  auto existing = s.ctx.store.pile(pile_id);
  if (!existing || existing->has_value() || s.ctx.registry.exists(pile_id)) {
    s.release(pile_id);
    if (!existing) return respond(store_problem(existing.error()));
    return respond(problem(409, "pile_exists", "pile '" + pile_id + "' already exists"));
  }
  store::PileRecord record;
  record.id = pile_id;
  record.protocol = **protocol;
  record.password_hash = *password ? services::hash_password(**password, s.ctx.options.pile_password_iterations) : "";
  record.registration = registration->value_or(s.ctx.options.default_registration);
  record.created = s.ctx.clock.now();
  TransportChange changed;
  if (auto refused = apply_transport_settings(s, *body, record, true, changed)) {
    s.release(pile_id);
    return respond(std::move(*refused));
  }
  json::object audit_detail{{"protocol", record.protocol}, {"registration", record.registration}};
  if (has_transport_settings(record.protocol)) {
    audit_detail["cipher"] = record.cipher;
    audit_detail["key_fingerprint"] = record.key_fingerprint;
  }
  store::WriteBatch batch{store::UpsertPile{record},
                          store::InsertAudit{audit_record(s, req, "pile.create", record.id, std::move(audit_detail))}};
  auto finish = [&s, record, respond = std::move(respond)](const Status& st, std::optional<std::string> policy_job) {
    s.release(record.id);
    if (!st) return respond(store_problem(st.error()));
    s.ctx.registry.upsert_pile(record);
    s.ctx.pile_auth.forget(record.id);  // a pile of the same id may have been deleted before
    spdlog::info("pile_registered pile={} protocol={} registration={} cipher={} policy_job={}", record.id,
                 record.protocol, record.registration, record.cipher, policy_job.value_or("-"));
    services::PileState live;
    if (auto st2 = s.ctx.registry.get(record.id)) live = *st2;
    auto body = pile_details(live, record);
    body["policy_job"] = policy_job ? json::value(*policy_job) : json::value(nullptr);
    auto r = json_response(201, std::move(body));
    r.headers.emplace_back("Location", "/api/v1/piles/" + record.id);
    respond(std::move(r));
  };
  // Under a fleet policy the pile's registration and the job that applies the policy to it
  // commit together, so a pile is never left on defaults the rest of the fleet does not run.
  if (auto job = policy_job_for_new_pile(s, req, record)) {
    s.ctx.config_jobs->create(std::move(*job), std::move(batch), [finish = std::move(finish)](Result<std::string> id) {
      if (!id) return finish(Status(fail(id.error())), std::nullopt);
      finish(Status{}, *id);
    });
    return;
  }
  s.ctx.store.submit(std::move(batch), [finish = std::move(finish)](const Status& st) { finish(st, std::nullopt); });
}

void get_pile(ApiState& s, Request& req, Respond respond) {
  const auto& id = req.params["id"];
  auto stored = s.ctx.store.pile(id);
  if (!stored) return respond(store_problem(stored.error()));
  auto live = s.ctx.registry.get(id);
  if (!stored->has_value() || !live) return respond(not_found(id));
  respond(json_response(200, pile_details(*live, **stored)));
}

void patch_pile(ApiState& s, Request& req, Respond respond) {
  const auto id = req.params["id"];
  auto body = parse_object(req.body);
  if (!body) return respond(bad(body.error()));
  auto password = password_field(*body);
  auto registration = registration_field(*body);
  if (!password) return respond(bad(password.error()));
  if (!registration) return respond(bad(registration.error()));
  const bool transport = body->contains("encryption") || body->contains("ykc");
  if (!*password && !*registration && !transport)
    return respond(problem(400, "invalid_body",
                           "nothing to change: give 'password', 'registration', 'encryption' or 'ykc'"));
  auto stored = s.ctx.store.pile(id);
  if (!stored) return respond(store_problem(stored.error()));
  if (!stored->has_value()) return respond(not_found(id));
  auto record = **stored;
  if (*password && record.protocol == "ykc")
    return respond(problem(400, "invalid_field", "ykc piles log in by pile number (and key); 'password' does not apply"));
  TransportChange changed;
  if (auto refused = apply_transport_settings(s, *body, record, false, changed)) return respond(std::move(*refused));
  if (*password) record.password_hash = services::hash_password(**password, s.ctx.options.pile_password_iterations);
  if (*registration) record.registration = **registration;
  const bool new_password = password->has_value();
  json::object audit_detail{{"registration", record.registration}, {"password_changed", new_password}};
  if (has_transport_settings(record.protocol)) {
    audit_detail["cipher"] = record.cipher;
    audit_detail["key_fingerprint"] = record.key_fingerprint;
    audit_detail["key_changed"] = changed.encryption;
    audit_detail["options_changed"] = changed.options;
  }
  store::WriteBatch batch{store::UpsertPile{record},
                          store::InsertAudit{audit_record(s, req, "pile.update", record.id, std::move(audit_detail))}};
  s.ctx.store.submit(std::move(batch),
                     [&s, record, new_password, changed, respond = std::move(respond)](const Status& st) {
                       if (!st) return respond(store_problem(st.error()));
                       s.ctx.registry.upsert_pile(record);
                       s.ctx.pile_auth.forget(record.id);
                       spdlog::info("pile_updated pile={} registration={} password_changed={} key_changed={}"
                                    " options_changed={}", record.id, record.registration, new_password,
                                    changed.encryption, changed.options);
                       // Transport settings are read at login: the pile logs in again under them.
                       if (changed.encryption || changed.options)
                         if (auto link = s.ctx.registry.link(record.id)) link->close("pile settings changed");
                       auto live = s.ctx.registry.get(record.id);
                       if (!live) return respond(not_found(record.id));  // deleted meanwhile
                       respond(json_response(200, pile_details(*live, record)));
                     });
}

void delete_pile(ApiState& s, Request& req, Respond respond) {
  const auto id = req.params["id"];
  auto stored = s.ctx.store.pile(id);
  if (!stored) return respond(store_problem(stored.error()));
  if (!stored->has_value() && !s.ctx.registry.exists(id)) return respond(not_found(id));
  store::WriteBatch batch{store::DeletePile{id}, store::InsertAudit{audit_record(s, req, "pile.delete", id)}};
  s.ctx.store.submit(std::move(batch), [&s, id, respond = std::move(respond)](const Status& st) {
    if (!st) return respond(store_problem(st.error()));
    auto link = s.ctx.registry.link(id);
    s.ctx.registry.remove_pile(id);
    s.ctx.pile_auth.forget(id);
    if (link) link->close("pile deleted");
    spdlog::info("pile_deleted pile={} was_online={}", id, link != nullptr);
    respond(no_content());
  });
}

void list_connectors(ApiState& s, Request& req, Respond respond) {
  const auto& id = req.params["id"];
  auto live = s.ctx.registry.get(id);
  if (!live) return respond(not_found(id));
  json::array items;
  for (const auto& c : live->connectors) items.push_back(connector_json(c, true));
  respond(json_response(200, json::object{{"items", std::move(items)}}));
}

void pile_telemetry(ApiState& s, Request& req, Respond respond) {
  const auto& id = req.params["id"];
  auto from = query_time(req.query, "from");
  auto to = query_time(req.query, "to");
  auto limit = query_int(req.query, "limit", 1, kMaxTelemetryRows);
  if (!from) return respond(bad(from.error()));
  if (!to) return respond(bad(to.error()));
  if (!limit) return respond(bad(limit.error()));
  if (*from && *to && **from >= **to)
    return respond(problem(400, "invalid_parameter", "'from' must be earlier than 'to'"));
  if (!s.ctx.registry.exists(id)) return respond(not_found(id));
  store::TelemetryQuery q;
  q.pile = id;
  q.measurand = query_string(req.query, "measurand");
  q.from = *from;
  q.to = *to;
  q.limit = static_cast<int>(limit->value_or(1000));
  auto rows = s.ctx.store.telemetry(q);
  if (!rows) return respond(store_problem(rows.error()));
  json::array items;
  items.reserve(rows->size());
  for (const auto& r : *rows) items.push_back(telemetry_json(r));
  respond(json_response(200, json::object{{"items", std::move(items)}}));
}

}  // namespace cp::api::detail
