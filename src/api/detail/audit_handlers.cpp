// /api/v1/audit: the audit log, newest first, with exact-match filters and a cursor; and the
// helper every write handler uses to record who did what.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <limits>

#include "api/detail/handlers.h"
#include "api/detail/representation.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

json::object audit_json(const store::AuditRecord& a) {
  boost::system::error_code ec;
  json::value detail = json::parse(a.detail, ec);
  if (ec) detail = json::value(a.detail);  // written by an older or foreign writer: show it raw
  return json::object{{"id", a.id},         {"at", format_rfc3339(a.at)}, {"actor", a.actor},
                      {"action", a.action}, {"target", a.target},         {"detail", std::move(detail)}};
}

}  // namespace

store::AuditRecord audit_record(const ApiState& s, const Request& req, std::string action, std::string target,
                                json::object detail) {
  store::AuditRecord r;
  r.at = s.ctx.clock.now();
  if (req.principal) {
    r.actor = req.principal->username;
    // Which machine acted, when it was one: the API token's public id.
    if (req.principal->token_kind == services::TokenKind::Api) detail["token"] = req.principal->token_id;
  }
  r.action = std::move(action);
  r.target = std::move(target);
  r.detail = json::serialize(detail);
  return r;
}

void list_audit(ApiState& s, Request& req, Respond respond) {
  auto limit = query_int(req.query, "limit", 1, 1000);
  auto before = query_int(req.query, "before", 1, std::numeric_limits<std::int64_t>::max());
  if (!limit) return respond(problem(400, limit.error().code, limit.error().message));
  if (!before) return respond(problem(400, before.error().code, before.error().message));
  store::AuditQuery q;
  q.actor = query_string(req.query, "actor");
  q.action = query_string(req.query, "action");
  q.target = query_string(req.query, "target");
  q.before = *before;
  const auto page = limit->value_or(100);
  q.limit = static_cast<int>(page) + 1;  // one more tells whether there is a next page
  auto rows = s.ctx.store.audit(q);
  if (!rows) return respond(store_problem(rows.error()));
  respond(json_response(200, page_json(*rows, page, audit_json)));
}

}  // namespace cp::api::detail
