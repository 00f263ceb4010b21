// Login/logout, who am I, API tokens, health and metrics. The account logic (and its audit
// entries) lives in services::ApiAuth; these handlers parse, call it, and map its errors.
#include <limits>

#include "api/detail/handlers.h"
#include "api/detail/representation.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

json::object token_json(const services::TokenInfo& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"owner", t.owner},
                      {"role", services::to_string(t.role)},
                      {"created", format_rfc3339(t.created)},
                      {"expires_at", time_or_null(t.expires_at)},
                      {"last_used", time_or_null(t.last_used)}};
}

}  // namespace

Response account_problem(const Error& e) {
  static const std::map<std::string, unsigned> kStatus{
      {"invalid_username", 400}, {"invalid_password", 400},   {"invalid_role", 400},
      {"invalid_token_name", 400}, {"invalid_expiry", 400},   {"invalid_credentials", 401},
      {"role_too_high", 403},    {"session_required", 403},   {"user_not_found", 404},
      {"token_not_found", 404},  {"user_exists", 409},        {"last_admin", 409},
      {"cannot_delete_self", 409}, {"too_many_attempts", 429}};
  auto it = kStatus.find(e.code);
  if (it == kStatus.end()) return store_problem(e);
  return problem(it->second, e.code, e.message);
}

void login(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(problem(400, body.error().code, body.error().message));
  auto username = string_field(*body, "username");
  auto password = string_field(*body, "password");
  if (!username || !password || !*username || !*password)
    return respond(problem(400, "invalid_field", "'username' and 'password' must be strings"));
  s.ctx.auth.login(**username, **password, req.remote_address,
                   [respond = std::move(respond)](Result<services::IssuedToken, services::LoginError> issued) {
                     if (!issued) {
                       auto r = account_problem(issued.error().error);
                       if (issued.error().retry_after.count() > 0)
                         r.headers.emplace_back("Retry-After", std::to_string(issued.error().retry_after.count()));
                       return respond(std::move(r));
                     }
                     respond(json_response(200, json::object{{"token", issued->token},
                                                             {"id", issued->id},
                                                             {"expires_at", time_or_null(issued->expires_at)},
                                                             {"username", issued->principal.username},
                                                             {"role", services::to_string(issued->principal.role)}}));
                   });
}

void logout(ApiState& s, Request& req, Respond respond) {
  s.ctx.auth.logout(*req.principal, [respond = std::move(respond)](const Status& st) {
    // The token is already dead in memory; a failed write only means it was not made durable.
    respond(st ? no_content() : store_problem(st.error()));
  });
}

void get_me(ApiState&, Request& req, Respond respond) {
  const auto& p = *req.principal;
  respond(json_response(200, json::object{{"username", p.username},
                                          {"role", services::to_string(p.role)},
                                          {"token", json::object{{"id", p.token_id},
                                                                 {"kind", services::to_string(p.token_kind)}}}}));
}

void create_token(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(problem(400, body.error().code, body.error().message));
  auto name = string_field(*body, "name");
  auto role = string_field(*body, "role");
  if (!name) return respond(problem(400, name.error().code, name.error().message));
  if (!role) return respond(problem(400, role.error().code, role.error().message));
  services::ApiTokenSpec spec;
  spec.name = name->value_or("");
  if (*role) {
    spec.role = services::role_from_string(**role);
    if (!spec.role) return respond(problem(400, "invalid_role", "'role' must be viewer, operator or admin"));
  }
  if (auto it = body->find("expires_in_days"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().as_int64() < 1 || it->value().as_int64() > 3650)
      return respond(problem(400, "invalid_expiry", "'expires_in_days' must be an integer from 1 to 3650"));
    spec.expires_in = std::chrono::days(it->value().as_int64());
  }
  s.ctx.auth.issue_api_token(*req.principal, std::move(spec),
                             [respond = std::move(respond)](Result<services::IssuedToken> issued) {
                               if (!issued) return respond(account_problem(issued.error()));
                               services::TokenInfo info{issued->id, services::TokenKind::Api, issued->name,
                                                        issued->principal.username, issued->principal.role,
                                                        issued->created, issued->expires_at, std::nullopt};
                               auto o = token_json(info);
                               o["token"] = issued->token;  // the only time the secret is shown
                               auto r = json_response(201, o);
                               r.headers.emplace_back("Location", "/api/v1/tokens/" + issued->id);
                               respond(std::move(r));
                             });
}

void list_tokens(ApiState& s, Request& req, Respond respond) {
  json::array items;
  for (const auto& t : s.ctx.auth.api_tokens(*req.principal)) items.push_back(token_json(t));
  respond(json_response(200, json::object{{"items", std::move(items)}}));
}

void delete_token(ApiState& s, Request& req, Respond respond) {
  s.ctx.auth.revoke_api_token(*req.principal, req.params["id"], [respond = std::move(respond)](const Status& st) {
    respond(st ? no_content() : account_problem(st.error()));
  });
}

void healthz(ApiState&, Request&, Respond respond) {
  respond(json_response(200, json::object{{"status", "ok"}}));
}

void metrics(ApiState& s, Request&, Respond respond) {
  respond(Response{200, "text/plain; version=0.0.4; charset=utf-8", s.ctx.metrics.render_prometheus(), {}});
}

}  // namespace cp::api::detail
