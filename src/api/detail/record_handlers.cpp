// /api/v1/transactions and /api/v1/id-tags.
#include <spdlog/spdlog.h>

#include <limits>

#include "api/detail/handlers.h"
#include "api/detail/representation.h"

namespace cp::api::detail {
namespace json = boost::json;

void list_transactions(ApiState& s, Request& req, Respond respond) {
  auto limit = query_int(req.query, "limit", 1, 1000);
  auto before = query_int(req.query, "before", 1, std::numeric_limits<std::int64_t>::max());
  if (!limit) return respond(problem(400, limit.error().code, limit.error().message));
  if (!before) return respond(problem(400, before.error().code, before.error().message));
  store::TransactionQuery q;
  q.pile = query_string(req.query, "pile");
  const auto page = limit->value_or(100);
  q.limit = static_cast<int>(page) + 1;
  q.before = *before;
  auto txs = s.ctx.store.transactions(q);
  if (!txs) return respond(store_problem(txs.error()));
  respond(json_response(200, page_json(*txs, page, transaction_json)));
}

void list_id_tags(ApiState& s, Request&, Respond respond) {
  auto tags = s.ctx.store.id_tags();
  if (!tags) return respond(store_problem(tags.error()));
  json::array items;
  for (const auto& t : *tags) items.push_back(id_tag_json(t));
  respond(json_response(200, json::object{{"items", std::move(items)}}));
}

void create_id_tag(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(problem(400, body.error().code, body.error().message));
  auto tag = string_field(*body, "id_tag");
  auto status = string_field(*body, "status");
  auto expiry = string_field(*body, "expiry");
  auto parent = string_field(*body, "parent_id_tag");
  for (const Result<std::optional<std::string>>* r : {&tag, &status, &expiry, &parent})
    if (!*r) return respond(problem(400, r->error().code, r->error().message));
  if (!*tag || !valid_id_tag(**tag))
    return respond(problem(400, "invalid_id_tag", "'id_tag' must be 1 to 20 printable ASCII characters"));
  if (*parent && !valid_id_tag(**parent))
    return respond(problem(400, "invalid_id_tag", "'parent_id_tag' must be 1 to 20 printable ASCII characters"));
  store::IdTagRecord record;
  record.id_tag = **tag;
  record.status = status->value_or("Accepted");
  if (!domain::authorization_from_string(record.status))
    return respond(problem(400, "invalid_field", "'status' must be Accepted, Blocked, Expired, Invalid or ConcurrentTx"));
  if (*expiry) {
    record.expiry = parse_rfc3339(**expiry);
    if (!record.expiry) return respond(problem(400, "invalid_field", "'expiry' must be an RFC 3339 date-time"));
  }
  record.parent_id_tag = *parent;

  const auto key = "id-tag:" + record.id_tag;
  if (!s.reserve(key)) return respond(problem(409, "id_tag_exists", "id tag is being created"));
  auto existing = s.ctx.store.id_tag(record.id_tag);
  if (!existing || existing->has_value()) {
    s.release(key);
    if (!existing) return respond(store_problem(existing.error()));
    return respond(problem(409, "id_tag_exists", "id tag '" + record.id_tag + "' already exists"));
  }
  store::WriteBatch batch{store::UpsertIdTag{record},
                          store::InsertAudit{audit_record(s, req, "id_tag.create", record.id_tag,
                                                          {{"status", record.status}})}};
  s.ctx.store.submit(std::move(batch), [&s, key, record, respond = std::move(respond)](const Status& st) {
    s.release(key);
    if (!st) return respond(store_problem(st.error()));
    spdlog::info("id_tag_created status={}", record.status);
    auto r = json_response(201, id_tag_json(record));
    respond(std::move(r));
  });
}

}  // namespace cp::api::detail
